"""Loading a knowledge directory: every file parsed, then checked as a whole."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import Text
from .model import Checklist, Entry, KnowledgeBase
from .parse import FileReader
from .problems import Problem
from .yamlfile import LList, LMap, YamlSyntaxError, load_located

DOCUMENTS_FILE = "documents.yaml"
CONTACTS_FILE = "contacts.yaml"
SYNONYMS_FILE = "synonyms.yaml"
CHECKLIST_FILE = "checklist.yaml"
OUT_OF_SCOPE_FILE = "out_of_scope.yaml"
SPECIAL_FILES = {DOCUMENTS_FILE, CONTACTS_FILE, SYNONYMS_FILE, CHECKLIST_FILE, OUT_OF_SCOPE_FILE}


@dataclass
class LoadResult:
    """The outcome of reading a directory: the knowledge when there was no error, and all problems."""

    directory: Path
    problems: list[Problem] = field(default_factory=list)
    knowledge: KnowledgeBase | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def entry_files(directory: Path) -> list[Path]:
    """Every YAML file under the directory except the special ones at its top and hidden files."""
    files = []
    for path in sorted(directory.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        rel = path.relative_to(directory)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if len(rel.parts) == 1 and rel.name in SPECIAL_FILES:
            continue
        files.append(path)
    return files


def question_key(question: str) -> str:
    """Two example questions count as the same when they differ only in width, case, spaces or ?/!."""
    text = unicodedata.normalize("NFKC", question).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def load_knowledge(directory: Path) -> LoadResult:
    directory = Path(directory)
    result = LoadResult(directory)
    if not directory.is_dir():
        result.problems.append(Problem(directory, 0, Text("ナレッジのディレクトリがありません",
                                                          "knowledge directory not found")))
        return result

    documents = _load_special(directory / DOCUMENTS_FILE, result, _documents, required=True) or {}
    contacts = _load_special(directory / CONTACTS_FILE, result, _contacts, required=False) or {}
    synonyms = _load_special(directory / SYNONYMS_FILE, result, lambda r, v: r.synonyms(v), required=False) or ()
    checklist = _load_special(directory / CHECKLIST_FILE, result, lambda r, v: r.checklist(v), required=False)
    out_of_scope = _load_special(directory / OUT_OF_SCOPE_FILE, result, lambda r, v: r.out_of_scope(v),
                                 required=False) or ()

    entries: list[tuple[Entry, LMap]] = []
    for path in entry_files(directory):
        reader = FileReader(path)
        value = _read(path, reader)
        if value is not None:
            items = value if isinstance(value, LList) else [value]
            for i, item in enumerate(items):
                line = value.line_of(i) if isinstance(value, LList) else getattr(item, "line", 1)
                m = reader.mapping(item, line, "entry")
                if m is not None:
                    entry = reader.entry(m)
                    if entry is not None:
                        entries.append((entry, m))
        result.problems.extend(reader.problems)

    by_id = _check_ids(entries, result)
    _check_references(entries, by_id, documents, contacts, result)
    _check_questions(entries, result)
    _check_out_of_scope(out_of_scope, entries, directory / OUT_OF_SCOPE_FILE, result)
    if checklist is not None:
        _check_checklist(checklist, by_id, directory / CHECKLIST_FILE, result)

    result.problems.sort(key=Problem.sort_key)
    if result.ok:
        result.knowledge = KnowledgeBase(
            entries=by_id, documents=documents, contacts=contacts, synonyms=synonyms,
            checklist=checklist, version=_fingerprint(directory), directory=directory,
            out_of_scope=tuple(question for question, _ in out_of_scope),
        )
    return result


def _read(path: Path, reader: FileReader):
    try:
        value, yaml_problems = load_located(path)
    except YamlSyntaxError as exc:
        reader.error(exc.line, f"YAMLの書式エラー: {exc.detail}", f"YAML syntax error: {exc.detail}")
        return None
    for p in yaml_problems:
        reader.error(p.line, p.message_ja, p.message_en)
    if value is None:
        reader.error(1, "ファイルが空です", "the file is empty")
    return value


def _load_special(path: Path, result: LoadResult, build, *, required: bool):
    if not path.exists():
        if required:
            result.problems.append(Problem(path, 0, Text(f"{path.name} がありません", f"{path.name} is missing")))
        return None
    reader = FileReader(path)
    value = _read(path, reader)
    built = build(reader, value) if value is not None else None
    result.problems.extend(reader.problems)
    return built


def _keyed(file_name: str, build):
    """A builder for a file that maps keys to objects (documents.yaml, contacts.yaml)."""

    def read(reader: FileReader, value) -> dict:
        root = reader.mapping(value, getattr(value, "line", 1), file_name)
        if root is None:
            return {}
        built = {}
        for key, item in root.items():
            obj = build(reader, str(key), item, root.line_of(key))
            if obj is not None:
                built[obj.key] = obj
        return built

    return read


_documents = _keyed(DOCUMENTS_FILE, FileReader.document)
_contacts = _keyed(CONTACTS_FILE, FileReader.contact)


def _check_ids(entries: list[tuple[Entry, LMap]], result: LoadResult) -> dict[str, Entry]:
    by_id: dict[str, Entry] = {}
    for entry, m in entries:
        first = by_id.get(entry.id)
        if first is not None:
            result.problems.append(Problem(entry.file, m.line_of("id"), Text(
                f"id '{entry.id}' が重複しています（{first.file}:{first.line} にもあります）",
                f"duplicate id '{entry.id}' (also at {first.file}:{first.line})")))
            continue
        by_id[entry.id] = entry
    return by_id


def _check_references(entries, by_id, documents, contacts, result: LoadResult) -> None:
    for entry, m in entries:
        for i, rid in enumerate(entry.related):
            if rid not in by_id:
                line = m["related"].line_of(i) if isinstance(m.get("related"), LList) else m.line
                result.problems.append(Problem(entry.file, line, Text(
                    f"related の '{rid}' というエントリーはありません", f"related entry '{rid}' does not exist")))
            elif rid == entry.id:
                result.problems.append(Problem(entry.file, m.line_of("related"), Text(
                    "related に自分自身の id があります", "an entry lists itself as related")))
        for i, key in enumerate(entry.contacts):
            if key not in contacts:
                line = m["contacts"].line_of(i) if isinstance(m.get("contacts"), LList) else m.line
                result.problems.append(Problem(entry.file, line, Text(
                    f"contacts の '{key}' は contacts.yaml にありません", f"contact '{key}' is not in contacts.yaml")))
        sources = m.get("source")
        for i, ref in enumerate(entry.sources):
            if documents and ref.doc not in documents:
                line = sources.line_of(i) if isinstance(sources, LList) else m.line_of("source")
                known = ", ".join(documents)
                result.problems.append(Problem(entry.file, line, Text(
                    f"出典の文書 '{ref.doc}' は documents.yaml にありません（{known}）",
                    f"source document '{ref.doc}' is not in documents.yaml ({known})")))


def _check_questions(entries, result: LoadResult) -> None:
    """The same example question under two entries would make the matcher toss a coin."""
    seen: dict[str, tuple[Entry, int]] = {}
    for entry, m in entries:
        q = m["questions"]
        for lang in ("ja", "en"):
            items = q.get(lang)
            if not isinstance(items, LList):
                continue
            for i, question in enumerate(items):
                key = question_key(str(question))
                if not key:
                    continue
                line = items.line_of(i)
                if key in seen:
                    other, other_line = seen[key]
                    where = "同じエントリー内" if other.id == entry.id else f"'{other.id}'"
                    result.problems.append(Problem(entry.file, line, Text(
                        f"例文「{question}」は {where} にもあります（{other.file}:{other_line}）",
                        f"example question '{question}' also appears under "
                        f"{'this entry' if other.id == entry.id else repr(other.id)} ({other.file}:{other_line})")))
                else:
                    seen[key] = (entry, line)


def _check_out_of_scope(questions, entries, path: Path, result: LoadResult) -> None:
    """An out-of-scope question that is also an entry's example (or listed twice) is a mistake:
    the bot cannot both answer it and refuse it."""
    examples: dict[str, tuple[Entry, str]] = {}
    for entry, _ in entries:
        for question in (*entry.questions.ja, *entry.questions.en):
            examples.setdefault(question_key(question), (entry, question))
    seen: dict[str, int] = {}
    for question, line in questions:
        key = question_key(question)
        if key in examples:
            entry, _ = examples[key]
            result.problems.append(Problem(path, line, Text(
                f"対象外の質問「{question}」はエントリー '{entry.id}' の例文でもあります（{entry.file}:{entry.line}）",
                f"out-of-scope question '{question}' is also an example question of '{entry.id}' "
                f"({entry.file}:{entry.line})")))
        elif key in seen:
            result.problems.append(Problem(path, line, Text(
                f"対象外の質問「{question}」が重複しています（{seen[key]}行目にもあります）",
                f"out-of-scope question '{question}' is listed twice (also line {seen[key]})")))
        seen.setdefault(key, line)


def _check_checklist(checklist: Checklist, by_id, path: Path, result: LoadResult) -> None:
    numbers = [item.no for item in checklist.items]
    if len(set(numbers)) != len(numbers):
        result.problems.append(Problem(path, 1, Text("チェック項目の番号が重複しています",
                                                     "checklist item numbers are not unique")))
    for item in checklist.items:
        for rid in item.related:
            if rid not in by_id:
                result.problems.append(Problem(path, 1, Text(
                    f"項目{item.no}の related '{rid}' というエントリーはありません",
                    f"item {item.no}: related entry '{rid}' does not exist")))


def _fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*.y*ml") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
