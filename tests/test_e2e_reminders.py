"""Reminders and the self-check end to end (issue #8): a manager creates a reminder from the Slack
modal or the Teams card, the dispatcher inside the server queues it when due, and the real Slack /
Teams senders deliver it to the fake Slack Web API / fake Bot Connector. Time is a FakeClock; the
tests nudge or call the dispatcher and outbox passes instead of waiting for their polls."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

pytest.importorskip("slack_bolt")

import guidance_slack  # noqa: E402
from guidance_bot.clock import FakeClock  # noqa: E402
from guidance_bot.messages import NOT_ALLOWED  # noqa: E402
from guidance_bot.outbox import pending_count  # noqa: E402
from guidance_bot.platforms import Roles, SlackSettings, TeamsSettings  # noqa: E402
from guidance_bot.runtime import Runtime  # noqa: E402
from guidance_bot.server import MOUNTED, create_app  # noqa: E402
from guidance_bot.store.tables import checklist_completions, outbox, processed_events, reminders  # noqa: E402
from guidance_slack.blocks import decode_metadata  # noqa: E402
from tests.conftest import BUNDLED, make_settings  # noqa: E402
from tests.fakes.slack import (  # noqa: E402
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlackWebAPI,
    SlackRequest,
    block_actions,
    slash_command,
    view_submission,
)
from tests.test_reminders import tokyo  # noqa: E402
from tests.fakes.teams import APP_ID, TENANT_ID  # noqa: E402

MANAGER, OFFICE, STAFF = "U0MANAGER", "U0OFFICE", "U0STAFF"
TEAM_CHANNEL = "C0TEAM"


# -- Slack ---------------------------------------------------------------------------------------------

@dataclass
class SlackBot:
    runtime: Runtime
    http: TestClient
    api: FakeSlackWebAPI

    async def post(self, request: SlackRequest):
        return await self.http.post("/slack/events", data=request.body, headers=request.headers(SIGNING_SECRET))


async def start_slack(kdir: Path, url: str, clock: FakeClock, api: FakeSlackWebAPI, **changes: Any) -> SlackBot:
    changes.setdefault("roles", Roles(managers=frozenset({MANAGER}), compliance_office=frozenset({OFFICE})))
    settings = make_settings(kdir, url, slack=SlackSettings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET,
                                                            api_url=api.api_url), **changes)
    # The outbox loop idles (it still runs when the dispatcher nudges it): tests drive the passes.
    runtime = Runtime(settings, clock=clock, outbox_poll_seconds=3600)
    app = create_app(runtime, adapters={"slack": guidance_slack.mount})
    assert app[MOUNTED] == ["slack"]
    http = TestClient(TestServer(app))
    await http.start_server()
    return SlackBot(runtime, http, api)


@pytest_asyncio.fixture
async def slack(kdir: Path, sqlite_url: str, clock: FakeClock, slack_api: FakeSlackWebAPI) -> AsyncIterator[SlackBot]:
    bot = await start_slack(kdir, sqlite_url, clock, slack_api)
    yield bot
    await bot.http.close()


def remind_state(schedule: str, text: str, *, skip_holidays: bool = False) -> dict[str, Any]:
    """What Slack posts for the reminder modal filled in with free text."""
    return {
        "schedule": {"text": {"type": "plain_text_input", "value": schedule}},
        "kind": {"select": {"type": "static_select", "selected_option": {"value": "text"}}},
        "text": {"textarea": {"type": "plain_text_input", "value": text}},
        "entry": {"select": {"type": "static_select", "selected_option": None}},
        "language": {"select": {"type": "static_select", "selected_option": {"value": "ja"}}},
        "skip_holidays": {"toggle": {"type": "checkboxes",
                                     "selected_options": [{"value": "on"}] if skip_holidays else []}},
    }


def ok_posts(api: FakeSlackWebAPI, channel: str) -> list[dict[str, Any]]:
    return [c.params for c in api.calls("chat.postMessage") if c.ok and c.params.get("channel") == channel]


async def open_remind_modal(bot: SlackBot, user: str = MANAGER) -> dict[str, Any]:
    await bot.post(slash_command("remind", user_id=user, channel_id=TEAM_CHANNEL, trigger_id="7.7.trigger"))
    [opened] = await bot.api.wait_for("views.open")
    return opened.params["view"]


async def test_slack_modal_creates_a_reminder_the_server_delivers_once(slack: SlackBot, clock: FakeClock) -> None:
    view = await open_remind_modal(slack)
    assert view["callback_id"] == "remind"
    for block in view["blocks"]:  # Slack refuses a modal whose select has no options
        element = block.get("element", {})
        assert element.get("type") != "static_select" or element["options"], block["block_id"]
    assert decode_metadata(view["private_metadata"]).context["channel"] == TEAM_CHANNEL

    response = await slack.post(view_submission("remind", remind_state("毎月1日 9時", "月初の確認をしましょう",
                                                                        skip_holidays=True),
                                                 user_id=MANAGER, private_metadata=view["private_metadata"]))
    assert await response.json() == {"response_action": "clear"}
    [confirmation] = await slack.api.wait_for("chat.postEphemeral")
    assert (confirmation.params["channel"], confirmation.params["user"]) == (TEAM_CHANNEL, MANAGER)
    echoed = json.dumps(confirmation.params["blocks"], ensure_ascii=False)
    # The schedule as understood and the next three times in Tokyo time, 1 January (a holiday) skipped
    # as asked, in the modal's language.
    if decode_metadata(view["private_metadata"]).lang == "ja":
        assert "毎月1日 9:00、祝日と年末年始（12/29〜1/3）は休み（Asia/Tokyo）" in echoed
        assert all(t in echoed for t in ("2026年12月1日（火）9:00", "2027年2月1日（月）9:00", "2027年3月1日（月）9:00"))
        assert "2027年1月1日" not in echoed
    else:
        assert "Monthly on the 1st at 9:00, except public holidays" in echoed
        assert all(t in echoed for t in ("Tue 1 Dec 2026 9:00", "Mon 1 Feb 2027 9:00", "Mon 1 Mar 2027 9:00"))
        assert "Jan 2027" not in echoed

    # Due: the background loop inside the server, nudged rather than waited for, delivers it.
    clock.set(tokyo(2026, 12, 1, 9, 0))
    slack.runtime.reminders.dispatcher.wakeup.set()
    [delivered] = [c for c in await slack.api.wait_for("chat.postMessage") if c.params["channel"] == TEAM_CHANNEL]
    assert "月初の確認をしましょう" in delivered.params["text"]

    # Another replica's pass at the same moment, and a second pass, send nothing more.
    assert await slack.runtime.reminders.dispatcher.run_once() == 0
    assert await slack.runtime.outbox.deliver_due() == 0
    await asyncio.sleep(0.2)
    assert len(ok_posts(slack.api, TEAM_CHANNEL)) == 1


async def test_slack_remind_is_refused_to_staff(slack: SlackBot) -> None:
    await slack.post(slash_command("remind", user_id=STAFF, channel_id=TEAM_CHANNEL,
                                   response_url=slack.api.response_url("r")))
    [refusal] = await slack.api.wait_for("response_url")
    assert refusal.params["text"] in (NOT_ALLOWED.ja, NOT_ALLOWED.en)
    assert slack.api.calls("views.open") == []


async def add_reminder(runtime: Runtime, clock: FakeClock, channel: str, schedule: str, kind: str = "text",
                       content: str = "今週も安全運転で") -> int:
    from guidance_bot.platforms import parse_destination
    from guidance_bot.reminders import parse_schedule
    from guidance_bot.reminders.store import NewReminder

    reminder, _ = await runtime.reminders.store.add(NewReminder(
        owner=f"slack:{MANAGER}", destination=parse_destination(channel), content_kind=kind, content=content,
        schedule=parse_schedule(schedule, tz=runtime.settings.timezone, now=clock.now())))
    return reminder.id


async def outbox_row(runtime: Runtime, ready) -> Any:
    """The one outbox row, once ``ready`` (the background loop records a failure just after the call)."""
    for _ in range(100):
        async with runtime.db.connect() as conn:
            row = (await conn.execute(select(outbox))).one()
        if ready(row):
            return row
        await asyncio.sleep(0.02)
    raise AssertionError(f"outbox row never became ready: {row}")


async def test_slack_rate_limit_is_waited_out_and_the_reminder_sent_once(slack: SlackBot, clock: FakeClock) -> None:
    await add_reminder(slack.runtime, clock, f"slack:{TEAM_CHANNEL}", "毎日 9:00")
    slack.api.rate_limit("chat.postMessage", times=1, retry_after=30)
    clock.set(tokyo(2026, 11, 26, 9, 0))
    assert await slack.runtime.reminders.dispatcher.run_once() == 1
    await slack.api.wait_for("chat.postMessage")  # the outbox, nudged by the dispatcher, meets the 429
    row = await outbox_row(slack.runtime, lambda r: r.last_error is not None)
    assert row.delivered_at is None and "ratelimited" in row.last_error

    clock.advance(seconds=29)  # Slack said 30 seconds
    assert await slack.runtime.outbox.deliver_due() == 0
    clock.advance(seconds=1)
    assert await slack.runtime.outbox.deliver_due() == 1
    assert await slack.runtime.reminders.dispatcher.run_once() == 0
    assert await slack.runtime.outbox.deliver_due() == 0
    assert [(c.status, c.params["channel"]) for c in slack.api.calls("chat.postMessage")] == [
        (429, TEAM_CHANNEL), (200, TEAM_CHANNEL)]
    assert "今週も安全運転で" in ok_posts(slack.api, TEAM_CHANNEL)[0]["text"]


async def test_two_servers_on_one_database_post_each_reminder_once(kdir: Path, database_url: str, clock: FakeClock,
                                                                   slack_api: FakeSlackWebAPI) -> None:
    a = await start_slack(kdir, database_url, clock, slack_api)
    b = await start_slack(kdir, database_url, clock, slack_api)
    try:
        await add_reminder(a.runtime, clock, f"slack:{TEAM_CHANNEL}", "cron: */15 * * * *")
        for _ in range(8):  # two hours
            clock.advance(minutes=15)
            await asyncio.gather(a.runtime.reminders.dispatcher.run_once(), b.runtime.reminders.dispatcher.run_once())
            await asyncio.gather(a.runtime.outbox.deliver_due(), b.runtime.outbox.deliver_due())
        for _ in range(250):  # a message a nudged background loop holds is delivered by that loop
            if await pending_count(a.runtime.db) == 0:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        assert len(ok_posts(slack_api, TEAM_CHANNEL)) == 8
    finally:
        await a.http.close()
        await b.http.close()


@pytest_asyncio.fixture
async def slack_bundled(sqlite_url: str, clock: FakeClock, slack_api: FakeSlackWebAPI) -> AsyncIterator[SlackBot]:
    """The bundled knowledge: the real 17-item self-check."""
    bot = await start_slack(BUNDLED, sqlite_url, clock, slack_api)
    yield bot
    await bot.http.close()


async def test_slack_self_check_from_a_reminder_is_private_and_stored_as_counts(slack_bundled: SlackBot,
                                                                                clock: FakeClock) -> None:
    bot = slack_bundled
    await add_reminder(bot.runtime, clock, f"slack:{TEAM_CHANNEL}", "毎週月曜 9:00", "checklist", "")
    clock.set(tokyo(2026, 11, 30, 9, 0))
    await bot.runtime.reminders.dispatcher.run_once()
    await bot.runtime.outbox.deliver_due()  # or the outbox loop the dispatcher nudged: either posts it
    await bot.api.wait_for("chat.postMessage")
    [posted] = ok_posts(bot.api, TEAM_CHANNEL)
    [button] = [e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"].startswith("checklist:") and button["text"]["text"] == "セルフチェックを始める"

    await bot.post(block_actions(button["action_id"], button["value"], user_id=STAFF, channel_id=TEAM_CHANNEL,
                                 message_ts=bot.api.calls("chat.postMessage")[0].params.get("ts"),
                                 trigger_id="3.3.trigger", response_url=bot.api.response_url("b")))
    [opened] = await bot.api.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "checklist"
    groups = [b for b in view["blocks"] if b["type"] == "input"]
    assert [g["element"]["type"] for g in groups] == ["checkboxes"] * 4
    assert sum(len(g["element"]["options"]) for g in groups) == 17

    ticked = {g["block_id"]: {"checkboxes": {"type": "checkboxes", "selected_options": [
        {"value": o["value"]} for o in g["element"]["options"] if o["value"] not in ("3", "10")]}} for g in groups}
    submitted = await bot.post(view_submission("checklist", ticked, user_id=STAFF,
                                               private_metadata=view["private_metadata"], view_id="V0CHECK"))
    assert await submitted.json() == {"response_action": "clear"}
    [result] = await bot.api.wait_for("chat.postEphemeral")
    assert (result.params["channel"], result.params["user"]) == (TEAM_CHANNEL, STAFF)
    assert "15/17" in result.params["text"]
    await asyncio.sleep(0.2)
    assert len(ok_posts(bot.api, TEAM_CHANNEL)) == 1  # the result never went to the channel

    async with bot.runtime.db.connect() as conn:
        counts = [tuple(r) for r in await conn.execute(select(checklist_completions.c.platform,
                                                              checklist_completions.c.ticked,
                                                              checklist_completions.c.total))]
        stored = repr([tuple(r) for r in await conn.execute(select(checklist_completions))])
        stored += repr([tuple(r) for r in await conn.execute(select(processed_events))])
    assert counts == [("slack", 15, 17)]
    assert STAFF not in stored and "V0CHECK" not in stored  # not even the view id


# -- Teams ---------------------------------------------------------------------------------------------

TEAMS_APP, TENANT = APP_ID, TENANT_ID  # the fakes' app and tenant
MANAGER_AAD = "aaaaaaaa-0000-0000-0000-00000000000m"
STAFF_AAD = "aaaaaaaa-0000-0000-0000-00000000000s"
TEAMS_CHANNEL = "19:general@thread.tacv2"
TEAM = "19:team@thread.tacv2"


@dataclass
class TeamsBot:
    runtime: Runtime
    http: TestClient
    issuer: Any
    connector: Any

    async def post(self, activity: dict[str, Any]):
        token = self.issuer.issue(TEAMS_APP, service_url=self.connector.service_url)
        return await self.http.post("/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"})


async def start_teams(kdir: Path, url: str, clock: FakeClock, issuer, connector) -> AsyncIterator[TeamsBot]:
    from guidance_teams import auth_configuration, mount_with
    from tests.fakes.teams import fake_connection_manager

    settings = make_settings(kdir, url, teams=TeamsSettings(app_id=TEAMS_APP, app_password="x", tenant_id=TENANT),
                             roles=Roles(managers=frozenset({MANAGER_AAD})))
    runtime = Runtime(settings, clock=clock, outbox_poll_seconds=3600)

    def test_mount(app, rt):
        manager = fake_connection_manager(auth_configuration(rt.settings.teams), issuer=issuer)
        return mount_with(app, rt, connection_manager=manager, host_validator_enabled=False)

    app = create_app(runtime, adapters={"teams": test_mount})
    async with TestClient(TestServer(app, host="127.0.0.1")) as http:
        yield TeamsBot(runtime, http, issuer, connector)


@pytest_asyncio.fixture
async def teams(kdir: Path, sqlite_url: str, clock: FakeClock, issuer, connector, no_microsoft) -> AsyncIterator[TeamsBot]:
    async for bot in start_teams(kdir, sqlite_url, clock, issuer, connector):
        yield bot


@pytest_asyncio.fixture
async def teams_bundled(sqlite_url: str, clock: FakeClock, issuer, connector, no_microsoft) -> AsyncIterator[TeamsBot]:
    async for bot in start_teams(BUNDLED, sqlite_url, clock, issuer, connector):
        yield bot


def activity(bot: TeamsBot, user: str, text: str | None, *, channel: bool, **extra: Any) -> dict[str, Any]:
    mention = "<at>guidance-bot</at>"
    base: dict[str, Any] = {
        "type": "message", "id": f"1700{uuid.uuid4().int % 10**9:09d}", "timestamp": "2026-11-25T00:00:00.000Z",
        "serviceUrl": bot.connector.service_url, "channelId": "msteams",
        "from": {"id": f"29:{user}", "name": "品川 太郎", "aadObjectId": user},
        "recipient": {"id": f"28:{TEAMS_APP}", "name": "guidance-bot"}, "locale": "ja-JP",
        "conversation": {"id": f"a:personal-{user}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
    }
    if text is not None:
        base["text"] = f"{mention} {text}" if channel else text
    if channel:
        base |= {
            "conversation": {"id": f"{TEAMS_CHANNEL};messageid=1700000000001", "conversationType": "channel",
                             "isGroup": True, "tenantId": TENANT},
            "entities": [{"type": "mention", "text": mention,
                          "mentioned": {"id": f"28:{TEAMS_APP}", "name": "guidance-bot"}}],
            "channelData": {"tenant": {"id": TENANT}, "team": {"id": TEAM}, "channel": {"id": TEAMS_CHANNEL}},
        }
    return base | extra


def card_of(request) -> dict[str, Any]:
    [attachment] = request.attachments
    return attachment["content"]


def form_id(request) -> str | None:
    """The form a card sent to Teams submits, if it is a form."""
    for attachment in request.attachments:
        for action in attachment.get("content", {}).get("actions", []):
            if isinstance(action.get("data"), dict) and action["data"].get("form"):
                return action["data"]["form"]
    return None


def card_text(card: dict[str, Any]) -> str:
    return json.dumps(card.get("body", []), ensure_ascii=False)


async def test_teams_card_creates_a_channel_reminder_delivered_with_the_stored_reference(
        teams: TeamsBot, clock: FakeClock) -> None:
    connector = teams.connector
    await teams.post(activity(teams, MANAGER_AAD, "リマインダー作成", channel=True))
    form, note = await connector.wait_for(2)
    assert form.conversation_id != note.conversation_id  # the form continues in a personal chat
    card = card_of(form)
    [submit] = card["actions"]
    assert submit["data"]["form"] == "remind"

    data = dict(submit["data"], schedule="平日 8:45", kind="text", text="朝礼で行動指針を確認しましょう",
                language="ja", skip_holidays="false")
    await teams.post(activity(teams, MANAGER_AAD, None, channel=False, value=data, replyToId=form.response["id"]))
    [_, _, confirmation] = await connector.wait_for(3)
    shown = card_text(card_of(confirmation))
    assert "リマインダー #1 を登録しました" in shown and "平日" in shown
    assert "2026年11月26日（木）8:45" in shown  # next times in Tokyo time
    assert f"teams:{TEAMS_CHANNEL}" in shown  # the channel, not the thread "remind" was typed in
    async with teams.runtime.db.connect() as conn:
        stored = (await conn.execute(select(reminders.c.platform, reminders.c.channel))).one()
    assert tuple(stored) == ("teams", TEAMS_CHANNEL)

    clock.set(tokyo(2026, 11, 26, 8, 45))
    assert await teams.runtime.reminders.dispatcher.run_once() == 1
    await teams.runtime.outbox.deliver_due()
    [delivered] = [r for r in await connector.wait_for(4) if r.conversation_id == TEAMS_CHANNEL]
    assert delivered.kind == "send"  # a new post in the channel, through the stored reference
    assert teams.issuer.verify_outbound(delivered.bearer, TEAMS_APP)
    assert "朝礼で行動指針を確認しましょう" in card_text(card_of(delivered))
    assert await teams.runtime.reminders.dispatcher.run_once() == 0
    assert await teams.runtime.outbox.deliver_due() == 0
    assert len([r for r in connector.messages() if r.conversation_id == TEAMS_CHANNEL]) == 1


async def test_teams_remind_is_refused_to_staff(teams: TeamsBot) -> None:
    await teams.post(activity(teams, STAFF_AAD, "リマインダー作成", channel=False))
    [reply] = await teams.connector.wait_for(1)
    assert "権限がありません" in card_text(card_of(reply))


async def test_teams_self_check_from_a_reminder_is_private(teams_bundled: TeamsBot, clock: FakeClock) -> None:
    bot, connector = teams_bundled, teams_bundled.connector
    await bot.post(activity(bot, STAFF_AAD, "help", channel=True))  # the bot learns the channel's reference
    await connector.wait_for(2)  # help, privately, and the note in the thread
    await add_reminder(bot.runtime, clock, f"teams:{TEAMS_CHANNEL}", "毎週月曜 9:00", "checklist", "")
    clock.set(tokyo(2026, 11, 30, 9, 0))
    await bot.runtime.reminders.dispatcher.run_once()
    await bot.runtime.outbox.deliver_due()
    [reminder] = await connector.wait_for(1, predicate=lambda r: r.ok and r.conversation_id == TEAMS_CHANNEL)
    assert reminder.kind == "send"
    [start] = card_of(reminder)["actions"]
    assert start["title"] == "セルフチェックを始める"

    pressed = activity(bot, STAFF_AAD, None, channel=True, value=start["data"], replyToId=reminder.response["id"])
    await bot.post(pressed)
    personal = (await connector.wait_for(1, predicate=lambda r: r.kind == "create_conversation"))[0].response["id"]
    [form] = await connector.wait_for(1, predicate=lambda r: r.ok and r.conversation_id == personal
                                      and form_id(r) == "checklist")
    card = card_of(form)
    toggles = [e for e in card["body"] if e.get("type") == "Input.Toggle"]
    assert len(toggles) == 17
    [submit] = card["actions"]
    data = dict(submit["data"], **{t["id"]: (t["valueOn"] if t["valueOn"] not in ("3", "10") else "")
                                   for t in toggles})
    await bot.post(activity(bot, STAFF_AAD, None, channel=False, value=data, replyToId=form.response["id"]))
    [result] = await connector.wait_for(1, predicate=lambda r: r.ok and "15/17" in json.dumps(r.activity,
                                                                                           ensure_ascii=False))
    assert result.conversation_id == f"a:personal-{STAFF_AAD}"  # the staff member's own chat
    await asyncio.sleep(0.2)
    assert [r.conversation_id for r in connector.messages() if "15/17" in json.dumps(r.activity, ensure_ascii=False)
            ] == [f"a:personal-{STAFF_AAD}"]

    async with bot.runtime.db.connect() as conn:
        counts = [tuple(r) for r in await conn.execute(select(checklist_completions.c.platform,
                                                              checklist_completions.c.ticked))]
        stored = repr([tuple(r) for r in await conn.execute(select(processed_events))])
    assert counts == [("teams", 15)]
    assert STAFF_AAD not in stored and "personal" not in stored  # nothing that points at the person
