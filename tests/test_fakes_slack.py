"""The Slack fakes behave like Slack for the real SDKs (slack_sdk, slack_bolt)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

pytest.importorskip("slack_bolt")

from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request  # noqa: E402
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler  # noqa: E402
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncSay  # noqa: E402
from slack_sdk.errors import SlackApiError  # noqa: E402
from slack_sdk.http_retry.builtin_async_handlers import (  # noqa: E402
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.socket_mode.aiohttp import SocketModeClient  # noqa: E402
from slack_sdk.socket_mode.request import SocketModeRequest  # noqa: E402
from slack_sdk.socket_mode.response import SocketModeResponse  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from tests.fakes.slack import (  # noqa: E402
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlackWebAPI,
    FakeSocketModeServer,
    app_mention,
    block_actions,
    event_callback,
    im_message,
    sign,
    slash_command,
    url_verification,
    view_submission,
)


@pytest_asyncio.fixture
async def web_client(slack_api: FakeSlackWebAPI) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=slack_api.api_url)


@pytest_asyncio.fixture
async def bolt(web_client: AsyncWebClient) -> AsyncApp:
    return AsyncApp(signing_secret=SIGNING_SECRET, client=web_client)


@pytest_asyncio.fixture
async def http(bolt: AsyncApp) -> AsyncIterator[TestClient]:
    """Our server's shape: one aiohttp application with bolt on POST /slack/events."""

    async def slack_events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", slack_events)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest_asyncio.fixture
async def socket_handler(bolt: AsyncApp) -> AsyncIterator[AsyncSocketModeHandler]:
    handler = AsyncSocketModeHandler(bolt, app_token=APP_TOKEN)
    await handler.connect_async()
    yield handler
    await handler.close_async()


# ---- signing --------------------------------------------------------------------------------


def test_sign_matches_slacks_documented_example() -> None:
    # https://api.slack.com/authentication/verifying-requests-from-slack
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
        b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = sign(body, "8f742231b10e8888abcd99yyyzzz85a5", timestamp=1531420618)
    assert headers == {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }


# ---- Web API --------------------------------------------------------------------------------


async def test_post_message_is_recorded_with_increasing_ts(
    slack_api: FakeSlackWebAPI, web_client: AsyncWebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = await web_client.chat_postMessage(channel="D123", text="hi", blocks=blocks)
    second = await web_client.chat_postMessage(channel="D123", text="again")

    assert first["channel"] == "D123"
    assert first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    call = slack_api.calls("chat.postMessage")[0]
    assert (call.method, call.params["channel"], call.params["blocks"]) == (
        "chat.postMessage",
        "D123",
        blocks,
    )


async def test_form_encoded_and_query_parameters_are_parsed(
    slack_api: FakeSlackWebAPI, web_client: AsyncWebClient
) -> None:
    blocks = [{"type": "divider"}]
    await web_client.api_call(
        "chat.postEphemeral",
        data={"channel": "C1", "user": "U1", "blocks": json.dumps(blocks)},
    )
    opened = await web_client.conversations_open(users="U1")
    again = await web_client.conversations_open(users="U1")

    assert slack_api.calls("chat.postEphemeral")[0].params["blocks"] == blocks
    assert opened["channel"]["id"].startswith("D")
    assert again["channel"]["id"] == opened["channel"]["id"]


async def test_users_and_usergroups(slack_api: FakeSlackWebAPI, web_client: AsyncWebClient) -> None:
    slack_api.add_user("U1", name="sato", email="sato@city.shinagawa.example", locale="en-US")
    slack_api.usergroups["S1"] = ["U1", "U2"]

    user = await web_client.users_info(user="U1", include_locale=True)
    members = await web_client.usergroups_users_list(usergroup="S1")

    assert user["user"]["profile"]["email"] == "sato@city.shinagawa.example"
    assert user["user"]["locale"] == "en-US"
    assert members["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as e:
        await web_client.usergroups_users_list(usergroup="S404")
    assert e.value.response["error"] == "no_such_subteam"


async def test_views(slack_api: FakeSlackWebAPI, web_client: AsyncWebClient) -> None:
    modal = {
        "type": "modal",
        "callback_id": "ask",
        "title": {"type": "plain_text", "text": "Ask"},
        "blocks": [],
    }
    opened = await web_client.views_open(trigger_id="1.2.3", view=modal)
    updated = await web_client.views_update(view_id=opened["view"]["id"], view=modal)
    await web_client.views_push(trigger_id="1.2.3", view=modal)
    await web_client.views_publish(user_id="U1", view={"type": "home", "blocks": []})

    assert opened["view"]["callback_id"] == "ask"
    assert updated["view"]["id"] == opened["view"]["id"]
    assert slack_api.calls("views.publish")[0].params["view"]["type"] == "home"


async def test_wrong_or_missing_token_is_refused(slack_api: FakeSlackWebAPI) -> None:
    for token, error in [
        ("xoxb-wrong", "invalid_auth"),
        (None, "not_authed"),
        (APP_TOKEN, "not_allowed_token_type"),
    ]:
        client = AsyncWebClient(token=token, base_url=slack_api.api_url)
        with pytest.raises(SlackApiError) as e:
            await client.chat_postMessage(channel="D1", text="hi")
        assert e.value.response["error"] == error


async def test_rate_limit_raises_without_retry_handler(
    slack_api: FakeSlackWebAPI, web_client: AsyncWebClient
) -> None:
    slack_api.rate_limit("chat.postMessage", times=1, retry_after=7)

    with pytest.raises(SlackApiError) as e:
        await web_client.chat_postMessage(channel="D1", text="hi")

    assert e.value.response.status_code == 429
    assert e.value.response["error"] == "ratelimited"
    assert e.value.response.headers["Retry-After"] == "7"


async def test_rate_limit_retry_handler_waits_and_succeeds(slack_api: FakeSlackWebAPI) -> None:
    client = AsyncWebClient(
        token=BOT_TOKEN,
        base_url=slack_api.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack_api.rate_limit("chat.postMessage", times=1, retry_after=1)

    started = time.monotonic()
    response = await client.chat_postMessage(channel="D1", text="hi")

    assert response["ok"]
    assert time.monotonic() - started >= 1
    assert [(c.status, c.ok) for c in slack_api.calls("chat.postMessage")] == [
        (429, False),
        (200, True),
    ]


async def test_injected_failures(slack_api: FakeSlackWebAPI, web_client: AsyncWebClient) -> None:
    slack_api.fail("chat.update")
    slack_api.fail("chat.postMessage", error="channel_not_found")

    with pytest.raises(SlackApiError) as server_error:
        await web_client.chat_update(channel="D1", ts="1.000001", text="x")
    with pytest.raises(SlackApiError) as client_error:
        await web_client.chat_postMessage(channel="D1", text="x")

    assert (server_error.value.response.status_code, server_error.value.response["error"]) == (
        500,
        "internal_error",
    )
    assert (client_error.value.response.status_code, client_error.value.response["error"]) == (
        200,
        "channel_not_found",
    )
    assert (await web_client.chat_postMessage(channel="D1", text="x"))[
        "ok"
    ]  # the failure was used up


async def test_wait_for_times_out_with_a_helpful_message(slack_api: FakeSlackWebAPI) -> None:
    with pytest.raises(AssertionError, match="expected 1 chat.postMessage"):
        await slack_api.wait_for("chat.postMessage", timeout=0.05)


# ---- bolt over HTTP -------------------------------------------------------------------------


async def test_signed_dm_event_gets_a_reply(
    bolt: AsyncApp, http: TestClient, slack_api: FakeSlackWebAPI
) -> None:
    @bolt.event("message")
    async def reply(event: dict[str, Any], say: AsyncSay) -> None:
        await say(f"you said: {event['text']}")

    request = event_callback(im_message("録音してもいい?", user_id="U1", channel_id="D1"))
    response = await http.post(
        "/slack/events", data=request.body, headers=request.headers(SIGNING_SECRET)
    )

    assert response.status == 200
    [call] = await slack_api.wait_for("chat.postMessage")
    assert (call.params["channel"], call.params["text"]) == ("D1", "you said: 録音してもいい?")
    assert slack_api.calls("auth.test")  # bolt authorizes with auth.test on its first request


async def test_bots_own_message_is_ignored(
    bolt: AsyncApp, http: TestClient, slack_api: FakeSlackWebAPI
) -> None:
    @bolt.event("message")
    async def reply(say: AsyncSay) -> None:
        await say("echo")

    request = event_callback(im_message("my own words", user_id=BOT_USER_ID, channel_id="D1"))
    response = await http.post(
        "/slack/events", data=request.body, headers=request.headers(SIGNING_SECRET)
    )

    assert response.status == 200
    assert slack_api.calls("chat.postMessage") == []


async def test_bad_or_stale_signature_is_rejected(bolt: AsyncApp, http: TestClient) -> None:
    request = event_callback(app_mention(f"<@{BOT_USER_ID}> hi", user_id="U1", channel_id="C1"))
    stale = int(time.time()) - 10 * 60

    forged = await http.post(
        "/slack/events", data=request.body, headers=request.headers("not-the-secret")
    )
    replayed = await http.post(
        "/slack/events", data=request.body, headers=request.headers(SIGNING_SECRET, stale)
    )

    assert (forged.status, replayed.status) == (401, 401)


async def test_url_verification(http: TestClient) -> None:
    request = url_verification("abc123")
    response = await http.post(
        "/slack/events", data=request.body, headers=request.headers(SIGNING_SECRET)
    )
    assert (response.status, await response.json()) == (200, {"challenge": "abc123"})


async def test_slash_command_ack_and_respond(
    bolt: AsyncApp, http: TestClient, slack_api: FakeSlackWebAPI
) -> None:
    @bolt.command("/guidance")
    async def guidance(ack: AsyncAck, respond: Any, command: dict[str, Any]) -> None:
        await ack(f"searching: {command['text']}")
        await respond("done")

    request = slash_command(
        "録音", user_id="U1", channel_id="D1", response_url=slack_api.response_url("cmd")
    )
    response = await http.post(
        "/slack/events", data=request.body, headers=request.headers(SIGNING_SECRET)
    )

    assert (response.status, await response.text()) == (200, "searching: 録音")
    [call] = await slack_api.wait_for("response_url")
    assert (call.params["key"], call.params["text"]) == ("cmd", "done")


async def test_button_click_over_http(
    bolt: AsyncApp, http: TestClient, slack_api: FakeSlackWebAPI
) -> None:
    @bolt.action("feedback")
    async def feedback(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.chat_update(
            channel=body["channel"]["id"], ts=body["container"]["message_ts"], text="thanks"
        )

    request = block_actions(
        "feedback", "helpful", user_id="U1", channel_id="D1", message_ts="1.000001"
    )
    response = await http.post(
        "/slack/events", data=request.body, headers=request.headers(SIGNING_SECRET)
    )

    assert response.status == 200
    [call] = await slack_api.wait_for("chat.update")
    assert (call.params["channel"], call.params["ts"]) == ("D1", "1.000001")


# ---- Socket Mode ----------------------------------------------------------------------------


async def test_sdk_socket_mode_client_receives_and_acks(
    slack_api: FakeSlackWebAPI, slack_socket_mode: FakeSocketModeServer
) -> None:
    messages: list[dict[str, Any]] = []
    received: list[SocketModeRequest] = []

    async def on_message(
        client: SocketModeClient, message: dict[str, Any], raw: str | None
    ) -> None:
        messages.append(message)

    async def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    client = SocketModeClient(
        app_token=APP_TOKEN, web_client=AsyncWebClient(base_url=slack_api.api_url)
    )
    client.message_listeners.append(on_message)  # type: ignore[arg-type]
    client.socket_mode_request_listeners.append(listener)  # type: ignore[arg-type]
    await client.connect()
    try:
        request = event_callback(im_message("hello", user_id="U1", channel_id="D1"))
        envelope_id = await slack_socket_mode.send(request)
        ack = await slack_socket_mode.wait_ack(envelope_id)
    finally:
        await client.close()

    assert ack == {"envelope_id": envelope_id}
    assert messages[0]["type"] == "hello"
    assert received[0].type == "events_api"
    assert received[0].payload["event"]["text"] == "hello"
    assert slack_api.calls("apps.connections.open")


async def test_bolt_socket_mode_event_reply(
    bolt: AsyncApp, socket_handler: AsyncSocketModeHandler, slack_api: FakeSlackWebAPI
) -> None:
    @bolt.event("app_mention")
    async def mention(event: dict[str, Any], say: AsyncSay) -> None:
        await say("hi", thread_ts=event["ts"])

    event = app_mention(f"<@{BOT_USER_ID}> hi", user_id="U1", channel_id="C1", ts="1.000009")
    envelope_id = await slack_api.socket_mode.send(event_callback(event))

    assert await slack_api.socket_mode.wait_ack(envelope_id) == {"envelope_id": envelope_id}
    [call] = await slack_api.wait_for("chat.postMessage")
    assert (call.params["channel"], call.params["thread_ts"]) == ("C1", "1.000009")


async def test_bolt_socket_mode_ack_payloads(
    bolt: AsyncApp, socket_handler: AsyncSocketModeHandler, slack_socket_mode: FakeSocketModeServer
) -> None:
    @bolt.command("/guidance")
    async def guidance(ack: AsyncAck) -> None:
        await ack("working on it")

    @bolt.view("ask")
    async def ask(ack: AsyncAck, view: dict[str, Any]) -> None:
        question = view["state"]["values"]["q"]["input"]["value"]
        await ack(response_action="errors", errors={"q": f"too short: {question}"})

    command_ack = await slack_socket_mode.wait_ack(
        await slack_socket_mode.send(slash_command("help", user_id="U1", channel_id="D1"))
    )
    values = {"q": {"input": {"type": "plain_text_input", "value": "x"}}}
    view_ack = await slack_socket_mode.wait_ack(
        await slack_socket_mode.send(view_submission("ask", values, user_id="U1"))
    )

    assert command_ack["payload"] == {"text": "working on it"}
    assert view_ack["payload"] == {"response_action": "errors", "errors": {"q": "too short: x"}}


async def test_socket_mode_reconnects_on_disconnect(
    socket_handler: AsyncSocketModeHandler, slack_api: FakeSlackWebAPI
) -> None:
    await slack_api.socket_mode.disconnect()

    await slack_api.socket_mode.wait_connected(count=2)
    assert len(slack_api.calls("apps.connections.open")) == 2
