"""``guidance-bot remind add|list|pause|resume|delete``.

The command line acts as a manager; reminders it creates are owned by ``cli:<OS user>``. It may
pause, resume and delete any reminder, like the compliance office: whoever runs it holds the
database credentials anyway. Exit 0 done; 1 not found, refused or the database/knowledge failed;
2 bad usage (channel, schedule, content).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from zoneinfo import ZoneInfo

from ..clock import Clock, SystemClock
from ..config import Settings
from ..knowledge import load_knowledge
from ..platforms import Destination, check_destination
from ..store import Database, safe_url
from .content import check_content, describe_content
from .schedule import ScheduleError, parse_schedule
from .store import Actor, NewReminder, Reminder, ReminderError, ReminderStore

from ..cliutil import EXIT_FAIL, EXIT_OK, EXIT_USAGE, cli_user
from ..cliutil import fail as _fail
CLOCK: Clock = SystemClock()  # tests replace it
_DAYS = ("月 Mon", "火 Tue", "水 Wed", "木 Thu", "金 Fri", "土 Sat", "日 Sun")


def parse_channel(text: str) -> Destination:
    """``slack:CHANNEL_ID`` or ``teams:CONVERSATION_ID``, checked enough to catch a channel name."""
    try:
        return check_destination(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"チャンネルは slack:チャンネルID（例 slack:C0123ABCD）か teams:会話ID で指定してください "
            f"(use slack:CHANNEL_ID such as slack:C0123ABCD, or teams:CONVERSATION_ID; got '{text}')") from None


def local_time(t, tz: str) -> str:
    local = t.astimezone(ZoneInfo(tz))
    return f"{local:%Y-%m-%d} ({_DAYS[local.weekday()]}) {local:%H:%M} {tz}"


# -- commands --------------------------------------------------------------------------------------

def cmd_add(args, settings: Settings) -> int:
    kind, content = _content(args)
    result = load_knowledge(settings.knowledge_dir)
    if result.knowledge is None:
        return _fail("ナレッジを読み込めません。`guidance-bot knowledge check` で確認してください "
                     "(the knowledge could not be loaded; run `guidance-bot knowledge check`)", EXIT_FAIL)
    knowledge = result.knowledge
    reason = check_content(kind, content, knowledge)
    if reason is not None:
        return _fail(f"{reason.ja} ({reason.en})", EXIT_USAGE)
    skip = settings.reminder_skip_holidays if args.skip_holidays is None else args.skip_holidays
    now = CLOCK.now()
    try:
        schedule = parse_schedule(args.schedule, tz=settings.timezone, now=now, skip_holidays=skip)
    except ScheduleError as exc:
        return _fail(str(exc), EXIT_USAGE)
    new = NewReminder(owner=f"cli:{cli_user()}", destination=args.channel, schedule=schedule, content_kind=kind,
                      content=content, language=args.lang)
    reminder = _run(settings, lambda store: store.add(new))
    if reminder is None:
        return EXIT_FAIL
    reminder = reminder[0]
    times = schedule.next_times(now, 3)
    if args.json:
        print(json.dumps({"id": reminder.id, "channel": reminder.destination, "schedule": schedule.spec,
                          "describe": {"ja": schedule.describe("ja"), "en": schedule.describe("en")},
                          "next": [t.astimezone(ZoneInfo(schedule.tz)).isoformat() for t in times]},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"リマインダー #{reminder.id} を登録しました (reminder #{reminder.id} created)")
    print(f"  予定 / schedule: {schedule.describe('ja')} / {schedule.describe('en')}")
    print(f"  送り先 / channel: {reminder.destination}")
    print(f"  内容 / content: {describe_content(kind, content, knowledge, 'ja')} / "
          f"{describe_content(kind, content, knowledge, 'en')}")
    print("  次の予定 / next times:")
    for t in times:
        print(f"    {local_time(t, schedule.tz)}")
    if not times:
        print("    （これ以上の予定はありません / no further times）")
    return EXIT_OK


def cmd_list(args, settings: Settings) -> int:
    found = _run(settings, lambda store: store.list())
    if found is None:
        return EXIT_FAIL
    if args.json:
        print(json.dumps([_as_dict(r) for r in found], ensure_ascii=False, indent=2))
        return EXIT_OK
    for r in found:
        schedule = r.parsed_schedule()
        state = " [一時停止中 / paused]" if r.paused else ""
        nxt = local_time(r.next_due_at, r.timezone) if r.next_due_at else "終了 / finished"
        content = r.content_kind if r.content_kind == "checklist" else f"{r.content_kind}: {_short(r.content)}"
        print(f"#{r.id} {r.destination}{state}")
        print(f"    予定 / schedule: {schedule.describe('ja')} / {schedule.describe('en')}")
        print(f"    内容 / content: {content} ({r.language})")
        print(f"    次回 / next: {nxt}")
        print(f"    作成者 / owner: {r.owner}")
    print(f"({len(found)} 件 / reminders)")
    return EXIT_OK


def cmd_change(args, settings: Settings) -> int:
    actor = Actor.cli(cli_user())
    operations = {"pause": lambda s: s.pause(args.id, actor), "resume": lambda s: s.resume(args.id, actor),
                  "delete": lambda s: s.delete(args.id, actor)}
    words = {"pause": "一時停止しました (paused)", "resume": "再開しました (resumed)", "delete": "削除しました (deleted)"}
    try:
        reminder = _run(settings, operations[args.change])
    except ReminderError as exc:
        return _fail(f"{exc.text.ja} ({exc.text.en})", EXIT_FAIL)
    if reminder is None:
        return EXIT_FAIL
    print(f"リマインダー #{args.id} を{words[args.change]}")
    if args.change == "resume" and reminder.next_due_at:
        print(f"  次回 / next: {local_time(reminder.next_due_at, reminder.timezone)}")
    return EXIT_OK


# -- helpers ---------------------------------------------------------------------------------------

def _content(args) -> tuple[str, str]:
    if args.checklist:
        return "checklist", ""
    if args.entry is not None:
        return "entry", args.entry.strip()
    if args.tag is not None:
        return "tag", args.tag.strip()
    return "text", args.text


def _run(settings: Settings, operation):
    """Run one store operation on its own connection; None (after a message) if the database failed.
    A ReminderError (not found, refused) is the caller's to report."""
    async def go():
        db = Database(settings.database_url)
        try:
            return await operation(ReminderStore(db, CLOCK))
        finally:
            await db.close()

    try:
        return asyncio.run(go())
    except ReminderError:
        raise
    except Exception as exc:
        _fail(f"データベースを使えません (database failed: {safe_url(settings.database_url)}): "
              f"{type(exc).__name__}: {exc}", EXIT_FAIL)
        return None


def _as_dict(r: Reminder) -> dict:
    schedule = r.parsed_schedule()
    return {"id": r.id, "channel": r.destination, "schedule": r.schedule,
            "describe": {"ja": schedule.describe("ja"), "en": schedule.describe("en")},
            "timezone": r.timezone, "skip_holidays": r.skip_holidays, "content_kind": r.content_kind,
            "content": r.content, "language": r.language, "paused": r.paused,
            "next": r.next_due_at.astimezone(ZoneInfo(r.timezone)).isoformat() if r.next_due_at else None,
            "owner": r.owner, "declared": r.source_key.removeprefix("file:") if r.declared and r.source_key else None}


def _short(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= 50 else text[:49] + "…"




def add_parsers(sub) -> None:
    remind = sub.add_parser("remind", help="リマインダーの登録と管理 / manage reminders")
    rsub = remind.add_subparsers(title="remind commands")

    add = rsub.add_parser("add", help="リマインダーを登録 / add a reminder")
    add.add_argument("--channel", required=True, type=parse_channel,
                     help="送り先 / where: slack:CHANNEL_ID | teams:CONVERSATION_ID")
    add.add_argument("--schedule", required=True,
                     help="予定 / when, e.g. 「毎週月曜 9:00」「平日 8:45」 \"every monday 9am\" \"cron: 0 9 * * 1-5\"")
    content = add.add_mutually_exclusive_group(required=True)
    content.add_argument("--text", help="送るテキスト / free text")
    content.add_argument("--entry", help="ナレッジの項目ID / a knowledge entry id")
    content.add_argument("--tag", help="このタグの項目を1回に1件ずつ / rotate through a tag's entries")
    content.add_argument("--checklist", action="store_true", help="セルフチェック / the compliance self-check")
    add.add_argument("--lang", choices=("ja", "en"), default="ja", help="言語 / language (default ja)")
    add.add_argument("--skip-holidays", action=argparse.BooleanOptionalAction, default=None,
                     help="祝日と年末年始は送らない / skip public holidays (default: reminders.skip_holidays)")
    add.add_argument("--json", action="store_true", help="JSON で出力 / print JSON")
    add.set_defaults(run=cmd_add)

    listing = rsub.add_parser("list", help="リマインダーの一覧 / list reminders")
    listing.add_argument("--json", action="store_true", help="JSON で出力 / print JSON")
    listing.set_defaults(run=cmd_list)

    for name, help_text in (("pause", "一時停止 / pause"), ("resume", "再開 / resume"), ("delete", "削除 / delete")):
        change = rsub.add_parser(name, help=help_text)
        change.add_argument("id", type=int, help="リマインダーの番号 / reminder id")
        change.set_defaults(run=cmd_change, change=name)
