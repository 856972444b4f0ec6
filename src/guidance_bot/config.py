"""Settings: built once at start from an optional YAML file and the environment.

Environment variables (they win over the file):
- ``GUIDANCE_CONFIG``: path of the YAML settings file;
- ``GUIDANCE_KNOWLEDGE_DIR``: the knowledge directory (default: the bundled knowledge);
- ``GUIDANCE_DATABASE_URL``: SQLAlchemy URL (default: a SQLite file in the working directory).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from .i18n import Text
from .knowledge import Contact, KnowledgeBase
from .matching import Thresholds, Weights

PACKAGE_DIR = Path(__file__).resolve().parent


class ConfigError(ValueError):
    """A settings problem, with a message in Japanese and English."""


def bundled_knowledge_dir() -> Path:
    """The knowledge shipped with the package (wheel), or the source tree's when installed editable."""
    packaged = PACKAGE_DIR / "bundled_knowledge"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parents[1] / "knowledge"


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = field(default_factory=bundled_knowledge_dir)
    database_url: str = "sqlite:///guidance-bot.sqlite3"
    weights: Weights = Weights()
    thresholds: Thresholds = Thresholds()
    contacts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

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
        if env.get("GUIDANCE_KNOWLEDGE_DIR"):
            settings = replace(settings, knowledge_dir=Path(env["GUIDANCE_KNOWLEDGE_DIR"]).resolve())
        if env.get("GUIDANCE_DATABASE_URL"):
            settings = replace(settings, database_url=env["GUIDANCE_DATABASE_URL"])
        return settings

    def apply_contacts(self, knowledge: KnowledgeBase) -> KnowledgeBase:
        """The knowledge with contact details replaced by the settings file's, where it gives any."""
        if not self.contacts:
            return knowledge
        merged = dict(knowledge.contacts)
        for key, values in self.contacts.items():
            merged[key] = _override_contact(merged.get(key), key, values)
        return replace(knowledge, contacts=merged)


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
