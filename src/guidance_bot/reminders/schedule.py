"""When a reminder is due: schedules written in Japanese or English, and their next times.

API::

    parse_schedule(text, *, tz="Asia/Tokyo", now=None, skip_holidays=False) -> Schedule
    Schedule.from_spec(spec, *, tz, skip_holidays) -> Schedule   # restore a stored schedule
    Schedule.next_after(t) -> datetime | None                     # strictly after t, in UTC
    Schedule.next_times(after, n=3) -> list[datetime]
    Schedule.describe(lang) -> str                                # echo for confirmation
    Schedule.spec -> str                                          # canonical text to store
    ScheduleError(ValueError)   # str() is Japanese then English; .text is an i18n.Text
    is_day_off(d) -> bool       # what skip_holidays skips

Accepted forms (full-width digits and 午前/午後, am/pm, 9時半 all work):

    once       "2026-12-01 09:00", "2026/12/1 9:00", "12月1日 9時", "明日 9時", "tomorrow 9am"
    daily      "毎日 17:30", "daily at 9:00", "every day 9am"
    weekdays   "平日 8:45", "weekdays 8:45"
    weekly     "毎週月曜 9:00", "毎週月・水・金 10時", "毎月曜 9時", "every mon,wed,fri 10:00"
    monthly    "毎月1日 9時", "monthly on the 1st 9:00", "毎月末 17:00", "monthly on the last day 5pm"
    cron       "cron: 0 9 * * 1-5", or a bare five-field expression "0 9 * * 1-5"

Rules worth knowing:

- Times are wall-clock times in ``tz`` (Asia/Tokyo unless configured). In zones with daylight
  saving, a time that does not exist on the change day (02:30 in New York in March) fires an hour
  later by the clock, and a repeated time fires once, at its first occurrence. Cron expressions
  follow croniter instead: the skipped time fires at the end of the gap (03:00), and a repeated
  time may fire twice.
- A monthly day the month lacks (31st in April, 29th–31st in February) fires on that month's
  last day.
- A once-time without a year means its next occurrence; a once-time already past is rejected at
  parse time, and ``next_after`` returns None once it has passed.
- ``skip_holidays`` drops occurrences (they are not moved) that fall on a Japanese public holiday
  (``holidays.country_holidays("JP")``, substitute holidays included) or in the city offices'
  year-end closure, 29 December – 3 January. It does not apply to once-schedules: an explicit date
  is what the user asked for.
- ``spec`` holds the rule only; store ``tz`` and ``skip_holidays`` beside it, then
  ``Schedule.from_spec(spec, tz=..., skip_holidays=...)`` gives back an equal Schedule.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from croniter import CroniterError, croniter

from ..i18n import Lang, Text

Kind = Literal["once", "daily", "weekdays", "weekly", "monthly", "cron"]
DEFAULT_TZ = "Asia/Tokyo"
LAST_DAY = -1  # Schedule.month_day for 月末 / the last day of the month

# Enough for the longest run of skipped days (年末年始 plus a holiday, or a yearly cron on 1 Jan
# would otherwise loop for ever).
_MAX_SKIPS = 400

ACCEPTED = Text(
    "使える書き方:「毎日 9:00」「平日 8:45」「毎週月曜 9:00」「毎週月・水・金 10時」「毎月1日 9時」"
    "「毎月末 17:00」「2026-12-01 09:00」「12月1日 9時」「cron: 0 9 * * 1-5」",
    'Accepted forms: "daily at 9:00", "weekdays 8:45", "every monday 9am", '
    '"every mon,wed,fri 10:00", "monthly on the 1st 9:00", "monthly on the last day 5pm", '
    '"2026-12-01 09:00", "cron: 0 9 * * 1-5"',
)
_UNKNOWN = Text("予定の書き方が分かりません:「{text}」", 'Could not understand the schedule: "{text}"')
_NO_TIME = Text(
    "時刻がありません（例: 9:00、9時半、午後3時）。", "No time of day given (e.g. 9:00, 9:30am, 3pm)."
)
_MANY_TIMES = Text("時刻は1つだけ書いてください。", "Give exactly one time of day.")
_BAD_TIME = Text("時刻「{time}」は使えません（0:00〜23:59）。", 'The time "{time}" is not valid (0:00–23:59).')
_BAD_12H = Text(
    "時刻「{time}」は使えません（午前・午後は0〜11時、am・pm は1〜12時）。",
    'The time "{time}" is not valid (午前/午後 take 0–11, am/pm take 1–12).',
)
_BAD_DATE = Text("{date} という日付はありません。", "{date} is not a valid date.")
_WRONG_WEEKDAY = Text("{date} は{weekday}曜日です。", "{date} is a {weekday_en}.")
_PAST = Text(
    "{when}（{tz}）はもう過ぎています。これから先の日時を指定してください。",
    "{when} ({tz}) has already passed. Give a future date and time.",
)
_BAD_MONTH_DAY = Text("毎月の日付は1〜31日で指定してください。", "The day of the month must be 1–31.")
_BAD_CRON = Text(
    "cron 式「{expr}」が正しくありません（5項目: 分 時 日 月 曜日）。",
    'Invalid cron expression "{expr}" (five fields: minute hour day month weekday).',
)
_BAD_TZ = Text("タイムゾーン「{tz}」が見つかりません。", 'Unknown time zone "{tz}".')

_DAYS_JA = "月火水木金土日"
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_NAMES_EN = {
    **{name.lower(): i for i, name in enumerate(_DAYS_EN)},
    **{name[:3].lower(): i for i, name in enumerate(_DAYS_EN)},
    "tues": 1, "weds": 2, "thur": 3, "thurs": 3,
}  # fmt: skip


class ScheduleError(ValueError):
    """A schedule that cannot be used; ``str()`` is Japanese then English, ``text`` both apart."""

    def __init__(self, text: Text) -> None:
        super().__init__(f"{text.ja}\n{text.en}")
        self.text = text


def _error(reason: Text, *, forms: bool = False) -> ScheduleError:
    if forms:
        reason = Text(f"{reason.ja}\n{ACCEPTED.ja}", f"{reason.en}\n{ACCEPTED.en}")
    return ScheduleError(reason)


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _error(_BAD_TZ.format(tz=name)) from None


@cache
def _jp_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("JP")


def is_day_off(d: date) -> bool:
    """A Japanese public holiday or the year-end closure (29 Dec – 3 Jan)."""
    if (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3):
        return True
    return d in _jp_holidays()


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _join_en(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True)
class Schedule:
    """One reminder schedule; which fields matter depends on ``kind``."""

    kind: Kind
    hour: int = 0  # local wall-clock time, unused for cron
    minute: int = 0
    weekdays: tuple[int, ...] = ()  # weekly: 0 = Monday … 6 = Sunday, sorted
    month_day: int = 0  # monthly: 1–31 or LAST_DAY
    on: date | None = None  # once: the local date
    cron: str = ""  # cron: five fields, single-spaced
    tz: str = DEFAULT_TZ
    skip_holidays: bool = False

    def __post_init__(self) -> None:
        _zone(self.tz)  # unknown zones fail here, not at the first reminder
        ok = 0 <= self.hour <= 23 and 0 <= self.minute <= 59
        if self.kind == "once":
            ok = ok and self.on is not None
        elif self.kind == "weekly":
            ok = ok and bool(self.weekdays) and self.weekdays == tuple(sorted(set(self.weekdays)))
            ok = ok and all(0 <= d <= 6 for d in self.weekdays)
        elif self.kind == "monthly":
            ok = ok and (self.month_day == LAST_DAY or 1 <= self.month_day <= 31)
        elif self.kind == "cron":
            ok = _valid_cron(self.cron)
        elif self.kind not in ("daily", "weekdays"):
            ok = False
        if not ok:
            raise ValueError(f"inconsistent Schedule: {self!r}")

    @classmethod
    def from_spec(cls, spec: str, *, tz: str = DEFAULT_TZ, skip_holidays: bool = False) -> Schedule:
        """Restore a stored schedule; unlike ``parse_schedule`` a past once-time is kept."""
        return _parse(spec, tz=tz, now=None, skip_holidays=skip_holidays, allow_past=True)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.tz)

    @property
    def spec(self) -> str:
        """Canonical text for storage; parses back to an equal Schedule (same tz and flag)."""
        hm = f"{self.hour:02d}:{self.minute:02d}"
        match self.kind:
            case "once":
                assert self.on is not None
                return f"{self.on.isoformat()} {hm}"
            case "daily":
                return f"daily {hm}"
            case "weekdays":
                return f"weekdays {hm}"
            case "weekly":
                days = ",".join(_DAYS_EN[d][:3].lower() for d in self.weekdays)
                return f"every {days} {hm}"
            case "monthly":
                day = "last" if self.month_day == LAST_DAY else str(self.month_day)
                return f"monthly {day} {hm}"
            case _:
                return f"cron: {self.cron}"

    def describe(self, lang: Lang) -> str:
        """A natural echo of the schedule, e.g. 毎週 月曜日 9:00（Asia/Tokyo）."""
        hm = f"{self.hour}:{self.minute:02d}"
        match self.kind:
            case "once":
                assert self.on is not None
                d = self.on
                text = Text(
                    f"{d.year}年{d.month}月{d.day}日（{_DAYS_JA[d.weekday()]}） {hm}",
                    f"Once on {_DAYS_EN[d.weekday()][:3]} {d.day} {calendar.month_abbr[d.month]}"
                    f" {d.year} at {hm}",
                )
            case "daily":
                text = Text(f"毎日 {hm}", f"Every day at {hm}")
            case "weekdays":
                text = Text(f"平日（月〜金） {hm}", f"Weekdays (Mon–Fri) at {hm}")
            case "weekly":
                ja = "・".join(_DAYS_JA[d] for d in self.weekdays)
                en = _join_en([_DAYS_EN[d] for d in self.weekdays])
                text = Text(f"毎週 {ja}曜日 {hm}", f"Every {en} at {hm}")
            case "monthly":
                if self.month_day == LAST_DAY:
                    text = Text(f"毎月 末日 {hm}", f"Monthly on the last day at {hm}")
                elif self.month_day > 28:
                    n = self.month_day
                    text = Text(
                        f"毎月{n}日（{n}日がない月は末日） {hm}",
                        f"Monthly on the {_ordinal(n)} (the last day in shorter months) at {hm}",
                    )
                else:
                    n = self.month_day
                    text = Text(f"毎月{n}日 {hm}", f"Monthly on the {_ordinal(n)} at {hm}")
            case _:
                text = Text(f"cron「{self.cron}」", f'cron "{self.cron}"')
        if self.skip_holidays and self.kind != "once":
            text = Text(
                f"{text.ja}、祝日と年末年始（12/29〜1/3）は休み",
                f"{text.en}, except public holidays and 29 Dec – 3 Jan",
            )
        return f"{text.ja}（{self.tz}）" if lang == "ja" else f"{text.en} ({self.tz})"

    def next_after(self, t: datetime) -> datetime | None:
        """The next due time strictly after ``t`` (aware), in UTC as the bot's clock; None if none.

        UTC because two aware datetimes in different zones never compare equal when one of them
        is a repeated wall time (PEP 495); show it with ``.astimezone(schedule.zone)``.
        """
        if t.tzinfo is None:
            raise ValueError("next_after needs an aware datetime")
        after = t.astimezone(UTC)
        for _ in range(_MAX_SKIPS):
            due = self._next_raw(after)
            if due is None or self.kind == "once" or not self.skip_holidays:
                return due
            day = due.astimezone(self.zone).date()
            if not is_day_off(day):
                return due
            # Jump past the whole day off, not one occurrence at a time (cron may fire each minute).
            next_midnight = datetime.combine(day + timedelta(days=1), time(), self.zone)
            after = next_midnight.astimezone(UTC) - timedelta(microseconds=1)
        return None

    def next_times(self, after: datetime, n: int = 3) -> list[datetime]:
        """Up to ``n`` due times after ``after``, earliest first."""
        times: list[datetime] = []
        t: datetime | None = after
        while len(times) < n and t is not None:
            t = self.next_after(t)
            if t is not None:
                times.append(t)
        return times

    def _next_raw(self, after: datetime) -> datetime | None:
        """Next occurrence strictly after ``after`` (UTC), holidays not skipped.

        Compared in UTC throughout: within one zone Python compares wall times and ignores
        whether 1:30 is the first or the second 1:30 of a DST change.
        """
        if self.kind == "cron":
            try:
                it = croniter(self.cron, after.astimezone(self.zone))
                for _ in range(3):  # croniter may repeat a time inside a DST fold
                    due = it.get_next(datetime).astimezone(UTC)
                    if due > after:
                        return due
            except CroniterError:  # no match within croniter's search range
                pass
            return None
        if self.kind == "once":
            assert self.on is not None
            due = self._at(self.on)
            return due if due > after else None
        # From yesterday: a DST change can move a local date's time across UTC midnight.
        d = after.astimezone(self.zone).date() - timedelta(days=1)
        for _ in range(64):  # every kind matches at least once in any 32 days
            if self._matches(d) and (due := self._at(d)) > after:
                return due
            d += timedelta(days=1)
        raise AssertionError(f"no occurrence found for {self.spec}")  # pragma: no cover

    def _at(self, d: date) -> datetime:
        # fold=0: a repeated wall time means its first occurrence; a missing one lands an hour on.
        return datetime.combine(d, time(self.hour, self.minute), self.zone).astimezone(UTC)

    def _matches(self, d: date) -> bool:
        match self.kind:
            case "daily":
                return True
            case "weekdays":
                return d.weekday() < 5
            case "weekly":
                return d.weekday() in self.weekdays
            case "monthly":
                last = calendar.monthrange(d.year, d.month)[1]
                wanted = last if self.month_day == LAST_DAY else min(self.month_day, last)
                return d.day == wanted
        return False


def parse_schedule(
    text: str,
    *,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
    skip_holidays: bool = False,
) -> Schedule:
    """Read a schedule written by a user; raise ScheduleError saying what is accepted.

    ``now`` (aware; default the current time) decides the year of a once-date given without one
    and whether a once-time has passed.
    """
    return _parse(text, tz=tz, now=now, skip_holidays=skip_holidays, allow_past=False)


# --- parsing ---------------------------------------------------------------------------------

_CRON_FIELD = re.compile(r"[0-9a-z*/,\-?]+")
_CRON_PREFIX = re.compile(r"cron\s*:?\s*(.*)", re.S)
_AMPM = r"a\.m\.|p\.m\.|am|pm"
_TIME = re.compile(
    rf"(?P<ja>午前|午後)?\s*(?<![\d/.:\-])(?P<h>\d{{1,2}})"
    rf"(?:"
    rf":(?P<m>\d{{2}})(?!\d)(?:\s*(?P<en>{_AMPM})(?![a-z]))?"
    rf"|時(?:(?P<half>半)|(?P<m2>\d{{1,2}})分)?"
    rf"|(?!\d)\s*(?P<en2>{_AMPM})(?![a-z])"
    rf")"
)
# Words around the time that carry no meaning: "daily at 9:00", "毎週月曜の9時に".
_FILLER_BEFORE = re.compile(r"(?:\s|,|、|の|に|\bat|@)+$")
_FILLER_AFTER = re.compile(r"^(?:\s|,|、|に|で|から|。)+|(?:\s|,|、|に|で|。)+$")

_JA_DAY_LIST = re.compile(r"(?:[月火水木金土日](?:曜日?)?[・、,/と]?)+")
_JA_DAY_ITEM = re.compile(r"([月火水木金土日])(曜日?)?")
_ISO_DATE = re.compile(
    r"(?:on\s*)?(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})(?:\((?P<w>[月火水木金土日])\))?"
)
_JA_DATE = re.compile(
    r"(?:(?P<y>\d{4})年)?(?P<mo>\d{1,2})月(?P<d>\d{1,2})日"
    r"(?:\((?P<w>[月火水木金土日])\)|(?P<w2>[月火水木金土日])曜日?)?"
)
_JA_MONTHLY = re.compile(r"毎月の?(?P<d>\d{1,2})日")
_JA_MONTH_END = re.compile(r"(?:毎月の?)?(?:末日?|月末日?|最終日)")
_JA_WEEKDAYS = re.compile(r"(?:毎週|毎)?平日(?:毎日|のみ)?")


def _valid_cron(expr: str) -> bool:
    fields = expr.split()
    return (
        len(fields) == 5
        and " ".join(fields) == expr
        and all(_CRON_FIELD.fullmatch(f) for f in fields)
        and croniter.is_valid(expr)
        and _fires(expr)
    )


def _fires(expr: str) -> bool:
    """False for expressions croniter accepts but that never match, such as 30 February."""
    try:
        croniter(expr, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
    except CroniterError:
        return False
    return True


def _normalize(text: str) -> str:
    # NFKC turns ９：００ into 9:00 and （火） into (火).
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


def _parse(
    raw: str, *, tz: str, now: datetime | None, skip_holidays: bool, allow_past: bool
) -> Schedule:
    zone = _zone(tz)
    text = _normalize(raw)
    base = {"tz": tz, "skip_holidays": skip_holidays}

    prefixed = _CRON_PREFIX.fullmatch(text)
    if prefixed:
        expr = " ".join(prefixed.group(1).split())
        if not _valid_cron(expr):
            raise _error(_BAD_CRON.format(expr=expr))
        return Schedule("cron", cron=expr, **base)
    if _valid_cron(text):
        return Schedule("cron", cron=text, **base)

    hour, minute, day_part = _split_time(text, raw)

    if day_part in ("today", "tomorrow", "今日", "本日", "明日"):
        today = (now or datetime.now(zone)).astimezone(zone).date()
        on = today + timedelta(days=day_part in ("tomorrow", "明日"))
        return _once(on, hour, minute, base, now, allow_past)
    if m := _ISO_DATE.fullmatch(day_part) or _JA_DATE.fullmatch(day_part.replace(" ", "")):
        weekday = m.group("w") or m.groupdict().get("w2")
        year = int(m.group("y")) if m.group("y") else None
        on = _date(year, int(m.group("mo")), int(m.group("d")), hour, minute, zone, now)
        if weekday and _DAYS_JA.index(weekday) != on.weekday():
            raise _error(
                _WRONG_WEEKDAY.format(
                    date=on.isoformat(),
                    weekday=_DAYS_JA[on.weekday()],
                    weekday_en=_DAYS_EN[on.weekday()],
                )
            )
        return _once(on, hour, minute, base, now, allow_past)

    rule = _rule_ja(day_part.replace(" ", "")) or _rule_en(day_part)
    if rule is None:
        raise _error(_UNKNOWN.format(text=raw.strip()), forms=True)
    return Schedule(rule[0], hour=hour, minute=minute, **rule[1], **base)


def _split_time(text: str, raw: str) -> tuple[int, int, str]:
    """The one time of day in ``text``, and the rest with filler words removed."""
    found = list(_TIME.finditer(text))
    if not found:
        if _rule_ja(text.replace(" ", "")) or _rule_en(text) or _ISO_DATE.fullmatch(text):
            raise _error(_NO_TIME, forms=True)
        raise _error(_UNKNOWN.format(text=raw.strip()), forms=True)
    if len(found) > 1:
        raise _error(_MANY_TIMES, forms=True)
    m = found[0]
    hour = int(m["h"])
    minute = 30 if m["half"] else int(m["m"] or m["m2"] or 0)
    twelve = m["ja"] or m["en"] or m["en2"]
    if twelve:
        pm = twelve in ("午後", "pm", "p.m.")
        if twelve in ("午前", "午後"):
            valid = 0 <= hour <= 11
        else:
            valid = 1 <= hour <= 12
            hour %= 12
        if not valid:
            raise _error(_BAD_12H.format(time=m.group(0).strip()))
        hour += 12 if pm else 0
    if hour > 23 or minute > 59:
        raise _error(_BAD_TIME.format(time=m.group(0).strip()))
    before = _FILLER_BEFORE.sub("", text[: m.start()])
    after = _FILLER_AFTER.sub("", text[m.end() :])
    return hour, minute, f"{before} {after}".strip()


def _date(
    year: int | None,
    month: int,
    day: int,
    hour: int,
    minute: int,
    zone: ZoneInfo,
    now: datetime | None,
) -> date:
    """The date asked for; without a year, its next occurrence after ``now``."""
    shown = f"{year}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"
    if year is None:
        current = (now or datetime.now(zone)).astimezone(zone)
        for y in range(current.year, current.year + 9):  # 29 Feb may be up to 8 years away
            try:
                on = date(y, month, day)
            except ValueError:
                continue
            if datetime.combine(on, time(hour, minute), zone) > current:
                return on
        raise _error(_BAD_DATE.format(date=shown))
    try:
        return date(year, month, day)
    except ValueError:
        raise _error(_BAD_DATE.format(date=shown)) from None


def _once(
    on: date, hour: int, minute: int, base: dict, now: datetime | None, allow_past: bool
) -> Schedule:
    schedule = Schedule("once", hour=hour, minute=minute, on=on, **base)
    current = now or datetime.now(UTC)
    if not allow_past and schedule.next_after(current) is None:
        when = f"{on.isoformat()} {hour}:{minute:02d}"
        raise _error(_PAST.format(when=when, tz=schedule.tz))
    return schedule


def _rule_ja(part: str) -> tuple[Kind, dict] | None:
    """Japanese day rules; ``part`` has no spaces."""
    if part == "毎日":
        return "daily", {}
    if _JA_WEEKDAYS.fullmatch(part):
        return "weekdays", {}
    if m := _JA_MONTHLY.fullmatch(part):
        return "monthly", {"month_day": _month_day(int(m["d"]))}
    if _JA_MONTH_END.fullmatch(part):
        return "monthly", {"month_day": LAST_DAY}
    if part.startswith("毎"):
        # 毎週月・水・金 may drop 曜; 毎月曜 needs it, or 毎月 would read as "every Monday".
        weekly = part.startswith("毎週")
        days = part[2:] if weekly else part[1:]
        if _JA_DAY_LIST.fullmatch(days):
            items = _JA_DAY_ITEM.findall(days)
            if weekly or all(suffix for _, suffix in items):
                return "weekly", {"weekdays": tuple(sorted({_DAYS_JA.index(d) for d, _ in items}))}
    return None


def _rule_en(part: str) -> tuple[Kind, dict] | None:
    """English day rules, read as a bag of words so word order and small words do not matter."""
    words = re.findall(r"[a-z]+|\d+(?:st|nd|rd|th)?|[^\sa-z0-9,/&]+", part)
    if not words:
        return None
    bag = set(words)
    if bag <= {"daily", "every", "each", "day", "everyday", "on", "at"} and (
        bag & {"daily", "everyday"} or (bag & {"every", "each"} and "day" in bag)
    ):
        return "daily", {}
    weekday_words = {"weekdays", "weekday"}
    if bag <= weekday_words | {"every", "each", "on", "at"} and bag & weekday_words:
        return "weekdays", {}
    if bag & {"month", "monthly", "months"}:
        rest = [w for w in words if w not in _MONTH_FILLER]
        if rest in (["last"], ["end"], ["last", "end"]):
            return "monthly", {"month_day": LAST_DAY}
        if len(rest) == 1 and (num := re.fullmatch(r"(\d+)(?:st|nd|rd|th)?", rest[0])):
            return "monthly", {"month_day": _month_day(int(num[1]))}
        return None
    days = [_day_en(w) for w in words if w not in {"every", "each", "weekly", "on", "and", "at"}]
    plural = all(w.endswith("s") for w in words if _day_en(w) is not None)
    if days and None not in days and (bag & {"every", "each", "weekly"} or plural):
        return "weekly", {"weekdays": tuple(sorted(set(d for d in days if d is not None)))}
    return None


_MONTH_FILLER = {"monthly", "month", "months", "every", "each", "on", "the", "of", "day", "at", "a"}


def _day_en(word: str) -> int | None:
    day = _DAY_NAMES_EN.get(word)
    if day is None and word.endswith("s"):
        day = _DAY_NAMES_EN.get(word[:-1])
    return day


def _month_day(n: int) -> int:
    if not 1 <= n <= 31:
        raise _error(_BAD_MONTH_DAY)
    return n
