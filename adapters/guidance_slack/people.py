"""Who is asking: a Slack user id → ``Person`` (name, and the role user groups they belong to) and
the language of their Slack client (for texts that follow no question, such as the App Home).

Only the user groups named in the roles settings matter, so only those are looked up, each at most
once per ``GROUP_TTL``; with no group in the settings no call is made. A failed lookup (a missing
``usergroups:read`` or ``users:read`` scope, an outage) leaves the groups or the name empty, so the
role checks fall back to user ids, and is logged without personal details.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from guidance_bot.i18n import Lang, locale_lang
from guidance_bot.platforms import Person, Roles

log = logging.getLogger(__name__)

GROUP_TTL = 300.0  # seconds; a new manager waits at most this long
RETRY_FAILED = 30.0  # seconds before a failed lookup is tried again (not on every message)
PROFILE_TTL = 3600.0
# What a lookup can fail with: Slack's answer, or no answer (connection, timeout).
LOOKUP_ERRORS = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError)


@dataclass(frozen=True)
class Profile:
    name: str = ""
    lang: Lang | None = None


class People:
    def __init__(self, client: AsyncWebClient, roles: Roles) -> None:
        self._client = client
        self._role_groups = sorted(g for g in roles.managers | roles.compliance_office if g.startswith("S"))
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._profiles: dict[str, tuple[float, Profile]] = {}
        self._lock = asyncio.Lock()

    async def person(self, user_id: str) -> Person:
        profile = await self.profile(user_id)
        return Person("slack", user_id, await self._groups_of(user_id), profile.name)

    async def lang(self, user_id: str) -> Lang:
        return (await self.profile(user_id)).lang or "ja"

    async def profile(self, user_id: str) -> Profile:
        cached = self._profiles.get(user_id)
        if cached and time.monotonic() - cached[0] < PROFILE_TTL:
            return cached[1]
        try:
            user = (await self._client.users_info(user=user_id, include_locale=True)).get("user") or {}
        except LOOKUP_ERRORS as exc:
            log.warning("slack users.info failed", extra={"error": _error(exc)})
            profile = cached[1] if cached else Profile()
            self._profiles[user_id] = (time.monotonic() - PROFILE_TTL + RETRY_FAILED, profile)
            return profile
        info = user.get("profile") or {}
        profile = Profile(info.get("display_name") or info.get("real_name") or user.get("real_name") or "",
                          locale_lang(user.get("locale")))
        self._profiles[user_id] = (time.monotonic(), profile)
        return profile

    async def _groups_of(self, user_id: str) -> frozenset[str]:
        if not self._role_groups:
            return frozenset()
        stale = [g for g in self._role_groups if not self._fresh(g)]
        # One refresh at a time; while it runs (it may wait out a 429), other messages use what is
        # cached instead of queueing behind it.
        if stale and not (self._lock.locked() and all(g in self._members for g in self._role_groups)):
            async with self._lock:
                for group in stale:
                    if not self._fresh(group):
                        await self._refresh(group)
        return frozenset(g for g in self._role_groups if user_id in self._members.get(g, (0.0, frozenset()))[1])

    def _fresh(self, group: str) -> bool:
        cached = self._members.get(group)
        return cached is not None and time.monotonic() - cached[0] < GROUP_TTL

    async def _refresh(self, group: str) -> None:
        cached = self._members.get(group)
        try:
            users = (await self._client.usergroups_users_list(usergroup=group)).get("users") or []
        except LOOKUP_ERRORS as exc:
            log.warning("slack usergroups.users.list failed", extra={"usergroup": group, "error": _error(exc)})
            members = cached[1] if cached else frozenset()
            self._members[group] = (time.monotonic() - GROUP_TTL + RETRY_FAILED, members)
            return
        self._members[group] = (time.monotonic(), frozenset(str(u) for u in users))


def _error(exc: BaseException) -> str:
    """Slack's error code, or the kind of failure: never the response body (it may name people)."""
    return str(exc.response.get("error")) if isinstance(exc, SlackApiError) else type(exc).__name__
