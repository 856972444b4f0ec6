"""Local stand-ins for the Microsoft services a Teams bot talks to, for tests only.

Nothing here contacts Microsoft. Three pieces:

``FakeBotConnector``
    An aiohttp server on 127.0.0.1 that emulates the Bot Connector REST API the
    SDK's ``ConnectorClient`` calls (``/v3/conversations/...``). Put
    ``fake.service_url`` in an activity's ``serviceUrl`` and every reply, proactive
    send, update or conversation creation lands here, recorded with its path and
    ``Authorization`` header.

``FakeTokenIssuer``
    An RSA key generated in the test, served as an OpenID configuration and JWKS on
    127.0.0.1, that signs tokens shaped like the ones Azure Bot Service sends to a
    bot (``issue``), and outbound tokens for the bot itself (``issue_outbound``).
    ``install(monkeypatch)`` makes the SDK's ``JwtTokenValidator`` fetch its
    signing keys from this server instead of login.botframework.com /
    login.microsoftonline.com: that is the one seam the SDK (1.9) has no
    configuration for, see ``install``.

``FakeAccessTokenProvider`` / ``fake_connection_manager``
    An ``AccessTokenProviderBase`` that the SDK's public ``ConnectionManager``
    accepts as its provider factory, so outbound calls carry a token from the
    fake issuer instead of MSAL asking login.microsoftonline.com.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import jwt
import pytest
import pytest_asyncio
from aiohttp import web
from azure.core.credentials import AccessToken
from azure.core.credentials_async import AsyncTokenCredential
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError

from microsoft_agents.hosting.core import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    AuthenticationConstants,
    ConnectionManager,
)
from microsoft_agents.hosting.core.authorization.jwt import JwtTokenValidator

from .loopback import serve_on_loopback

__all__ = [
    "BOT_FRAMEWORK_ISSUER",
    "ConnectorRequest",
    "FakeAccessTokenProvider",
    "FakeBotConnector",
    "FakeTokenIssuer",
    "fake_connection_manager",
]

BOT_FRAMEWORK_ISSUER = (
    AuthenticationConstants.AGENTS_SDK_TOKEN_ISSUER
)  # https://api.botframework.com
BOT_FRAMEWORK_AUDIENCE = AuthenticationConstants.AGENTS_SDK_SCOPE  # https://api.botframework.com

ACTIVITY_KINDS = frozenset({"send", "reply", "update"})


# --------------------------------------------------------------------------------------
# Fake Bot Connector
# --------------------------------------------------------------------------------------


@dataclass
class ConnectorRequest:
    """One request the fake Bot Connector received (successful or failed)."""

    method: str
    path: str  # as received, including the service URL's path prefix
    kind: str  # send | reply | update | delete | create_conversation | members | member | other
    conversation_id: str | None
    activity_id: str | None  # the activity replied to / updated / deleted
    authorization: str | None
    headers: dict[str, str]
    query: dict[str, str]
    body: Any  # parsed JSON (dict) or None
    status: int  # what the fake answered
    response: Any = None  # the JSON body the fake answered with

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def bearer(self) -> str | None:
        """The token of a ``Bearer`` Authorization header, else None."""
        if not self.authorization:
            return None
        scheme, _, token = self.authorization.partition(" ")
        return token if scheme.lower() == "bearer" and token else None

    @property
    def activity(self) -> dict:
        """The activity JSON sent (send/reply/update), else an empty dict."""
        return self.body if self.kind in ACTIVITY_KINDS and isinstance(self.body, dict) else {}

    @property
    def type(self) -> str | None:
        return self.activity.get("type")

    @property
    def text(self) -> str | None:
        return self.activity.get("text")

    @property
    def attachments(self) -> list[dict]:
        return list(self.activity.get("attachments") or [])


@dataclass
class _Failure:
    remaining: int
    status: int
    headers: dict[str, str]
    body: Any
    kinds: frozenset[str] | None


class FakeBotConnector:
    """Loopback emulation of the Bot Connector service (``serviceUrl``) for tests.

    Routes (relative to ``service_url``)::

        POST   v3/conversations                                  create conversation (proactive 1:1)
        GET    v3/conversations                                  list (empty)
        POST   v3/conversations/{conversationId}/activities      send to conversation
        POST   v3/conversations/{conversationId}/activities/{id} reply to activity
        PUT    v3/conversations/{conversationId}/activities/{id} update activity
        DELETE v3/conversations/{conversationId}/activities/{id} delete activity
        GET    v3/conversations/{conversationId}/members[/{id}]  roster (``members=``)
        GET    v3/conversations/{conversationId}/pagedmembers    roster, one page

    Usage::

        async with FakeBotConnector() as connector:
            activity["serviceUrl"] = connector.service_url
            ...
            [reply] = await connector.wait_for(1)
            assert reply.text == "..." and reply.bearer

    ``prefix`` emulates the path part of real Teams service URLs
    (``https://smba.trafficmanager.net/amer/``), so a client that drops it fails.
    ``token_verifier(token) -> bool`` (e.g. ``FakeTokenIssuer.verify_outbound``)
    makes the fake answer 401 to requests without an acceptable bearer token, as the
    real service does; by default any or no Authorization header is accepted and
    only recorded.
    """

    def __init__(
        self,
        *,
        prefix: str = "/amer",
        members: Iterable[dict] | None = None,
        token_verifier: Callable[[str], bool] | None = None,
    ) -> None:
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.members: list[dict] = list(
            members
            if members is not None
            else [{"id": "29:fake-user", "name": "Fake User", "aadObjectId": str(uuid.uuid4())}]
        )
        self.token_verifier = token_verifier
        self.requests: list[ConnectorRequest] = []
        self.conversations: dict[str, dict] = {}  # created via POST v3/conversations
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> "FakeBotConnector":
        app = web.Application()
        base = self.prefix + "/v3/conversations"
        app.router.add_post(base, self._create_conversation)
        app.router.add_get(base, self._list_conversations)
        app.router.add_post(base + "/{conversation_id}/activities", self._send)
        app.router.add_post(base + "/{conversation_id}/activities/{activity_id}", self._reply)
        app.router.add_put(base + "/{conversation_id}/activities/{activity_id}", self._update)
        app.router.add_delete(base + "/{conversation_id}/activities/{activity_id}", self._delete)
        app.router.add_get(base + "/{conversation_id}/members", self._members)
        app.router.add_get(base + "/{conversation_id}/pagedmembers", self._paged_members)
        app.router.add_get(base + "/{conversation_id}/members/{member_id}", self._member)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner, self._port = await serve_on_loopback(app)
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeBotConnector":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def service_url(self) -> str:
        """The ``serviceUrl`` to put in inbound activities / conversation references."""
        if self._port is None:
            raise RuntimeError("FakeBotConnector is not started")
        return f"http://127.0.0.1:{self._port}{self.prefix}/"

    # -- test API ----------------------------------------------------------------------

    @property
    def activities(self) -> list[ConnectorRequest]:
        """Activities delivered successfully (send/reply/update), in arrival order."""
        return [r for r in self.requests if r.kind in ACTIVITY_KINDS and r.ok]

    def messages(self) -> list[ConnectorRequest]:
        """Delivered activities of type ``message`` (typing indicators etc. left out)."""
        return [r for r in self.activities if r.type == "message"]

    async def wait_for(
        self,
        count: int = 1,
        timeout: float = 5.0,
        *,
        predicate: Callable[[ConnectorRequest], bool] | None = None,
    ) -> list[ConnectorRequest]:
        """Wait until ``count`` recorded requests match, return the first ``count``.

        By default the requests counted are delivered messages (type ``message``,
        2xx answer); pass ``predicate`` to count something else, e.g.
        ``lambda r: r.kind == "create_conversation"`` or ``lambda r: not r.ok``.
        Raises ``AssertionError`` listing what was recorded on timeout.
        """
        match = predicate or (lambda r: r.kind in ACTIVITY_KINDS and r.ok and r.type == "message")

        def matching() -> list[ConnectorRequest]:
            return [r for r in self.requests if match(r)]

        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(matching()) >= count), timeout
                )
            except (asyncio.TimeoutError, TimeoutError):
                seen = [(r.method, r.path, r.status, r.type) for r in self.requests]
                raise AssertionError(
                    f"expected {count} matching connector requests within {timeout}s, "
                    f"got {len(matching())}; recorded: {seen}"
                ) from None
        return matching()[:count]

    def fail(
        self,
        times: int = 1,
        status: int = 500,
        *,
        retry_after: float | None = None,
        body: Any = None,
        kinds: Iterable[str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests (of ``kinds``, default any) with ``status``.

        ``fail(status=429, retry_after=2)`` emulates throttling (``Retry-After``).
        Failed requests are recorded too (``ConnectorRequest.ok`` is False). Calls
        queue: ``fail(1, 429); fail(1, 500)`` fails the next two differently.
        """
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        if body is None:
            code = "TooManyRequests" if status == 429 else "ServiceError"
            body = {"error": {"code": code, "message": f"fake connector failure {status}"}}
        self._failures.append(
            _Failure(times, status, headers, body, frozenset(kinds) if kinds else None)
        )

    def reset(self) -> None:
        """Forget recorded requests and pending failures (created conversations stay)."""
        self.requests.clear()
        self._failures.clear()

    # -- handlers ----------------------------------------------------------------------

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def _take_failure(self, kind: str) -> _Failure | None:
        for failure in self._failures:
            if failure.kinds is None or kind in failure.kinds:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    async def _handle(
        self,
        request: web.Request,
        kind: str,
        respond: Callable[[Any], tuple[int, Any]],
    ) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        record = ConnectorRequest(
            method=request.method,
            path=request.path,
            kind=kind,
            conversation_id=request.match_info.get("conversation_id"),
            activity_id=request.match_info.get("activity_id"),
            authorization=request.headers.get("Authorization"),
            headers=dict(request.headers),
            query=dict(request.query),
            body=body,
            status=0,
        )
        headers: dict[str, str] = {}
        failure = self._take_failure(kind)
        if self.token_verifier is not None and not (
            record.bearer and self.token_verifier(record.bearer)
        ):
            status, payload = 401, {"message": "Authorization has been denied for this request."}
        elif failure is not None:
            status, payload, headers = failure.status, failure.body, failure.headers
        else:
            status, payload = respond(body)
        record.status, record.response = status, payload
        async with self._changed:
            self.requests.append(record)
            self._changed.notify_all()
        if payload is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(payload, status=status, headers=headers)

    async def _send(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, "send", lambda _: (201, {"id": self._next_id("act-")}))

    async def _reply(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, "reply", lambda _: (201, {"id": self._next_id("act-")}))

    async def _update(self, request: web.Request) -> web.StreamResponse:
        activity_id = request.match_info["activity_id"]
        return await self._handle(request, "update", lambda _: (200, {"id": activity_id}))

    async def _delete(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, "delete", lambda _: (200, None))

    async def _create_conversation(self, request: web.Request) -> web.StreamResponse:
        def respond(body: Any) -> tuple[int, Any]:
            if not isinstance(body, dict):
                return 400, {"error": {"code": "BadArgument", "message": "body required"}}
            conversation_id = self._next_id("a:fake-conversation-")
            self.conversations[conversation_id] = body
            payload: dict[str, Any] = {"id": conversation_id, "serviceUrl": self.service_url}
            if body.get("activity"):
                payload["activityId"] = self._next_id("act-")
            return 201, payload

        return await self._handle(request, "create_conversation", respond)

    async def _list_conversations(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(
            request, "list_conversations", lambda _: (200, {"conversations": []})
        )

    async def _members(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, "members", lambda _: (200, self.members))

    async def _paged_members(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, "members", lambda _: (200, {"members": self.members}))

    async def _member(self, request: web.Request) -> web.StreamResponse:
        member_id = request.match_info["member_id"]

        def respond(_: Any) -> tuple[int, Any]:
            for member in self.members:
                if member.get("id") == member_id or member.get("aadObjectId") == member_id:
                    return 200, member
            return 404, {"error": {"code": "MemberNotFoundInConversation", "message": member_id}}

        return await self._handle(request, "member", respond)

    async def _unknown(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(
            request,
            "other",
            lambda _: (404, {"error": {"code": "NotFound", "message": request.path}}),
        )


# --------------------------------------------------------------------------------------
# Fake token issuer (inbound JWT validation, outbound tokens)
# --------------------------------------------------------------------------------------

# JWKS URLs the SDK's JwtTokenValidator computes (1.9, jwt_token_validator._build_jwks_uri).
_SDK_JWKS_URLS = re.compile(
    r"^https://(login\.botframework\.com/v1/\.well-known/keys"
    r"|login\.botframework\.azure\.us/v1/\.well-known/keys"
    r"|login\.microsoftonline\.(com|us)/[^/]+/discovery/v2\.0/keys)$",
    re.IGNORECASE,
)


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class _LocalJwkClientManager:
    """Stands in for ``JwtTokenValidator._jwk_client_manager``.

    Same interface as the SDK's ``_JwkClientManager`` (``get_signing_key(jwks_uri,
    header)``). The JWKS URI the SDK chose is recorded and, if it is one of the
    Microsoft URIs the SDK knows, the key is fetched over HTTP from the fake
    issuer's ``/keys`` by a real ``PyJWKClient``; anything else fails like an
    unreachable endpoint.
    """

    def __init__(self, issuer: "FakeTokenIssuer") -> None:
        self._issuer = issuer
        self._lock = threading.Lock()

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]):
        self._issuer.sdk_jwks_uris.append(jwks_uri)
        if not _SDK_JWKS_URLS.match(jwks_uri):
            raise PyJWKClientConnectionError(f"fake issuer does not serve {jwks_uri}")
        client = self._issuer._jwk_client()

        def fetch():
            with self._lock:
                return client.get_signing_key(header[AuthenticationConstants.KEY_ID_HEADER])

        return await asyncio.to_thread(fetch)


class FakeTokenIssuer:
    """A local stand-in for login.botframework.com / login.microsoftonline.com.

    Serves on 127.0.0.1::

        GET /.well-known/openid-configuration      (also /v1/.well-known/openidconfiguration
                                                    and /{tenant}/v2.0/.well-known/openid-configuration)
        GET /keys                                  the JWKS (also /v1/.well-known/keys,
                                                    /{tenant}/discovery/v2.0/keys)

    and signs tokens with an RSA key generated at construction. The SDK does not
    read OpenID metadata in 1.9 (it derives the JWKS URL from the token's ``iss``),
    so the metadata document is only there for clients that do.

    Typical use::

        issuer = await FakeTokenIssuer().start()
        issuer.install(monkeypatch)          # SDK fetches signing keys from issuer
        token = issuer.issue(APP_ID, service_url=connector.service_url)
    """

    def __init__(self, *, kid: str | None = None) -> None:
        self.kid = kid or f"fake-{uuid.uuid4().hex[:12]}"
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.jwks_requests = 0
        self.sdk_jwks_uris: list[str] = []  # JWKS URIs the SDK asked for, in order
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._client: PyJWKClient | None = None
        self._saved_manager: Any = None

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> "FakeTokenIssuer":
        app = web.Application()
        for path in (
            "/.well-known/openid-configuration",
            "/v1/.well-known/openidconfiguration",
            "/{tenant}/v2.0/.well-known/openid-configuration",
        ):
            app.router.add_get(path, self._openid_configuration)
        for path in ("/keys", "/v1/.well-known/keys", "/{tenant}/discovery/v2.0/keys"):
            app.router.add_get(path, self._keys)
        self._runner, self._port = await serve_on_loopback(app)
        return self

    async def close(self) -> None:
        self.uninstall()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeTokenIssuer":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeTokenIssuer is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/keys"

    @property
    def jwks(self) -> dict:
        numbers = self._key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": self.kid,
                    "n": _b64url_uint(numbers.n),
                    "e": _b64url_uint(numbers.e),
                    "endorsements": ["msteams"],
                }
            ]
        }

    async def _openid_configuration(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": BOT_FRAMEWORK_ISSUER,
                "authorization_endpoint": f"{self.base_url}/oauth2/v2.0/authorize",
                "jwks_uri": self.jwks_url,
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        self.jwks_requests += 1
        return web.json_response(self.jwks)

    def _jwk_client(self) -> PyJWKClient:
        if self._client is None:
            self._client = PyJWKClient(self.jwks_url, cache_keys=True, timeout=5)
        return self._client

    # -- pointing the SDK at this issuer -----------------------------------------------

    def install(self, monkeypatch: Any | None = None) -> None:
        """Make the SDK's inbound JWT validation fetch keys from this issuer.

        The SDK (microsoft-agents-hosting-core 1.9) hard-codes the JWKS URL from the
        token's issuer (``https://login.botframework.com/v1/.well-known/keys`` for
        Bot Framework tokens, ``https://login.microsoftonline.com/{TENANT_ID}/
        discovery/v2.0/keys`` for Entra tokens) and fetches it through a
        process-wide class attribute, ``JwtTokenValidator._jwk_client_manager``.
        There is no configuration for it (``AgentAuthConfiguration`` has none, and
        ``PyJWKClient`` builds its own urllib opener, ignoring installed openers),
        so this swaps that one attribute. Signature, expiry, audience, issuer and
        tenant checks all still run in the SDK unchanged.

        With ``monkeypatch`` (pytest fixture) the swap is undone at teardown;
        without, call ``uninstall()`` (``close()`` does).
        """
        if not hasattr(JwtTokenValidator, "_jwk_client_manager") or not hasattr(
            JwtTokenValidator._jwk_client_manager, "get_signing_key"
        ):
            raise RuntimeError(
                "microsoft-agents-hosting-core changed: JwtTokenValidator._jwk_client_manager "
                "is gone; find the new JWKS seam before trusting these tests"
            )
        manager = _LocalJwkClientManager(self)
        if monkeypatch is not None:
            monkeypatch.setattr(JwtTokenValidator, "_jwk_client_manager", manager)
        else:
            if self._saved_manager is None:
                self._saved_manager = JwtTokenValidator._jwk_client_manager
            JwtTokenValidator._jwk_client_manager = manager

    def uninstall(self) -> None:
        if self._saved_manager is not None:
            JwtTokenValidator._jwk_client_manager = self._saved_manager
            self._saved_manager = None

    # -- tokens ------------------------------------------------------------------------

    def issue(
        self,
        app_id: str,
        tenant_id: str | None = None,
        *,
        service_url: str | None = None,
        issuer: str | None = None,
        expires_in: int = 3600,
        not_before: int | None = None,
        claims: dict[str, Any] | None = None,
        kid: str | None = None,
        foreign_key: bool = False,
    ) -> str:
        """A token like the one Azure Bot Service puts on requests to the bot.

        Default: Bot Framework token (``iss`` ``https://api.botframework.com``,
        ``aud`` = the bot's app id, ``serviceurl`` claim) - what Teams sends.
        With ``tenant_id``: an Entra v2 token (``iss``
        ``https://login.microsoftonline.com/{tenant}/v2.0``, ``tid``). ``issuer``
        overrides ``iss``; ``claims`` adds/overrides claims (``None`` values
        remove one). ``foreign_key=True`` signs with a key not in the JWKS (same
        ``kid``), ``kid`` overrides the header's key id, ``expires_in`` may be
        negative for an expired token.
        """
        now = int(time.time())
        payload: dict[str, Any] = {
            "aud": app_id,
            "iss": issuer
            or (
                AuthenticationConstants.VALID_TOKEN_ISSUER_URL_TEMPLATE_V2.format(tenant_id)
                if tenant_id
                else BOT_FRAMEWORK_ISSUER
            ),
            "nbf": not_before if not_before is not None else now - 60,
            "iat": now - 60,
            "exp": now + expires_in,
        }
        if tenant_id:
            payload["tid"] = tenant_id
        if service_url:
            payload["serviceurl"] = service_url
        for name, value in (claims or {}).items():
            if value is None:
                payload.pop(name, None)
            else:
                payload[name] = value
        key = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if foreign_key
            else self._key
        )
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid or self.kid})

    def issue_outbound(
        self, app_id: str, tenant_id: str | None = None, *, expires_in: int = 3600
    ) -> str:
        """A token like the one MSAL gets for the bot to call the Bot Connector."""
        now = int(time.time())
        payload = {
            "aud": BOT_FRAMEWORK_AUDIENCE,
            "iss": (
                AuthenticationConstants.VALID_TOKEN_ISSUER_URL_TEMPLATE_V1.format(tenant_id)
                if tenant_id
                else BOT_FRAMEWORK_ISSUER
            ),
            "appid": app_id,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + expires_in,
        }
        if tenant_id:
            payload["tid"] = tenant_id
        return jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self.kid})

    def verify_outbound(self, token: str, app_id: str | None = None) -> bool:
        """True if ``token`` came from ``issue_outbound`` (for ``app_id`` if given)."""
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                audience=BOT_FRAMEWORK_AUDIENCE,
            )
        except jwt.PyJWTError:
            return False
        return app_id is None or claims.get("appid") == app_id

    def outbound_verifier(self, app_id: str | None = None) -> Callable[[str], bool]:
        """A ``FakeBotConnector(token_verifier=...)`` accepting our outbound tokens."""
        return lambda token: self.verify_outbound(token, app_id)


# --------------------------------------------------------------------------------------
# Outbound tokens: a provider for the SDK's public ConnectionManager
# --------------------------------------------------------------------------------------


class _StaticCredential(AsyncTokenCredential):
    def __init__(self, provider: "FakeAccessTokenProvider") -> None:
        self._provider = provider

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        token = await self._provider.get_access_token("", list(scopes))
        return AccessToken(token, int(time.time()) + 3600)

    async def close(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


@dataclass
class TokenRequest:
    resource_url: str
    scopes: list[str]
    force_refresh: bool


class FakeAccessTokenProvider(AccessTokenProviderBase):
    """``AccessTokenProviderBase`` returning fake tokens instead of asking MSAL.

    ``token`` may be a string or a callable ``(configuration) -> str``; by default
    the token is ``issuer.issue_outbound(CLIENT_ID, TENANT_ID)`` when an issuer is
    given, else the string ``"fake-outbound-token"``. Every request is recorded in
    ``requests`` (resource URL and scopes, e.g. ``https://api.botframework.com`` and
    ``["https://api.botframework.com/.default"]``).
    """

    def __init__(
        self,
        configuration: AgentAuthConfiguration,
        *,
        issuer: FakeTokenIssuer | None = None,
        token: str | Callable[[AgentAuthConfiguration], str] | None = None,
    ) -> None:
        self._configuration = configuration
        self._issuer = issuer
        self._token = token
        self.requests: list[TokenRequest] = []

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    def _make_token(self) -> str:
        if callable(self._token):
            return self._token(self._configuration)
        if self._token is not None:
            return self._token
        if self._issuer is not None:
            return self._issuer.issue_outbound(
                self._configuration.CLIENT_ID or "", self._configuration.TENANT_ID
            )
        return "fake-outbound-token"

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        self.requests.append(TokenRequest(resource_url, list(scopes or []), force_refresh))
        return self._make_token()

    def get_token_credential(self) -> AsyncTokenCredential:
        return _StaticCredential(self)

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        self.requests.append(TokenRequest("obo", list(scopes), False))
        return self._make_token()


def fake_connection_manager(
    configuration: AgentAuthConfiguration,
    *,
    issuer: FakeTokenIssuer | None = None,
    token: str | Callable[[AgentAuthConfiguration], str] | None = None,
) -> ConnectionManager:
    """The SDK's own ``ConnectionManager`` with ``FakeAccessTokenProvider`` as provider.

    Same shape as production's ``MsalConnectionManager(connections_configurations=
    {"SERVICE_CONNECTION": configuration})`` - only the provider factory differs -
    so ``get_default_connection_configuration()`` (what ``app["agent_configuration"]``
    is set to) and audience routing behave as in production. The provider is
    ``manager.get_default_connection()`` (inspect its ``requests``).
    """
    return ConnectionManager(
        provider_factory=lambda config: FakeAccessTokenProvider(config, issuer=issuer, token=token),
        connections_configurations={"SERVICE_CONNECTION": configuration},
    )


# --------------------------------------------------------------------------------------------
# Fixtures (imported into tests/conftest.py)
# --------------------------------------------------------------------------------------------

APP_ID = "00000000-0000-0000-0000-0000000000b0"  # the bot's app id in every Teams test
TENANT_ID = "11111111-1111-1111-1111-111111111111"
MICROSOFT_HOSTS = ("botframework", "microsoftonline", "trafficmanager", "windows.net")


@pytest.fixture
def no_microsoft(monkeypatch):
    """Fail loudly if anything resolves a Microsoft host (tests must stay on loopback)."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if isinstance(host, str) and any(part in host for part in MICROSOFT_HOSTS):
            raise AssertionError(f"test tried to reach {host}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest_asyncio.fixture
async def issuer(monkeypatch) -> AsyncIterator[FakeTokenIssuer]:
    """The fake Entra ID / Bot Framework token issuer, installed as the SDK's key source."""
    async with FakeTokenIssuer() as issuer:
        issuer.install(monkeypatch)
        yield issuer


@pytest_asyncio.fixture
async def connector(issuer: FakeTokenIssuer) -> AsyncIterator[FakeBotConnector]:
    """The fake Bot Connector service, accepting only tokens the issuer made for APP_ID."""
    async with FakeBotConnector(token_verifier=issuer.outbound_verifier(APP_ID)) as connector:
        yield connector
