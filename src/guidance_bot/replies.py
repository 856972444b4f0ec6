"""The platform-neutral reply: what the bot says, before any adapter renders it.

Adapters turn a Reply into Block Kit or an Adaptive Card; ``render_text`` turns it into plain text
for the console. Every field is already in the reply's language.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from .i18n import Lang
from . import messages as m

ReplyKind = Literal["answer", "suggest", "none", "info"]


@dataclass(frozen=True, slots=True)
class Choice:
    """A knowledge entry offered to pick: a "did you mean" candidate or a related topic."""

    entry_id: str
    label: str


@dataclass(frozen=True, slots=True)
class Action:
    """A button. ``name`` is what the core handles when pressed (``consult``, ``show``)."""

    name: str
    label: str
    value: str = ""
    confirm: bool = False  # it cannot be undone: the platform asks before sending it


@dataclass(frozen=True, slots=True)
class PhraseLine:
    text: str
    when: str = ""


@dataclass(frozen=True, slots=True)
class ContactLine:
    name: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    kind: ReplyKind
    language: Lang
    title: str = ""
    alert: str = ""
    answer: str = ""
    steps: tuple[str, ...] = ()
    phrases: tuple[PhraseLine, ...] = ()
    source: str = ""
    contacts: tuple[ContactLine, ...] = ()
    choices: tuple[Choice, ...] = ()
    actions: tuple[Action, ...] = ()
    entry_id: str | None = None
    score: float | None = None
    # Set when the reply answers a logged question: adapters show 👍/👎 that carry it back.
    answer_id: str | None = None
    # Shown to the asker only (Slack ephemeral); adapters never post such a reply publicly.
    private: bool = False

    @property
    def choices_heading(self) -> str:
        return (m.DID_YOU_MEAN if self.kind == "suggest" else m.RELATED_HEADING).get(self.language)


def render_text(reply: Reply) -> str:
    """Plain text for the console (and for platforms that cannot show cards)."""
    lang = reply.language
    out: list[str] = []
    if reply.alert:
        out += [f"⚠ {m.ALERT_HEADING.get(lang)} {reply.alert}", ""]
    if reply.title:
        out.append(f"■ {reply.title}")
    if reply.answer:
        out.append(reply.answer)
    if reply.steps:
        out += ["", f"{m.STEPS_HEADING.get(lang)}:"]
        out += [f"  {i}. {step}" for i, step in enumerate(reply.steps, 1)]
    if reply.phrases:
        out += ["", f"{m.PHRASES_HEADING.get(lang)}:"]
        for p in reply.phrases:
            if p.when:
                out.append(f"  ({p.when})")
            out.append(f"  「{p.text}」" if lang == "ja" else f'  "{p.text}"')
    if reply.contacts:
        out += ["", f"{m.CONTACTS_HEADING.get(lang)}:"]
        for c in reply.contacts:
            out.append(f"  {c.name}")
            out += [f"    {d}" for d in c.details]
    if reply.source:
        out += ["", f"{m.SOURCE_HEADING.get(lang)}: {reply.source}"]
    if reply.choices:
        out += ["", reply.choices_heading]
        out += [f"  {i}. {c.label}" for i, c in enumerate(reply.choices, 1)]
        if reply.kind == "suggest":
            out.append(m.DID_YOU_MEAN_HINT.get(lang))
    if reply.actions:
        out += ["", "  ".join(f"[{a.label}]" for a in reply.actions)]
    return "\n".join(out).strip()


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """JSON-ready form, for replies stored in the outbox."""
    return asdict(reply)


def reply_from_dict(data: dict[str, Any]) -> Reply:
    nested = {"phrases": PhraseLine, "contacts": ContactLine, "choices": Choice, "actions": Action}
    values = dict(data)
    for key, cls in nested.items():
        values[key] = tuple(cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in item.items()})
                            for item in values.get(key, ()))
    values["steps"] = tuple(values.get("steps", ()))
    return Reply(**values)
