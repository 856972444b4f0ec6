"""Local fakes for Slack, so adapter tests never reach a real Slack endpoint.

What is here
------------
* ``FakeSlackWebAPI``: an aiohttp server on 127.0.0.1 that answers the Web API methods the bot
  calls (the keys of ``fake.methods``), records every call, and can be told to rate-limit or fail.
  Point the SDK at it with ``AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)``.
* ``FakeSocketModeServer``: a WebSocket server that speaks Socket Mode (hello, envelopes, acks,
  disconnect). The Web API fake starts one and returns its URL from ``apps.connections.open``.
* Builders for what Slack sends the app (``event_callback``, ``slash_command``, ``block_actions``,
  ``view_submission``, ``url_verification``) and ``sign`` for the request signature.
* Fixtures ``slack_api`` (a running ``FakeSlackWebAPI``) and ``slack_socket_mode``
  (its ``FakeSocketModeServer``), imported into ``tests/conftest.py``.

Mounting a bolt ``AsyncApp`` on a route of an existing aiohttp application
------------------------------------------------------------------------
bolt ships ``slack_bolt.adapter.aiohttp.to_bolt_request`` / ``to_aiohttp_response`` (the same pair
its own ``AsyncSlackAppServer`` uses), so no extra server is needed::

    from aiohttp import web
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        signing_secret=SIGNING_SECRET,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url),  # default is real Slack
    )

    async def slack_events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    web_app.router.add_post("/slack/events", slack_events)

Socket Mode against the fakes
-----------------------------
::

    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(bolt, app_token=APP_TOKEN)  # uses bolt.client, so fake.api_url
    await handler.connect_async()       # not start_async(): that one sleeps forever
    envelope_id = await fake.socket_mode.send(slash_command("help", user_id="U1", channel_id="D1"))
    ack = await fake.socket_mode.wait_ack(envelope_id)
    await handler.close_async()         # before the fake stops, or the client keeps reconnecting

SDK behaviour worth knowing (slack_bolt 1.30, slack_sdk 3.48)
-----------------------------------------------------------
* Give the token to the client only: ``AsyncApp(token=..., client=...)`` logs a warning and ignores
  ``token``. Each request gets a fresh ``AsyncWebClient`` copying the app client's ``base_url`` and
  ``retry_handlers``, so ``say``/``client`` in listeners reach the fake too.
* ``AsyncApp`` calls ``auth.test`` on the first request it handles (single-workspace authorization),
  and uses the ``user_id``/``bot_id`` from it to drop the bot's own messages.
* Over HTTP, bolt acks events before the listener finishes (``process_before_response=False``),
  so wait for the listener's Web API call with ``await fake.wait_for("chat.postMessage")``.
* In Socket Mode, bolt sends no ack at all when dispatch does not answer 200 (for example, no
  listener matched: bolt answers 404), so ``wait_ack`` times out rather than returning an error.
* ``SocketModeClient`` (so also ``AsyncSocketModeHandler``) must be built in a running event loop.
* Without ``AsyncRateLimitErrorRetryHandler`` a 429 raises ``SlackApiError`` (``error ==
  "ratelimited"``); with it the client sleeps ``Retry-After`` plus up to one second of jitter.
* slack_sdk sends ``params`` in the query string even for POST, ``json`` as a JSON body and the
  token in ``Authorization: Bearer``; chat.* and views.* use JSON, most other methods the query.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlencode

import pytest_asyncio
from aiohttp import WSMsgType, web

from .blockkit import message_problems, view_problems
from .loopback import serve_on_loopback

BOT_TOKEN = "xoxb-0000000000-0000000000000-fakebottoken"
APP_TOKEN = "xapp-1-A0FAKEAPP-0000000000000-fakeapptoken"
SIGNING_SECRET = "fake-signing-secret"
TEAM_ID = "T0FAKETEAM"
TEAM_DOMAIN = "shinagawa-test"
APP_ID = "A0FAKEAPP"
BOT_ID = "B0FAKEBOT"
BOT_USER_ID = "U0FAKEBOT"

# Used by builders when a test gives no response_url: nothing listens there, and it is never Slack.
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response-url-not-set"

Params = dict[str, Any]
JSON_FIELDS = ("blocks", "attachments", "view", "metadata")  # form-encoded as JSON strings


# --------------------------------------------------------------------------------------------
# Request signing and payload builders
# --------------------------------------------------------------------------------------------


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack adds to every HTTP request: HMAC-SHA256 of ``v0:{ts}:{body}``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass(frozen=True)
class SlackRequest:
    """One request as Slack sends it, in both transports.

    Over HTTP: POST ``body`` with ``headers(secret)``. In Socket Mode: the envelope carries
    ``payload`` with type ``envelope_type`` (see ``FakeSocketModeServer.send``).
    """

    envelope_type: str | None  # "events_api", "slash_commands", "interactive"; None: HTTP only
    payload: dict[str, Any]
    body: bytes
    content_type: str

    def headers(self, secret: str, timestamp: int | None = None) -> dict[str, str]:
        return {"Content-Type": self.content_type, **sign(self.body, secret, timestamp)}


def _json_request(envelope_type: str | None, payload: dict[str, Any]) -> SlackRequest:
    body = json.dumps(payload).encode()
    return SlackRequest(envelope_type, payload, body, "application/json")


def _form_request(envelope_type: str, fields: dict[str, str]) -> SlackRequest:
    body = urlencode(fields).encode()
    return SlackRequest(envelope_type, fields, body, "application/x-www-form-urlencoded")


def _interactive_request(payload: dict[str, Any]) -> SlackRequest:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return SlackRequest("interactive", payload, body, "application/x-www-form-urlencoded")


def _new_trigger_id() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"


def _new_ts() -> str:
    return f"{time.time():.6f}"


def url_verification(challenge: str = "fake-challenge") -> SlackRequest:
    """The handshake Slack posts when the Events API request URL is saved (HTTP only)."""
    return _json_request(
        None, {"token": "unused", "challenge": challenge, "type": "url_verification"}
    )


def event_callback(
    event: dict[str, Any],
    event_id: str | None = None,
    team_id: str = TEAM_ID,
) -> SlackRequest:
    """An Events API delivery wrapping ``event`` (see ``im_message``, ``app_mention``, ...)."""
    payload = {
        "token": "unused",
        "team_id": team_id,
        "context_team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return _json_request("events_api", payload)


def im_message(text: str, user_id: str, channel_id: str, ts: str | None = None) -> dict[str, Any]:
    """A ``message.im`` event: a staff member writes in the bot's DM."""
    ts = ts or _new_ts()
    return {
        "type": "message",
        "channel_type": "im",
        "channel": channel_id,
        "user": user_id,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM_ID,
    }


def app_mention(text: str, user_id: str, channel_id: str, ts: str | None = None) -> dict[str, Any]:
    """An ``app_mention`` event; ``text`` should contain ``<@U0FAKEBOT>`` as Slack sends it."""
    ts = ts or _new_ts()
    return {
        "type": "app_mention",
        "channel": channel_id,
        "user": user_id,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM_ID,
    }


def app_home_opened(
    user_id: str, channel_id: str = "D0FAKEHOME", tab: str = "home"
) -> dict[str, Any]:
    """An ``app_home_opened`` event (``view`` is omitted, as on a first visit)."""
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel_id,
        "tab": tab,
        "event_ts": _new_ts(),
    }


def slash_command(
    text: str,
    user_id: str,
    channel_id: str,
    command: str = "/guidance",
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
) -> SlackRequest:
    """A slash command, form-encoded as Slack posts it (all values are strings)."""
    fields = {
        "token": "unused",
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": "directmessage" if channel_id.startswith("D") else "general",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _new_trigger_id(),
    }
    return _form_request("slash_commands", fields)


def _user(user_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM_ID}


def block_actions(
    action_id: str,
    value: str,
    user_id: str,
    channel_id: str,
    message_ts: str | None = None,
    trigger_id: str | None = None,
    block_id: str = "actions",
    response_url: str = UNSET_RESPONSE_URL,
) -> SlackRequest:
    """A button click on a message the bot posted in ``channel_id``."""
    message_ts = message_ts or _new_ts()
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id),
        "api_app_id": APP_ID,
        "token": "unused",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or _new_trigger_id(),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "directmessage"},
        "message": {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "ts": message_ts,
            "text": "",
            "team": TEAM_ID,
        },
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": value},
                "value": value,
                "action_ts": _new_ts(),
            }
        ],
    }
    return _interactive_request(payload)


def view_submission(
    callback_id: str,
    state_values: dict[str, Any],
    user_id: str,
    private_metadata: str = "",
    view_id: str = "V0FAKEVIEW",
) -> SlackRequest:
    """A modal's submit button.

    ``state_values`` is ``{block_id: {action_id: {"type": ..., "value": ...}}}`` as Slack sends it.
    """
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": _user(user_id),
        "api_app_id": APP_ID,
        "token": "unused",
        "trigger_id": _new_trigger_id(),
        "view": {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "blocks": [],
            "state": {"values": state_values},
            "hash": uuid.uuid4().hex[:16],
            "title": {"type": "plain_text", "text": "Guidance"},
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interactive_request(payload)


# --------------------------------------------------------------------------------------------
# Socket Mode server
# --------------------------------------------------------------------------------------------

ACCEPTS_RESPONSE_PAYLOAD = {"events_api": False, "slash_commands": True, "interactive": True}


class FakeSocketModeServer:
    """Socket Mode over a local WebSocket: ``hello`` on connect, envelopes out, acks back."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Condition()  # notified when a connection opens or closes
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.connection_count = 0  # connections ever opened, to observe reconnects
        self.received: list[dict[str, Any]] = []  # every message a client sent

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/link/?ticket={uuid.uuid4()}&app_id={APP_ID}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/link/", self._websocket)
        self._runner, self._port = await serve_on_loopback(app)

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_connected(self, count: int = 1, timeout: float = 5) -> None:
        """Wait until a connection is open and ``count`` were opened in all (2: one reconnect)."""

        def connected() -> bool:
            return bool(self._sockets) and self.connection_count >= count

        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(connected)
        except TimeoutError:
            raise AssertionError(
                f"expected connection #{count} within {timeout}s; "
                f"{self.connection_count} opened, {len(self._sockets)} open"
            ) from None

    async def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        envelope_id: str | None = None,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Send an envelope to the newest connection (waiting for one); returns its envelope_id."""
        envelope_id = envelope_id or str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = ACCEPTS_RESPONSE_PAYLOAD.get(type, False)
        self._ack_future(envelope_id)
        await self._send(
            {
                "envelope_id": envelope_id,
                "type": type,
                "payload": payload,
                "accepts_response_payload": accepts_response_payload,
                "retry_attempt": retry_attempt,
                "retry_reason": retry_reason,
            }
        )
        return envelope_id

    async def send(self, request: SlackRequest, envelope_id: str | None = None) -> str:
        """Send a built request (``event_callback(...)``, ``slash_command(...)``) in an envelope."""
        if request.envelope_type is None:
            raise ValueError("this request only exists over HTTP")
        return await self.send_envelope(request.envelope_type, request.payload, envelope_id)

    async def wait_ack(self, envelope_id: str, timeout: float = 5) -> dict[str, Any]:
        """The ack the client sent: ``{"envelope_id": ...}``, plus ``"payload"`` if it had one."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._ack_future(envelope_id)), timeout)
        except TimeoutError:
            raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s") from None

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does every few hours."""
        await self._send({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}})

    def _ack_future(self, envelope_id: str) -> asyncio.Future[dict[str, Any]]:
        if envelope_id not in self._acks:
            self._acks[envelope_id] = asyncio.get_running_loop().create_future()
        return self._acks[envelope_id]

    async def _send(self, message: dict[str, Any]) -> None:
        await self.wait_connected()
        await self._sockets[-1].send_str(json.dumps(message))

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps(self._hello()))
        async with self._changed:
            self._sockets.append(ws)
            self.connection_count += 1
            self._changed.notify_all()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._receive(json.loads(msg.data))
        finally:
            async with self._changed:
                self._sockets.remove(ws)
                self._changed.notify_all()
        return ws

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self._sockets) + 1,
            "debug_info": {"host": "applink-fake", "build_number": 1},
            "connection_info": {"app_id": APP_ID},
        }

    def _receive(self, message: dict[str, Any]) -> None:
        self.received.append(message)
        envelope_id = message.get("envelope_id")
        if envelope_id:
            ack = self._ack_future(envelope_id)
            if not ack.done():
                ack.set_result(message)


# --------------------------------------------------------------------------------------------
# Web API server
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request the fake received, including ones it answered with an injected failure."""

    method: str
    params: Params  # query + form or JSON body; JSON_FIELDS sent as strings are decoded
    status: int = 200
    ok: bool = True
    peer: tuple[str, int] | None = None  # the client's address: the same port means a reused connection


@dataclass
class _Fault:
    status: int
    error: str
    headers: dict[str, str] = field(default_factory=dict)


class SlackError(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class FakeSlackWebAPI:
    """Slack's Web API on ``api_url``; use as ``async with FakeSlackWebAPI() as fake:``."""

    APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
    SERVER_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable"})

    def __init__(self, bot_token: str = BOT_TOKEN, app_token: str = APP_TOKEN) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.socket_mode = FakeSocketModeServer()
        self.users: dict[str, dict[str, Any]] = {}  # users.info answers; see add_user
        self.usergroups: dict[str, list[str]] = {}  # usergroups.users.list answers
        self._calls: list[Call] = []
        self._changed = asyncio.Condition()
        self._faults: dict[str, deque[_Fault]] = {}
        self.block_problems: list[str] = []  # why Block Kit was refused (see blockkit.py)
        self._ts = itertools.count(1)
        self._epoch = int(time.time())
        self._runner: web.AppRunner | None = None
        self._port = 0
        self.methods: dict[str, Callable[[Params], Params]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_open,
            "views.publish": self._views_publish,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "apps.connections.open": self._apps_connections_open,
        }

    # ---- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        await self.socket_mode.start()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response-url/{key}", self._handle_response_url)
        self._runner, self._port = await serve_on_loopback(app)

    async def close(self) -> None:
        await self.socket_mode.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """slack_sdk ``base_url``: ``http://127.0.0.1:PORT/api/``."""
        return f"http://127.0.0.1:{self._port}/api/"

    def response_url(self, key: str = "1") -> str:
        """A ``response_url`` for builders; ``respond()`` posts are recorded as "response_url"."""
        return f"http://127.0.0.1:{self._port}/response-url/{key}"

    # ---- test controls -------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Calls received so far, oldest first, optionally only those to ``method``."""
        return [c for c in self._calls if method is None or c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Wait until ``method`` has been called ``count`` times; returns its calls."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: len(self.calls(method)) >= count)
        except TimeoutError:
            seen = [c.method for c in self._calls]
            raise AssertionError(
                f"expected {count} {method} call(s) within {timeout}s, got "
                f"{len(self.calls(method))}; all calls: {seen}"
            ) from None
        return self.calls(method)

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls to ``method`` with HTTP 429 and ``Retry-After``."""
        fault = _Fault(429, "ratelimited", {"Retry-After": str(retry_after)})
        self._faults.setdefault(method, deque()).extend([fault] * times)

    def fail(
        self, method: str, times: int = 1, error: str = "internal_error", status: int | None = None
    ) -> None:
        """Answer the next ``times`` calls with ``ok: false``.

        Like Slack, server errors (internal_error, fatal_error, service_unavailable) come with
        HTTP 500 and the rest (channel_not_found, ...) with HTTP 200, unless ``status`` is given.
        """
        if status is None:
            status = 500 if error in self.SERVER_ERRORS else 200
        self._faults.setdefault(method, deque()).extend([_Fault(status, error)] * times)

    def add_user(
        self, user_id: str, name: str = "", email: str = "", locale: str = "ja-JP", **extra: Any
    ) -> dict[str, Any]:
        """Register what users.info returns for ``user_id`` (unknown ids get a generated user)."""
        self.users[user_id] = _user_object(user_id, name, email, locale) | extra
        return self.users[user_id]

    # ---- HTTP ----------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        status, body, headers = self._answer(method, params, _bearer(request))
        peer = request.transport.get_extra_info("peername") if request.transport else None
        await self._record(Call(method, params, status, bool(body.get("ok")), tuple(peer[:2]) if peer else None))
        return web.json_response(body, status=status, headers=headers)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        params = await _read_params(request)
        problems = message_problems(params.get("blocks"))
        self.block_problems += problems
        await self._record(Call("response_url", params | {"key": request.match_info["key"]},
                                400 if problems else 200, not problems))
        if problems:  # Slack answers a response_url post it cannot render with 400 invalid_blocks
            return web.Response(status=400, text="invalid_blocks")
        return web.json_response({"ok": True})

    def _answer(
        self, method: str, params: Params, token: str | None
    ) -> tuple[int, Params, dict[str, str]]:
        handler = self.methods.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        auth_error = self._auth_error(method, token)
        if auth_error:
            return 200, {"ok": False, "error": auth_error}, {}
        faults = self._faults.get(method)
        if faults:
            fault = faults.popleft()
            return fault.status, {"ok": False, "error": fault.error}, fault.headers
        refused = self._check_blocks(method, params)
        if refused:
            return 200, refused, {}
        try:
            return 200, {"ok": True, **handler(params)}, {}
        except SlackError as e:
            return 200, {"ok": False, "error": e.error}, {}

    def _check_blocks(self, method: str, params: Params) -> Params | None:
        """What Slack answers to blocks or a view it would not render (see ``blockkit``)."""
        if method.startswith("views."):
            problems, error = view_problems(params.get("view")), "invalid_arguments"
        elif method.startswith("chat."):
            problems, error = message_problems(params.get("blocks")), "invalid_blocks"
        else:
            return None
        if not problems:
            return None
        self.block_problems += problems
        return {"ok": False, "error": error, "response_metadata": {"messages": problems}}

    def _auth_error(self, method: str, token: str | None) -> str | None:
        expected = self.app_token if method in self.APP_TOKEN_METHODS else self.bot_token
        if token is None:
            return "not_authed"
        if token == expected:
            return None
        if token in (self.bot_token, self.app_token):
            return "not_allowed_token_type"
        return "invalid_auth"

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _next_ts(self) -> str:
        return f"{self._epoch}.{next(self._ts):06d}"

    # ---- methods -------------------------------------------------------------------------

    def _auth_test(self, params: Params) -> Params:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Shinagawa Test",
            "user": "guidance-bot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _message(self, params: Params, ts: str) -> Params:
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            raise SlackError("no_text")
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": params.get("text", ""),
            "ts": ts,
            "team": TEAM_ID,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in params:
                message[key] = params[key]
        return message

    def _chat_post_message(self, params: Params) -> Params:
        channel = _required(params, "channel", "channel_not_found")
        ts = self._next_ts()
        return {"channel": channel, "ts": ts, "message": self._message(params, ts)}

    def _chat_post_ephemeral(self, params: Params) -> Params:
        _required(params, "channel", "channel_not_found")
        _required(params, "user", "user_not_in_channel")
        self._message(params, "")  # same text/blocks check as postMessage
        return {"message_ts": self._next_ts()}

    def _chat_update(self, params: Params) -> Params:
        channel = _required(params, "channel", "channel_not_found")
        ts = _required(params, "ts", "message_not_found")
        message = self._message(params, ts)
        return {"channel": channel, "ts": ts, "text": message["text"], "message": message}

    def _views_open(self, params: Params) -> Params:
        _required(params, "trigger_id", "invalid_arguments")
        return {"view": _view_object(_required(params, "view", "invalid_arguments"))}

    def _views_update(self, params: Params) -> Params:
        if not (params.get("view_id") or params.get("external_id")):
            raise SlackError("invalid_arguments")
        view = _required(params, "view", "invalid_arguments")
        return {"view": _view_object(view, params.get("view_id"))}

    def _views_publish(self, params: Params) -> Params:
        _required(params, "user_id", "invalid_arguments")
        return {"view": _view_object(_required(params, "view", "invalid_arguments"))}

    def _conversations_open(self, params: Params) -> Params:
        users = _required(params, "users", "users_list_not_supplied")
        channel_id = "D" + hashlib.sha1(str(users).encode()).hexdigest()[:10].upper()
        return {"channel": {"id": channel_id}}

    def _users_info(self, params: Params) -> Params:
        user_id = _required(params, "user", "user_not_found")
        return {"user": self.users.get(user_id) or _user_object(user_id, "", "", "ja-JP")}

    def _usergroups_users_list(self, params: Params) -> Params:
        group = _required(params, "usergroup", "no_such_subteam")
        if group not in self.usergroups:
            raise SlackError("no_such_subteam")
        return {"users": list(self.usergroups[group])}

    def _apps_connections_open(self, params: Params) -> Params:
        return {"url": self.socket_mode.url}


# --------------------------------------------------------------------------------------------
# Helpers for the Web API fake
# --------------------------------------------------------------------------------------------


async def _read_params(request: web.Request) -> Params:
    """Query string plus the body, whether JSON or form-encoded, as one dict."""
    params: Params = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    for key in JSON_FIELDS:
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _required(params: Params, key: str, error: str) -> Any:
    if not params.get(key):
        raise SlackError(error)
    return params[key]


def _view_object(view: Params, view_id: str | None = None) -> Params:
    view_id = view_id or f"V{uuid.uuid4().hex[:10].upper()}"
    return {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": view.get("type", "modal"),
        "blocks": view.get("blocks", []),
        "callback_id": view.get("callback_id", ""),
        "private_metadata": view.get("private_metadata", ""),
        "external_id": view.get("external_id", ""),
        "state": {"values": {}},
        "hash": uuid.uuid4().hex[:16],
        "root_view_id": view_id,
        "previous_view_id": None,
        "app_id": APP_ID,
        "bot_id": BOT_ID,
        **{k: view[k] for k in ("title", "submit", "close") if k in view},
    }


def _user_object(user_id: str, name: str, email: str, locale: str) -> Params:
    name = name or user_id.lower()
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "real_name": name,
        "deleted": False,
        "is_bot": False,
        "tz": "Asia/Tokyo",
        "locale": locale,
        "profile": {
            "real_name": name,
            "display_name": name,
            "email": email or f"{name}@example.invalid",
        },
    }


# --------------------------------------------------------------------------------------------
# Fixtures (imported into tests/conftest.py)
# --------------------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def slack_api() -> AsyncIterator[FakeSlackWebAPI]:
    """A running fake Web API (with its Socket Mode server) for one test."""
    async with FakeSlackWebAPI() as fake:
        yield fake
    # Slack would have refused these: a test that did not notice still fails here.
    assert not fake.block_problems, fake.block_problems


@pytest_asyncio.fixture
async def slack_socket_mode(slack_api: FakeSlackWebAPI) -> FakeSocketModeServer:
    """The Socket Mode server that ``slack_api``'s apps.connections.open points at."""
    return slack_api.socket_mode
