"""Reminders the compliance office declares in a YAML file under version control
(``reminders.file`` in the settings)::

    - name: weekly-guidelines          # unique; the reminder's identity across edits
      channel: slack:C0123ABCD         # or teams:19:…@thread.tacv2
      schedule: 毎週月曜 9:00
      tag: action-guideline-1          # exactly one of text / entry / tag / checklist
      language: ja                     # optional, ja (default) or en
      skip_holidays: true              # optional, default reminders.skip_holidays

The file is synced at start and whenever it changes: new names are added, changed ones updated
(their next time recomputed; a pause made in chat is kept), removed ones deleted. An unchanged
reminder keeps its ``next_due_at``, so a restart does not disturb catch-up. A file with any
problem changes nothing: every problem is reported as FILE:LINE and the previous reminders stay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select, update

from ..answering import Answerer
from ..clock import Clock
from ..config import Settings
from ..i18n import Text
from ..knowledge import KnowledgeBase
from ..knowledge.problems import Problem
from ..knowledge.yamlfile import LList, LMap, YamlSyntaxError, load_located
from ..metrics import Metrics
from ..outbox import report_problems
from ..platforms import check_destination
from ..store import Database
from ..store.tables import reminders
from ..store.upsert import insert_if_absent
from . import messages as m
from .content import CONTENT_KINDS, check_content
from .schedule import Schedule, ScheduleError
from .store import FILE_OWNER_PREFIX, NewReminder, _values

log = logging.getLogger(__name__)

SOURCE_PREFIX = "file:"
_KEYS = {"name", "channel", "schedule", "language", "skip_holidays", *CONTENT_KINDS}


@dataclass(frozen=True)
class SyncResult:
    problems: tuple[Problem, ...] = ()
    added: int = 0
    updated: int = 0
    removed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def read_declared(path: Path, knowledge: KnowledgeBase, settings: Settings) -> tuple[list[NewReminder], list[Problem]]:
    """The reminders the file declares, or the problems that stop it being used."""
    problems: list[Problem] = []

    def problem(line: int, ja: str, en: str) -> None:
        problems.append(Problem(path, line, Text(ja, en)))

    try:
        value, yaml_problems = load_located(path)
    except OSError as exc:
        problem(0, f"ファイルを読めません: {exc.strerror}", f"cannot read the file: {exc.strerror}")
        return [], problems
    except YamlSyntaxError as exc:
        problem(exc.line, f"YAMLの書式エラー: {exc.detail}", f"YAML syntax error: {exc.detail}")
        return [], problems
    problems += [Problem(path, p.line, Text(p.message_ja, p.message_en)) for p in yaml_problems]
    if isinstance(value, LMap) and isinstance(value.get("reminders"), LList):
        value = value["reminders"]
    if value is None:
        value = LList()
    if not isinstance(value, LList):
        problem(getattr(value, "line", 1), "リマインダーのリストを書いてください", "the file must be a list of reminders")
        return [], problems
    declared: list[NewReminder] = []
    seen: dict[str, int] = {}
    owner = f"{FILE_OWNER_PREFIX}{path.name}"
    for i, item in enumerate(value):
        line = value.line_of(i)
        if not isinstance(item, LMap):
            problem(line, "各リマインダーはマッピングで書いてください", "each reminder must be a mapping")
            continue
        new = _read_one(item, line, owner, knowledge, settings, problem)
        if new is None:
            continue
        name = new.source_key.removeprefix(SOURCE_PREFIX)  # type: ignore[union-attr]
        if name in seen:
            problem(item.line_of("name"), f"name「{name}」が重複しています（{seen[name]} 行目）",
                    f"duplicate name '{name}' (first on line {seen[name]})")
            continue
        seen[name] = item.line_of("name")
        declared.append(new)
    problems.sort(key=Problem.sort_key)
    return declared, problems


def _read_one(item: LMap, line: int, owner: str, knowledge: KnowledgeBase, settings: Settings,
              problem) -> NewReminder | None:
    errors = 0

    def bad(at: int, ja: str, en: str) -> None:
        nonlocal errors
        errors += 1
        problem(at, ja, en)

    for key in item:
        if key not in _KEYS:
            bad(item.line_of(key), f"未知の項目「{key}」があります", f"unknown key '{key}' (use {', '.join(sorted(_KEYS))})")
    name = item.get("name")
    if not isinstance(name, str | int) or not str(name).strip():
        bad(line, "name（リマインダーの名前）がありません", "name (the reminder's name) is missing")
    elif len(str(name)) > 150:
        bad(item.line_of("name"), "name が長すぎます（150文字まで）", "name is too long (150 characters at most)")
    channel = item.get("channel")
    destination = None
    try:
        destination = check_destination(str(channel)) if channel else None
    except ValueError:
        pass
    if destination is None:
        bad(item.line_of("channel"), "channel は slack:チャンネルID か teams:会話ID で書いてください",
            "channel must be slack:CHANNEL_ID or teams:CONVERSATION_ID")
    skip = item.get("skip_holidays", settings.reminder_skip_holidays)
    if not isinstance(skip, bool):
        bad(item.line_of("skip_holidays"), "skip_holidays は true か false です", "skip_holidays must be true or false")
        skip = False
    schedule = None
    if not isinstance(item.get("schedule"), str | int) or not str(item.get("schedule")).strip():
        bad(item.line_of("schedule") if "schedule" in item else line, "schedule（予定）がありません", "schedule is missing")
    else:
        try:
            # from_spec, not parse_schedule: a once-time that has passed is finished, not an error.
            schedule = Schedule.from_spec(str(item["schedule"]), tz=settings.timezone, skip_holidays=skip)
        except ScheduleError as exc:
            bad(item.line_of("schedule"), exc.text.ja.replace("\n", " "), exc.text.en.replace("\n", " "))
    language = item.get("language", "ja")
    if language not in ("ja", "en"):
        bad(item.line_of("language"), "language は ja か en です", "language must be ja or en")
    kinds = [k for k in CONTENT_KINDS if k in item]
    kind, content = "", ""
    if len(kinds) != 1:
        bad(line, "text / entry / tag / checklist のどれか1つを書いてください",
            "give exactly one of text, entry, tag or checklist")
    else:
        kind = kinds[0]
        raw = item[kind]
        if kind == "checklist" and raw is not True:
            bad(item.line_of(kind), "checklist は true と書きます", "write checklist: true")
        elif kind != "checklist" and not isinstance(raw, str | int):
            bad(item.line_of(kind), f"{kind} は文字列で書いてください", f"{kind} must be a string")
        else:
            content = "" if kind == "checklist" else str(raw).strip()
            reason = check_content(kind, content, knowledge)
            if reason is not None:
                bad(item.line_of(kind), reason.ja, reason.en)
    if errors or schedule is None or destination is None:
        return None
    return NewReminder(owner=owner, destination=destination, schedule=schedule, content_kind=kind,
                       content=content, language=str(language), source_key=f"{SOURCE_PREFIX}{name}")


async def sync_declared(db: Database, clock: Clock, declared: list[NewReminder]) -> SyncResult:
    """Make the stored declared reminders match the file."""
    now = clock.now()
    wanted = {new.source_key: new for new in declared}
    added = updated = removed = 0
    async with db.begin() as conn:
        rows = {r.source_key: r for r in await conn.execute(
            select(reminders).where(reminders.c.source_key.like(f"{SOURCE_PREFIX}%")))}
        for key, new in wanted.items():
            values = _values(new, now)
            row = rows.get(key)
            if row is None:
                fresh = values | {"created_at": now, "rotation": 0, "paused": False}
                if await insert_if_absent(conn, reminders, fresh):
                    added += 1
                continue
            defining = {k: v for k, v in values.items() if k not in ("next_due_at", "owner")}
            if any(getattr(row, k) != v for k, v in defining.items()):
                content_changed = (row.content_kind, row.content) != (new.content_kind, new.content)
                changes = values | ({"rotation": 0} if content_changed else {})
                await conn.execute(update(reminders).where(reminders.c.id == row.id).values(**changes))
                updated += 1
        gone = [row.id for key, row in rows.items() if key not in wanted]
        if gone:
            await conn.execute(delete(reminders).where(reminders.c.id.in_(gone)))
            removed = len(gone)
    return SyncResult(added=added, updated=updated, removed=removed)


class DeclaredReminders:
    """Syncs the settings file when it changes; a broken file is reported and changes nothing."""

    def __init__(self, path: Path, db: Database, clock: Clock, answerer: Answerer, settings: Settings,
                 metrics: Metrics, on_queued: Callable[[], None]) -> None:
        self.path = path
        self._db = db
        self._clock = clock
        self._answerer = answerer
        self._settings = settings
        self._metrics = metrics
        self._on_queued = on_queued  # wakes the outbox
        self._stamp: tuple | None = None
        self.last: SyncResult | None = None

    def _file_stamp(self) -> tuple:
        try:
            st = self.path.stat()
            return (st.st_mtime_ns, st.st_size)
        except OSError:
            return ()

    async def sync_if_changed(self) -> SyncResult | None:
        stamp = (self._file_stamp(), self._answerer.knowledge.version)
        if stamp == self._stamp:
            return None
        self._stamp = stamp
        return await self.sync()

    async def sync(self) -> SyncResult:
        declared, problems = read_declared(self.path, self._answerer.knowledge, self._settings)
        if problems:
            self.last = SyncResult(problems=tuple(problems))
            await self._report(problems)
            return self.last
        self.last = await sync_declared(self._db, self._clock, declared)
        log.info("reminders file synced", extra={"file": str(self.path), "added": self.last.added,
                                                 "updated": self.last.updated, "removed": self.last.removed})
        return self.last

    async def _report(self, problems: list[Problem]) -> None:
        self._metrics.errors.labels("reminders_file").inc()
        for p in problems:
            log.error("reminders file problem: %s", p.format())
        if not self._settings.knowledge_errors_to:
            return
        await report_problems(self._db, self._clock, self._settings.knowledge_errors_to, kind="reminders_file_error",
                              title="リマインダー設定ファイルの検査エラー / Reminders file check failed",
                              summary=m.FILE_ERRORS.format(count=len(problems)),
                              problems=[p.format() for p in problems])
        self._on_queued()
