"""Manager reminders."""

from .schedule import DEFAULT_TZ, LAST_DAY, Schedule, ScheduleError, is_day_off, parse_schedule

__all__ = ["DEFAULT_TZ", "LAST_DAY", "Schedule", "ScheduleError", "is_day_off", "parse_schedule"]
