"""The Slack adapter end to end: the real bolt ``AsyncApp`` inside ``guidance-bot serve``'s aiohttp
application on loopback, signed requests, and its Web API calls recorded by the local fake Slack."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

pytest.importorskip("slack_bolt")

import guidance_slack  # noqa: E402
from guidance_bot.bot import Message  # noqa: E402
from guidance_bot.forms import Field, Form, FormErrors, Option  # noqa: E402
from guidance_bot.i18n import Text  # noqa: E402
from guidance_bot.outbox import enqueue, pending_count  # noqa: E402
from guidance_bot.platforms import Roles, SlackSettings, parse_destination  # noqa: E402
from guidance_bot.replies import Reply  # noqa: E402
from guidance_bot.runtime import Runtime  # noqa: E402
from guidance_bot.server import MOUNTED, AdapterUnavailable, create_app  # noqa: E402
from guidance_bot.store.tables import answers, consultations, outbox  # noqa: E402
from guidance_slack.blocks import decode_metadata, decode_value, encode_value  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.fakes.slack import (  # noqa: E402
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlackWebAPI,
    SlackRequest,
    app_home_opened,
    app_mention,
    block_actions,
    event_callback,
    im_message,
    sign,
    slash_command,
    url_verification,
    view_submission,
)

OFFICE_CHANNEL = "C0FFICE"


def slack_settings(slack_api: FakeSlackWebAPI, **changes: Any) -> SlackSettings:
    values = dict(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=slack_api.api_url)
    return SlackSettings(**(values | changes))


@dataclass
class Bot:
    """One replica: its runtime and an HTTP client to its server."""

    runtime: Runtime
    http: TestClient
    api: FakeSlackWebAPI

    async def post(self, request: SlackRequest, secret: str = SIGNING_SECRET, retry: int | None = None,
                   timestamp: int | None = None):
        headers = request.headers(secret, timestamp)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.http.post("/slack/events", data=request.body, headers=headers)

    async def post_raw(self, body: bytes, content_type: str):
        headers = {"Content-Type": content_type, **sign(body, SIGNING_SECRET)}
        return await self.http.post("/slack/events", data=body, headers=headers)


async def start_bot(kdir: Path, url: str, clock, slack_api: FakeSlackWebAPI, **changes: Any) -> Bot:
    changes.setdefault("slack", slack_settings(slack_api))
    changes.setdefault("consultation_destinations", {"default": (f"slack:{OFFICE_CHANNEL}",)})
    runtime = Runtime(make_settings(kdir, url, **changes), clock=clock, outbox_poll_seconds=0.05)
    app = create_app(runtime, adapters={"slack": guidance_slack.mount})
    assert app[MOUNTED] == ["slack"]
    http = TestClient(TestServer(app))
    await http.start_server()
    return Bot(runtime, http, slack_api)


@pytest_asyncio.fixture
async def bot(kdir: Path, sqlite_url: str, clock, slack_api: FakeSlackWebAPI) -> AsyncIterator[Bot]:
    started = await start_bot(kdir, sqlite_url, clock, slack_api,
                              roles=Roles(compliance_office=frozenset({"S0FFICE"})))
    yield started
    await started.http.close()


def interactive(payload: dict[str, Any]) -> SlackRequest:
    """An interactive payload changed by a test, encoded as Slack posts it."""
    return SlackRequest("interactive", payload, urlencode({"payload": json.dumps(payload)}).encode(),
                        "application/x-www-form-urlencoded")


def posted(api: FakeSlackWebAPI, channel: str, method: str = "chat.postMessage") -> list[dict[str, Any]]:
    return [c.params for c in api.calls(method) if c.params.get("channel") == channel and c.ok]


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def block(blocks: list[dict[str, Any]], block_id: str) -> dict[str, Any]:
    return next(b for b in blocks if b.get("block_id") == block_id)


async def settle() -> None:
    """Long enough for a listener that was going to post (a second time) to have done so."""
    await asyncio.sleep(0.3)


# -- where answers go ---------------------------------------------------------------------------------


async def test_direct_message_answer_blocks(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    response = await bot.post(event_callback(im_message("殴られた", user_id="U1", channel_id="D1")))
    assert response.status == 200

    [call] = await slack_api.wait_for("chat.postMessage")
    params = call.params
    assert params["channel"] == "D1" and "thread_ts" not in params
    blocks = params["blocks"]
    assert blocks[0]["block_id"] == "alert" and "110番" in blocks[0]["text"]["text"]
    assert block(blocks, "title")["text"]["text"] == "暴力型"
    assert "第7章 TYPE.2" in block(blocks, "source")["elements"][0]["text"]
    assert "03-0000-0000" in block(blocks, "contacts")["text"]["text"]
    names = [b["action_id"].partition(":")[0] for b in buttons(blocks)]
    assert names == ["consult", "feedback", "feedback"]
    consult = decode_value(buttons(blocks)[0]["value"])
    assert (consult.value, consult.lang, consult.question) == ("type-violence", "ja", "殴られた")
    assert "暴力型" in params["text"]  # the fallback for notifications and screen readers


async def test_phrases_as_quotes_in_english(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    await bot.post(event_callback(im_message("can I record the call?", user_id="U1", channel_id="D1")))
    [call] = await slack_api.wait_for("chat.postMessage")
    blocks = call.params["blocks"]
    assert block(blocks, "title")["text"]["text"] == "May I record the call?"
    assert ">To keep an accurate record, I will record what we discuss." in block(blocks, "phrases")["text"]["text"]
    assert block(blocks, "source")["elements"][0]["text"].startswith("Source:")
    related = buttons(block(blocks, "choices") and [block(blocks, "choices")])
    assert decode_value(related[0]["value"]).value == "type-violence"


async def test_mention_is_answered_in_its_thread(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    await bot.post(event_callback(app_mention(f"<@{BOT_USER_ID}> 通話を録音してもいい?", user_id="U1",
                                              channel_id="C1", ts="1700000000.000100")))
    thread_reply = app_mention(f"<@{BOT_USER_ID}> 殴られた", user_id="U2", channel_id="C1", ts="1700000000.000300")
    thread_reply["thread_ts"] = "1700000000.000200"
    await bot.post(event_callback(thread_reply))

    first, second = await slack_api.wait_for("chat.postMessage", count=2)
    by_thread = {c.params["thread_ts"]: c.params for c in (first, second)}
    assert set(by_thread) == {"1700000000.000100", "1700000000.000200"}
    assert by_thread["1700000000.000100"]["channel"] == "C1"
    assert block(by_thread["1700000000.000100"]["blocks"], "title")["text"]["text"] == "会話や電話を録音してよいか"


async def test_private_reply_to_a_mention_is_ephemeral(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    await bot.post(event_callback(app_mention(f"<@{BOT_USER_ID}> help", user_id="U1", channel_id="C1",
                                              ts="1700000000.000100")))
    [call] = await slack_api.wait_for("chat.postEphemeral")
    assert (call.params["channel"], call.params["user"], call.params["thread_ts"]) == ("C1", "U1", "1700000000.000100")
    await settle()
    assert posted(slack_api, "C1") == []


async def test_slash_command_answer_is_ephemeral(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    request = slash_command("通話を録音してもいい?", user_id="U1", channel_id="C1",
                            response_url=slack_api.response_url("cmd"))
    response = await bot.post(request)
    assert (response.status, await response.text()) == (200, "")

    [call] = await slack_api.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral"
    assert block(call.params["blocks"], "title")["text"]["text"] == "会話や電話を録音してよいか"
    await settle()
    assert slack_api.calls("chat.postMessage") == []


async def test_empty_slash_command_shows_help_in_the_users_language(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    slack_api.add_user("U1", locale="en-US")
    await bot.post(slash_command("", user_id="U1", channel_id="C1", response_url=slack_api.response_url("h")))
    [call] = await slack_api.wait_for("response_url")
    assert block(call.params["blocks"], "title")["text"]["text"] == "How to use guidance-bot"


async def test_slash_command_is_acknowledged_before_the_work_is_done(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    release = asyncio.Event()

    async def slow(message: Message, args: str, lang) -> Reply:
        await release.wait()
        return Reply("info", lang, answer="done", private=True)

    bot.runtime.bot.register_command("slow", ("slow",), slow, Text("遅い", "slow"))
    started = time.monotonic()
    response = await bot.post(slash_command("slow", user_id="U1", channel_id="C1",
                                            response_url=slack_api.response_url("slow")))
    assert response.status == 200 and time.monotonic() - started < 1
    assert slack_api.calls("response_url") == []
    release.set()
    [call] = await slack_api.wait_for("response_url")
    assert call.params["blocks"][0]["text"]["text"] == "done"


async def test_command_name_is_configurable(kdir: Path, sqlite_url: str, clock, slack_api: FakeSlackWebAPI) -> None:
    bot = await start_bot(kdir, sqlite_url, clock, slack_api, slack=slack_settings(slack_api, command="/gb"))
    try:
        await bot.post(slash_command("help", user_id="U1", channel_id="C1", command="/gb",
                                     response_url=slack_api.response_url("gb")))
        [call] = await slack_api.wait_for("response_url")
        assert call.params["response_type"] == "ephemeral"
    finally:
        await bot.http.close()


async def test_role_groups_are_looked_up_sparingly(slack_api: FakeSlackWebAPI) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    from guidance_slack.people import People

    slack_api.usergroups["S1"] = ["U9"]
    people = People(AsyncWebClient(token=BOT_TOKEN, base_url=slack_api.api_url),
                    Roles(managers=frozenset({"S1", "U5"}), compliance_office=frozenset({"S404"})))
    first, again, other = await people.person("U9"), await people.person("U9"), await people.person("U1")
    assert first.groups == again.groups == frozenset({"S1"}) and other.groups == frozenset()
    # One lookup per group, also for the group Slack does not know (missing scope, typo).
    assert sorted(c.params["usergroup"] for c in slack_api.calls("usergroups.users.list")) == ["S1", "S404"]
    assert len(slack_api.calls("users.info")) == 2  # U9 and U1, each once


async def test_slack_unreachable_leaves_name_and_groups_empty_instead_of_failing() -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    from guidance_slack.people import People

    nowhere = AsyncWebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/", timeout=2)  # nothing listens
    person = await People(nowhere, Roles(managers=frozenset({"S1"}))).person("U9")
    assert (person.user_id, person.name, person.groups) == ("U9", "", frozenset())


async def test_messages_not_from_a_person_in_the_dm_are_ignored(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    edited = im_message("殴られた", user_id="U1", channel_id="D1") | {"subtype": "message_changed"}
    from_bot = im_message("殴られた", user_id="U7", channel_id="D1") | {"bot_id": "B0THER"}
    own = im_message("殴られた", user_id=BOT_USER_ID, channel_id="D1")
    channel = im_message("殴られた", user_id="U1", channel_id="C1") | {"channel_type": "channel"}
    for event in (edited, from_bot, own, channel):
        assert (await bot.post(event_callback(event))).status == 200
    await settle()
    assert slack_api.calls("chat.postMessage") == []


async def test_role_from_a_slack_user_group(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    slack_api.usergroups["S0FFICE"] = ["U9"]
    slack_api.add_user("U9", locale="en-US")
    slack_api.add_user("U1", locale="en-US")
    await bot.post(event_callback(im_message("reload", user_id="U9", channel_id="D9")))
    await bot.post(event_callback(im_message("reload", user_id="U1", channel_id="D1")))
    await slack_api.wait_for("chat.postMessage", count=2)
    assert "Knowledge reloaded: 2 entries" in posted(slack_api, "D9")[0]["text"]
    assert "not allowed" in posted(slack_api, "D1")[0]["text"]


async def test_interactive_reply_waits_out_a_rate_limit(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    slack_api.rate_limit("chat.postMessage", times=1, retry_after=1)
    await bot.post(event_callback(im_message("殴られた", user_id="U1", channel_id="D1")))
    calls = await slack_api.wait_for("chat.postMessage", count=2, timeout=8)
    assert [(c.status, c.ok) for c in calls] == [(429, False), (200, True)]


# -- retries, signatures, malformed payloads ---------------------------------------------------------


@pytest.mark.parametrize("replicas", [1, 2])
async def test_retried_event_is_answered_once(kdir: Path, database_url: str, clock, slack_api: FakeSlackWebAPI,
                                              replicas: int) -> None:
    bots = [await start_bot(kdir, database_url, clock, slack_api) for _ in range(replicas)]
    try:
        request = event_callback(im_message("殴られた", user_id="U1", channel_id="D1"), event_id="Ev0RETRY1")
        first = await bots[0].post(request)
        retried = await asyncio.gather(*(b.post(request, retry=1) for b in bots))
        assert [r.status for r in (first, *retried)] == [200] * (replicas + 1)
        await slack_api.wait_for("chat.postMessage")
        await settle()
        assert len(posted(slack_api, "D1")) == 1
    finally:
        for b in bots:
            await b.http.close()


async def test_bad_stale_or_missing_signature_gets_401(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    request = event_callback(im_message("殴られた", user_id="U1", channel_id="D1"))
    forged = await bot.post(request, secret="not-the-secret")
    stale = await bot.post(request, timestamp=int(time.time()) - 10 * 60)
    unsigned = await bot.http.post("/slack/events", data=request.body, headers={"Content-Type": "application/json"})
    bad_ts = await bot.http.post("/slack/events", data=request.body, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"})
    assert [r.status for r in (forged, stale, unsigned, bad_ts)] == [401, 401, 401, 401]
    await settle()
    assert slack_api.calls("chat.postMessage") == []


async def test_url_verification(bot: Bot) -> None:
    response = await bot.post(url_verification("abc123"))
    assert (response.status, await response.json()) == (200, {"challenge": "abc123"})


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
    (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
    (b"whatever=1", "application/x-www-form-urlencoded"),
    (b"", "application/json"),
    (json.dumps({"type": "event_callback", "event_id": "Ev1"}).encode(), "application/json"),
    (json.dumps({"type": "event_callback", "event": "text"}).encode(), "application/json"),
    (json.dumps({"type": "something_new"}).encode(), "application/json"),
    (urlencode({"payload": json.dumps({"type": "block_actions", "user": {"id": "U1"}})}).encode(),
     "application/x-www-form-urlencoded"),
    (urlencode({"payload": json.dumps({"type": "block_actions", "actions": [{"x": 1}]})}).encode(),
     "application/x-www-form-urlencoded"),
    (urlencode({"payload": json.dumps({"type": "view_submission", "user": {"id": "U1"}})}).encode(),
     "application/x-www-form-urlencoded"),
    (urlencode({"payload": json.dumps({"type": "view_submission", "view": {"callback_id": "x"}})}).encode(),
     "application/x-www-form-urlencoded"),
    (urlencode({"command": "/guidance"}).encode(), "application/x-www-form-urlencoded"),
    (urlencode({"command": "/other", "text": "x", "user_id": "U1"}).encode(), "application/x-www-form-urlencoded"),
])
async def test_malformed_payloads_never_get_a_500(bot: Bot, body: bytes, content_type: str) -> None:
    response = await bot.post_raw(body, content_type)
    assert response.status < 500, await response.text()


async def test_unknown_event_type_is_a_quiet_no_op(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    response = await bot.post(event_callback({"type": "reaction_added", "user": "U1", "reaction": "+1"}))
    assert response.status == 200
    await settle()
    assert [c.method for c in slack_api.calls() if c.method != "auth.test"] == []


# -- buttons --------------------------------------------------------------------------------------------


async def test_show_replaces_a_dm_message_in_place(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    click = block_actions("show:0", encode_value("type-violence", "en"), user_id="U1", channel_id="D1",
                          message_ts="1700000000.000500", response_url=slack_api.response_url("show"))
    assert (await bot.post(click)).status == 200
    [call] = await slack_api.wait_for("chat.update")
    assert (call.params["channel"], call.params["ts"]) == ("D1", "1700000000.000500")
    assert call.params["blocks"][0]["block_id"] == "alert"
    assert block(call.params["blocks"], "title")["text"]["text"] == "Violence against staff"


async def test_show_replaces_an_ephemeral_message_in_place(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    payload = block_actions("show:0", encode_value("recording-calls", "ja"), user_id="U1", channel_id="C1",
                            response_url=slack_api.response_url("eph")).payload
    payload["container"]["is_ephemeral"] = True
    await bot.post(interactive(payload))
    [call] = await slack_api.wait_for("response_url")
    assert (call.params["replace_original"], call.params["response_type"]) == (True, "ephemeral")
    assert block(call.params["blocks"], "title")["text"]["text"] == "会話や電話を録音してよいか"


async def test_show_on_a_shared_channel_message_is_shown_to_the_clicker_only(
        bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    await bot.post(block_actions("show:0", encode_value("recording-calls", "ja"), user_id="U2", channel_id="C1",
                                 response_url=slack_api.response_url("pub")))
    [call] = await slack_api.wait_for("response_url")
    assert (call.params["replace_original"], call.params["response_type"]) == (False, "ephemeral")
    await settle()
    assert slack_api.calls("chat.update") == []


async def test_feedback_is_recorded_and_thanked(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    await bot.post(event_callback(im_message("殴られた", user_id="U1", channel_id="D1")))
    [call] = await slack_api.wait_for("chat.postMessage")
    up = next(b for b in buttons(call.params["blocks"]) if b["text"]["text"] == "👍")

    await bot.post(block_actions(up["action_id"], up["value"], user_id="U1", channel_id="D1",
                                 message_ts=call.params.get("ts"), response_url=slack_api.response_url("fb")))
    [thanks] = await slack_api.wait_for("response_url")
    assert thanks.params["response_type"] == "ephemeral" and thanks.params["replace_original"] is False
    assert "フィードバックありがとうございます" in thanks.params["text"]
    answer_id = decode_value(up["value"]).value.partition(":")[0]
    async with bot.runtime.db.connect() as conn:
        feedback = (await conn.execute(select(answers.c.feedback).where(answers.c.id == answer_id))).scalar_one()
    assert feedback == 1


async def test_unknown_button_is_acknowledged_and_ignored(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    response = await bot.post(block_actions("nothing_like_it:0", "x", user_id="U1", channel_id="D1",
                                            response_url=slack_api.response_url("x")))
    assert response.status == 200
    await settle()
    assert slack_api.calls("response_url") == [] and slack_api.calls("chat.update") == []


# -- forms ------------------------------------------------------------------------------------------------

TEST_FORM_FIELDS = (
    Field("name", "Name", required=True, max_length=40),
    Field("colour", "Colour", "select", options=(Option("red", "Red"), Option("blue", "Blue"))),
    Field("tags", "Tags", "checkboxes", options=(Option("a", "A"), Option("b", "B"))),
    Field("agree", "I agree", "toggle"),
)


def register_test_form(bot: Bot) -> list[Any]:
    submissions: list[Any] = []

    async def command(message: Message, args: str, lang) -> Form:
        return Form("test-form", lang, "Test form", "Send", TEST_FORM_FIELDS, context={"origin": "test"})

    async def submit(submission) -> Reply | FormErrors:
        submissions.append(submission)
        if not submission.values.get("name"):
            form = Form("test-form", submission.lang, "Test form", "Send", TEST_FORM_FIELDS)
            return FormErrors(form, {"name": "Please give a name"})
        return Reply("info", submission.lang, answer=f"Received {submission.values['name']}", private=True)

    bot.runtime.bot.register_command("testform", ("testform",), command, Text("テスト", "test"))
    bot.runtime.bot.register_form("test-form", submit)
    return submissions


def state(name: str | None, agree: bool = True) -> dict[str, Any]:
    return {
        "name": {"text": {"type": "plain_text_input", "value": name}},
        "colour": {"select": {"type": "static_select", "selected_option": {"value": "blue"}}},
        "tags": {"checkboxes": {"type": "checkboxes", "selected_options": [{"value": "b"}]}},
        "agree": {"toggle": {"type": "checkboxes", "selected_options": [{"value": "on"}] if agree else []}},
    }


async def test_form_opens_as_a_modal_and_errors_show_next_to_fields(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    submissions = register_test_form(bot)
    slack_api.add_user("U1", locale="en-US")
    await bot.post(slash_command("testform", user_id="U1", channel_id="C1", trigger_id="1.2.trigger"))
    [opened] = await slack_api.wait_for("views.open")
    view = opened.params["view"]
    assert opened.params["trigger_id"] == "1.2.trigger"
    assert view["callback_id"] == "test-form"
    assert [b["block_id"] for b in view["blocks"]] == ["name", "colour", "tags", "agree"]
    meta = decode_metadata(view["private_metadata"])
    assert (meta.lang, meta.context, meta.channel) == ("en", {"origin": "test"}, "C1")

    wrong = await bot.post(view_submission("test-form", state(None), user_id="U1",
                                           private_metadata=view["private_metadata"]))
    assert (wrong.status, await wrong.json()) == (200, {"response_action": "errors",
                                                        "errors": {"name": "Please give a name"}})

    right = await bot.post(view_submission("test-form", state("Sato"), user_id="U1",
                                           private_metadata=view["private_metadata"], view_id="V0TEST"))
    assert (right.status, await right.json()) == (200, {"response_action": "clear"})
    [result] = await slack_api.wait_for("chat.postEphemeral")
    assert (result.params["channel"], result.params["user"]) == ("C1", "U1")
    assert "Received Sato" in result.params["text"]
    last = submissions[-1]
    assert last.values == {"name": "Sato", "colour": "blue", "tags": ["b"], "agree": True}
    assert (last.lang, last.channel, dict(last.context)) == ("en", "C1", {"origin": "test"})
    assert last.key.startswith("V0TEST:")  # view id + hash: the same on a retried submission


async def test_form_result_from_a_dm_goes_to_the_dm(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    register_test_form(bot)
    await bot.post(slash_command("testform", user_id="U1", channel_id="D1"))
    [opened] = await slack_api.wait_for("views.open")
    await bot.post(view_submission("test-form", state("Sato"), user_id="U1",
                                   private_metadata=opened.params["view"]["private_metadata"]))
    [dm] = await slack_api.wait_for("conversations.open")
    assert dm.params["users"] == "U1"
    [message] = await slack_api.wait_for("chat.postMessage")
    assert message.params["channel"].startswith("D") and "Received Sato" in message.params["text"]


async def test_typed_form_command_offers_a_button_that_opens_the_modal(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    register_test_form(bot)
    await bot.post(event_callback(im_message("testform", user_id="U1", channel_id="D1")))
    [message] = await slack_api.wait_for("chat.postMessage")
    [button] = buttons(message.params["blocks"])
    assert button["action_id"] == "open_form:0"
    assert slack_api.calls("views.open") == []

    await bot.post(block_actions(button["action_id"], button["value"], user_id="U1", channel_id="D1",
                                 trigger_id="9.9.trigger", response_url=slack_api.response_url("of")))
    [opened] = await slack_api.wait_for("views.open")
    assert (opened.params["trigger_id"], opened.params["view"]["callback_id"]) == ("9.9.trigger", "test-form")


# -- the consultation hand-off (issue #7) through Slack -------------------------------------------------


def consult_state(view: dict[str, Any], summary: str) -> dict[str, Any]:
    def first_option(block_id: str) -> str:
        return block(view["blocks"], block_id)["element"]["options"][0]["value"]

    return {
        "category": {"select": {"type": "static_select", "selected_option": {"value": first_option("category")}}},
        "summary": {"textarea": {"type": "plain_text_input", "value": summary}},
        "urgency": {"select": {"type": "static_select", "selected_option": {"value": first_option("urgency")}}},
        "department": {"text": {"type": "plain_text_input", "value": None}},
        "contact": {"text": {"type": "plain_text_input", "value": None}},
        "attach": {"toggle": {"type": "checkboxes", "selected_options": [{"value": "on"}]}},
        "share_name": {"toggle": {"type": "checkboxes", "selected_options": []}},
    }


async def consultation_rows(bot: Bot) -> list[Any]:
    async with bot.runtime.db.connect() as conn:
        return (await conn.execute(select(consultations))).all()


async def test_consult_button_opens_the_hand_off_modal_once_per_submission(
        bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    await bot.post(event_callback(im_message("殴られた", user_id="U1", channel_id="D1")))
    [answer] = await slack_api.wait_for("chat.postMessage")
    consult = next(b for b in buttons(answer.params["blocks"]) if b["action_id"].startswith("consult:"))

    await bot.post(block_actions(consult["action_id"], consult["value"], user_id="U1", channel_id="D1",
                                 trigger_id="5.5.trigger", response_url=slack_api.response_url("c")))
    [opened] = await slack_api.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "consult"
    meta = decode_metadata(view["private_metadata"])
    assert (meta.context["entry"], meta.context["question"]) == ("type-violence", "殴られた")
    assert "attach" in [b.get("block_id") for b in view["blocks"]]

    empty = await bot.post(view_submission("consult", consult_state(view, ""), user_id="U1",
                                           private_metadata=view["private_metadata"]))
    body = await empty.json()
    assert body["response_action"] == "errors" and "summary" in body["errors"]

    submission = view_submission("consult", consult_state(view, "窓口で胸ぐらをつかまれました。"), user_id="U1",
                                 private_metadata=view["private_metadata"], view_id="V0CONSULT")
    first = await bot.post(submission)
    retried = await bot.post(submission)  # Slack sends the same submission again
    assert [await r.json() for r in (first, retried)] == [{"response_action": "clear"}] * 2
    [row] = await consultation_rows(bot)
    assert (row.requester_id, row.attached_question, row.attached_entry) == ("U1", "殴られた", "type-violence")
    # The office hears of it through the outbox and the Slack sender.
    await slack_api.wait_for("chat.postMessage", count=2)
    await settle()
    assert len(posted(slack_api, OFFICE_CHANNEL)) == 1


async def test_typed_consult_in_a_dm(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    await bot.post(event_callback(im_message("弁護士に相談したい", user_id="U1", channel_id="D1")))
    [message] = await slack_api.wait_for("chat.postMessage")
    [button] = buttons(message.params["blocks"])
    await bot.post(block_actions(button["action_id"], button["value"], user_id="U1", channel_id="D1",
                                 response_url=slack_api.response_url("c")))
    [opened] = await slack_api.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "consult"


# -- App Home -----------------------------------------------------------------------------------------------


async def test_app_home(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    slack_api.add_user("U1", locale="en-US")
    await bot.post(event_callback(app_home_opened("U1")))
    [call] = await slack_api.wait_for("views.publish")
    assert call.params["user_id"] == "U1"
    view = call.params["view"]
    assert view["type"] == "home"
    text = json.dumps(view)
    assert "/guidance" in text and f"<@{BOT_USER_ID}>" in text and "a customer hit me" in text
    assert "not requested a consultation yet" in block(view["blocks"], "consultations")["text"]["text"]


async def test_app_home_lists_the_users_own_requests_without_their_contents(
        bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    from guidance_bot.handoff.form import Request
    from guidance_bot.platforms import Person
    await bot.runtime.consultations.create(Person("slack", "U1"), Request(
        category="customer_harassment", summary="窓口で毎日怒鳴られています", urgency="routine", language="ja"))
    await bot.runtime.consultations.create(Person("slack", "U2"), Request(
        category="other", summary="別の人の相談", urgency="routine", language="ja"))
    await bot.post(event_callback(app_home_opened("U1")))
    [call] = await slack_api.wait_for("views.publish")
    text = block(call.params["view"]["blocks"], "consultations")["text"]["text"]
    assert "LC-2026-0001" in text and "受付" in text and "カスタマー・ハラスメント" in text
    assert "LC-2026-0002" not in text and "怒鳴られて" not in text


async def test_the_office_changes_the_status_from_the_notification_and_the_requester_is_told(
        bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    slack_api.usergroups["S0FFICE"] = ["U0LAWYER"]
    await bot.post(event_callback(im_message("法律相談をしたい", user_id="U1", channel_id="D1")))
    [message] = await slack_api.wait_for("chat.postMessage")
    [button] = buttons(message.params["blocks"])
    await bot.post(block_actions(button["action_id"], button["value"], user_id="U1", channel_id="D1",
                                 trigger_id="7.7.trigger", response_url=slack_api.response_url("c")))
    [opened] = await slack_api.wait_for("views.open")
    view = opened.params["view"]
    await bot.post(view_submission("consult", consult_state(view, "契約の解釈で相談があります。"), user_id="U1",
                                   private_metadata=view["private_metadata"], view_id="V0STATUS"))
    await slack_api.wait_for("chat.postMessage", count=2)
    await settle()
    [notice] = posted(slack_api, OFFICE_CHANNEL)
    status = next(b for b in buttons(notice["blocks"]) if b["action_id"].startswith("consult_status:")
                  and "in_progress" in b["value"])
    # Someone outside the office cannot change it.
    await bot.post(block_actions(status["action_id"], status["value"], user_id="U9", channel_id=OFFICE_CHANNEL,
                                 message_ts="1700000000.000100", response_url=slack_api.response_url("x")))
    await settle()
    [row] = await consultation_rows(bot)
    assert row.status == "received"
    # The office can; the requester hears of it in a direct message.
    await bot.post(block_actions(status["action_id"], status["value"], user_id="U0LAWYER", channel_id=OFFICE_CHANNEL,
                                 message_ts="1700000000.000100", response_url=slack_api.response_url("y")))
    for _ in range(50):
        [row] = await consultation_rows(bot)
        if row.status == "in_progress" and any(c.params.get("users") == "U1"
                                                for c in slack_api.calls("conversations.open")):
            break
        await asyncio.sleep(0.1)
    assert (row.status, row.status_by) == ("in_progress", "slack:U0LAWYER")
    await settle()
    dms = [json.dumps(c.params, ensure_ascii=False) for c in slack_api.calls("chat.postMessage")
           if c.ok and c.params["channel"].startswith("D") and "LC-2026-0001" in json.dumps(c.params)]
    told = [d for d in dms if "状況を「対応中」" in d]
    assert len(told) == 1 and "契約の解釈" not in told[0]
    # The whole office sees it was done: in the notification's thread (the refusal stayed private).
    in_thread = [c for c in posted(slack_api, OFFICE_CHANNEL) if c.get("thread_ts") == "1700000000.000100"]
    assert len(in_thread) == 1 and "対応中" in json.dumps(in_thread[0], ensure_ascii=False)
    assert "契約の解釈" not in json.dumps(in_thread[0], ensure_ascii=False)


# -- mounting, Socket Mode and the outbox sender ----------------------------------------------------------


async def test_not_mounted_without_a_bot_token(kdir: Path, sqlite_url: str) -> None:
    runtime = Runtime(make_settings(kdir, sqlite_url))
    with pytest.raises(AdapterUnavailable, match="SLACK_BOT_TOKEN"):
        guidance_slack.mount(web.Application(), runtime)
    app = create_app(runtime, adapters={"slack": guidance_slack.mount})
    assert app[MOUNTED] == [] and "slack" not in runtime.senders
    await runtime.db.close()


async def test_socket_mode(kdir: Path, sqlite_url: str, clock, slack_api: FakeSlackWebAPI) -> None:
    socket_mode = slack_api.socket_mode
    bot = await start_bot(kdir, sqlite_url, clock, slack_api,
                          slack=slack_settings(slack_api, app_token=APP_TOKEN, signing_secret=""))
    try:
        assert "/slack/events" not in [r.resource.canonical for r in bot.http.app.router.routes()]
        await socket_mode.wait_connected()

        envelope = await socket_mode.send(slash_command("通話を録音してもいい?", user_id="U1", channel_id="C1",
                                                        response_url=slack_api.response_url("sm")))
        assert (await socket_mode.wait_ack(envelope))["envelope_id"] == envelope
        [call] = await slack_api.wait_for("response_url")
        assert call.params["response_type"] == "ephemeral"

        event = event_callback(im_message("殴られた", user_id="U1", channel_id="D1"), event_id="Ev0SOCKET")
        first = await socket_mode.send(event)
        await socket_mode.wait_ack(first)
        retry = await socket_mode.send_envelope("events_api", event.payload, retry_attempt=1, retry_reason="timeout")
        await socket_mode.wait_ack(retry)
        await slack_api.wait_for("chat.postMessage")
        await settle()
        assert len(posted(slack_api, "D1")) == 1
    finally:
        await bot.http.close()
    assert socket_mode.connection_count == 1


@pytest_asyncio.fixture
async def sender_runtime(kdir: Path, sqlite_url: str, clock, slack_api: FakeSlackWebAPI) -> AsyncIterator[Runtime]:
    """Not started (no background outbox loop): the test drives delivery itself."""
    runtime = Runtime(make_settings(kdir, sqlite_url, slack=slack_settings(slack_api)), clock=clock)
    guidance_slack.mount(web.Application(), runtime)
    yield runtime
    await runtime.db.close()


async def queue(runtime: Runtime, destination: str, text: str) -> None:
    async with runtime.db.begin() as conn:
        await enqueue(conn, runtime.clock, kind="test", destination=parse_destination(destination),
                      reply=Reply("info", "ja", title="お知らせ", answer=text), dedupe_key=f"test:{destination}")


async def test_sender_posts_to_channels_and_users(sender_runtime: Runtime, slack_api: FakeSlackWebAPI) -> None:
    await queue(sender_runtime, "slack:C1", "チャンネルへ")
    await queue(sender_runtime, "slack:user:U1", "本人へ")
    assert await sender_runtime.outbox.deliver_due() == 2
    [opened] = slack_api.calls("conversations.open")
    assert opened.params["users"] == "U1"
    channel, dm = slack_api.calls("chat.postMessage")
    assert channel.params["channel"] == "C1" and "チャンネルへ" in channel.params["text"]
    assert dm.params["channel"] == opened_channel(slack_api) and "本人へ" in dm.params["text"]
    assert block(dm.params["blocks"], "title")["text"]["text"] == "お知らせ"


def opened_channel(slack_api: FakeSlackWebAPI) -> str:
    return next(c for c in slack_api.calls("chat.postMessage") if c.params["channel"].startswith("D")).params["channel"]


async def test_sender_rate_limited_is_retried_after_retry_after(sender_runtime: Runtime, clock,
                                                                 slack_api: FakeSlackWebAPI) -> None:
    slack_api.rate_limit("chat.postMessage", times=1, retry_after=7)
    await queue(sender_runtime, "slack:C1", "あとで")
    assert await sender_runtime.outbox.deliver_due() == 0
    async with sender_runtime.db.connect() as conn:
        row = (await conn.execute(select(outbox))).one()
    assert row.next_attempt_at == clock.now() + timedelta(seconds=7)
    assert "ratelimited" in row.last_error

    clock.advance(seconds=6)
    assert await sender_runtime.outbox.deliver_due() == 0
    clock.advance(seconds=1)
    assert await sender_runtime.outbox.deliver_due() == 1
    assert await pending_count(sender_runtime.db) == 0
    assert [(c.status, c.ok) for c in slack_api.calls("chat.postMessage")] == [(429, False), (200, True)]


async def test_sender_other_failures_use_the_outbox_backoff(sender_runtime: Runtime, clock,
                                                            slack_api: FakeSlackWebAPI) -> None:
    slack_api.fail("chat.postMessage", error="channel_not_found")
    await queue(sender_runtime, "slack:C404", "x")
    assert await sender_runtime.outbox.deliver_due() == 0
    async with sender_runtime.db.connect() as conn:
        row = (await conn.execute(select(outbox))).one()
    assert row.next_attempt_at == clock.now() + timedelta(seconds=5)  # BACKOFF[0]
    assert "channel_not_found" in row.last_error


async def test_web_api_calls_share_connections(bot: Bot, slack_api: FakeSlackWebAPI) -> None:
    # Without one shared session slack_sdk opens a new (TLS) connection for every call.
    for n in range(6):
        await bot.post(event_callback(im_message("通話を録音してもいい?", user_id=f"U{n}", channel_id=f"D{n}")))
        await slack_api.wait_for("chat.postMessage", count=n + 1)
    posts = [c.peer for c in slack_api.calls("chat.postMessage")]
    assert len(posts) == 6 and len(set(posts)) <= 2
