"""What a reminder says when it is due: free text, a knowledge entry, the next entry of a tag, or
the self-check invitation. Also the checks a new reminder's content must pass."""

from __future__ import annotations

from typing import Literal

from ..answering import Answerer
from ..i18n import Lang, Text
from ..knowledge import KnowledgeBase
from ..replies import Action, Reply
from . import messages as m

ContentKind = Literal["text", "entry", "tag", "checklist"]
CONTENT_KINDS: tuple[ContentKind, ...] = ("text", "entry", "tag", "checklist")
MAX_TEXT = 3000  # fits one Slack section block and a Teams TextBlock


def tag_entries(knowledge: KnowledgeBase, tag: str) -> list[str]:
    """Entry ids carrying ``tag``, in a stable order (by id) so the rotation is predictable."""
    return sorted(e.id for e in knowledge.entries.values() if tag in e.tags)


def rotation_tags(knowledge: KnowledgeBase, limit: int = 100) -> list[tuple[str, int]]:
    """Tags worth rotating through (two or more entries), most used first: for the form's select."""
    counts: dict[str, int] = {}
    for entry in knowledge.entries.values():
        for tag in entry.tags:
            counts[tag] = counts.get(tag, 0) + 1
    tags = sorted(((t, n) for t, n in counts.items() if n >= 2), key=lambda tn: (-tn[1], tn[0]))
    return tags[:limit]


def check_content(kind: str, content: str, knowledge: KnowledgeBase) -> Text | None:
    """Why this content cannot be used, or None when it can."""
    if kind not in CONTENT_KINDS:
        return m.ERR_BAD_KIND
    if kind == "text":
        if not content.strip():
            return m.ERR_TEXT_REQUIRED
        if len(content) > MAX_TEXT:
            return m.ERR_TEXT_TOO_LONG.format(max=MAX_TEXT)
    elif kind == "entry":
        if not content:
            return m.ERR_ENTRY_REQUIRED
        if content not in knowledge.entries:
            return m.ERR_UNKNOWN_ENTRY.format(id=content)
    elif kind == "tag":
        if not content:
            return m.ERR_TAG_REQUIRED
        if not tag_entries(knowledge, content):
            return m.ERR_EMPTY_TAG.format(tag=content)
    elif knowledge.checklist is None:
        return m.ERR_NO_CHECKLIST
    return None


def describe_content(kind: str, content: str, knowledge: KnowledgeBase, lang: Lang) -> str:
    """A short description for confirmations and lists."""
    if kind == "text":
        short = content if len(content) <= 40 else content[:39] + "…"
        return m.CONTENT_TEXT.format(text=short.replace("\n", " ")).get(lang)
    if kind == "entry":
        entry = knowledge.entries.get(content)
        title = entry.title.get(lang) if entry else m.CONTENT_MISSING.get(lang)
        return m.CONTENT_ENTRY.format(title=title, id=content).get(lang)
    if kind == "tag":
        return m.CONTENT_TAG.format(tag=content, count=len(tag_entries(knowledge, content))).get(lang)
    return m.CONTENT_CHECKLIST.get(lang)


def reminder_reply(kind: str, content: str, rotation: int, lang: Lang, answerer: Answerer) -> Reply | None:
    """The message for one delivery; None when the content is gone from the knowledge (the entry
    was removed, no entry has the tag any more, the checklist was removed)."""
    knowledge = answerer.knowledge
    if kind == "text":
        return Reply("info", lang, title=m.REMINDER_TITLE.get(lang), answer=content)
    if kind == "entry":
        return answerer.entry(content, lang)
    if kind == "tag":
        ids = tag_entries(knowledge, content)
        return answerer.entry(ids[rotation % len(ids)], lang) if ids else None
    if kind == "checklist":
        checklist = knowledge.checklist
        if checklist is None:
            return None
        return Reply("info", lang, title=checklist.title.get(lang),
                     answer=m.CHECKLIST_REMINDER.format(count=len(checklist.items)).get(lang),
                     actions=(Action("checklist", m.CHECKLIST_START.get(lang)),))
    return None
