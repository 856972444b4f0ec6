"""The outbox's way into Slack: messages the bot starts itself (consultation notices, reminders)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from guidance_bot.outbox import DeliveryError
from guidance_bot.platforms import Destination
from guidance_bot.replies import Reply

from .blocks import fallback_text, reply_blocks

log = logging.getLogger(__name__)


class SlackSender:
    """``slack:C0123`` posts in the channel; ``slack:user:U0123`` opens the DM with the user first.

    Its client has no rate-limit retry handler on purpose: a 429 becomes ``DeliveryError(retry_after)``
    and the outbox reschedules the message, instead of one delivery holding up the whole pass."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def send(self, destination: Destination, reply: Reply) -> None:
        try:
            channel = destination.conversation
            if destination.is_user:
                opened = await self._client.conversations_open(users=destination.user_id)
                channel = opened["channel"]["id"]
            await self._client.chat_postMessage(channel=channel, blocks=reply_blocks(reply),
                                                text=fallback_text(reply))
        except SlackApiError as exc:
            raise delivery_error(exc) from exc


def delivery_error(exc: SlackApiError) -> DeliveryError:
    error = str(exc.response.get("error") or "")
    retry_after = None
    if exc.response.status_code == 429 or error == "ratelimited":
        headers = {str(k).lower(): v for k, v in (exc.response.headers or {}).items()}
        value = headers.get("retry-after")
        value = value[0] if isinstance(value, list) and value else value
        try:
            retry_after = max(1.0, float(value)) if value is not None else 60.0
        except (TypeError, ValueError):
            retry_after = 60.0
    return DeliveryError(f"slack: {error or exc.response.status_code}", retry_after=retry_after)
