"""Messages the bot starts itself (reminders, consultation notifications, private replies), through
stored conversation references. Used by the outbox, which retries on ``DeliveryError``.

- ``teams:<conversation id>``: the stored reference of that conversation (a channel thread posts
  into the thread); a channel of a team the app was added to, never addressed itself, through the
  tenant's service URL.
- ``teams:user:<aad id>``: the user's personal chat; if the bot has none with them yet, a new 1:1
  chat is created (Bot Connector ``create_conversation``) at the service URL and tenant where the
  user was last seen, else of any stored conversation of the tenant.

The SDK neither retries nor raises out of a proactive turn (errors go to ``on_turn_error``), so the
send runs inside the callback and its exception is carried out and mapped to ``DeliveryError``, with
the connector's ``Retry-After`` on 429/503.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from guidance_bot.outbox import DeliveryError
from guidance_bot.platforms import Destination
from guidance_bot.replies import Reply
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import ClaimsIdentity, TurnContext

from .cards import Card, attachment, reply_card
from .references import ReferenceStore

log = logging.getLogger(__name__)

BOT_FRAMEWORK_AUDIENCE = "https://api.botframework.com"


def card_activity(card: Card, summary: str = "") -> Activity:
    activity = Activity(type=ActivityTypes.message, attachments=[attachment(card)])
    if summary:
        activity.summary = summary  # the notification preview; the card holds the content
    return activity


class TeamsSender:
    def __init__(self, adapter: Any, references: ReferenceStore, app_id: str, *, tenant_id: str = "",
                 anonymous: bool = False) -> None:
        self._adapter = adapter
        self._refs = references
        self._app_id = app_id
        self._tenant_id = tenant_id
        self._anonymous = anonymous

    async def send(self, destination: Destination, reply: Reply) -> None:
        await self.send_card(destination, reply_card(reply), summary=reply.title)

    async def send_card(self, destination: Destination, card: Card, *, summary: str = "") -> None:
        activity = card_activity(card, summary)
        if destination.is_user:
            await self._to_user(destination.user_id, activity)
            return
        reference = (await self._refs.get(destination.conversation)
                     or await self._refs.in_team(destination.conversation, self._tenant_id))
        if reference is None:
            raise DeliveryError(f"no Teams conversation reference for {destination}")
        await self._continue(reference, activity)

    async def _to_user(self, user_id: str, activity: Activity) -> None:
        reference = await self._refs.personal(user_id)
        if reference is not None:
            await self._continue(reference, activity)
            return
        seen = await self._refs.member(user_id) or await self._refs.any_in_tenant(self._tenant_id)
        if seen is None:
            raise DeliveryError("no Teams conversation reference to reach this user from")
        # The Teams user id (29:…) where the user was seen; Teams also accepts the AAD object id.
        member_id = seen.user.id if seen.user and seen.user.aad_object_id == user_id and seen.user.id else user_id
        await self._create(user_id, member_id, seen, activity)

    async def _continue(self, reference: ConversationReference, activity: Activity) -> None:
        continuation = reference.get_continuation_activity()

        async def run(callback: Callable[[TurnContext], Awaitable[None]]) -> None:
            if self._anonymous:
                await self._adapter.continue_conversation_with_claims(ClaimsIdentity(), continuation, callback)
            else:
                await self._adapter.continue_conversation(self._app_id, continuation, callback)

        await _guarded(run, activity)

    async def _create(self, user_id: str, member_id: str, seen: ConversationReference,
                      activity: Activity) -> None:
        if self._anonymous:
            raise DeliveryError("a new personal chat needs authentication (unauthenticated local mode)")
        tenant = (seen.conversation.tenant_id if seen.conversation else None) or self._tenant_id
        parameters = ConversationParameters(
            is_group=False, agent=ChannelAccount(id=f"28:{self._app_id}"),
            members=[ChannelAccount(id=member_id)], tenant_id=tenant or None,
            channel_data={"tenant": {"id": tenant}} if tenant else None)
        refs = self._refs

        async def run(callback: Callable[[TurnContext], Awaitable[None]]) -> None:
            async def send_then_remember(context: TurnContext) -> None:
                await callback(context)
                try:  # keep the new chat: the next message to this user continues it
                    reference = context.activity.get_conversation_reference()
                    reference.activity_id = None
                    reference.user = ChannelAccount(id=member_id, aad_object_id=user_id)
                    await refs.save(reference.conversation.id, "personal", user_id, reference)
                except Exception as exc:  # delivered already: never raise into a resend
                    log.warning("teams reference not saved", extra={"error": type(exc).__name__})

            await self._adapter.create_conversation(self._app_id, "msteams", seen.service_url,
                                                    BOT_FRAMEWORK_AUDIENCE, parameters, send_then_remember)

        await _guarded(run, activity)


async def _guarded(run: Callable[[Callable[[TurnContext], Awaitable[None]]], Awaitable[None]],
                   activity: Activity) -> None:
    failure: list[BaseException] = []

    async def callback(context: TurnContext) -> None:
        try:
            # The continuation activity has a made-up id; without it the SDK posts a new message
            # (a new channel post, or into the thread the conversation id names), not a reply to it.
            context.activity.id = None
            await context.send_activity(activity)
        except Exception as exc:  # carried out of the SDK's pipeline, which would swallow it
            failure.append(exc)

    try:
        await run(callback)
    except Exception as exc:  # create_conversation's own call, token errors
        failure.append(exc)
    if failure:
        raise delivery_error(failure[0]) from failure[0]


def delivery_error(exc: BaseException) -> DeliveryError:
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, aiohttp.ClientResponseError):
        retry_after = _retry_after(exc.headers) if exc.status in (429, 503) else None
        log.warning("teams send failed", extra={"status": exc.status, "retry_after": retry_after})
        return DeliveryError(f"Bot Connector answered {exc.status}", retry_after=retry_after)
    log.warning("teams send failed", extra={"error": type(exc).__name__})
    return DeliveryError(f"Teams send failed: {type(exc).__name__}")


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers else None
    try:
        return max(float(value), 1.0) if value is not None else None
    except ValueError:
        return None
