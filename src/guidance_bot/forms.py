"""Platform-neutral forms: the consultation request, a reminder, the self-check.

The core describes the fields and validates what comes back; Slack renders a modal, Teams an
Adaptive Card with inputs. Labels are already in the form's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .i18n import Lang

FieldKind = Literal["text", "textarea", "select", "checkboxes", "toggle"]
Values = Mapping[str, str | list[str] | bool]


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    initial: str | tuple[str, ...] | bool | None = None
    hint: str = ""


@dataclass(frozen=True, slots=True)
class Form:
    """``form_id`` names the handler for the submission; ``context`` travels with the form
    (Slack private_metadata, Teams card data) and comes back on submit."""

    form_id: str
    language: Lang
    title: str
    submit_label: str
    fields: tuple[Field, ...]
    intro: str = ""
    alert: str = ""
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FormErrors:
    """Validation messages by field name, shown next to the fields."""

    form: Form
    errors: Mapping[str, str]


# -- reading what came back: each platform returns field values its own way --------------------------

def text_value(value: object) -> str:
    """A field's value as one string (a select may come back as a one-item list)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None or isinstance(value, bool) else str(value)


def flag_value(value: object, default: bool = False) -> bool:
    """A toggle: a bool, a list of ticked values (a one-checkbox group) or a string ("true", "on");
    ``default`` when the field is missing or empty."""
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        return bool(value)
    if isinstance(value, str) and value.strip():
        return value.strip().lower() in ("true", "1", "on", "yes")
    return default

