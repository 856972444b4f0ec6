"""The compliance self-check: the form, the private result, and only anonymous counts stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from guidance_bot.bot import ActionEvent, Message, Submission
from guidance_bot.forms import Form
from guidance_bot.platforms import Person
from guidance_bot.reminders.content import reminder_reply
from guidance_bot.runtime import Runtime
from guidance_bot.store.tables import checklist_completions, processed_events

from .conftest import BUNDLED, make_settings

STAFF = Person("slack", "U0STAFF", name="Hanako Shinagawa")


@pytest.fixture
async def bundled_rt(database_url, clock):
    rt = Runtime(make_settings(BUNDLED, database_url), clock=clock)
    assert rt.live.reload().knowledge is not None
    yield rt
    await rt.stop()


@pytest.mark.parametrize("words", ["checklist", "チェックリスト", "セルフチェック", "セルフチェックをしたい"])
async def test_checklist_command_opens_the_form(bundled_rt, words):
    form = await bundled_rt.bot.handle(Message(STAFF, words, channel="C0123"))
    assert isinstance(form, Form) and form.form_id == "checklist"
    assert [f.name for f in form.fields] == ["group1", "group2", "group3", "group4"]
    assert {f.kind for f in form.fields} == {"checkboxes"}
    values = [o.value for f in form.fields for o in f.options]
    assert values == [str(n) for n in range(1, 18)]
    assert form.fields[0].label == ("Obeying the law as a public servant" if words == "checklist"
                                    else "公務員としての法令遵守について")
    assert "匿名" in form.intro or "anonymous" in form.intro


async def test_checklist_button_and_reminder_content(bundled_rt):
    reply = reminder_reply("checklist", "", 0, "en", bundled_rt.answerer)
    assert [(a.name, a.label) for a in reply.actions] == [("checklist", "Start the self-check")]
    assert "17 items" in reply.answer and not reply.private
    form = await bundled_rt.bot.act(ActionEvent(STAFF, "checklist", "", "en"))
    assert isinstance(form, Form) and form.language == "en"
    assert form.fields[0].label == "Obeying the law as a public servant"


async def test_submission_gives_a_private_result_and_stores_only_counts(bundled_rt):
    ticked = {"group1": ["1", "2", "4", "5", "6"], "group2": ["7", "8", "9"],
              "group3": "11,12,13,14", "group4": ["15", "16", "17"]}  # 3 and 10 not ticked
    submission = Submission(STAFF, "checklist", ticked, "ja", key="view-abc", channel="C0123")
    reply = await bundled_rt.bot.submit(submission)
    assert reply.private and reply.title == "セルフチェックの結果"
    assert "15/17 項目にチェックが付きました。" in reply.answer
    assert "□ 3. 日常的に酒気帯び運転等の防止に留意し" in reply.answer
    assert "□ 10. 情報管理をおろそかにし" in reply.answer
    assert "□ 1." not in reply.answer
    assert [c.entry_id for c in reply.choices] == ["safe-driving", "drunk-driving", "traffic-accident",
                                                     "personal-information", "information-security-policy"]

    again = await bundled_rt.bot.submit(submission)  # a retried submission counts once
    assert again.answer == reply.answer
    async with bundled_rt.db.connect() as conn:
        rows = [dict(r._mapping) for r in await conn.execute(select(checklist_completions))]
        events = [r.key for r in await conn.execute(select(processed_events))]
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == {"id", "at", "platform", "ticked", "total"}
    assert (row["platform"], row["ticked"], row["total"]) == ("slack", 15, 17)
    assert row["at"].hour == 15 and row["at"].minute == 0  # the day in Tokyo, not the moment
    assert "U0STAFF" not in repr(rows) + repr(events) and "Hanako" not in repr(rows)


async def test_all_ticked_and_item_toggles(bundled_rt):
    values = {f"item{n}": True for n in range(1, 18)}
    reply = await bundled_rt.bot.submit(Submission(STAFF, "checklist", values, "en", key="k2"))
    assert "You ticked 17 of 17 items." in reply.answer and reply.choices == ()
    nothing = await bundled_rt.bot.submit(Submission(STAFF, "checklist", {}, "en", key="k3"))
    assert "You ticked 0 of 17 items." in nothing.answer and len(nothing.choices) > 5
