"""The consultation hand-off (issue #7) end to end: the real Slack and Teams adapters mounted on the
server application, requests signed (Slack) or carrying issued JWTs (Teams), and every message the
bot sends recorded by the local fakes (tests/fakes). The outbox worker and the platform senders are
the real ones; the platforms fail where the fakes are told to.

The background outbox loop only runs when something wakes it (poll: an hour); tests move the
FakeClock past the backoff and drive the further passes with ``deliver_due()``."""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

pytest.importorskip("slack_bolt")
pytest.importorskip("microsoft_agents.hosting.core")

import guidance_slack
from guidance_slack.blocks import decode_metadata
from guidance_teams import auth_configuration, mount_with

from guidance_bot.platforms import Roles, SlackSettings, TeamsSettings
from guidance_bot.runtime import Runtime
from guidance_bot.server import MOUNTED, create_app
from guidance_bot.store.tables import audit_log, consultations, outbox
from tests.conftest import make_settings
from tests.fakes.slack import (
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlackWebAPI,
    SlackRequest,
    app_mention,
    block_actions,
    event_callback,
    im_message,
    slash_command,
    view_submission,
)
from tests.fakes.teams import APP_ID, TENANT_ID, FakeBotConnector, FakeTokenIssuer, fake_connection_manager

pytestmark = [pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning"),
              pytest.mark.usefixtures("no_microsoft")]

SUMMARY = "窓口で同じ来庁者に毎日怒鳴られています。"
REF = "LC-2026-0001"
IDLE = 3600  # seconds between outbox polls: only a wakeup (a new request) starts a pass


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout: float = 5) -> None:
    """Wait for background work (the listener after its ack, the woken outbox loop)."""
    async with asyncio.timeout(timeout):
        while True:
            done = check()
            if await done if inspect.isawaitable(done) else done:
                return
            await asyncio.sleep(0.02)


async def settle() -> None:
    """Long enough for anything that was going to send (a second time) to have done so."""
    await asyncio.sleep(0.3)


async def db_rows(runtime: Runtime, table, *where) -> list[dict[str, Any]]:
    async with runtime.db.connect() as conn:
        return [dict(r._mapping) for r in (await conn.execute(select(table).where(*where)
                                                               .order_by(table.c.id))).all()]


# == Slack ==================================================================================================

OFFICE = "C0FFICE"
WHISTLE = "C0WHISTLE"
PUBLIC = "C0PUBLIC"
REQUESTER, LAWYER, OUTSIDER = "U0REQ", "U0LAWYER", "U0OTHER"
SLACK_ROLES = Roles(compliance_office=frozenset({"S0FFICE"}))


@dataclass
class SlackReplica:
    """One server process: its runtime and an HTTP client posting signed requests to it."""

    runtime: Runtime
    http: TestClient
    api: FakeSlackWebAPI

    async def post(self, request: SlackRequest):
        return await self.http.post("/slack/events", data=request.body, headers=request.headers(SIGNING_SECRET))

    async def close(self) -> None:
        await self.http.close()  # stops the runtime (outbox loop) and closes its database


async def slack_replica(kdir: Path, url: str, clock, api: FakeSlackWebAPI) -> SlackReplica:
    settings = make_settings(
        kdir, url, roles=SLACK_ROLES,
        slack=SlackSettings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=api.api_url),
        consultation_destinations={"default": (f"slack:{OFFICE}",), "whistleblowing": (f"slack:{WHISTLE}",)})
    runtime = Runtime(settings, clock=clock, outbox_poll_seconds=IDLE)
    app = create_app(runtime, adapters={"slack": guidance_slack.mount})
    assert app[MOUNTED] == ["slack"]
    http = TestClient(TestServer(app))
    await http.start_server()
    return SlackReplica(runtime, http, api)


@pytest_asyncio.fixture
async def slack(kdir: Path, sqlite_url: str, clock, slack_api: FakeSlackWebAPI) -> AsyncIterator[SlackReplica]:
    slack_api.add_user(REQUESTER, name="山田 花子")
    slack_api.add_user(LAWYER, name="鈴木 一郎")
    slack_api.usergroups["S0FFICE"] = [LAWYER]
    replica = await slack_replica(kdir, sqlite_url, clock, slack_api)
    yield replica
    await replica.close()


def consult_state(summary: str, *, category: str = "customer_harassment", urgency: str = "within_days",
                  share_name: bool = False) -> dict[str, Any]:
    """The modal's inputs as Slack posts them (block id = field, action id = input kind)."""
    def select_(value: str) -> dict[str, Any]:
        return {"select": {"type": "static_select", "selected_option": {"value": value}}}

    def text(value: str | None) -> dict[str, Any]:
        return {"text": {"type": "plain_text_input", "value": value}}

    return {"category": select_(category), "urgency": select_(urgency),
            "summary": {"textarea": {"type": "plain_text_input", "value": summary}},
            "department": text("戸籍住民課"), "contact": text(None),
            "share_name": {"toggle": {"type": "checkboxes",
                                      "selected_options": [{"value": "on"}] if share_name else []}}}


async def open_consult_modal(replica: SlackReplica, channel: str = PUBLIC, user: str = REQUESTER,
                             text: str = "consult") -> dict[str, Any]:
    """``/guidance consult`` typed in ``channel``: the form opens as a modal, only for the user."""
    before = len(replica.api.calls("views.open"))
    response = await replica.post(slash_command(text, user_id=user, channel_id=channel,
                                                response_url=replica.api.response_url("cmd")))
    assert response.status == 200
    opened = await replica.api.wait_for("views.open", count=before + 1)
    view = opened[-1].params["view"]
    assert view["callback_id"] == "consult"
    return view


def submission(view: dict[str, Any], summary: str = SUMMARY, user: str = REQUESTER,
               view_id: str = "V0CONSULT", **fields: Any) -> SlackRequest:
    return view_submission("consult", consult_state(summary, **fields), user_id=user,
                           private_metadata=view["private_metadata"], view_id=view_id)


def posts(api: FakeSlackWebAPI, channel: str, method: str = "chat.postMessage") -> list[Any]:
    """Every call to ``method`` for ``channel``, failed ones included."""
    return [c for c in api.calls(method) if c.params.get("channel") == channel]


def dumped(call: Any) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def status_button(notice: dict[str, Any], status: str) -> dict[str, Any]:
    return next(b for b in buttons(notice["blocks"])
                if b["action_id"].startswith("consult_status:") and f":{status}" in b["value"])


async def outbox_row(runtime: Runtime, destination: str) -> dict[str, Any]:
    [row] = await db_rows(runtime, outbox, outbox.c.destination == destination)
    return row


async def test_slack_notification_failing_three_times_is_delivered_once(slack: SlackReplica, clock) -> None:
    api = slack.api
    api.fail("chat.postMessage", times=3, error="internal_error")  # Slack answers 500 three times
    view = await open_consult_modal(slack)
    response = await slack.post(submission(view))
    assert await response.json() == {"response_action": "clear"}

    # The new request woke the outbox: its first attempt failed and was rescheduled by the backoff.
    async def first_attempt_recorded() -> bool:
        return (await outbox_row(slack.runtime, f"slack:{OFFICE}"))["attempts"] == 1
    await eventually(first_attempt_recorded)
    for wait in (5, 15):  # outbox.BACKOFF
        clock.advance(seconds=wait - 1)
        assert await slack.runtime.outbox.deliver_due() == 0  # not due yet: nothing sent
        clock.advance(seconds=1)
        assert await slack.runtime.outbox.deliver_due() == 0  # due, and Slack fails again
    clock.advance(seconds=60)
    assert await slack.runtime.outbox.deliver_due() == 1
    for _ in range(3):  # later passes send nothing more
        clock.advance(hours=1)
        assert await slack.runtime.outbox.deliver_due() == 0
    await settle()

    attempts = posts(api, OFFICE)
    assert [(c.status, c.ok) for c in attempts] == [(500, False)] * 3 + [(200, True)]
    notice = attempts[-1].params
    assert REF in dumped(attempts[-1]) and SUMMARY in dumped(attempts[-1])
    assert {b["action_id"].partition(":")[0] for b in buttons(notice["blocks"])} == {"consult_status"}
    row = await outbox_row(slack.runtime, f"slack:{OFFICE}")
    assert row["attempts"] == 4 and row["delivered_at"] is not None


async def test_slack_restart_between_acceptance_and_notification(kdir: Path, database_url: str, clock,
                                                                  slack_api: FakeSlackWebAPI) -> None:
    """Replica A accepts the request while Slack is down and stops; replica B (a new Runtime on the
    same database) delivers the notification exactly once."""
    first = await slack_replica(kdir, database_url, clock, slack_api)
    try:
        slack_api.fail("chat.postMessage", times=1, error="service_unavailable")
        view = await open_consult_modal(first)
        await first.post(submission(view))
        confirmations = await slack_api.wait_for("chat.postEphemeral")
        assert REF in dumped(confirmations[0])  # the requester has their reference number

        async def attempted() -> bool:
            return (await outbox_row(first.runtime, f"slack:{OFFICE}"))["attempts"] == 1
        await eventually(attempted)
    finally:
        await first.close()  # the process stops before the notification got through
    assert [c.ok for c in posts(slack_api, OFFICE)] == [False]

    clock.advance(seconds=6)  # past the first backoff
    second = await slack_replica(kdir, database_url, clock, slack_api)
    try:
        async def delivered() -> bool:
            return any(c.ok for c in posts(slack_api, OFFICE))
        await eventually(delivered)  # B's start-up pass
        assert await second.runtime.outbox.deliver_due() == 0
        await settle()
        sent = [c for c in posts(slack_api, OFFICE) if c.ok]
        assert len(sent) == 1 and REF in dumped(sent[0])
        assert len(await db_rows(second.runtime, consultations)) == 1
        row = await outbox_row(second.runtime, f"slack:{OFFICE}")
        assert row["attempts"] == 2 and row["delivered_at"] is not None
    finally:
        await second.close()


async def test_slack_retried_submission_makes_one_request(kdir: Path, database_url: str, clock,
                                                          slack_api: FakeSlackWebAPI) -> None:
    """Slack sends a view submission again when the first ack seems slow: the retry may arrive
    while the first is still being handled, and may be retried once more afterwards."""
    replica = await slack_replica(kdir, database_url, clock, slack_api)
    try:
        view = await open_consult_modal(replica)
        request = submission(view)
        first, second = await asyncio.gather(replica.post(request), replica.post(request))
        late = await replica.post(request)
        assert [await r.json() for r in (first, second, late)] == [{"response_action": "clear"}] * 3
        [row] = await db_rows(replica.runtime, consultations)
        assert row["ref"] == REF
        await slack_api.wait_for("chat.postEphemeral", count=3)
        # Every confirmation names the one request.
        assert all(REF in dumped(c) and "LC-2026-0002" not in dumped(c) for c in slack_api.calls("chat.postEphemeral"))

        async def delivered() -> bool:
            return any(c.ok for c in posts(slack_api, OFFICE))
        await eventually(delivered)
        await settle()
        assert len(posts(slack_api, OFFICE)) == 1
        assert replica.runtime.metrics.handoffs.labels("customer_harassment")._value.get() == 1
        creates = await db_rows(replica.runtime, audit_log, audit_log.c.action == "consultation.create")
        assert len(creates) == 1
    finally:
        await replica.close()


async def test_slack_consultation_started_in_a_channel_continues_privately(slack: SlackReplica) -> None:
    api = slack.api
    # A mention in a public channel: the offer to open the form is shown to the asker only.
    await slack.post(event_callback(app_mention(f"<@{BOT_USER_ID}> 弁護士に相談したい", REQUESTER, PUBLIC)))
    [offer] = await api.wait_for("chat.postEphemeral")
    assert offer.params["user"] == REQUESTER
    [open_button] = buttons(offer.params["blocks"])
    await slack.post(block_actions(open_button["action_id"], open_button["value"], user_id=REQUESTER,
                                   channel_id=PUBLIC, trigger_id="8.8.trigger",
                                   response_url=api.response_url("offer")))
    [opened] = await api.wait_for("views.open")
    view = opened.params["view"]  # a modal: seen by the requester only
    assert decode_metadata(view["private_metadata"]).channel == PUBLIC

    await slack.post(submission(view))
    confirmations = await api.wait_for("chat.postEphemeral", count=2)
    assert confirmations[-1].params["user"] == REQUESTER and REF in dumped(confirmations[-1])

    # The requester looks at it again from the channel: shown to them only.
    await slack.post(event_callback(app_mention(f"<@{BOT_USER_ID}> consult {REF}", REQUESTER, PUBLIC)))
    shown = await api.wait_for("chat.postEphemeral", count=3)
    assert shown[-1].params["user"] == REQUESTER and SUMMARY in dumped(shown[-1])

    await eventually(lambda: any(c.ok for c in posts(api, OFFICE)))
    await settle()
    assert posts(api, PUBLIC) == []  # nothing was ever posted for everyone in the channel
    assert not any(SUMMARY in dumped(c) for c in api.calls("response_url"))
    views = await db_rows(slack.runtime, audit_log, audit_log.c.action == "consultation.view")
    assert [(v["actor"], v["subject"]) for v in views] == [(f"slack:{REQUESTER}", REF)]


async def test_slack_outsiders_are_refused_and_the_office_is_audited(slack: SlackReplica) -> None:
    api = slack.api
    view = await open_consult_modal(slack)
    await slack.post(submission(view))
    await eventually(lambda: any(c.ok for c in posts(api, OFFICE)))
    notice = next(c for c in posts(api, OFFICE) if c.ok).params
    in_progress = status_button(notice, "in_progress")

    # Someone outside the role presses the office's button (e.g. in a forwarded message) and asks
    # for the request by its number: refused both times, told so privately, nothing changes.
    await slack.post(block_actions(in_progress["action_id"], in_progress["value"], user_id=OUTSIDER,
                                   channel_id=OFFICE, response_url=api.response_url("outsider")))
    await slack.post(event_callback(im_message(f"consult {REF}", OUTSIDER, "D0OTHER")))
    [refusal] = await api.wait_for("response_url")
    await eventually(lambda: any(c.ok for c in posts(api, "D0OTHER")))
    [dm_refusal] = posts(api, "D0OTHER")
    for told in (refusal, dm_refusal):
        text = dumped(told)
        assert ("権限がありません" in text or "not allowed" in text) and SUMMARY not in text and "山田" not in text
    assert refusal.params["response_type"] == "ephemeral"
    [row] = await db_rows(slack.runtime, consultations)
    assert row["status"] == "received" and row["status_by"] is None

    # The office member can look and change; each is audited, with who.
    await slack.post(event_callback(im_message(f"consult {REF}", LAWYER, "D0LAWYER")))
    await eventually(lambda: any(c.ok and SUMMARY in dumped(c) for c in posts(api, "D0LAWYER")))
    await slack.post(block_actions(in_progress["action_id"], in_progress["value"], user_id=LAWYER,
                                   channel_id=OFFICE, response_url=api.response_url("lawyer")))

    async def changed() -> bool:
        [row] = await db_rows(slack.runtime, consultations)
        return row["status"] == "in_progress"
    await eventually(changed)
    trail = await db_rows(slack.runtime, audit_log, audit_log.c.subject == REF)
    assert [(a["actor"], a["action"]) for a in trail] == [
        (f"slack:{REQUESTER}", "consultation.create"),
        (f"slack:{OUTSIDER}", "consultation.refused"),
        (f"slack:{OUTSIDER}", "consultation.refused"),
        (f"slack:{LAWYER}", "consultation.view"),
        (f"slack:{LAWYER}", "consultation.status"),
    ]


async def test_slack_whistleblowing_own_destination_protection_and_name_by_consent(slack: SlackReplica) -> None:
    api = slack.api
    view = await open_consult_modal(slack, text="相談")  # Japanese: the form and confirmation in Japanese
    await slack.post(submission(view, "上司が補助金を不正に受給しています。", category="whistleblowing", view_id="V0W1"))
    [confirmation] = await api.wait_for("chat.postEphemeral")
    told = dumped(confirmation)
    assert "不利益な取扱い" in told and "伝えません（同意なし）" in told

    view = await open_consult_modal(slack, text="相談")
    await slack.post(submission(view, "経理の不正を見ました。", category="whistleblowing", share_name=True,
                                view_id="V0W2"))
    await eventually(lambda: len([c for c in posts(api, WHISTLE) if c.ok]) == 2)
    await settle()
    hidden, named = (dumped(c) for c in posts(api, WHISTLE))
    assert "LC-2026-0001" in hidden and "公益通報" in hidden
    assert "山田" not in hidden and REQUESTER not in hidden and "非表示" in hidden
    assert "LC-2026-0002" in named and "山田 花子" in named
    assert posts(api, OFFICE) == []  # never to the ordinary destination


# == Teams ===================================================================================================

REQUESTER_AAD = "aaaaaaaa-0000-0000-0000-000000000001"
LAWYER_AAD = "aaaaaaaa-0000-0000-0000-00000000000f"
OUTSIDER_AAD = "aaaaaaaa-0000-0000-0000-000000000009"
PERSONAL = "a:personal-1"
GENERAL = "19:general@thread.tacv2"  # a public channel of the staff team (its General channel)
OFFICE_TEAM = "19:office@thread.tacv2"  # the compliance office's team; its General channel is configured


@dataclass
class TeamsReplica:
    runtime: Runtime
    http: TestClient
    issuer: FakeTokenIssuer
    connector: FakeBotConnector

    async def post(self, activity: dict[str, Any]):
        token = self.issuer.issue(APP_ID, service_url=self.connector.service_url)
        response = await self.http.post("/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"})
        assert response.status in (HTTPStatus.OK, HTTPStatus.ACCEPTED)
        return response


async def teams_replica(kdir: Path, url: str, clock, issuer: FakeTokenIssuer,
                        connector: FakeBotConnector) -> TeamsReplica:
    settings = make_settings(
        kdir, url, roles=Roles(compliance_office=frozenset({LAWYER_AAD})),
        teams=TeamsSettings(app_id=APP_ID, app_password="x", tenant_id=TENANT_ID),
        consultation_destinations={"default": (f"teams:{OFFICE_TEAM}",)})
    runtime = Runtime(settings, clock=clock, outbox_poll_seconds=IDLE)

    def test_mount(app, rt):  # the real adapter; tokens from the local issuer, loopback allowed
        manager = fake_connection_manager(auth_configuration(rt.settings.teams), issuer=issuer)
        return mount_with(app, rt, connection_manager=manager, host_validator_enabled=False)

    app = create_app(runtime, adapters={"teams": test_mount})
    assert app[MOUNTED] == ["teams"]
    http = TestClient(TestServer(app, host="127.0.0.1"))
    await http.start_server()
    return TeamsReplica(runtime, http, issuer, connector)


@pytest_asyncio.fixture
async def teams(kdir: Path, sqlite_url: str, clock, issuer, connector) -> AsyncIterator[TeamsReplica]:
    replica = await teams_replica(kdir, sqlite_url, clock, issuer, connector)
    yield replica
    await replica.http.close()


def activity(service_url: str, *, aad: str = REQUESTER_AAD, name: str = "山田 花子", text: str | None = None,
             value: dict[str, Any] | None = None, channel: str | None = None, team: str | None = None,
             **extra: Any) -> dict[str, Any]:
    """A message as Teams posts it: in the user's personal chat, or (``channel``) in a team channel."""
    body: dict[str, Any] = {
        "type": "message", "id": f"1700{uuid.uuid4().int % 10**9:09d}", "timestamp": "2026-11-25T00:00:00.000Z",
        "serviceUrl": service_url, "channelId": "msteams", "locale": "ja-JP",
        "from": {"id": f"29:{aad}", "name": name, "aadObjectId": aad},
        "recipient": {"id": f"28:{APP_ID}", "name": "guidance-bot"},
        "conversation": {"id": f"a:personal-{aad[-1]}", "conversationType": "personal", "tenantId": TENANT_ID},
        "channelData": {"tenant": {"id": TENANT_ID}},
    }
    if channel:
        body["conversation"] = {"id": f"{channel};messageid=1700000000001", "conversationType": "channel",
                                "isGroup": True, "tenantId": TENANT_ID}
        body["channelData"] = {"tenant": {"id": TENANT_ID}, "team": {"id": team or channel},
                               "channel": {"id": channel}}
    if text is not None:
        mention = "<at>guidance-bot</at>"
        body["text"] = f"{mention} {text}" if channel else text
        if channel:
            body["entities"] = [{"type": "mention", "text": mention,
                                 "mentioned": {"id": f"28:{APP_ID}", "name": "guidance-bot"}}]
    if value is not None:
        body["value"] = value
    return body | extra


def installed(service_url: str, team: str) -> dict[str, Any]:
    """The app added to a team: the reference of its General channel is stored."""
    return {"type": "installationUpdate", "action": "add", "id": f"f:{uuid.uuid4().hex[:8]}",
            "serviceUrl": service_url, "channelId": "msteams",
            "from": {"id": f"29:{LAWYER_AAD}", "aadObjectId": LAWYER_AAD},
            "recipient": {"id": f"28:{APP_ID}", "name": "guidance-bot"},
            "conversation": {"id": team, "conversationType": "channel", "isGroup": True, "tenantId": TENANT_ID},
            "channelData": {"tenant": {"id": TENANT_ID}, "team": {"id": team}}}


def card_of(request) -> dict[str, Any]:
    [attachment] = request.attachments
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def card_text(request) -> str:
    return json.dumps(request.activity, ensure_ascii=False)


def form_submit(card: dict[str, Any], **inputs: Any) -> dict[str, Any]:
    """What Teams posts for the form card's submit button: its data merged with the inputs."""
    [submit] = card["actions"]
    return dict(submit["data"], **inputs)


def in_conversation(connector: FakeBotConnector, conversation: str) -> list[Any]:
    return [r for r in connector.activities if (r.conversation_id or "").split(";")[0] == conversation]


async def test_teams_whole_flow(teams: TeamsReplica, clock) -> None:
    """Consult from an answer card → form card → submit → reference in the personal chat → the office
    channel notified through its stored reference → an office member changes the status there →
    the requester is told in their personal chat. Outsiders are refused; all of it is audited."""
    connector, url = teams.connector, teams.connector.service_url
    await teams.post(installed(url, OFFICE_TEAM))  # the app is added to the office's team

    await teams.post(activity(url, text="殴られた"))
    [answer] = await connector.wait_for(1)
    consult = next(a for b in card_of(answer)["body"] if b.get("type") == "ActionSet" for a in b["actions"]
                   if a["data"].get("action") == "consult")
    assert consult["data"]["value"] == "type-violence"
    await teams.post(activity(url, value=consult["data"]))
    [_, form] = await connector.wait_for(2)
    assert form.conversation_id == PERSONAL
    card = card_of(form)
    assert {"category", "summary", "urgency", "attach", "share_name"} <= {
        e.get("id") for e in card["body"]}

    data = form_submit(card, category="customer_harassment", summary=SUMMARY, urgency="danger_now",
                       department="保育課", contact="", attach="true", share_name="false")
    await teams.post(activity(url, value=data, replyToId=form.response["id"]))
    [*_, confirmation] = await connector.wait_for(3)
    assert confirmation.conversation_id == PERSONAL
    shown = card_text(confirmation)
    assert f"相談を受け付けました（{REF}）" in shown
    assert shown.index("110") < shown.index(REF)  # danger now: the safety steps first
    [stored] = await db_rows(teams.runtime, consultations)
    assert (stored["platform"], stored["requester_id"], stored["attached_entry"], stored["attached_question"]) == (
        "teams", REQUESTER_AAD, "type-violence", "殴られた")

    async def office_notified() -> bool:
        return bool(in_conversation(connector, OFFICE_TEAM))
    await eventually(office_notified)  # the woken outbox loop, through the Teams sender
    [notice] = in_conversation(connector, OFFICE_TEAM)
    assert notice.kind == "send" and teams.issuer.verify_outbound(notice.bearer, APP_ID)
    text = card_text(notice)
    assert REF in text and SUMMARY in text and "山田 花子" in text and "緊急" in text
    statuses = {a["data"]["value"].rpartition(":")[2]: a for a in card_of(notice)["actions"]
                if a["data"].get("action") == "consult_status"}
    assert set(statuses) == {"received", "in_progress", "done"}

    # Someone outside the office presses a button in the office channel: refused, nothing changes.
    before = len([r for r in connector.activities if r.ok and r.kind in ("send", "reply")])
    await teams.post(activity(url, aad=OUTSIDER_AAD, name="佐藤", value=statuses["done"]["data"],
                              channel=OFFICE_TEAM))
    await connector.wait_for(before + 1, predicate=lambda r: r.ok and r.kind in ("send", "reply"))
    refused = connector.activities[-1]
    assert "権限" in card_text(refused) and SUMMARY not in card_text(refused)
    [stored] = await db_rows(teams.runtime, consultations)
    assert stored["status"] == "received"

    clock.advance(minutes=5)
    await teams.post(activity(url, aad=LAWYER_AAD, name="鈴木 一郎", value=statuses["in_progress"]["data"],
                              channel=OFFICE_TEAM))
    await connector.wait_for(before + 2, predicate=lambda r: r.ok and r.kind in ("send", "reply"))
    changed = connector.activities[-1]
    assert changed.conversation_id.startswith(OFFICE_TEAM)
    text = card_text(changed)
    assert "対応中" in text and "鈴木 一郎" in text and "09:05" in text and SUMMARY not in text

    dm_title = f"相談 {REF} の状況: 対応中"  # not the confirmation, which names the statuses too

    async def requester_told() -> bool:
        return any(dm_title in card_text(r) for r in in_conversation(connector, PERSONAL))
    await eventually(requester_told)  # the status DM, through the outbox, into the personal chat
    await settle()
    [dm] = [r for r in in_conversation(connector, PERSONAL) if dm_title in card_text(r)]
    assert REF in card_text(dm) and SUMMARY not in card_text(dm)
    [stored] = await db_rows(teams.runtime, consultations)
    assert (stored["status"], stored["status_by"]) == ("in_progress", f"teams:{LAWYER_AAD}")
    trail = await db_rows(teams.runtime, audit_log, audit_log.c.subject == REF)
    assert [(a["actor"], a["action"]) for a in trail] == [
        (f"teams:{REQUESTER_AAD}", "consultation.create"),
        (f"teams:{OUTSIDER_AAD}", "consultation.refused"),
        (f"teams:{LAWYER_AAD}", "consultation.status"),
    ]


async def test_teams_consultation_started_in_a_channel_continues_privately(teams: TeamsReplica) -> None:
    connector, url = teams.connector, teams.connector.service_url
    await teams.post(installed(url, OFFICE_TEAM))
    await teams.post(activity(url, text="弁護士に相談したい", channel=GENERAL))
    await connector.wait_for(2)
    [form] = [r for r in connector.activities if r.attachments]
    assert form.conversation_id != GENERAL and not form.conversation_id.startswith(GENERAL)
    [note] = in_conversation(connector, GENERAL)
    assert note.text == "個別チャットでお送りしました。" and not note.attachments
    card = card_of(form)
    assert "このチャンネルには表示せず" in json.dumps(card, ensure_ascii=False)

    # The form is submitted from the personal chat it was sent to; a double click sends it twice.
    data = form_submit(card, category="legal_risk", summary=SUMMARY, urgency="routine", department="",
                       contact="内線 1234", share_name="false")
    personal = {"id": form.conversation_id, "conversationType": "personal", "tenantId": TENANT_ID}
    for _ in range(2):
        await teams.post(activity(url, value=data, conversation=personal, replyToId=form.response["id"]))
    await connector.wait_for(4)
    confirmations = [r for r in connector.activities if REF in card_text(r)
                     and r.conversation_id == form.conversation_id]
    assert confirmations and all("LC-2026-0002" not in card_text(r) for r in connector.activities)
    assert len(await db_rows(teams.runtime, consultations)) == 1

    # Asking for it by number in the channel: the answer goes to the personal chat only.
    await teams.post(activity(url, text=f"consult {REF}", channel=GENERAL))

    async def shown_privately() -> bool:
        return any("窓口" in card_text(r) and r.conversation_id == form.conversation_id
                   and "戸籍" not in card_text(r) for r in connector.activities)
    await eventually(shown_privately)
    await eventually(lambda: bool(in_conversation(connector, OFFICE_TEAM)))
    await settle()
    assert not any(SUMMARY in card_text(r) or REF in card_text(r) for r in in_conversation(connector, GENERAL))
    assert len(in_conversation(connector, OFFICE_TEAM)) == 1
    views = await db_rows(teams.runtime, audit_log, audit_log.c.action == "consultation.view")
    assert [(v["actor"], v["detail"]["as"]) for v in views] == [(f"teams:{REQUESTER_AAD}", "requester")]
