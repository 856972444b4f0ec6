"""The Microsoft Teams adapter (Microsoft 365 Agents SDK) on ``POST /api/messages``.

``mount(app, runtime)`` is the ``guidance_bot.adapters`` entry point: it builds the SDK's
authentication configuration from ``TeamsSettings`` (single-tenant by default, issuer validation on),
the MSAL connection manager, the ``CloudAdapter`` and an ``AgentApplication`` with one route that
hands every activity to ``TeamsHandlers``; it guards the route with the SDK's JWT decorator (a request
without a valid Bot Framework token gets 401) and gives the outbox a ``TeamsSender``.

``mount_with`` takes the pieces tests replace: a connection manager whose token provider is local,
and the outbound host validator (it refuses the loopback service URL of a fake Bot Connector).
"""

from __future__ import annotations

import json
import logging
import warnings
from typing import Any

from aiohttp import web

from guidance_bot.platforms import TeamsSettings
from guidance_bot.runtime import Runtime
from guidance_bot.server import AdapterUnavailable

from . import messages as m

log = logging.getLogger(__name__)

ROUTE = "/api/messages"

__all__ = ["ROUTE", "auth_configuration", "mount", "mount_with"]


def mount(app: web.Application, runtime: Runtime) -> str:
    return mount_with(app, runtime)


def auth_configuration(settings: TeamsSettings):
    from microsoft_agents.hosting.core import AgentAuthConfiguration, AuthTypes

    auth_type = AuthTypes.user_managed_identity if settings.app_type == "UserAssignedMSI" else AuthTypes.client_secret
    return AgentAuthConfiguration(
        auth_type=auth_type,
        client_id=settings.app_id or None,
        client_secret=settings.app_password or None,
        # MultiTenant apps have no tenant of their own: tokens are checked against Bot Framework only.
        tenant_id=(settings.tenant_id or None) if settings.app_type != "MultiTenant" else "botframework.com",
        # Off by default in the SDK (1.9): without it a token issued for another tenant passes.
        validate_issuer=True,
        anonymous_allowed=settings.allow_unauthenticated,
    )


def mount_with(app: web.Application, runtime: Runtime, *, connection_manager: Any = None,
               host_validator_enabled: bool | None = None) -> str:
    settings = runtime.settings.teams
    if not settings.enabled:
        raise AdapterUnavailable(f"{m.NOT_CONFIGURED.ja} / {m.NOT_CONFIGURED.en}")
    try:
        from microsoft_agents.hosting.aiohttp import CloudAdapter
        from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, OutboundHostValidator, TurnState
    except ImportError as exc:
        raise AdapterUnavailable(f"Teams SDK がインストールされていません / Teams SDK not installed: {exc.name}") from None

    from .handlers import TeamsHandlers
    from .references import ReferenceStore
    from .sender import TeamsSender

    if connection_manager is None:
        from microsoft_agents.authentication.msal import MsalConnectionManager

        connection_manager = MsalConnectionManager(
            connections_configurations={"SERVICE_CONNECTION": auth_configuration(settings)})
    if host_validator_enabled is None:
        # Only Microsoft's Bot Connector hosts may receive our token; the local emulator runs on loopback.
        host_validator_enabled = not settings.allow_unauthenticated
    adapter = CloudAdapter(connection_manager=connection_manager,
                           host_validator=OutboundHostValidator(enabled=host_validator_enabled))
    references = ReferenceStore(runtime.db, runtime.clock)
    sender = TeamsSender(adapter, references, settings.app_id, tenant_id=settings.tenant_id,
                         anonymous=settings.allow_unauthenticated)
    handlers = TeamsHandlers(runtime, references, sender)
    adapter.on_turn_error = handlers.on_turn_error  # the SDK's default sends the exception text
    # Conversation state is not used: the storage only satisfies the SDK, nothing is written to it.
    agent = AgentApplication[TurnState](storage=MemoryStorage(), connection_manager=connection_manager,
                                        start_typing_timer=False, remove_recipient_mention=True)
    agent.add_route(lambda context: True, handlers.on_activity)
    agent.add_route(lambda context: True, handlers.on_activity, is_invoke=True)

    async def messages(request: web.Request) -> web.StreamResponse:
        problem = await _malformed(request)
        if problem:
            return web.json_response({"error": problem}, status=400)
        return await adapter.process(request, agent)

    from microsoft_agents.hosting.aiohttp import jwt_authorization_decorator

    with warnings.catch_warnings():  # the SDK reads this plain string key (aiohttp NotAppKeyWarning)
        warnings.simplefilter("ignore")
        app["agent_configuration"] = connection_manager.get_default_connection_configuration()
    app.router.add_post(ROUTE, jwt_authorization_decorator(messages))
    runtime.add_sender("teams", sender)
    if settings.allow_unauthenticated:
        log.warning(m.UNAUTHENTICATED_WARNING)
    auth = "OPTIONAL" if settings.allow_unauthenticated else "required"
    return f"POST {ROUTE} ({settings.app_type}, tenant {settings.tenant_id or '-'}, auth {auth})"


async def _malformed(request: web.Request) -> str:
    """Why the body is not an activity the SDK can take, or "" (the SDK would answer 500 to some)."""
    from microsoft_agents.activity import Activity

    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return "body is not JSON"
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
        return "not an activity (type missing)"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not conversation.get("id"):
        return "conversation.id missing"
    try:
        Activity.model_validate(body)
    except ValueError:
        return "not a valid activity"
    return ""
