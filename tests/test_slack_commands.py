"""Every ``/guidance`` subcommand through the real bolt app, as a slash command and as text in a DM:
help, consult, remind / reminders (managers), checklist, reload / report (compliance office); the
remind and checklist modals, the reminders' buttons, and a reminder delivered to a channel by the
outbox whose button opens the self-check. The fake Slack refuses Block Kit real Slack would refuse."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

pytest.importorskip("slack_bolt")

from guidance_bot.platforms import Roles  # noqa: E402
from guidance_bot.store.tables import checklist_completions, reminders  # noqa: E402
from guidance_slack.blocks import decode_metadata, decode_value  # noqa: E402
from tests.conftest import BUNDLED  # noqa: E402
from tests.fakes.slack import FakeSlackWebAPI, block_actions, event_callback, im_message, slash_command  # noqa: E402
from tests.fakes.slack import view_submission  # noqa: E402
from tests.test_slack_adapter import (Bot, block, buttons, interactive, register_test_form, settle,  # noqa: E402
                                      start_bot, state)

MANAGER, OFFICE, STAFF = "U0MGR", "U0OFF", "U0STAFF"


@pytest_asyncio.fixture
async def bot(sqlite_url: str, clock, slack_api: FakeSlackWebAPI) -> AsyncIterator[Bot]:
    """The bundled knowledge (it has the self-check), a manager and an office user group."""
    slack_api.usergroups["S0FFICE"] = [OFFICE]
    started = await start_bot(BUNDLED, sqlite_url, clock, slack_api,
                              roles=Roles(managers=frozenset({MANAGER}), compliance_office=frozenset({"S0FFICE"})))
    yield started
    await started.http.close()


async def slash(bot: Bot, text: str, user: str, channel: str = "C1", trigger: str = "") -> str:
    """Run ``/guidance text``; returns the response_url key its answer is recorded under."""
    key = f"{user}:{text}:{time.monotonic_ns()}"
    await bot.post(slash_command(text, user_id=user, channel_id=channel, trigger_id=trigger or None,
                                 response_url=bot.api.response_url(key)))
    return key


async def answer_to(bot: Bot, key: str) -> dict[str, Any]:
    for _ in range(100):
        found = [c.params for c in bot.api.calls("response_url") if c.params["key"] == key]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no answer for {key}")


async def dm(bot: Bot, text: str, user: str) -> dict[str, Any]:
    before = len(bot.api.calls("chat.postMessage"))
    await bot.post(event_callback(im_message(text, user_id=user, channel_id=f"D{user}")))
    calls = await bot.api.wait_for("chat.postMessage", count=before + 1)
    return calls[before].params


def reminder_state(schedule: str, kind: str, text: str = "") -> dict[str, Any]:
    return {"schedule": {"text": {"type": "plain_text_input", "value": schedule}},
            "kind": {"select": {"type": "static_select", "selected_option": {"value": kind}}},
            "text": {"textarea": {"type": "plain_text_input", "value": text or None}},
            "language": {"select": {"type": "static_select", "selected_option": {"value": "ja"}}},
            "skip_holidays": {"toggle": {"type": "checkboxes", "selected_options": []}}}


async def reminder_rows(bot: Bot) -> list[Any]:
    async with bot.runtime.db.connect() as conn:
        return (await conn.execute(select(reminders))).all()


# -- help, reload, report: slash command and DM ----------------------------------------------------------


@pytest.mark.parametrize("text, user, expected", [
    ("help", STAFF, "guidance-bot の使い方"),
    ("reload", OFFICE, "ナレッジを再読み込みしました"),
    ("report", OFFICE, "答えられなかった質問"),
    ("reload", STAFF, "権限がありません"),
    ("report", MANAGER, "権限がありません"),  # a manager is not the compliance office
])
async def test_text_commands_as_slash_command_and_in_a_dm(bot: Bot, text: str, user: str, expected: str) -> None:
    answer = await answer_to(bot, await slash(bot, text, user))
    assert answer["response_type"] == "ephemeral" and expected in answer["text"]
    assert expected in (await dm(bot, text, user))["text"]
    await settle()
    assert [c.params["channel"] for c in bot.api.calls("chat.postMessage")] == [f"D{user}"]  # never in C1


async def test_help_lists_every_subcommand(bot: Bot) -> None:
    text = (await answer_to(bot, await slash(bot, "help", OFFICE)))["text"]
    for word in ("consult", "remind", "reminders", "checklist", "reload", "report"):
        assert f"• {word} " in text, word


@pytest.mark.parametrize("locale, words, title", [
    ("ja-JP", "checklist", "コンプライアンスチェックシート"),  # an English command word, a Japanese user
    ("en-US", "checklist", "Compliance self-check sheet"),
    ("en-US", "セルフチェック", "コンプライアンスチェックシート"),  # the words themselves say Japanese
])
async def test_a_command_word_follows_the_users_slack_language(bot: Bot, slack_api: FakeSlackWebAPI, locale: str,
                                                              words: str, title: str) -> None:
    slack_api.add_user(STAFF, locale=locale)
    await slash(bot, words, STAFF, trigger="5.5.trigger")
    [opened] = await slack_api.wait_for("views.open")
    assert title.startswith(opened.params["view"]["title"]["text"].rstrip("…"))


# -- consult ------------------------------------------------------------------------------------------------


async def test_consult_opens_the_hand_off_modal_from_the_slash_command(bot: Bot) -> None:
    await slash(bot, "consult", STAFF, trigger="4.4.trigger")
    [opened] = await bot.api.wait_for("views.open")
    assert (opened.params["trigger_id"], opened.params["view"]["callback_id"]) == ("4.4.trigger", "consult")


# -- remind and reminders (managers) ------------------------------------------------------------------------


async def test_remind_modal_creates_a_reminder_for_the_channel(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    await slash(bot, "remind", MANAGER, trigger="1.1.trigger")
    [opened] = await slack_api.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "remind"
    assert {"schedule", "kind", "text", "language", "skip_holidays"} <= {b.get("block_id") for b in view["blocks"]}

    wrong = await bot.post(view_submission("remind", reminder_state("そのうち", "text", "x"), user_id=MANAGER,
                                           private_metadata=view["private_metadata"]))
    assert "schedule" in (await wrong.json())["errors"]
    right = await bot.post(view_submission("remind", reminder_state("毎週月曜 9:00", "text", "今週も安全運転で"),
                                           user_id=MANAGER, private_metadata=view["private_metadata"],
                                           view_id="V0REMIND"))
    assert await right.json() == {"response_action": "clear"}
    [confirmation] = await slack_api.wait_for("chat.postEphemeral")
    assert (confirmation.params["channel"], confirmation.params["user"]) == ("C1", MANAGER)
    assert "毎週 月曜日 9:00" in confirmation.params["text"]
    [row] = await reminder_rows(bot)
    assert (row.platform, row.channel, row.content) == ("slack", "C1", "今週も安全運転で")


async def test_remind_is_for_managers_only(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    answer = await answer_to(bot, await slash(bot, "remind", STAFF, trigger="1.1.trigger"))
    assert "権限がありません" in answer["text"]
    await settle()
    assert slack_api.calls("views.open") == []


async def test_remind_typed_in_a_dm_opens_the_modal_through_a_button(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    message = await dm(bot, "リマインダー作成", MANAGER)
    [button] = buttons(message["blocks"])
    await bot.post(block_actions(button["action_id"], button["value"], user_id=MANAGER, channel_id=f"D{MANAGER}",
                                 trigger_id="2.2.trigger", response_url=slack_api.response_url("open")))
    [opened] = await slack_api.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "remind"


async def test_reminders_list_and_its_buttons(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    created = await answer_to(bot, await slash(bot, "remind 毎週月曜 9:00 | 今週も安全運転で", MANAGER))
    assert "#1" in created["text"]
    listing = await answer_to(bot, await slash(bot, "reminders", MANAGER))
    assert listing["response_type"] == "ephemeral" and "#1 slack:C1" in listing["text"]
    assert "このチャンネルのリマインダー" in listing["text"]  # a slash command in C1 speaks of C1
    pause, delete = buttons(listing["blocks"])
    assert [b["action_id"].partition(":")[0] for b in (pause, delete)] == ["reminder_pause", "reminder_delete"]
    # Deleting cannot be undone: Slack asks before sending the click (in the list's language).
    assert "confirm" not in pause and delete["style"] == "danger"
    assert delete["confirm"]["text"]["text"] == "「#1 を削除」を実行します。元に戻せません。よろしいですか？"

    # Someone who is not a manager cannot use the buttons.
    await bot.post(block_actions(pause["action_id"], pause["value"], user_id=STAFF, channel_id="C1",
                                 response_url=slack_api.response_url("staff")))
    assert "権限がありません" in (await answer_to(bot, "staff"))["text"]
    assert not (await reminder_rows(bot))[0].paused

    click = block_actions(pause["action_id"], pause["value"], user_id=MANAGER, channel_id="C1",
                          response_url=slack_api.response_url("pause")).payload
    click["container"]["is_ephemeral"] = True
    await bot.post(interactive(click))
    paused = await answer_to(bot, "pause")
    assert paused["response_type"] == "ephemeral" and "#1" in paused["text"]
    assert (await reminder_rows(bot))[0].paused

    as_dm = await dm(bot, "reminders", MANAGER)  # in the DM: the manager's own reminders, resume offered
    assert "あなたのリマインダー" in as_dm["text"]
    assert [decode_value(b["value"]).value for b in buttons(as_dm["blocks"])] == ["1", "1"]
    assert buttons(as_dm["blocks"])[0]["action_id"].startswith("reminder_resume:")
    await bot.post(block_actions(delete["action_id"], delete["value"], user_id=MANAGER, channel_id=f"D{MANAGER}",
                                 response_url=slack_api.response_url("delete")))
    assert "#1" in (await answer_to(bot, "delete"))["text"]
    assert await reminder_rows(bot) == []


# -- the self-check ----------------------------------------------------------------------------------------


def ticked(view: dict[str, Any], *numbers: str) -> dict[str, Any]:
    groups = [b for b in view["blocks"] if b["type"] == "input"]
    return {g["block_id"]: {"checkboxes": {"type": "checkboxes", "selected_options": [
        o for o in g["element"]["options"] if o["value"] in numbers]}} for g in groups}


async def test_checklist_modal_has_checkboxes_and_a_private_result(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    await slash(bot, "checklist", STAFF, trigger="3.3.trigger")
    [opened] = await slack_api.wait_for("views.open")
    view = opened.params["view"]
    groups = [b for b in view["blocks"] if b["type"] == "input"]
    assert [g["element"]["type"] for g in groups] == ["checkboxes"] * 4
    assert sum(len(g["element"]["options"]) for g in groups) == 17

    response = await bot.post(view_submission("checklist", ticked(view, *map(str, range(1, 16))), user_id=STAFF,
                                              private_metadata=view["private_metadata"], view_id="V0CHECK"))
    assert await response.json() == {"response_action": "clear"}
    [result] = await slack_api.wait_for("chat.postEphemeral")
    assert (result.params["channel"], result.params["user"]) == ("C1", STAFF)
    assert "15/17 項目にチェックが付きました" in result.params["text"]
    await settle()
    assert slack_api.calls("chat.postMessage") == []  # nobody else sees it
    async with bot.runtime.db.connect() as conn:
        [row] = (await conn.execute(select(checklist_completions))).all()
    assert (row.ticked, row.total) == (15, 17)


async def test_checklist_typed_in_a_dm_gives_its_result_in_the_dm(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    message = await dm(bot, "セルフチェック", STAFF)
    [button] = buttons(message["blocks"])
    await bot.post(block_actions(button["action_id"], button["value"], user_id=STAFF, channel_id=f"D{STAFF}",
                                 trigger_id="6.6.trigger", response_url=slack_api.response_url("open")))
    [opened] = await slack_api.wait_for("views.open")
    view = opened.params["view"]
    await bot.post(view_submission("checklist", ticked(view), user_id=STAFF, private_metadata=view["private_metadata"]))
    calls = await slack_api.wait_for("chat.postMessage", count=2)
    assert "0/17" in calls[1].params["text"] and calls[1].params["channel"].startswith("D")


# -- a reminder delivered to a channel by the outbox ----------------------------------------------------------


async def test_checklist_reminder_in_a_channel_opens_the_self_check(bot: Bot, slack_api: FakeSlackWebAPI,
                                                                    clock) -> None:
    await answer_to(bot, await slash(bot, "remind 毎週水曜 9:30 | checklist", MANAGER, channel="C0TEAM"))
    clock.advance(minutes=31)  # the fixture clock is Wednesday 09:00 in Tokyo
    assert await bot.runtime.reminders.dispatcher.run_once() == 1
    bot.runtime.outbox.wakeup.set()
    [posted] = await slack_api.wait_for("chat.postMessage")
    assert posted.params["channel"] == "C0TEAM"  # public in the channel, from the outbox's Slack sender
    assert block(posted.params["blocks"], "title")["text"]["text"] == "コンプライアンスチェックシート"
    [start] = buttons(posted.params["blocks"])

    await bot.post(block_actions(start["action_id"], start["value"], user_id=STAFF, channel_id="C0TEAM",
                                 trigger_id="8.8.trigger", response_url=slack_api.response_url("start")))
    [opened] = await slack_api.wait_for("views.open")
    view = opened.params["view"]
    assert (opened.params["trigger_id"], view["callback_id"]) == ("8.8.trigger", "checklist")
    assert decode_metadata(view["private_metadata"]).channel == "C0TEAM"
    await bot.post(view_submission("checklist", ticked(view, "1"), user_id=STAFF,
                                   private_metadata=view["private_metadata"]))
    [result] = await slack_api.wait_for("chat.postEphemeral")
    assert (result.params["channel"], result.params["user"]) == ("C0TEAM", STAFF) and "1/17" in result.params["text"]
    await settle()
    assert len(slack_api.calls("chat.postMessage")) == 1  # the channel saw the reminder only


# -- acknowledgement in time --------------------------------------------------------------------------------


async def test_submission_is_acknowledged_in_time_while_users_info_is_rate_limited(
        bot: Bot, sqlite_url: str, clock, slack_api: FakeSlackWebAPI) -> None:
    # Another replica opened the modal, so this one has not looked the user up yet (nor would it
    # after its caches expire while the user is typing).
    other = await start_bot(BUNDLED, sqlite_url, clock, slack_api)
    try:
        register_test_form(other)
        await other.post(slash_command("testform", user_id="U0NEW", channel_id="C1", trigger_id="1.2.trigger"))
        [opened] = await slack_api.wait_for("views.open")
    finally:
        await other.http.close()
    register_test_form(bot)
    slack_api.rate_limit("users.info", times=1, retry_after=4)
    started = time.monotonic()
    response = await bot.post(view_submission("test-form", state("Sato"), user_id="U0NEW",
                                              private_metadata=opened.params["view"]["private_metadata"]))
    assert time.monotonic() - started < 3
    assert (response.status, await response.json()) == (200, {"response_action": "clear"})
    # The modal closed in time; the result follows once Slack lets the lookup through.
    [result] = await slack_api.wait_for("chat.postEphemeral", timeout=10)
    assert "Received Sato" in result.params["text"]
