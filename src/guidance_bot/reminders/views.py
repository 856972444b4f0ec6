"""How reminders are shown: times in the configured zone, confirmations, list lines."""

from __future__ import annotations

import calendar
from datetime import datetime
from zoneinfo import ZoneInfo

from ..i18n import Lang
from ..knowledge import KnowledgeBase
from . import messages as m
from .content import describe_content
from .schedule import Schedule
from .store import FILE_OWNER_PREFIX, Reminder

_DAYS_JA = "月火水木金土日"


def format_time(t: datetime, tz: str, lang: Lang) -> str:
    local = t.astimezone(ZoneInfo(tz))
    if lang == "ja":
        return f"{local.year}年{local.month}月{local.day}日（{_DAYS_JA[local.weekday()]}）{local.hour}:{local.minute:02d}"
    return (f"{calendar.day_abbr[local.weekday()]} {local.day} {calendar.month_abbr[local.month]} {local.year} "
            f"{local.hour}:{local.minute:02d}")


def next_times_lines(schedule: Schedule, after: datetime, lang: Lang, n: int = 3) -> list[str]:
    times = schedule.next_times(after, n)
    if not times:
        return [m.NEXT_TIMES.get(lang), f"  {m.NO_NEXT.get(lang)}"]
    return [m.NEXT_TIMES.get(lang)] + [f"  • {format_time(t, schedule.tz, lang)}" for t in times]


def confirmation(reminder: Reminder, knowledge: KnowledgeBase, now: datetime, lang: Lang) -> tuple[str, str]:
    """(title, body) echoing what was understood: the schedule in words and the next three times."""
    schedule = reminder.parsed_schedule()
    lines = [
        m.SCHEDULE_LINE.format(schedule=schedule.describe(lang)).get(lang),
        m.CHANNEL_LINE.format(channel=reminder.destination).get(lang),
        m.CONTENT_LINE.format(content=describe_content(reminder.content_kind, reminder.content, knowledge,
                                                       lang)).get(lang),
        "",
        *next_times_lines(schedule, now, lang),
    ]
    return m.CREATED_TITLE.format(id=reminder.id).get(lang), "\n".join(lines)


def list_line(reminder: Reminder, knowledge: KnowledgeBase, lang: Lang) -> str:
    schedule = reminder.parsed_schedule()
    if reminder.paused:
        state = m.PAUSED.get(lang)
    elif reminder.next_due_at is None:
        state = m.FINISHED.get(lang)
    else:
        state = m.NEXT.format(when=format_time(reminder.next_due_at, reminder.timezone, lang)).get(lang)
    content = describe_content(reminder.content_kind, reminder.content, knowledge, lang)
    source = reminder.owner.removeprefix(FILE_OWNER_PREFIX)
    declared = f" [{m.DECLARED.get(lang)}: {source}]" if reminder.declared else ""
    return f"#{reminder.id} {reminder.destination} — {schedule.describe(lang)} — {content} — {state}{declared}"
