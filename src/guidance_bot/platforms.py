"""Who and where, across Slack and Teams: destinations, roles and each platform's credentials.

A destination is written ``slack:C0123ABC`` or ``teams:19:abc@thread.tacv2``; ``user:`` after the
platform (``slack:user:U0123``) means a direct message to that user.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .errors import ConfigError

Platform = Literal["slack", "teams"]
PLATFORMS: tuple[Platform, ...] = ("slack", "teams")
SLACK_DEFAULT_API_URL = "https://slack.com/api/"
TEAMS_APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")


@dataclass(frozen=True, slots=True)
class Destination:
    platform: Platform
    conversation: str

    @property
    def is_user(self) -> bool:
        return self.conversation.startswith("user:")

    @property
    def user_id(self) -> str:
        return self.conversation.removeprefix("user:")

    def __str__(self) -> str:
        return f"{self.platform}:{self.conversation}"


def parse_destination(text: str) -> Destination:
    platform, _, conversation = text.strip().partition(":")
    if platform not in PLATFORMS or not conversation:
        raise ValueError(f"宛先は slack:ID か teams:ID の形で書いてください "
                         f"(write destinations as slack:ID or teams:ID, got '{text}')")
    return Destination(platform, conversation)  # type: ignore[arg-type]


_SLACK_ID = re.compile(r"(user:)?[A-Z0-9]{2,}")


def check_destination(text: str) -> Destination:
    """A destination someone typed (settings, the reminders file, the command line), checked enough
    to catch a channel name or a stray space: such a destination would be retried forever.
    Stored destinations are read with the lenient ``parse_destination``."""
    dest = parse_destination(text)
    if any(ch.isspace() for ch in dest.conversation) or (
            dest.platform == "slack" and not _SLACK_ID.fullmatch(dest.conversation)):
        raise ValueError(f"宛先は slack:チャンネルID（例 slack:C0123ABCD）か teams:会話ID の形で書いてください "
                         f"(write slack:CHANNEL_ID such as slack:C0123ABCD, or teams:CONVERSATION_ID; got '{text}')")
    return dest


def user_destination(platform: Platform, user_id: str) -> Destination:
    return Destination(platform, f"user:{user_id}")


@dataclass(frozen=True, slots=True)
class Person:
    """The user behind a message: platform id plus the groups the platform says they belong to
    (Slack user groups; Teams has none here, AAD object ids are listed directly)."""

    platform: Platform | str
    user_id: str
    groups: frozenset[str] = frozenset()
    name: str = ""

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Roles:
    """Role members: Slack user ids (U…) or user group ids (S…), Teams AAD object ids."""

    managers: frozenset[str] = frozenset()
    compliance_office: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, data: Any) -> Roles:
        if not isinstance(data, dict):
            raise ConfigError("roles はマッピングで書いてください (roles must be a mapping)")
        unknown = set(data) - {"managers", "compliance_office"}
        if unknown:
            raise ConfigError(f"roles に未知の役割 {sorted(unknown)} があります "
                              f"(unknown roles; use managers and compliance_office)")
        return cls(_ids(data.get("managers"), "roles.managers"),
                   _ids(data.get("compliance_office"), "roles.compliance_office"))

    def is_manager(self, person: Person) -> bool:
        # The compliance office may do whatever a manager may.
        return _member(self.managers, person) or self.is_compliance_office(person)

    def is_compliance_office(self, person: Person) -> bool:
        return _member(self.compliance_office, person)


def _member(ids: frozenset[str], person: Person) -> bool:
    return person.user_id in ids or bool(ids & person.groups)


def _ids(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ConfigError(f"{where} は ID のリストで書いてください ({where} must be a list of ids)")
    return frozenset(str(v) for v in value)


@dataclass(frozen=True, slots=True)
class SlackSettings:
    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""  # Socket Mode when set
    api_url: str = SLACK_DEFAULT_API_URL
    command: str = "/guidance"

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token)

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @classmethod
    def from_env(cls, env: Mapping[str, str], section: Any = None) -> SlackSettings:
        section = section or {}
        if not isinstance(section, dict):
            raise ConfigError("slack はマッピングで書いてください (slack must be a mapping)")
        command = str(section.get("command", "/guidance"))
        if not command.startswith("/") or " " in command:
            raise ConfigError(f"slack.command は /guidance のように書いてください (slack.command must look like /guidance, got '{command}')")
        settings = cls(env.get("SLACK_BOT_TOKEN", ""), env.get("SLACK_SIGNING_SECRET", ""),
                       env.get("SLACK_APP_TOKEN", ""), env.get("SLACK_API_URL") or SLACK_DEFAULT_API_URL,
                       command)
        settings.check()
        return settings

    def check(self) -> None:
        if not self.bot_token:
            if self.app_token or self.signing_secret:
                raise ConfigError("SLACK_BOT_TOKEN が設定されていません (SLACK_BOT_TOKEN is not set, "
                                  "but other Slack settings are)")
            return
        if not self.bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN は xoxb- で始まるボットトークンです (SLACK_BOT_TOKEN must be a bot token, xoxb-…)")
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN は xapp- で始まるアプリトークンです (SLACK_APP_TOKEN must be an app-level token, xapp-…)")
        if not self.app_token and not self.signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET が設定されていません: HTTP モードでは必須です "
                              "(SLACK_SIGNING_SECRET is not set; HTTP mode needs it, or set SLACK_APP_TOKEN for Socket Mode)")
        if not self.api_url.startswith(("http://", "https://")):
            raise ConfigError(f"SLACK_API_URL は http(s):// の URL です (SLACK_API_URL must be an http(s) URL, got '{self.api_url}')")


@dataclass(frozen=True, slots=True)
class TeamsSettings:
    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    app_type: str = "SingleTenant"
    allow_unauthenticated: bool = False

    @property
    def enabled(self) -> bool:
        return bool(self.app_id) or self.allow_unauthenticated

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TeamsSettings:
        allow = env.get("GUIDANCE_TEAMS_ALLOW_UNAUTHENTICATED", "")
        if allow not in ("", "0", "1"):
            raise ConfigError("GUIDANCE_TEAMS_ALLOW_UNAUTHENTICATED は 1 か 0 です (GUIDANCE_TEAMS_ALLOW_UNAUTHENTICATED must be 1 or 0)")
        settings = cls(env.get("MICROSOFT_APP_ID", ""), env.get("MICROSOFT_APP_PASSWORD", ""),
                       env.get("MICROSOFT_APP_TENANT_ID", ""), env.get("MICROSOFT_APP_TYPE") or "SingleTenant",
                       allow == "1")
        settings.check()
        return settings

    def check(self) -> None:
        if self.app_type not in TEAMS_APP_TYPES:
            raise ConfigError(f"MICROSOFT_APP_TYPE は {' / '.join(TEAMS_APP_TYPES)} のどれかです "
                              f"(MICROSOFT_APP_TYPE must be one of these, got '{self.app_type}')")
        if not self.app_id:
            if self.app_password or self.tenant_id:
                raise ConfigError("MICROSOFT_APP_ID が設定されていません (MICROSOFT_APP_ID is not set, but other Teams settings are)")
            return
        if not self.app_password and self.app_type != "UserAssignedMSI":
            raise ConfigError("MICROSOFT_APP_PASSWORD が設定されていません (MICROSOFT_APP_PASSWORD is not set)")
        if self.app_type == "SingleTenant" and not self.tenant_id:
            raise ConfigError("MICROSOFT_APP_TENANT_ID が設定されていません: シングルテナントでは必須です "
                              "(MICROSOFT_APP_TENANT_ID is not set; single-tenant apps need it)")


