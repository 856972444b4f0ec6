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

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from guidance_bot.i18n import Lang
from guidance_bot.platforms import Person, Roles

log = logging.getLogger(__name__)

GROUP_TTL = 300.0  # seconds; a new manager waits at most this long
RETRY_FAILED = 30.0  # seconds before a failed lookup is tried again (not on every message)
PROFILE_TTL = 3600.0


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
        except SlackApiError as exc:
            log.warning("slack users.info failed", extra={"error": exc.response.get("error")})
            profile = cached[1] if cached else Profile()
            self._profiles[user_id] = (time.monotonic() - PROFILE_TTL + RETRY_FAILED, profile)
            return profile
        info = user.get("profile") or {}
        locale = str(user.get("locale") or "")
        profile = Profile(info.get("display_name") or info.get("real_name") or user.get("real_name") or "",
                          "en" if locale.startswith("en") else "ja" if locale.startswith("ja") else None)
        self._profiles[user_id] = (time.monotonic(), profile)
        return profile

    async def _groups_of(self, user_id: str) -> frozenset[str]:
        if not self._role_groups:
            return frozenset()
        async with self._lock:  # one refresh at a time, not one per concurrent message
            return frozenset([g for g in self._role_groups if user_id in await self._members_of(g)])

    async def _members_of(self, group: str) -> frozenset[str]:
        cached = self._members.get(group)
        if cached and time.monotonic() - cached[0] < GROUP_TTL:
            return cached[1]
        try:
            users = (await self._client.usergroups_users_list(usergroup=group)).get("users") or []
        except SlackApiError as exc:
            log.warning("slack usergroups.users.list failed", extra={"usergroup": group,
                                                                     "error": exc.response.get("error")})
            members = cached[1] if cached else frozenset()
            self._members[group] = (time.monotonic() - GROUP_TTL + RETRY_FAILED, members)
            return members
        members = frozenset(str(u) for u in users)
        self._members[group] = (time.monotonic(), members)
        return members
