"""Legal consultation hand-off (issue #7): the form, reference numbers, the outbox notification, the
office's status changes, confidentiality and the command line. Service-level tests run on SQLite
and PostgreSQL (``database_url``)."""

from __future__ import annotations

import asyncio
import csv
import getpass
import io
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from guidance_bot.bot import ActionEvent, Message, Submission
from guidance_bot.cli import main
from guidance_bot.forms import Form, FormErrors
from guidance_bot.handoff import AccessRefused, Viewer
from guidance_bot.handoff import messages as hm
from guidance_bot.handoff.form import SUMMARY_MAX, Request, validate
from guidance_bot.handoff.service import outbox_rows
from guidance_bot.outbox import DeliveryError
from guidance_bot.platforms import Person, Roles
from guidance_bot.replies import render_text
from guidance_bot.runtime import Runtime
from guidance_bot.store.tables import audit_log, consultations

from .conftest import make_settings

OFFICE_SLACK = "slack:C0FFICE"
OFFICE_TEAMS = "teams:19:office@thread.tacv2"
WHISTLE = "slack:C0WHISTLE"
REQUESTER = Person("slack", "U_REQ", name="山田 花子")
OFFICER = Person("slack", "U_OFFICE", name="鈴木")
OUTSIDER = Person("slack", "U_OTHER", name="佐藤")
ROLES = Roles(compliance_office=frozenset({"U_OFFICE"}))
DESTINATIONS = {"default": (OFFICE_SLACK, OFFICE_TEAMS), "whistleblowing": (WHISTLE,)}


class RecordingSender:
    """A platform that fails the first ``fail`` sends, then records what it is given."""

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.calls = 0
        self.sent: list[tuple[str, object]] = []

    async def send(self, destination, reply) -> None:
        self.calls += 1
        if self.fail:
            self.fail -= 1
            raise DeliveryError("platform unavailable")
        self.sent.append((str(destination), reply))


def new_runtime(kdir, url, clock, **changes) -> Runtime:
    settings = make_settings(kdir, url, roles=ROLES, consultation_destinations=changes.pop("destinations", DESTINATIONS),
                             **changes)
    rt = Runtime(settings, clock=clock, outbox_poll_seconds=0.05)
    rt.live.reload()  # not started: the tests drive the outbox themselves
    return rt


@pytest.fixture
async def rt(kdir, database_url, clock):
    runtime = new_runtime(kdir, database_url, clock)
    yield runtime
    await runtime.db.close()


@pytest.fixture
async def lite(kdir, sqlite_url, clock):
    """The same on SQLite only, for conversation tests where the database kind does not matter."""
    runtime = new_runtime(kdir, sqlite_url, clock)
    yield runtime
    await runtime.db.close()


def request(**changes) -> Request:
    values = dict(category="customer_harassment", summary="同じ来庁者が毎日、長時間の対応を求めてくる。",
                  urgency="within_days", language="ja", department="戸籍住民課", contact="内線 1234")
    values.update(changes)
    return Request(**values)


def submission(key: str = "view-1", person: Person = REQUESTER, lang="ja", context=None, **values) -> Submission:
    fields = {"category": "customer_harassment", "summary": "窓口で毎日怒鳴られる。", "urgency": "routine",
              "department": "保育課", "contact": "内線 5678"}
    fields.update(values)
    return Submission(person, "consult", fields, lang, context or {"channel": "D1", "private": "1"}, key=key)


async def rows(rt: Runtime, table, *where):
    async with rt.db.connect() as conn:
        return [dict(r._mapping) for r in (await conn.execute(select(table).where(*where))).all()]


# -- the form --------------------------------------------------------------------------------------

def test_form_validation_messages_are_shown_in_the_form():
    context = {"channel": "D1", "private": "1"}
    missing = validate({"category": "other", "urgency": "routine", "summary": "  "}, "ja", context)
    assert isinstance(missing, FormErrors)
    assert missing.errors == {"summary": "相談の概要を書いてください。"}
    assert missing.form.form_id == "consult" and missing.form.context == context

    too_long = validate({"category": "other", "urgency": "routine", "summary": "あ" * (SUMMARY_MAX + 1)},
                        "en", context)
    assert isinstance(too_long, FormErrors)
    assert too_long.errors["summary"] == f"Please keep it within {SUMMARY_MAX} characters (now {SUMMARY_MAX + 1})."
    # The submitted values come back in the form, so nothing typed is lost.
    summary = next(f for f in too_long.form.fields if f.name == "summary")
    assert summary.initial == "あ" * (SUMMARY_MAX + 1) and summary.max_length == SUMMARY_MAX

    unchosen = validate({"summary": "x", "category": "gossip"}, "ja", context)
    assert set(unchosen.errors) == {"category", "urgency"}
    assert unchosen.errors["urgency"] == "緊急度を選んでください。"


def test_form_fields_and_options():
    from guidance_bot.handoff.form import build_form, context_for

    form = build_form("ja", context_for(channel="C1", private=False, entry_id="type-violence"), entry_title="暴力型")
    by_name = {f.name: f for f in form.fields}
    assert list(by_name) == ["category", "summary", "urgency", "department", "contact", "attach", "share_name"]
    assert [o.value for o in by_name["category"].options] == [
        "customer_harassment", "legal_risk", "whistleblowing", "workplace_harassment", "other"]
    assert [o.value for o in by_name["urgency"].options] == ["danger_now", "within_days", "routine"]
    assert by_name["attach"].kind == "toggle" and by_name["attach"].initial is False  # opt-in
    assert "暴力型" in by_name["attach"].hint
    assert hm.FORM_CONTINUES_PRIVATELY.ja in form.intro  # started in a channel: continues privately
    assert len(form.title) <= 24 and "110" in form.alert
    plain = build_form("en", context_for())
    assert "attach" not in {f.name for f in plain.fields}


def test_attach_stores_the_question_and_entry_only_when_ticked():
    context = {"entry": "type-violence", "question": "殴られた"}
    values = {"category": "other", "urgency": "routine", "summary": "s"}
    assert validate(values, "ja", context) == Request("other", "s", "routine", "ja", share_name=False)
    ticked = validate({**values, "attach": True}, "ja", context)
    assert (ticked.question, ticked.entry_id) == ("殴られた", "type-violence")
    assert validate({**values, "attach": ["on"]}, "ja", context).entry_id == "type-violence"  # checkbox shape


# -- reference numbers -----------------------------------------------------------------------------

async def test_reference_numbers_count_per_tokyo_year(rt, clock):
    service = rt.consultations
    first = await service.create(REQUESTER, request())
    second = await service.create(REQUESTER, request())
    assert (first.consultation.ref, second.consultation.ref) == ("LC-2026-0001", "LC-2026-0002")
    clock.set(datetime(2026, 12, 31, 15, 30, tzinfo=UTC))  # 2027-01-01 00:30 in Tokyo
    assert (await service.create(REQUESTER, request())).consultation.ref == "LC-2027-0001"
    assert rt.metrics.handoffs.labels("customer_harassment")._value.get() == 3


async def test_concurrent_creates_get_distinct_numbers(rt):
    results = await asyncio.gather(*(rt.consultations.create(REQUESTER, request(summary=f"件 {i}"))
                                     for i in range(10)))
    refs = sorted(r.consultation.ref for r in results)
    assert refs == [f"LC-2026-{n:04d}" for n in range(1, 11)]
    assert len(await rows(rt, consultations)) == 10


# -- submissions, notifications and the outbox -----------------------------------------------------

async def test_retried_submission_makes_one_request(rt):
    first = await rt.bot.submit(submission(key="V123:hash"))
    again = await rt.bot.submit(submission(key="V123:hash"))
    assert first.title == again.title == "相談を受け付けました（LC-2026-0001）"
    assert first.private and again.private
    assert len(await rows(rt, consultations)) == 1
    queued = await outbox_rows(rt.db, "LC-2026-0001")
    assert sorted(r["destination"] for r in queued) == sorted([OFFICE_SLACK, OFFICE_TEAMS])
    assert rt.metrics.handoffs.labels("customer_harassment")._value.get() == 1
    # A different submission is a different request.
    other = await rt.bot.submit(submission(key="V124:hash"))
    assert "LC-2026-0002" in other.title


async def test_concurrent_retries_of_one_submission_make_one_request(rt):
    replies = await asyncio.gather(*(rt.bot.submit(submission(key="V9")) for _ in range(5)))
    assert {r.title for r in replies} == {"相談を受け付けました（LC-2026-0001）"}
    assert len(await rows(rt, consultations)) == 1
    assert len(await outbox_rows(rt.db, "LC-2026-0001")) == 2


async def test_notification_failing_three_times_is_delivered_once(kdir, database_url, clock):
    rt = new_runtime(kdir, database_url, clock, destinations={"default": (OFFICE_SLACK,)})
    sender = RecordingSender(fail=3)
    rt.add_sender("slack", sender)
    try:
        await rt.bot.submit(submission())
        assert await rt.outbox.deliver_due() == 0
        for wait in (5, 15, 60):  # outbox.BACKOFF
            assert await rt.outbox.deliver_due() == 0  # not due yet
            clock.advance(seconds=wait + 1)
            assert await rt.outbox.deliver_due() == (1 if wait == 60 else 0)
        for _ in range(3):
            clock.advance(hours=1)
            assert await rt.outbox.deliver_due() == 0
        assert sender.calls == 4
        assert len(sender.sent) == 1
        destination, reply = sender.sent[0]
        assert destination == OFFICE_SLACK
        assert "LC-2026-0001" in reply.title and "窓口で毎日怒鳴られる。" in reply.answer
        assert [a.value for a in reply.actions] == [
            "LC-2026-0001:received", "LC-2026-0001:in_progress", "LC-2026-0001:done"]
        assert {a.name for a in reply.actions} == {"consult_status"}
        [row] = await outbox_rows(rt.db, "LC-2026-0001")
        assert row["attempts"] == 4 and row["delivered_at"] is not None
    finally:
        await rt.db.close()


async def test_restart_between_acceptance_and_notification(kdir, database_url, clock):
    before = new_runtime(kdir, database_url, clock)  # no sender: the platform is down
    reply = await before.bot.submit(submission())
    assert "LC-2026-0001" in reply.title
    assert await before.outbox.deliver_due() == 0
    await before.db.close()  # the process stops

    after = new_runtime(kdir, database_url, clock)
    slack, teams = RecordingSender(), RecordingSender()
    after.add_sender("slack", slack)
    after.add_sender("teams", teams)
    clock.advance(minutes=1)
    await after.start()  # its worker delivers; the start-up announcement must not add a second copy
    try:
        for _ in range(200):
            if slack.sent and teams.sent:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        assert [d for d, _ in slack.sent] == [OFFICE_SLACK]
        assert [d for d, _ in teams.sent] == [OFFICE_TEAMS]
        assert len(await outbox_rows(after.db, "LC-2026-0001")) == 2
    finally:
        await after.stop()


async def test_danger_now_shows_the_safety_steps_first(lite):
    reply = await lite.bot.submit(submission(urgency="danger_now"))
    assert reply.alert == hm.SAFETY_ALERT.ja
    assert reply.steps[:2] == (hm.SAFETY_STEPS[0].ja, hm.SAFETY_STEPS[1].ja)
    text = render_text(reply)
    assert text.startswith("⚠") and text.index("110") < text.index("LC-2026-0001")
    [office] = [r for r in await outbox_rows(lite.db, "LC-2026-0001") if r["destination"] == OFFICE_SLACK]
    assert "緊急" in office["payload"]["reply"]["alert"]


async def test_confirmation_says_what_happens_next(lite):
    reply = await lite.bot.submit(submission(lang="en"))
    assert reply.language == "en" and reply.private
    assert "LC-2026-0001" in reply.answer
    assert any("内線 5678" in step for step in reply.steps)  # the preferred contact
    assert any("direct message" in step for step in reply.steps)
    assert any(c.name == "Compliance Section" for c in reply.contacts)  # from contacts.yaml


async def test_whistleblowing_goes_only_to_its_destination_and_hides_the_name(rt):
    reply = await rt.bot.submit(submission(key="w1", category="whistleblowing"))
    assert hm.WHISTLEBLOWING_PROTECTION.ja in reply.answer
    assert hm.WHISTLEBLOWING_NAME_HIDDEN.ja in reply.answer
    [row] = await outbox_rows(rt.db, "LC-2026-0001")
    assert row["destination"] == WHISTLE
    text = row["payload"]["reply"]["answer"]
    assert "U_REQ" not in text and "山田" not in text and hm.OFFICE_NAME_HIDDEN.ja in text

    await rt.bot.submit(submission(key="w2", category="whistleblowing", share_name=True))
    [row] = await outbox_rows(rt.db, "LC-2026-0002")
    assert "山田 花子 (slack:U_REQ)" in row["payload"]["reply"]["answer"]

    # The office's own views keep the name hidden unless the requester agreed.
    office = Viewer.of(OFFICER, ROLES)
    hidden = (await rt.consultations.get(office, "LC-2026-0001")).as_dict(for_office=True)
    assert hidden["requester"] == "" and hidden["requester_name"] == ""
    shown = await rt.bot.handle(Message(OFFICER, "consult LC-2026-0001"))
    assert "U_REQ" not in shown.answer and shown.private


async def test_other_categories_show_the_name(rt):
    await rt.bot.submit(submission(share_name=False))
    [row] = [r for r in await outbox_rows(rt.db, "LC-2026-0001") if r["destination"] == OFFICE_SLACK]
    assert "山田 花子 (slack:U_REQ)" in row["payload"]["reply"]["answer"]


async def test_whistleblowing_without_its_destination_is_stored_but_never_sent_elsewhere(kdir, sqlite_url, clock):
    rt = new_runtime(kdir, sqlite_url, clock, destinations={"default": (OFFICE_SLACK,)})
    try:
        reply = await rt.bot.submit(submission(category="whistleblowing"))
        assert "LC-2026-0001" in reply.title
        assert await outbox_rows(rt.db, "LC-2026-0001") == []
        assert rt.metrics.errors.labels("handoff_destination")._value.get() == 1
        listed = await rt.consultations.list(Viewer.of(OFFICER, ROLES))
        assert [c.ref for c in listed] == ["LC-2026-0001"]
    finally:
        await rt.db.close()
    # Once configured, the next start announces it there.
    later = new_runtime(kdir, sqlite_url, clock)
    try:
        assert await later.consultations.announce_pending() == 1
        assert [r["destination"] for r in await outbox_rows(later.db, "LC-2026-0001")] == [WHISTLE]
        assert await later.consultations.announce_pending() == 0
    finally:
        await later.db.close()


# -- the office: status changes, access --------------------------------------------------------------

async def test_office_changes_status_and_the_requester_is_told(rt, clock):
    sender = RecordingSender()
    rt.add_sender("slack", sender)
    rt.add_sender("teams", RecordingSender())
    await rt.bot.submit(submission())
    await rt.outbox.deliver_due()
    clock.advance(minutes=5)
    reply = await rt.bot.act(ActionEvent(OFFICER, "consult_status", "LC-2026-0001:in_progress", "ja", "C0FFICE",
                                         private=False))
    assert "対応中" in reply.answer and "鈴木" in reply.answer and "2026-11-25 09:05" in reply.answer
    assert "怒鳴られる" not in reply.answer  # no contents in the channel reply
    again = await rt.bot.act(ActionEvent(OFFICER, "consult_status", "LC-2026-0001:in_progress", "ja"))
    assert "すでに" in again.answer
    await rt.outbox.deliver_due()
    dms = [(d, r) for d, r in sender.sent if d.startswith("slack:user:")]
    assert len(dms) == 1
    destination, dm = dms[0]
    assert destination == "slack:user:U_REQ" and dm.private
    assert "LC-2026-0001" in dm.title and "対応中" in dm.title and "鈴木" in dm.answer

    await rt.bot.act(ActionEvent(OFFICER, "consult_status", "LC-2026-0001:done", "ja"))
    await rt.outbox.deliver_due()
    assert len([d for d, _ in sender.sent if d.startswith("slack:user:")]) == 2
    [row] = await rows(rt, consultations)
    assert (row["status"], row["status_by"]) == ("done", "slack:U_OFFICE")
    audit = await rows(rt, audit_log, audit_log.c.subject == "LC-2026-0001")
    assert [(a["actor"], a["action"]) for a in audit] == [
        ("slack:U_REQ", "consultation.create"),
        ("slack:U_OFFICE", "consultation.status"),
        ("slack:U_OFFICE", "consultation.status"),
    ]
    assert audit[1]["detail"] == {"from": "received", "to": "in_progress", "name": "鈴木"}


async def test_the_worker_is_woken_once_the_status_message_is_committed(kdir, sqlite_url, clock):
    """A worker woken before the commit finds nothing, then sleeps a whole poll: the requester's
    status message would wait for it."""
    import sqlite3

    path = sqlite_url.removeprefix("sqlite:///")
    visible: list[int] = []

    def wakeup() -> None:  # what a woken worker would see, from another connection
        with sqlite3.connect(path) as other:
            visible.append(other.execute("SELECT count(*) FROM outbox WHERE kind = 'consultation_status'"
                                         " AND delivered_at IS NULL").fetchone()[0])

    rt = new_runtime(kdir, sqlite_url, clock)
    try:
        service = rt.consultations
        await service.create(REQUESTER, request())
        service._wakeup = wakeup
        await service.change_status(Viewer.of(OFFICER, ROLES), "LC-2026-0001", "in_progress")
        await service.change_status(Viewer.of(OFFICER, ROLES), "LC-2026-0001", "in_progress")  # no change
        assert visible == [1]
    finally:
        await rt.db.close()


async def test_outsiders_are_refused_and_nothing_changes(rt):
    await rt.bot.submit(submission())
    reply = await rt.bot.act(ActionEvent(OUTSIDER, "consult_status", "LC-2026-0001:done", "ja"))
    assert reply.answer == rt.bot.refused("ja").answer
    shown = await rt.bot.handle(Message(OUTSIDER, "consult LC-2026-0001", lang="ja"))
    assert shown.answer == rt.bot.refused("ja").answer
    missing = await rt.bot.handle(Message(OUTSIDER, "consult LC-2026-0999", lang="ja"))  # existence is not revealed
    assert missing.answer == rt.bot.refused("ja").answer
    with pytest.raises(AccessRefused):
        await rt.consultations.list(Viewer.of(OUTSIDER, ROLES))
    [row] = await rows(rt, consultations)
    assert row["status"] == "received" and row["status_by"] is None
    assert len(await outbox_rows(rt.db, "LC-2026-0001")) == 2  # no DM queued
    refused = await rows(rt, audit_log, audit_log.c.action == "consultation.refused")
    assert [(a["actor"], a["detail"]["attempt"]) for a in refused] == [
        ("slack:U_OTHER", "status"), ("slack:U_OTHER", "view"), ("slack:U_OTHER", "view"), ("slack:U_OTHER", "list")]


async def test_requester_sees_their_own_request_and_views_are_audited(lite):
    await lite.bot.submit(submission())
    mine = await lite.bot.handle(Message(REQUESTER, "consult lc-2026-0001", channel="C_PUBLIC", private=False))
    assert mine.private and "窓口で毎日怒鳴られる。" in mine.answer and not mine.actions
    office = await lite.bot.handle(Message(OFFICER, "consult LC-2026-0001"))
    assert office.private and {a.name for a in office.actions} == {"consult_status"}
    views = await rows(lite, audit_log, audit_log.c.action == "consultation.view")
    assert [(v["actor"], v["detail"]["as"]) for v in views] == [("slack:U_REQ", "requester"),
                                                                ("slack:U_OFFICE", "office")]


# -- starting a consultation from the conversation ------------------------------------------------

@pytest.mark.parametrize("text, lang", [("弁護士に相談したい", "ja"), ("法律相談をしたい", "ja"),
                                        ("指導員に相談", "ja"), ("I need legal advice", "en"),
                                        ("consult", "en"), ("相談", "ja")])
async def test_phrases_and_words_open_the_form(lite, text, lang):
    form = await lite.bot.handle(Message(REQUESTER, text, channel="D1"))
    assert isinstance(form, Form) and form.form_id == "consult" and form.language == lang
    assert form.context["private"] == "1"
    summary = next(f for f in form.fields if f.name == "summary")
    assert summary.initial is None  # the sentence that asked for the form is not the summary


async def test_questions_about_the_advisor_are_still_answered(lite):
    reply = await lite.bot.handle(Message(REQUESTER, "how do I request legal advice online?"))
    assert not isinstance(reply, Form)


async def test_consult_in_a_channel_continues_privately(lite):
    form = await lite.bot.handle(Message(REQUESTER, "consult 窓口で怒鳴られた", channel="C_PUBLIC", private=False))
    assert form.context == {"channel": "C_PUBLIC", "private": "0", "origin": "command"}
    assert next(f for f in form.fields if f.name == "summary").initial is None  # nothing echoed in public
    private = await lite.bot.handle(Message(REQUESTER, "consult 窓口で怒鳴られた", channel="D1"))
    assert next(f for f in private.fields if f.name == "summary").initial == "窓口で怒鳴られた"
    reply = await lite.bot.submit(submission(context=dict(form.context)))
    assert reply.private


async def test_consult_button_on_an_answer_attaches_the_entry_and_question(lite):
    form = await lite.bot.act(ActionEvent(REQUESTER, "consult", "type-violence", "ja", "D1"))
    assert form.context["entry"] == "type-violence"
    context = {**form.context, "question": "殴られた"}  # the adapter adds the question it knows
    await lite.bot.submit(submission(key="a1", context=context, attach=True))
    await lite.bot.submit(submission(key="a2", context=context, attach=False))
    stored = {r["ref"]: r for r in await rows(lite, consultations)}
    assert (stored["LC-2026-0001"]["attached_entry"], stored["LC-2026-0001"]["attached_question"]) == (
        "type-violence", "殴られた")
    assert stored["LC-2026-0002"]["attached_entry"] is None and stored["LC-2026-0002"]["attached_question"] is None
    [note] = [r for r in await outbox_rows(lite.db, "LC-2026-0001") if r["destination"] == OFFICE_SLACK]
    assert "type-violence（暴力型）" in note["payload"]["reply"]["answer"]
    empty = await lite.bot.act(ActionEvent(REQUESTER, "consult", "", "en"))
    assert "entry" not in empty.context and "attach" not in {f.name for f in empty.fields}


async def test_form_errors_come_back_from_submit(lite):
    errors = await lite.bot.submit(submission(summary=""))
    assert isinstance(errors, FormErrors) and "summary" in errors.errors
    assert await rows(lite, consultations) == []


# -- command line ------------------------------------------------------------------------------------

@pytest.fixture
def cli_env(monkeypatch, kdir, sqlite_url):
    monkeypatch.delenv("GUIDANCE_CONFIG", raising=False)
    monkeypatch.setenv("GUIDANCE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("GUIDANCE_KNOWLEDGE_DIR", str(kdir))
    return sqlite_url


def test_cli_new_list_show_export(cli_env, capsys):
    assert main(["consult", "new", "--summary", "契約書の条項が不安", "--category", "legal_risk"]) == 0
    ref = capsys.readouterr().out.strip()
    assert re.fullmatch(r"LC-\d{4}-0001", ref)
    assert main(["consult", "new", "--summary", "二件目", "--urgency", "within_days"]) == 0
    second = capsys.readouterr().out.strip()

    assert main(["consult", "list"]) == 0
    out = capsys.readouterr().out
    assert ref in out and second in out and "(2 件 / requests)" in out
    assert main(["consult", "list", "--json", "--status", "received"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["ref"] for c in listed] == [ref, second]
    assert listed[0]["category"] == "legal_risk" and listed[0]["requester"] == f"cli:{getpass.getuser()}"

    assert main(["consult", "show", ref]) == 0
    out = capsys.readouterr().out
    assert "契約書の条項が不安" in out and "consultation.create" in out
    assert main(["consult", "show", ref, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == "契約書の条項が不安"

    assert main(["consult", "export", "--format", "csv"]) == 0
    exported = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["ref"] for r in exported] == [ref, second] and exported[1]["urgency"] == "within_days"
    assert main(["consult", "export", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2

    async def audit_actions():
        from guidance_bot.store import Database
        db = Database(cli_env)
        try:
            async with db.connect() as conn:
                return [(r.actor, r.action) for r in await conn.execute(select(audit_log).order_by(audit_log.c.id))]
        finally:
            await db.close()

    actions = asyncio.run(audit_actions())
    me = f"cli:{getpass.getuser()}"
    assert {actor for actor, _ in actions} == {me}
    assert [a for _, a in actions] == ["consultation.create", "consultation.create", "consultation.list",
                                       "consultation.list", "consultation.view", "consultation.view",
                                       "consultation.export", "consultation.export"]


def test_cli_errors(cli_env, capsys):
    assert main(["consult", "new", "--summary", "x" * (SUMMARY_MAX + 1)]) == 2
    assert "2000" in capsys.readouterr().err
    assert main(["consult", "show", "LC-2026-0042"]) == 1
    assert "LC-2026-0042" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["consult", "new", "--summary", "x", "--category", "gossip"])
