"""Turning one YAML file into knowledge objects, collecting every problem with its line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..i18n import LANGS, Text, TextList
from .model import (
    Checklist,
    ChecklistGroup,
    ChecklistItem,
    Contact,
    Document,
    Entry,
    Phrase,
    SourceRef,
)
from .problems import Problem
from .yamlfile import LList, LMap

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

ENTRY_FIELDS = {
    "id", "title", "questions", "keywords", "answer", "steps", "phrases", "source",
    "related", "tags", "alert", "consult", "contacts",
}
REQUIRED_ENTRY_FIELDS = ("id", "title", "questions", "answer", "source")
LANG_NAMES = {"ja": ("日本語", "Japanese"), "en": ("英語", "English")}


class FileReader:
    """Reads values out of one file's located YAML tree, recording problems instead of raising."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int, ja: str, en: str) -> None:
        self.problems.append(Problem(self.path, line, Text(ja, en)))

    # -- shapes -----------------------------------------------------------------------------

    def mapping(self, value: Any, line: int, where: str) -> LMap | None:
        if isinstance(value, LMap):
            return value
        self.error(line, f"{where} はマッピング（キー: 値）で書いてください",
                   f"{where} must be a mapping (key: value)")
        return None

    def unknown_keys(self, m: LMap, allowed: set[str], where: str) -> None:
        for key in m:
            if key not in allowed:
                self.error(m.line_of(key), f"{where} に未知のフィールド '{key}' があります",
                           f"unknown field '{key}' in {where}")

    def string(self, m: LMap, key: str, where: str, *, required: bool = True) -> str | None:
        value = m.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(m.line_of(key) if key in m else m.line,
                           f"{where}.{key} がありません（空です）", f"{where}.{key} is missing or empty")
            return None
        if not isinstance(value, str | int | float):
            self.error(m.line_of(key), f"{where}.{key} は文字列で書いてください",
                       f"{where}.{key} must be a string")
            return None
        return str(value).strip()

    def strings(self, m: LMap, key: str, where: str) -> tuple[str, ...]:
        """An optional list of non-empty strings."""
        value = m.get(key)
        if value is None:
            return ()
        if not isinstance(value, LList):
            self.error(m.line_of(key), f"{where}.{key} はリストで書いてください",
                       f"{where}.{key} must be a list")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str | int | float) or not str(item).strip():
                self.error(value.line_of(i), f"{where}.{key} に空または文字列でない項目があります",
                           f"{where}.{key} has an empty or non-text item")
                continue
            out.append(str(item).strip())
        return tuple(out)

    def text(self, m: LMap, key: str, where: str, *, required: bool) -> Text | None:
        """A ``{ja: ..., en: ...}`` pair; both languages are required when the field is present."""
        if key not in m or m[key] is None:
            if required:
                self.error(m.line, f"{where}.{key} がありません（日本語と英語が必要です）",
                           f"{where}.{key} is missing (Japanese and English are required)")
            return None
        pair = self.mapping(m[key], m.line_of(key), f"{where}.{key}")
        if pair is None:
            return None
        self.unknown_keys(pair, set(LANGS), f"{where}.{key}")
        values = {}
        for lang in LANGS:
            text = pair.get(lang)
            if not isinstance(text, str) or not text.strip():
                ja_name, en_name = LANG_NAMES[lang]
                self.error(pair.line_of(lang) if lang in pair else m.line_of(key),
                           f"{where}.{key} の{ja_name}がありません", f"{where}.{key}: {en_name} text is missing")
                return None
            values[lang] = text.strip()
        return Text(values["ja"], values["en"])

    def text_list(self, m: LMap, key: str, where: str, *, required: bool,
                  same_length: bool = False) -> TextList:
        """A ``{ja: [...], en: [...]}`` pair of lists; both languages must have at least one item."""
        if key not in m or m[key] is None:
            if required:
                self.error(m.line, f"{where}.{key} がありません（日本語と英語が必要です）",
                           f"{where}.{key} is missing (Japanese and English are required)")
            return TextList()
        pair = self.mapping(m[key], m.line_of(key), f"{where}.{key}")
        if pair is None:
            return TextList()
        self.unknown_keys(pair, set(LANGS), f"{where}.{key}")
        lists = {}
        for lang in LANGS:
            items = self.strings(pair, lang, f"{where}.{key}")
            if not items:
                ja_name, en_name = LANG_NAMES[lang]
                self.error(pair.line_of(lang) if lang in pair else m.line_of(key),
                           f"{where}.{key} の{ja_name}がありません", f"{where}.{key}: {en_name} items are missing")
            lists[lang] = items
        if same_length and lists["ja"] and lists["en"] and len(lists["ja"]) != len(lists["en"]):
            self.error(pair.line, f"{where}.{key} の日本語（{len(lists['ja'])}項目）と英語（{len(lists['en'])}項目）の数が違います",
                       f"{where}.{key}: {len(lists['ja'])} Japanese items but {len(lists['en'])} English items")
        return TextList(lists["ja"], lists["en"])

    # -- knowledge objects --------------------------------------------------------------------

    def entry(self, m: LMap) -> Entry | None:
        entry_id = self.string(m, "id", "entry")
        where = entry_id or "entry"
        if entry_id is not None and not ID_PATTERN.match(entry_id):
            self.error(m.line_of("id"), f"id '{entry_id}' はケバブケース（例: recording-calls）にしてください",
                       f"id '{entry_id}' must be kebab-case (e.g. recording-calls)")
        self.unknown_keys(m, ENTRY_FIELDS, where)
        before = len(self.problems)
        title = self.text(m, "title", where, required=True)
        questions = self.text_list(m, "questions", where, required=True)
        answer = self.text(m, "answer", where, required=True)
        sources = self.sources(m, where)
        keywords = self.text_list(m, "keywords", where, required=False)
        steps = self.text_list(m, "steps", where, required=False, same_length=True)
        phrases = self.phrases(m, where)
        alert = self.text(m, "alert", where, required=False)
        consult = m.get("consult", False)
        if not isinstance(consult, bool):
            self.error(m.line_of("consult"), f"{where}.consult は true か false です",
                       f"{where}.consult must be true or false")
            consult = False
        related = self.strings(m, "related", where)
        tags = self.strings(m, "tags", where)
        contacts = self.strings(m, "contacts", where)
        if entry_id is None or title is None or answer is None or not sources or len(self.problems) > before:
            return None
        return Entry(
            id=entry_id, title=title, questions=questions, answer=answer, sources=sources,
            keywords=keywords, steps=steps, phrases=phrases, related=related, tags=tags,
            alert=alert, consult=consult, contacts=contacts, file=self.path, line=m.line,
        )

    def sources(self, m: LMap, where: str) -> tuple[SourceRef, ...]:
        value = m.get("source")
        if value is None:
            self.error(m.line, f"{where}.source（出典）がありません", f"{where}.source is missing")
            return ()
        items = value if isinstance(value, LList) else [value]
        refs = []
        for i, item in enumerate(items):
            line = value.line_of(i) if isinstance(value, LList) else m.line_of("source")
            ref = self.source_ref(item, line, f"{where}.source")
            if ref:
                refs.append(ref)
        if not refs and not items:
            self.error(m.line_of("source"), f"{where}.source（出典）が空です", f"{where}.source is empty")
        return tuple(refs)

    def source_ref(self, value: Any, line: int, where: str) -> SourceRef | None:
        ref = self.mapping(value, line, where)
        if ref is None:
            return None
        self.unknown_keys(ref, {"doc", "section"}, where)
        doc = self.string(ref, "doc", where)
        section = self.string(ref, "section", where)
        return SourceRef(doc, section) if doc and section else None

    def phrases(self, m: LMap, where: str) -> tuple[Phrase, ...]:
        value = m.get("phrases")
        if value is None:
            return ()
        if not isinstance(value, LList):
            self.error(m.line_of("phrases"), f"{where}.phrases はリストで書いてください",
                       f"{where}.phrases must be a list")
            return ()
        out = []
        for i, item in enumerate(value):
            p = self.mapping(item, value.line_of(i), f"{where}.phrases")
            if p is None:
                continue
            self.unknown_keys(p, {"ja", "en", "when"}, f"{where}.phrases")
            texts = {}
            for lang in LANGS:
                text = p.get(lang)
                if not isinstance(text, str) or not text.strip():
                    ja_name, en_name = LANG_NAMES[lang]
                    self.error(p.line, f"{where}.phrases の{ja_name}がありません",
                               f"{where}.phrases: {en_name} text is missing")
                else:
                    texts[lang] = text.strip()
            when = self.text(p, "when", f"{where}.phrases", required=False)
            if len(texts) == 2:
                out.append(Phrase(Text(texts["ja"], texts["en"]), when))
        return tuple(out)

    def document(self, key: str, m: Any, line: int) -> Document | None:
        doc = self.mapping(m, line, key)
        if doc is None:
            return None
        self.unknown_keys(doc, {"short", "ja", "en"}, key)
        short, ja, en = (self.string(doc, k, key) for k in ("short", "ja", "en"))
        return Document(key, short, Text(ja, en)) if short and ja and en else None

    def contact(self, key: str, m: Any, line: int) -> Contact | None:
        c = self.mapping(m, line, key)
        if c is None:
            return None
        self.unknown_keys(c, {"name", "phone", "fax", "email", "url", "how", "source"}, key)
        name = self.text(c, "name", key, required=True)
        how = self.text(c, "how", key, required=False)
        if "source" in c:
            self.source_ref(c["source"], c.line_of("source"), f"{key}.source")
        extra = {k: self.string(c, k, key, required=False) or "" for k in ("phone", "fax", "email", "url")}
        return Contact(key, name, how=how, **extra) if name else None

    def synonyms(self, value: Any) -> tuple[tuple[str, ...], ...]:
        if isinstance(value, LMap) and "groups" in value:
            value = value["groups"]
        if not isinstance(value, LList):
            self.error(getattr(value, "line", 1), "同義語ファイルはグループのリストで書いてください",
                       "the synonyms file must be a list of groups")
            return ()
        groups = []
        seen: dict[str, int] = {}
        for i, group in enumerate(value):
            line = value.line_of(i)
            if not isinstance(group, LList) or len(group) < 2:
                self.error(line, "同義語グループには2語以上を並べてください",
                           "a synonym group must list at least two terms")
                continue
            terms = []
            for term in group:
                if not isinstance(term, str | int) or not str(term).strip():
                    self.error(line, "同義語に空の語があります", "a synonym term is empty")
                    continue
                term = str(term).strip()
                folded = term.casefold()
                if folded in seen and seen[folded] != i:
                    self.error(line, f"'{term}' が2つの同義語グループにあります（{value.line_of(seen[folded])}行目も）",
                               f"'{term}' is in two synonym groups (also line {value.line_of(seen[folded])})")
                seen[folded] = i
                terms.append(term)
            groups.append(tuple(terms))
        return tuple(groups)

    def out_of_scope(self, value: Any) -> tuple[tuple[str, int], ...]:
        """Questions the documents do not cover, ``{ja: [...], en: [...]}``, with their lines."""
        root = self.mapping(value, getattr(value, "line", 1), "out_of_scope")
        if root is None:
            return ()
        self.unknown_keys(root, set(LANGS), "out_of_scope")
        found = []
        for lang in LANGS:
            items = root.get(lang)
            if items is None:
                continue
            if not isinstance(items, LList):
                self.error(root.line_of(lang), f"out_of_scope.{lang} はリストで書いてください",
                           f"out_of_scope.{lang} must be a list")
                continue
            for i, item in enumerate(items):
                if not isinstance(item, str | int | float) or not str(item).strip():
                    self.error(items.line_of(i), f"out_of_scope.{lang} に空または文字列でない項目があります",
                               f"out_of_scope.{lang} has an empty or non-text item")
                    continue
                found.append((str(item).strip(), items.line_of(i)))
        return tuple(found)

    def checklist(self, m: Any) -> Checklist | None:
        root = self.mapping(m, getattr(m, "line", 1), "checklist")
        if root is None:
            return None
        self.unknown_keys(root, {"id", "title", "intro", "source", "groups"}, "checklist")
        cid = self.string(root, "id", "checklist")
        title = self.text(root, "title", "checklist", required=True)
        intro = self.text(root, "intro", "checklist", required=False)
        source = self.source_ref(root["source"], root.line_of("source"), "checklist.source") if "source" in root else None
        groups_value = root.get("groups")
        if not isinstance(groups_value, LList) or not groups_value:
            self.error(root.line_of("groups"), "checklist.groups（区分のリスト）がありません",
                       "checklist.groups (a list of groups) is missing")
            return None
        groups = []
        for gi, g in enumerate(groups_value):
            group = self.mapping(g, groups_value.line_of(gi), "checklist.groups")
            if group is None:
                continue
            self.unknown_keys(group, {"title", "items"}, "checklist.groups")
            gtitle = self.text(group, "title", "checklist.groups", required=True)
            items = []
            item_list = group.get("items")
            if not isinstance(item_list, LList) or not item_list:
                self.error(group.line, "区分に項目（items）がありません", "a group has no items")
                continue
            for ii, it in enumerate(item_list):
                item = self.mapping(it, item_list.line_of(ii), "checklist.items")
                if item is None:
                    continue
                self.unknown_keys(item, {"number", "ja", "en", "related"}, "checklist.items")
                no = item.get("number")
                ja = self.string(item, "ja", "checklist.items")
                en = self.string(item, "en", "checklist.items")
                if not isinstance(no, int):
                    self.error(item.line_of("number"), "checklist.items.number（番号）がありません",
                               "checklist.items.number must be a number")
                    continue
                if ja and en:
                    items.append(ChecklistItem(no, Text(ja, en), self.strings(item, "related", "checklist.items")))
            if gtitle:
                groups.append(ChecklistGroup(gtitle, tuple(items)))
        if not cid or not title:
            return None
        return Checklist(cid, title, intro, source, tuple(groups))
