"""The Slack adapter: a slack-bolt ``AsyncApp`` mounted on the ``guidance-bot serve`` application.

Socket Mode when ``SLACK_APP_TOKEN`` is set (the app dials out to Slack: no inbound URL, which suits
closed networks), otherwise HTTP on ``POST /slack/events`` with signature verification. Thin: it
turns Slack payloads into ``runtime.bot`` calls and the core's replies and forms into Block Kit
(``blocks.py``); it decides nothing about what to say.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.http_retry.builtin_async_handlers import (AsyncConnectionErrorRetryHandler,
                                                         AsyncRateLimitErrorRetryHandler)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from guidance_bot.runtime import Runtime
from guidance_bot.server import AdapterUnavailable

from . import texts as t
from .listeners import Listeners
from .people import People
from .sender import SlackSender

__all__ = ["mount", "build_bolt_app", "SlackSender"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
RATE_LIMIT_RETRIES = 2  # interactive replies wait out a 429 (Retry-After) this many times
CONNECT_BACKOFF = (1, 2, 5, 10, 30, 60)  # seconds between Socket Mode connection attempts


def mount(app: web.Application, runtime: Runtime) -> str:
    """Mount the adapter (entry point ``guidance_bot.adapters: slack``); one line for the log."""
    settings = runtime.settings.slack
    if not settings.enabled:
        raise AdapterUnavailable(f"{t.NOT_CONFIGURED.ja} / {t.NOT_CONFIGURED.en}")
    bolt = build_bolt_app(runtime)
    sender_client = _client(runtime, rate_limit_retries=0)
    runtime.add_sender("slack", SlackSender(sender_client))
    app.cleanup_ctx.append(_shared_session([bolt.client, sender_client]))
    if settings.socket_mode:
        app.cleanup_ctx.append(_socket_mode(bolt, settings.app_token))
        return f"Slack: Socket Mode, command {settings.command}"
    app.router.add_post(EVENTS_PATH, _events_handler(bolt, settings.signing_secret, runtime))
    return f"Slack: HTTP POST {EVENTS_PATH}, command {settings.command}"


def build_bolt_app(runtime: Runtime) -> AsyncApp:
    settings = runtime.settings.slack
    client = _client(runtime, rate_limit_retries=RATE_LIMIT_RETRIES)
    bolt = AsyncApp(
        name="guidance-bot",
        client=client,  # the token lives in the client only (bolt ignores token= next to client=)
        signing_secret=settings.signing_secret or None,
        # Socket Mode messages are not signed; HTTP requests are checked here and by bolt.
        request_verification_enabled=not settings.socket_mode,
        # Ack first, work afterwards: Slack gets its answer well within 3 seconds.
        process_before_response=False,
    )
    Listeners(runtime, People(client, runtime.settings.roles)).register(bolt)
    return bolt


def _client(runtime: Runtime, rate_limit_retries: int) -> AsyncWebClient:
    settings = runtime.settings.slack
    handlers = [AsyncConnectionErrorRetryHandler()]
    if rate_limit_retries:
        handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    base_url = settings.api_url if settings.api_url.endswith("/") else settings.api_url + "/"
    return AsyncWebClient(token=settings.bot_token, base_url=base_url, retry_handlers=handlers)


def _shared_session(clients: list[AsyncWebClient]):
    """One connection pool for every Web API call while the server runs. Without it slack_sdk opens a
    new session, and so a new TLS connection, for each call."""

    async def shared_session(app: web.Application) -> AsyncIterator[None]:
        session = aiohttp.ClientSession()
        for client in clients:
            client.session = session  # bolt copies it into the client of every request
        yield
        for client in clients:
            client.session = None  # calls still in flight fall back to a session of their own
        await session.close()

    return shared_session


def _signed(verifier: SignatureVerifier, body: bytes, request: web.Request) -> bool:
    try:
        return verifier.is_valid(body, request.headers.get("X-Slack-Request-Timestamp"),
                                 request.headers.get("X-Slack-Signature"))
    except ValueError:  # a timestamp that is not a number, a body that is not UTF-8
        return False


def _events_handler(bolt: AsyncApp, signing_secret: str, runtime: Runtime):
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        # Checked before anything is parsed, so an unsigned or stale request costs nothing.
        if not _signed(verifier, body, request):
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(body=body.decode("utf-8"), query=request.query_string,
                                            headers=dict(request.headers))
        except (ValueError, TypeError, AttributeError, KeyError):  # not JSON / form / UTF-8
            log.warning("slack request unreadable", extra={"bytes": len(body)})
            return web.json_response({"error": "malformed payload"}, status=400)
        if not isinstance(bolt_request.body, dict):
            return web.json_response({"error": "malformed payload"}, status=400)
        response = await bolt.async_dispatch(bolt_request)
        if response.status >= 500:
            # bolt answers 500 when a payload breaks its own parsing (a well-signed but malformed
            # body); our listeners never raise into bolt. 400 keeps Slack from retrying it.
            runtime.metrics.errors.labels("slack").inc()
            log.warning("slack payload not handled", extra={"status": response.status})
            return web.json_response({"error": "malformed payload"}, status=400)
        return await to_aiohttp_response(response)

    return slack_events


def _socket_mode(bolt: AsyncApp, app_token: str):
    async def socket_mode(app: web.Application) -> AsyncIterator[None]:
        # The handler must be built inside the running loop; connecting is retried in the
        # background so the server (health, metrics, the outbox) runs while Slack is unreachable.
        handler = AsyncSocketModeHandler(bolt, app_token=app_token)
        task = asyncio.create_task(_connect(handler), name="slack-socket-mode-connect")
        app[SOCKET_MODE_HANDLER] = handler
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        with contextlib.suppress(Exception):
            await handler.close_async()

    return socket_mode


SOCKET_MODE_HANDLER: web.AppKey[AsyncSocketModeHandler] = web.AppKey("slack_socket_mode",
                                                                     AsyncSocketModeHandler)


async def _connect(handler: AsyncSocketModeHandler) -> None:
    attempt = 0
    while True:
        try:
            await handler.connect_async()
            log.info("slack socket mode connected")
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            wait = CONNECT_BACKOFF[min(attempt, len(CONNECT_BACKOFF) - 1)]
            attempt += 1
            log.warning("slack socket mode connection failed; retrying",
                        extra={"error": type(exc).__name__, "retry_in_s": wait})
            await asyncio.sleep(wait)
