"""Manager reminders and the compliance self-check.

``install(runtime)`` registers the chat commands, buttons and forms (see ``chat``) and the
background loop that syncs the declared reminders file and dispatches due reminders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .schedule import DEFAULT_TZ, LAST_DAY, Schedule, ScheduleError, is_day_off, parse_schedule

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["DEFAULT_TZ", "LAST_DAY", "Reminders", "Schedule", "ScheduleError", "install", "is_day_off",
           "parse_schedule"]


class Reminders:
    """What ``install`` wired, for adapters and tests: ``store``, ``dispatcher``, ``chat``, ``declared``."""

    def __init__(self, runtime: Runtime) -> None:
        from .chat import ReminderChat
        from .declared import DeclaredReminders
        from .dispatcher import Dispatcher
        from .store import ReminderStore

        settings = runtime.settings
        self.store = ReminderStore(runtime.db, runtime.clock)
        self.dispatcher = Dispatcher(runtime.db, runtime.clock, runtime.answerer, runtime.metrics, settings,
                                     on_queued=runtime.outbox.wakeup.set)
        self.declared = (DeclaredReminders(settings.reminders_file, runtime.db, runtime.clock, runtime.answerer,
                                           settings, runtime.metrics, on_queued=runtime.outbox.wakeup.set)
                         if settings.reminders_file is not None else None)
        self.chat = ReminderChat(self.store, runtime.db, runtime.clock, runtime.answerer, settings, settings.roles)

    async def _before_pass(self) -> None:
        if self.declared is not None:
            await self.declared.sync_if_changed()

    async def run(self) -> None:
        await self.dispatcher.run(self._before_pass)


def install(runtime: Runtime) -> Reminders:
    reminders = Reminders(runtime)
    reminders.chat.register(runtime.bot)
    runtime.add_background(reminders.run)
    return reminders
