"""Turns due reminders into outbox messages, exactly once per reminder and due time.

Each pass selects reminders whose ``next_due_at`` has come and claims each one in its own
transaction. The claim is the insert of ``(reminder_id, due_at)`` into ``reminder_deliveries``,
which is unique: of two replicas (or a replica and its restarted self) only the one whose insert
lands goes on; the other's insert does nothing (PostgreSQL makes it wait for the winner's commit;
SQLite lets one writer at a time). In the same transaction the winner queues the outbox message
(its dedupe key ``reminder:ID:DUE``) and moves ``next_due_at`` on, so a crash before the commit
loses nothing and a crash after it sends nothing twice: the outbox retries until delivered.

Catch-up: after downtime the latest due time that is no more than ``reminder_catch_up_minutes``
old is sent late, once; older due times are recorded as skipped and logged. ``next_due_at`` always
ends up after now, so a long downtime yields at most one late message per reminder.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, select, update

from ..answering import Answerer
from ..clock import Clock
from ..config import Settings
from ..metrics import Metrics
from ..outbox import FailureNotice, enqueue
from ..platforms import PLATFORMS, user_destination
from ..replies import Reply
from . import messages as m
from ..store import Database
from ..waiting import wait_for_event
from ..store.tables import reminder_deliveries, reminders
from ..store.upsert import insert_if_absent
from .content import reminder_reply
from .schedule import Schedule
from .store import Reminder

log = logging.getLogger(__name__)

OUTBOX_KIND = "reminder"


def dedupe_key(reminder_id: int, due_at: datetime) -> str:
    return f"reminder:{reminder_id}:{due_at.isoformat()}"


class _Lost(Exception):
    """The reminder changed under us (another replica, a pause): roll back and look again."""


def plan(schedule: Schedule, due: datetime, now: datetime,
         window: timedelta) -> tuple[datetime | None, datetime | None]:
    """(the due time to send now or None, the next due time after now or None).

    The one to send is the latest due time in [now - window, now]; ``due`` itself when on time.
    """
    floor = now - window
    t = due if due >= floor else schedule.next_after(floor - timedelta(microseconds=1))
    send = None
    while t is not None and t <= now:
        send, t = t, schedule.next_after(t)
    return send, t


class Dispatcher:
    def __init__(self, db: Database, clock: Clock, answerer: Answerer, metrics: Metrics, settings: Settings,
                 *, poll_seconds: float = 10.0, batch: int = 50,
                 on_queued: Callable[[], None] | None = None) -> None:
        self._db = db
        self._clock = clock
        self._answerer = answerer
        self._metrics = metrics
        self._window = timedelta(minutes=settings.reminder_catch_up_minutes)
        self._poll = poll_seconds
        self._batch = batch
        self._on_queued = on_queued
        self.wakeup = asyncio.Event()

    async def run(self, before_each: Callable[[], object] | None = None) -> None:
        """The background loop; ``before_each`` (e.g. the settings-file sync) runs before each pass."""
        while True:
            if before_each is not None:
                try:
                    result = before_each()
                    if asyncio.iscoroutine(result):
                        await result
                except asyncio.CancelledError:
                    raise
                except Exception:  # a failed sync must not stop deliveries
                    self._metrics.errors.labels("reminders").inc()
                    log.exception("reminder preparation failed")
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                self._metrics.errors.labels("reminders").inc()
                log.exception("reminder pass failed")
            await wait_for_event(self.wakeup, self._poll)

    async def run_once(self) -> int:
        """One pass over the due reminders; the number of messages this process queued."""
        now = self._clock.now()
        query = (select(reminders).where(reminders.c.paused.is_(False), reminders.c.next_due_at.is_not(None),
                                         reminders.c.next_due_at <= now)
                 .order_by(reminders.c.next_due_at, reminders.c.id).limit(self._batch))
        async with self._db.connect() as conn:
            due = [Reminder.from_row(r) for r in await conn.execute(query)]
        queued = 0
        for reminder in due:
            try:
                queued += await self._dispatch(reminder, now)
            except _Lost:
                continue
            except Exception:
                self._metrics.errors.labels("reminders").inc()
                log.exception("reminder dispatch failed", extra={"reminder_id": reminder.id})
        if queued and self._on_queued is not None:
            self._on_queued()
        return queued

    async def _dispatch(self, seen: Reminder, now: datetime) -> int:
        due = seen.next_due_at
        assert due is not None
        report: list[tuple[str, str, dict]] = []  # (metric result, log message, fields): after the commit
        async with self._db.begin() as conn:
            # The claim first: a write, so SQLite takes its write lock here and later reads are current.
            if not await insert_if_absent(conn, reminder_deliveries, {
                    "reminder_id": seen.id, "due_at": due, "status": "claimed", "at": now}):
                return 0
            # FOR NO KEY UPDATE: waits for a concurrent pause, compatible with the delivery row's FK lock.
            current = select(reminders).where(reminders.c.id == seen.id).with_for_update(key_share=True)
            row = (await conn.execute(current)).one_or_none()
            if row is None or row.paused or row.next_due_at != due:
                raise _Lost()
            reminder = Reminder.from_row(row)
            send, next_due = plan(reminder.parsed_schedule(), due, now, self._window)
            if send != due:
                # Missed during downtime: too late to send, or a later missed time is sent instead.
                await self._record(conn, reminder.id, due, "skipped")
                report.append(("skipped", "reminder due time skipped", {
                    "due_at": due.isoformat(), "reason": "superseded" if send is not None else "too_late",
                    "late_s": int((now - due).total_seconds()),
                    "catch_up_minutes": int(self._window.total_seconds() // 60)}))
            queued = 0
            if send is not None:
                reply = reminder_reply(reminder.content_kind, reminder.content, reminder.rotation,
                                       reminder.language, self._answerer)  # type: ignore[arg-type]
                status = "queued" if reply is not None else "skipped"
                await self._record(conn, reminder.id, send, status, insert=send != due)
                if reply is not None:
                    await enqueue(conn, self._clock, kind=OUTBOX_KIND, destination=reminder.destination,
                                  reply=reply, dedupe_key=dedupe_key(reminder.id, send),
                                  on_failure=failure_notice(reminder))
                    queued = 1
                    report.append(("queued", "reminder queued", {
                        "due_at": send.isoformat(), "late_s": int((now - send).total_seconds())}))
                else:
                    report.append(("skipped", "reminder content is no longer in the knowledge; not sent",
                                   {"due_at": send.isoformat(), "content_kind": reminder.content_kind}))
            rotation = reminder.rotation + queued if reminder.content_kind == "tag" else reminder.rotation
            result = await conn.execute(update(reminders).where(and_(reminders.c.id == reminder.id,
                                                                     reminders.c.next_due_at == due))
                                        .values(next_due_at=next_due, rotation=rotation))
            if result.rowcount != 1:
                raise _Lost()
        for outcome, message, fields in report:
            self._metrics.reminder_deliveries.labels(outcome).inc()
            level = logging.INFO if outcome == "queued" else logging.WARNING
            if "content_kind" in fields:
                level = logging.ERROR
                self._metrics.errors.labels("reminder_content").inc()
            log.log(level, message, extra={"reminder_id": reminder.id, **fields})
        return queued

    async def _record(self, conn, reminder_id: int, due_at: datetime, status: str, *,
                      insert: bool = False) -> None:
        if insert:
            await insert_if_absent(conn, reminder_deliveries, {
                "reminder_id": reminder_id, "due_at": due_at, "status": status, "at": self._clock.now()})
        else:
            await conn.execute(update(reminder_deliveries).where(and_(
                reminder_deliveries.c.reminder_id == reminder_id, reminder_deliveries.c.due_at == due_at))
                .values(status=status))


def failure_notice(reminder: Reminder) -> FailureNotice | None:
    """Tell the manager who made the reminder when it cannot be posted (the bot is not in the channel,
    the channel was archived…). Reminders from the command line or a file have no one to tell."""
    platform, _, user = reminder.owner.partition(":")
    if platform not in PLATFORMS or not user:
        return None
    lang = reminder.language if reminder.language in ("ja", "en") else "ja"
    text = m.DELIVERY_FAILING.format(id=reminder.id, destination=str(reminder.destination)).get(lang)
    return FailureNotice(user_destination(platform, user), Reply("info", lang, answer=text, private=True))
