"""The knowledge the bot answers from: entries, source documents, contacts, synonyms, checklist."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import Text, TextList


@dataclass(frozen=True, slots=True)
class Document:
    key: str  # basic-policy, code-of-conduct, harassment-guidelines
    short: str  # 基本方針, 行動規範, 対応要領
    name: Text


@dataclass(frozen=True, slots=True)
class SourceRef:
    doc: str
    section: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """An example phrase (対応例) from the documents, with the situation it is for."""

    text: Text
    when: Text | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    key: str
    name: Text
    phone: str = ""
    fax: str = ""
    email: str = ""
    url: str = ""
    how: Text | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: Text
    questions: TextList
    answer: Text
    sources: tuple[SourceRef, ...]
    keywords: TextList = TextList()
    steps: TextList = TextList()
    phrases: tuple[Phrase, ...] = ()
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    alert: Text | None = None
    consult: bool = False
    contacts: tuple[str, ...] = ()
    file: Path | None = field(default=None, compare=False)
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    no: int
    text: Text
    related: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChecklistGroup:
    title: Text
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True, slots=True)
class Checklist:
    id: str
    title: Text
    intro: Text | None
    source: SourceRef | None
    groups: tuple[ChecklistGroup, ...]

    @property
    def items(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for group in self.groups for item in group.items)


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """One consistent snapshot of the knowledge directory. Replaced whole, never mutated."""

    entries: dict[str, Entry]
    documents: dict[str, Document]
    contacts: dict[str, Contact]
    synonyms: tuple[tuple[str, ...], ...]
    checklist: Checklist | None
    version: str  # content hash: changes whenever any file changes
    directory: Path | None = None
    out_of_scope: tuple[str, ...] = ()  # questions the documents do not cover (out_of_scope.yaml)
