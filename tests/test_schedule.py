"""Reminder schedules: what a manager types, what the bot echoes, and when the reminder fires."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from guidance_bot.reminders import Schedule, ScheduleError, parse_schedule

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
# Monday 1 June 2026, noon in Tokyo.
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=TOKYO)


def parse(text: str, **kwargs) -> Schedule:
    return parse_schedule(text, now=NOW, **kwargs)


def tokyo(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


PHRASES = [
    # Japanese
    ("毎日 17:30", "daily 17:30"),
    ("平日 8:45", "weekdays 08:45"),
    ("毎週月曜 9:00", "every mon 09:00"),
    ("毎月曜日の午前9時に", "every mon 09:00"),
    ("毎週月・水・金 10時", "every mon,wed,fri 10:00"),
    ("毎週土日 10時", "every sat,sun 10:00"),
    ("毎月1日 9時", "monthly 1 09:00"),
    ("毎月末 17:00", "monthly last 17:00"),
    ("毎月の末日 17時", "monthly last 17:00"),
    ("12月1日 9時", "2026-12-01 09:00"),
    ("2026年12月1日(火) 9時", "2026-12-01 09:00"),
    ("明日 9時", "2026-06-02 09:00"),
    # English
    ("daily at 9:00", "daily 09:00"),
    ("every day 9am", "daily 09:00"),
    ("weekdays 8:45", "weekdays 08:45"),
    ("every monday 9am", "every mon 09:00"),
    ("on mondays at 9:30 am", "every mon 09:30"),
    ("every mon,wed,fri 10:00", "every mon,wed,fri 10:00"),
    ("monthly on the 1st 9:00", "monthly 1 09:00"),
    ("every month on the 15th at 9:00", "monthly 15 09:00"),
    ("monthly on the last day 5pm", "monthly last 17:00"),
    ("monthly on the 31st 9:00", "monthly 31 09:00"),
    ("2026-12-01 09:00", "2026-12-01 09:00"),
    ("2026/12/1 9:00", "2026-12-01 09:00"),
    ("tomorrow 9am", "2026-06-02 09:00"),
    # cron
    ("cron: 0 9 * * 1-5", "cron: 0 9 * * 1-5"),
    ("0 9 * * 1-5", "cron: 0 9 * * 1-5"),
    ("CRON  0 9 * * MON-FRI", "cron: 0 9 * * mon-fri"),
]


@pytest.mark.parametrize(("text", "spec"), PHRASES)
def test_phrases_in_japanese_and_english(text, spec):
    assert parse(text).spec == spec


@pytest.mark.parametrize(("text", "spec"), PHRASES)
def test_spec_round_trips(text, spec):
    schedule = parse(text, tz="America/New_York", skip_holidays=True)
    restored = Schedule.from_spec(schedule.spec, tz="America/New_York", skip_holidays=True)
    assert restored == schedule
    assert parse(schedule.spec, tz="America/New_York", skip_holidays=True) == schedule


@pytest.mark.parametrize(
    ("text", "hour", "minute"),
    [
        ("毎日 午後3時", 15, 0),
        ("毎日 9時半", 9, 30),
        ("毎日 9時5分", 9, 5),
        ("毎日 ９：００", 9, 0),
        ("毎日 午前0時", 0, 0),
        ("毎日 午後0時", 12, 0),
        ("daily 12am", 0, 0),
        ("daily 12pm", 12, 0),
        ("daily 5:15 p.m.", 17, 15),
        ("daily 21:05", 21, 5),
    ],
)
def test_time_of_day_forms(text, hour, minute):
    schedule = parse(text)
    assert (schedule.hour, schedule.minute) == (hour, minute)


def test_describe_echoes_the_schedule_in_either_language():
    monday = parse("毎週月曜 9:00")
    assert monday.describe("ja") == "毎週 月曜日 9:00（Asia/Tokyo）"
    assert monday.describe("en") == "Every Monday at 9:00 (Asia/Tokyo)"
    assert parse("every mon,wed,fri 10:00").describe("en") == (
        "Every Monday, Wednesday and Friday at 10:00 (Asia/Tokyo)"
    )
    assert parse("12月1日 9時").describe("ja") == "2026年12月1日（火） 9:00（Asia/Tokyo）"
    short_months = parse("monthly on the 31st 9:00")
    assert "31日がない月は末日" in short_months.describe("ja")
    assert "the last day in shorter months" in short_months.describe("en")
    holidays_off = parse("平日 8:45", skip_holidays=True, tz="UTC")
    assert holidays_off.describe("ja") == "平日（月〜金） 8:45、祝日と年末年始（12/29〜1/3）は休み（UTC）"
    assert holidays_off.describe("en").endswith("except public holidays and 29 Dec – 3 Jan (UTC)")


def test_same_phrase_is_a_different_instant_in_tokyo_and_utc():
    after = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert parse("毎日 9:00").next_after(after) == datetime(2026, 6, 2, 0, 0, tzinfo=UTC)
    assert parse("毎日 9:00", tz="UTC").next_after(after) == datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    assert parse("毎日 9:00").next_after(after).tzinfo == UTC  # like the bot's clock


def test_next_after_is_strictly_after():
    daily = parse("毎日 9:00")
    assert daily.next_after(tokyo(2026, 6, 2, 9, 0)) == tokyo(2026, 6, 3, 9, 0)
    assert daily.next_after(tokyo(2026, 6, 2, 8, 59, 59)) == tokyo(2026, 6, 2, 9, 0)
    with pytest.raises(ValueError):
        daily.next_after(datetime(2026, 6, 2, 9, 0))


def test_weekly_weekdays_and_cron_times():
    assert parse("毎週月・水・金 10時").next_times(NOW, 4) == [
        tokyo(2026, 6, 3, 10), tokyo(2026, 6, 5, 10), tokyo(2026, 6, 8, 10), tokyo(2026, 6, 10, 10)
    ]
    friday_evening = tokyo(2026, 6, 5, 18)
    assert parse("平日 8:45").next_after(friday_evening) == tokyo(2026, 6, 8, 8, 45)
    assert parse("cron: 30 8 * * 1-5").next_times(friday_evening, 2) == [
        tokyo(2026, 6, 8, 8, 30), tokyo(2026, 6, 9, 8, 30)
    ]


def test_31st_falls_back_to_the_last_day_of_shorter_months():
    times = parse("monthly on the 31st 9:00").next_times(tokyo(2026, 1, 1), 4)
    assert [t.date().isoformat() for t in times] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"
    ]


def test_month_end_and_leap_years():
    month_end = parse("毎月末 17:00")
    assert month_end.next_after(tokyo(2028, 2, 1)) == tokyo(2028, 2, 29, 17)
    assert month_end.next_after(tokyo(2027, 2, 1)) == tokyo(2027, 2, 28, 17)
    assert month_end.next_after(tokyo(2026, 4, 30, 17)) == tokyo(2026, 5, 31, 17)
    the_29th = parse("毎月29日 9時")
    assert the_29th.next_after(tokyo(2027, 2, 1)) == tokyo(2027, 2, 28, 9)
    assert the_29th.next_after(tokyo(2028, 2, 1)) == tokyo(2028, 2, 29, 9)
    # A once-date on 29 February without a year waits for the next leap year.
    assert parse("2月29日 9時").next_after(NOW) == tokyo(2028, 2, 29, 9)


def test_once_without_year_means_the_next_occurrence():
    assert parse("6月1日 13時").spec == "2026-06-01 13:00"  # later today
    assert parse("6月1日 11時").spec == "2027-06-01 11:00"  # already past this year


def test_once_in_the_past_is_refused_with_a_reason():
    with pytest.raises(ScheduleError) as caught:
        parse("2026-05-31 9:00")
    assert "もう過ぎています" in caught.value.text.ja
    assert "has already passed" in caught.value.text.en


def test_once_fires_once_then_never_and_a_stored_past_once_still_loads():
    once = parse("2026-12-01 09:00")
    assert once.next_times(NOW, 3) == [tokyo(2026, 12, 1, 9)]
    assert once.next_after(tokyo(2026, 12, 1, 9)) is None
    stored = Schedule.from_spec("2026-01-01 09:00", tz="Asia/Tokyo")
    assert stored.next_after(NOW) is None


def test_holiday_is_skipped_only_when_asked():
    before = tokyo(2027, 1, 5)
    assert parse("every monday 9am").next_after(before) == tokyo(2027, 1, 11, 9)  # 成人の日
    skipping = parse("every monday 9am", skip_holidays=True)
    assert skipping.next_after(before) == tokyo(2027, 1, 18, 9)
    # 振替休日 Wednesday 6 May 2026 is skipped as well.
    assert parse("毎週水曜 9時", skip_holidays=True).next_after(NOW.replace(month=5)) == tokyo(
        2026, 5, 13, 9
    )


def test_year_end_closure_is_skipped_with_holidays():
    daily = parse("毎日 9:00", skip_holidays=True)
    assert daily.next_times(tokyo(2026, 12, 27, 12), 2) == [
        tokyo(2026, 12, 28, 9), tokyo(2027, 1, 4, 9)
    ]
    every_minute = parse("cron: * * * * *", skip_holidays=True)
    assert every_minute.next_after(tokyo(2026, 12, 28, 23, 59)) == tokyo(2027, 1, 4, 0, 0)


def test_skip_holidays_never_moves_an_explicit_date():
    once = parse("2027-01-11 9:00", skip_holidays=True)
    assert once.next_after(NOW) == tokyo(2027, 1, 11, 9)


def test_daylight_saving_keeps_the_wall_clock_time():
    daily = parse("daily 9:00", tz="America/New_York")
    times = daily.next_times(datetime(2026, 3, 7, 12, tzinfo=NEW_YORK), 2)
    assert [t.astimezone(UTC).hour for t in times] == [13, 13]  # 9:00 EDT on 8 and 9 March
    assert daily.next_after(datetime(2026, 3, 6, 12, tzinfo=NEW_YORK)).astimezone(UTC).hour == 14
    # 2:30 does not exist on 8 March: it fires at 3:30 by the clock, once.
    gap = parse("daily 2:30", tz="America/New_York")
    midnight = datetime(2026, 3, 8, tzinfo=NEW_YORK)
    assert gap.next_after(midnight) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    # 1:30 happens twice on 1 November: it fires at the first, then the next day.
    repeated = parse("daily 1:30", tz="America/New_York")
    times = repeated.next_times(datetime(2026, 11, 1, tzinfo=NEW_YORK), 2)
    assert times == [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
    ]
    # Asked during the second 1:10 (EST), the first 1:30 (EDT) is already past.
    second_pass = datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=NEW_YORK)
    assert repeated.next_after(second_pass) == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["garbage", "毎月 9時", "every 9:00", "monday 9am", "", "毎週 9時"])
def test_unreadable_input_names_the_accepted_forms(text):
    with pytest.raises(ScheduleError) as caught:
        parse(text)
    message = str(caught.value)
    assert "使える書き方" in message and "毎週月曜 9:00" in message
    assert "Accepted forms" in message and "every monday 9am" in message


@pytest.mark.parametrize(
    ("text", "ja", "en"),
    [
        ("every monday", "時刻がありません", "No time of day"),
        ("毎日 9時 17時", "時刻は1つだけ", "exactly one time"),
        ("毎日 25:00", "25:00", "not valid"),
        ("daily 13pm", "13pm", "am/pm take 1–12"),
        ("毎月32日 9時", "1〜31日", "1–31"),
        ("2027-02-29 9:00", "2027-02-29", "not a valid date"),
        ("12月1日(月) 9時", "火曜日", "Tuesday"),
        ("cron: 0 9 * *", "cron 式", "five fields"),
        ("cron: 0 0 9 * * *", "cron 式", "five fields"),  # seconds field not accepted
        ("cron: 0 0 30 2 *", "cron 式", "Invalid cron"),  # 30 February never comes
    ],
)
def test_specific_mistakes_are_explained(text, ja, en):
    with pytest.raises(ScheduleError) as caught:
        parse(text)
    assert ja in caught.value.text.ja and en in caught.value.text.en


def test_unknown_time_zone_is_a_schedule_error():
    with pytest.raises(ScheduleError, match="Mars/Olympus"):
        parse("毎日 9:00", tz="Mars/Olympus")
