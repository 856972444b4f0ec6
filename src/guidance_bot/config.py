"""Settings: built once at start from an optional YAML file and the environment.

The YAML file (``--config FILE`` or ``GUIDANCE_CONFIG``) holds what is not secret: time zone, roles,
consultation destinations, knowledge directory, matching parameters, contact overrides. See
``config.example.yaml``. Environment variables hold secrets and endpoints and win over the file:
``GUIDANCE_KNOWLEDGE_DIR``, ``GUIDANCE_DATABASE_URL``, ``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET``,
``SLACK_APP_TOKEN``, ``SLACK_API_URL``, ``MICROSOFT_APP_ID``, ``MICROSOFT_APP_PASSWORD``,
``MICROSOFT_APP_TENANT_ID``, ``MICROSOFT_APP_TYPE``, ``GUIDANCE_TEAMS_ALLOW_UNAUTHENTICATED``.

Every mistake is a ``ConfigError`` whose one-line message names the setting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .errors import ConfigError
from .i18n import Text
from .knowledge import Contact, KnowledgeBase
from .matching import Thresholds, Weights
from .platforms import Roles, SlackSettings, TeamsSettings, check_destination

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_knowledge_dir() -> Path:
    """The knowledge shipped with the package (wheel), or the source tree's when installed editable."""
    packaged = PACKAGE_DIR / "bundled_knowledge"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parents[1] / "knowledge"


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = field(default_factory=bundled_knowledge_dir)
    database_url: str = "sqlite:///guidance-bot.db"
    weights: Weights = Weights()
    thresholds: Thresholds = Thresholds()
    contacts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    timezone: str = "Asia/Tokyo"
    roles: Roles = Roles()
    # Where consultation requests are announced, by kind ("default", "whistleblowing"):
    # destinations such as "slack:C0123" or "teams:19:abc@thread.tacv2".
    consultation_destinations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    knowledge_errors_to: tuple[str, ...] = ()
    retention_days: int = 90
    reminder_catch_up_minutes: int = 60
    reminder_skip_holidays: bool = False
    reminders_file: Path | None = None
    knowledge_poll_seconds: float = 5.0
    slack: SlackSettings = SlackSettings()
    teams: TeamsSettings = TeamsSettings()

    @classmethod
    def load(cls, config_file: Path | None = None, env: Mapping[str, str] = os.environ) -> Settings:
        path = config_file or (Path(env["GUIDANCE_CONFIG"]) if env.get("GUIDANCE_CONFIG") else None)
        data = _read_yaml(path) if path else {}
        settings = cls()
        base = path.parent if path else Path.cwd()
        if "knowledge_dir" in data:
            settings = replace(settings, knowledge_dir=(base / str(data["knowledge_dir"])).resolve())
        if "database_url" in data:
            settings = replace(settings, database_url=str(data["database_url"]))
        matching = data.get("matching") or {}
        if "weights" in matching:
            settings = replace(settings, weights=_dataclass_from(Weights, matching["weights"], "matching.weights"))
        if "thresholds" in matching:
            settings = replace(settings, thresholds=_dataclass_from(
                Thresholds, matching["thresholds"], "matching.thresholds"))
        if "contacts" in data:
            if not isinstance(data["contacts"], dict):
                raise ConfigError("contacts はマッピングで書いてください (contacts must be a mapping)")
            for key, values in data["contacts"].items():
                _override_contact(None, str(key), values)  # report mistakes now, not at first use
            settings = replace(settings, contacts=data["contacts"])
        settings = _runtime_settings(settings, data, base)
        settings = replace(settings, slack=SlackSettings.from_env(env, data.get("slack")),
                           teams=TeamsSettings.from_env(env))
        if env.get("GUIDANCE_KNOWLEDGE_DIR"):
            settings = replace(settings, knowledge_dir=Path(env["GUIDANCE_KNOWLEDGE_DIR"]).resolve())
        if env.get("GUIDANCE_DATABASE_URL"):
            settings = replace(settings, database_url=env["GUIDANCE_DATABASE_URL"])
        _check_database_url(settings.database_url)
        return settings

    def apply_contacts(self, knowledge: KnowledgeBase) -> KnowledgeBase:
        """The knowledge with contact details replaced by the settings file's, where it gives any."""
        if not self.contacts:
            return knowledge
        merged = dict(knowledge.contacts)
        for key, values in self.contacts.items():
            merged[key] = _override_contact(merged.get(key), key, values)
        return replace(knowledge, contacts=merged)


def _runtime_settings(settings: Settings, data: Mapping[str, Any], base: Path) -> Settings:
    """The server's settings: time zone, roles, destinations, retention, reminders."""
    changes: dict[str, Any] = {}
    if "timezone" in data:
        changes["timezone"] = check_timezone(str(data["timezone"]), "timezone")
    if "roles" in data:
        changes["roles"] = Roles.parse(data["roles"])
    consultation = _mapping(data.get("consultation") or {}, "consultation")
    if "destinations" in consultation:
        dests = _mapping(consultation["destinations"], "consultation.destinations")
        changes["consultation_destinations"] = {
            str(kind): _destinations(value, f"consultation.destinations.{kind}") for kind, value in dests.items()}
    if "knowledge_errors_to" in data:
        changes["knowledge_errors_to"] = _destinations(data["knowledge_errors_to"], "knowledge_errors_to")
    answer_log = _mapping(data.get("answer_log") or {}, "answer_log")
    if "retention_days" in answer_log:
        changes["retention_days"] = _positive_int(answer_log["retention_days"], "answer_log.retention_days")
    reminders = _mapping(data.get("reminders") or {}, "reminders")
    if "catch_up_minutes" in reminders:
        changes["reminder_catch_up_minutes"] = _positive_int(reminders["catch_up_minutes"],
                                                             "reminders.catch_up_minutes")
    if "skip_holidays" in reminders:
        changes["reminder_skip_holidays"] = bool(reminders["skip_holidays"])
    if "file" in reminders:
        changes["reminders_file"] = (base / str(reminders["file"])).resolve()
    if "knowledge_poll_seconds" in data:
        changes["knowledge_poll_seconds"] = float(_positive_int(data["knowledge_poll_seconds"],
                                                                "knowledge_poll_seconds"))
    return replace(settings, **changes)


def _check_database_url(url: str) -> None:
    """The scheme only: the full parse is the database layer's, which the CLI's answering commands
    do not load (it would cost start-up time and memory for nothing)."""
    scheme = url.partition(":")[0].partition("+")[0]
    if "://" not in url or scheme not in ("sqlite", "postgresql", "postgres"):
        raise ConfigError(f"GUIDANCE_DATABASE_URL は sqlite:/// か postgresql:// にしてください "
                          f"(GUIDANCE_DATABASE_URL must be sqlite:/// or postgresql://, got {scheme or url!r})")


def check_timezone(name: str, where: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: 不明なタイムゾーン '{name}' です (unknown time zone, e.g. Asia/Tokyo)") from None
    return name


def _destinations(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    try:
        return tuple(str(check_destination(str(item))) for item in items)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} はマッピングで書いてください ({where} must be a mapping)")
    return value


def _positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{where} は正の数です ({where} must be a positive number)")
    return int(value)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"設定ファイルを読めません: {path} (cannot read settings file: {exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: 設定ファイルのYAMLが不正です (invalid YAML in settings file)") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: 設定はマッピングで書いてください (settings must be a mapping)")
    return data


def _dataclass_from(cls, values: Any, where: str):
    if not isinstance(values, dict):
        raise ConfigError(f"{where} はマッピングで書いてください ({where} must be a mapping)")
    known = {f.name: f.type for f in fields(cls)}
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"{where} に未知の項目 {sorted(unknown)} があります (unknown keys in {where})")
    try:
        converted = {k: (int(v) if known[k] == "int" else float(v)) for k, v in values.items()}
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where} の値は数値です ({where} values must be numbers)") from exc
    return replace(cls(), **converted)


def _override_contact(base: Contact | None, key: str, values: Any) -> Contact:
    if not isinstance(values, dict):
        raise ConfigError(f"contacts.{key} はマッピングで書いてください (contacts.{key} must be a mapping)")
    contact = base or Contact(key, Text(key, key))
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("name", "how"):
            if not (isinstance(value, dict) and value.get("ja") and value.get("en")):
                raise ConfigError(f"contacts.{key}.{name} には ja と en が必要です (needs ja and en)")
            changes[name] = Text(str(value["ja"]), str(value["en"]))
        elif name in ("phone", "fax", "email", "url"):
            changes[name] = str(value)
        else:
            raise ConfigError(f"contacts.{key} に未知の項目 '{name}' があります (unknown key)")
    return replace(contact, **changes)
