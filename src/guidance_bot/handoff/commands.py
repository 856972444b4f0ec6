"""``guidance-bot consult new|list|show|export``.

The command line runs on the server, so for list/show/export it acts as the compliance office; the
audit log records the operating-system user as ``cli:<user>``. ``new`` files a request in that
user's name and prints its reference number; the running bot announces it (outbox).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..clock import SystemClock
from ..config import Settings
from ..platforms import Person
from ..store import Database
from . import messages as m
from .form import CATEGORIES, STATUSES, URGENCIES, Request, check_summary
from .service import Consultation, ConsultationService, NotFound, Viewer

from ..cliutil import EXIT_FAIL, EXIT_OK, EXIT_USAGE, cli_user, lang_arg
CSV_COLUMNS = ("ref", "created_at", "status", "status_by", "status_at", "category", "urgency", "summary",
               "department", "contact", "requester", "requester_name", "name_shown", "language",
               "attached_question", "attached_entry")
T = TypeVar("T")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    consult = sub.add_parser("consult", help="法律相談の申込み / legal consultation requests")
    csub = consult.add_subparsers(title="consult commands")

    new = csub.add_parser("new", help="相談を申し込み、受付番号を表示 / file a request, print its reference")
    new.add_argument("--summary", required=True, help="相談の概要 / summary")
    new.add_argument("--category", choices=CATEGORIES, default="other", help="区分 / category (default other)")
    new.add_argument("--urgency", choices=URGENCIES, default="routine", help="緊急度 / urgency (default routine)")
    new.add_argument("--department", default="", help="所属 / department")
    new.add_argument("--contact", default="", help="希望する連絡方法 / preferred contact")
    new.add_argument("--lang", type=lang_arg, default="ja", help="言語 ja|en / language (default ja)")
    new.set_defaults(run=_guarded(cmd_new))

    listing = csub.add_parser("list", help="相談の一覧 / list requests")
    listing.add_argument("--status", choices=STATUSES, help="状況で絞り込み / only this status")
    listing.add_argument("--json", action="store_true", help="JSON で出力 / print JSON")
    listing.set_defaults(run=_guarded(cmd_list))

    show = csub.add_parser("show", help="1件を表示 / show one request")
    show.add_argument("ref", help="受付番号 / reference number (LC-2026-0001)")
    show.add_argument("--json", action="store_true", help="JSON で出力 / print JSON")
    show.set_defaults(run=_guarded(cmd_show))

    export = csub.add_parser("export", help="全件を書き出す / export every request")
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="出力形式 / format (default csv)")
    export.set_defaults(run=_guarded(cmd_export))


def cmd_new(args, settings: Settings) -> int:
    error = check_summary(args.summary.strip(), args.lang)
    if error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    request = Request(category=args.category, summary=args.summary.strip(), urgency=args.urgency,
                      language=args.lang, department=args.department.strip(), contact=args.contact.strip())
    person = Person("cli", cli_user(), name=cli_user())
    created = _run(settings, lambda s: s.create(person, request))
    print(created.consultation.ref)
    return EXIT_OK


def cmd_list(args, settings: Settings) -> int:
    found = _run(settings, lambda s: s.list(_office(), args.status))
    if args.json:
        print(json.dumps([c.as_dict(for_office=True) for c in found], ensure_ascii=False, indent=2))
        return EXIT_OK
    for c in found:
        summary = " ".join(c.summary.split())
        print(f"{c.ref}  {c.created_at.astimezone(_tz(settings)):%Y-%m-%d %H:%M}  "
              f"{m.STATUSES[c.status].ja}/{c.status}  {c.category}  {c.urgency}  "
              f"{summary[:40]}{'…' if len(summary) > 40 else ''}")
    print(f"({len(found)} 件 / requests)")
    return EXIT_OK


def cmd_show(args, settings: Settings) -> int:
    async def show(service: ConsultationService) -> tuple[Consultation, list[dict[str, Any]]] | None:
        viewer = _office()
        try:
            c = await service.get(viewer, args.ref)
        except NotFound:
            return None
        return c, await service.history(viewer, c.ref)

    result = _run(settings, show)
    if result is None:
        print(f"{m.NOT_FOUND.ja.format(ref=args.ref)} / {m.NOT_FOUND.en.format(ref=args.ref)}", file=sys.stderr)
        return EXIT_FAIL
    c, history = result
    data = c.as_dict(for_office=True)
    data["history"] = [{"at": h["at"].isoformat(), "actor": h["actor"], "action": h["action"],
                        "detail": h["detail"]} for h in history if h["action"] in ("consultation.create",
                                                                                   "consultation.status")]
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    for key in CSV_COLUMNS:
        if key not in ("summary", "attached_question"):
            print(f"{key:>17}: {data[key]}")
    print(f"{'summary':>17}:\n{c.summary}")
    if c.attached_question:
        print(f"{'attached_question':>17}:\n{c.attached_question}")
    print(f"{'history':>17}:")
    for h in data["history"]:
        print(f"  {h['at']}  {h['actor']}  {h['action']}  {json.dumps(h['detail'], ensure_ascii=False)}")
    return EXIT_OK


def cmd_export(args, settings: Settings) -> int:
    found = _run(settings, lambda s: s.list(_office(), action="export"))
    rows = [c.as_dict(for_office=True) for c in found]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    sys.stdout.write(out.getvalue())
    return EXIT_OK


# -- helpers ---------------------------------------------------------------------------------------

def _run(settings: Settings, work: Callable[[ConsultationService], Awaitable[T]]) -> T:
    """Run against the database; on failure print why and raise ``_Failed``."""
    async def run() -> T:
        db = Database(settings.database_url)
        try:
            return await work(ConsultationService(db, SystemClock(), settings))
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except Exception as exc:  # the database is unreachable or not migrated: say so, briefly
        print(f"相談を処理できません (cannot process the request): {type(exc).__name__}: {exc}", file=sys.stderr)
        raise _Failed from None


class _Failed(Exception):
    pass


def _guarded(command: Callable[[Any, Settings], int]) -> Callable[[Any, Settings], int]:
    def run(args, settings: Settings) -> int:
        try:
            return command(args, settings)
        except _Failed:
            return EXIT_FAIL
    run.__name__ = command.__name__
    return run


def _office() -> Viewer:
    return Viewer(f"cli:{cli_user()}", office=True, name=cli_user())


def _tz(settings: Settings):
    from zoneinfo import ZoneInfo
    return ZoneInfo(settings.timezone)
