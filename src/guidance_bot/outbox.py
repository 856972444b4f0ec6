"""Messages the bot must deliver to Slack or Teams, stored first and retried until delivered.

A feature writes an outbox row in the same transaction as the fact it announces (a consultation, a
reminder's due time), so an accepted request is never lost to a crash or a platform outage. The
worker claims rows with a lease (an atomic conditional UPDATE, safe across replicas), sends them
through the platform's ``Sender`` and marks them delivered, or schedules a retry with backoff.
``dedupe_key`` makes enqueueing idempotent: a retried request never queues a second message.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .clock import Clock
from .i18n import Text
from .metrics import Metrics
from .platforms import Destination, parse_destination
from .replies import Reply, reply_from_dict, reply_to_dict
from .store import Database
from .waiting import wait_for_event
from .store.tables import outbox
from .store.upsert import insert_if_absent

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
BACKOFF = (5, 15, 60, 300, 900, 1800)  # seconds; the last repeats
# After this many failed attempts (about 20 minutes) the message's "on failure" note, if it has one,
# is sent once: e.g. a manager hears that the bot cannot post in the reminder's channel. Delivery
# itself goes on being retried.
NOTICE_AFTER_ATTEMPTS = 4


class DeliveryError(RuntimeError):
    """A send failed; ``retry_after`` (seconds) when the platform said when to try again."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Sender(Protocol):
    """What an adapter gives the core for messages it starts itself (notifications, reminders)."""

    async def send(self, destination: Destination, reply: Reply) -> None: ...


@dataclass(frozen=True)
class Pending:
    id: int
    kind: str
    destination: Destination
    reply: Reply
    attempts: int
    dedupe_key: str
    on_failure: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class FailureNotice:
    """Whom to tell, and what, when a message keeps failing to be delivered."""

    destination: Destination
    reply: Reply


async def enqueue(conn: AsyncConnection, clock: Clock, *, kind: str, destination: Destination | str,
                  reply: Reply, dedupe_key: str, on_failure: FailureNotice | None = None) -> bool:
    """Queue a message inside the caller's transaction. False when ``dedupe_key`` is already queued."""
    dest = destination if isinstance(destination, Destination) else parse_destination(destination)
    now = clock.now()
    payload: dict[str, Any] = {"reply": reply_to_dict(reply)}
    if on_failure is not None:
        payload["on_failure"] = {"destination": str(on_failure.destination),
                                 "reply": reply_to_dict(on_failure.reply)}
    return await insert_if_absent(conn, outbox, dict(
        dedupe_key=dedupe_key, kind=kind, platform=dest.platform, destination=str(dest),
        payload=payload, created_at=now, attempts=0, next_attempt_at=now))


async def report_problems(db: Database, clock: Clock, destinations: Sequence[str], *, kind: str, title: str,
                          summary: Text, problems: Sequence[str]) -> None:
    """Tell the office a file is broken (the knowledge, the reminders file): one message per
    destination, queued once per set of problems however often the file is checked."""
    lines = list(problems[:15])
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    reply = Reply("info", "ja", title=title, answer=f"{summary.ja}\n{summary.en}\n\n" + "\n".join(lines))
    async with db.begin() as conn:
        for dest in destinations:
            await enqueue(conn, clock, kind=kind, destination=dest, reply=reply,
                          dedupe_key=f"{kind.replace('_', '-')}:{digest}:{dest}")


class OutboxWorker:
    """Delivers due outbox rows. ``run()`` polls; ``deliver_due()`` does one pass (tests call it)."""

    def __init__(self, db: Database, clock: Clock, senders: Mapping[str, Sender], metrics: Metrics,
                 *, poll_seconds: float = 1.0, batch: int = 20) -> None:
        self._db = db
        self._clock = clock
        self._senders = senders
        self._metrics = metrics
        self._poll = poll_seconds
        self._batch = batch
        self._me = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.wakeup = asyncio.Event()

    async def run(self) -> None:
        while True:
            try:
                await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                self._metrics.errors.labels("outbox").inc()
                log.exception("outbox pass failed")
            await wait_for_event(self.wakeup, self._poll)

    async def deliver_due(self) -> int:
        """Claim and send what is due now; the number delivered."""
        delivered = 0
        for item in await self._claim():
            if await self._deliver(item):
                delivered += 1
        return delivered

    async def _claim(self) -> list[Pending]:
        now = self._clock.now()
        due = (select(outbox.c.id).where(outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at <= now,
                                         or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now))
               .order_by(outbox.c.next_attempt_at, outbox.c.id).limit(self._batch))
        claimed: list[Pending] = []
        async with self._db.begin() as conn:
            ids = (await conn.execute(due)).scalars().all()
        for row_id in ids:
            # The conditional UPDATE is the claim: only one replica sees rowcount 1.
            async with self._db.begin() as conn:
                result = await conn.execute(
                    update(outbox).where(and_(outbox.c.id == row_id, outbox.c.delivered_at.is_(None),
                                              or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now)))
                    .values(claimed_by=self._me, claimed_until=now + LEASE))
                if result.rowcount != 1:
                    continue
                row = (await conn.execute(select(outbox).where(outbox.c.id == row_id))).one()
            claimed.append(Pending(row.id, row.kind, parse_destination(row.destination),
                                   reply_from_dict(row.payload["reply"]), row.attempts, row.dedupe_key,
                                   row.payload.get("on_failure")))
        return claimed

    async def _deliver(self, item: Pending) -> bool:
        sender = self._senders.get(item.destination.platform)
        try:
            if sender is None:
                raise DeliveryError(f"platform {item.destination.platform} is not mounted")
            await sender.send(item.destination, item.reply)
        except Exception as exc:  # any failure: retry later, never drop
            await self._failed(item, exc)
            return False
        async with self._db.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == item.id).values(
                delivered_at=self._clock.now(), attempts=item.attempts + 1, claimed_until=None,
                last_error=None))
        self._metrics.outbox.labels(item.kind, "delivered").inc()
        log.info("outbox delivered", extra={"outbox_id": item.id, "kind": item.kind,
                                             "attempts": item.attempts + 1})
        return True

    async def _failed(self, item: Pending, exc: Exception) -> None:
        attempts = item.attempts + 1
        wait = getattr(exc, "retry_after", None) or BACKOFF[min(attempts, len(BACKOFF)) - 1]
        async with self._db.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == item.id).values(
                attempts=attempts, next_attempt_at=self._clock.now() + timedelta(seconds=wait),
                claimed_until=None, last_error=f"{type(exc).__name__}: {str(exc)[:300]}"))
            if attempts == NOTICE_AFTER_ATTEMPTS and item.on_failure:
                await enqueue(conn, self._clock, kind=f"{item.kind}_failing",
                              destination=item.on_failure["destination"],
                              reply=reply_from_dict(item.on_failure["reply"]),
                              dedupe_key=f"{item.dedupe_key}:failing")
        self._metrics.outbox.labels(item.kind, "failed").inc()
        log.warning("outbox delivery failed; will retry", extra={
            "outbox_id": item.id, "kind": item.kind, "attempts": attempts, "retry_in_s": wait,
            "error": type(exc).__name__})


async def pending_count(db: Database) -> int:
    """Messages not yet delivered (for monitoring and tests)."""
    async with db.connect() as conn:
        query = select(func.count()).select_from(outbox).where(outbox.c.delivered_at.is_(None))
        return (await conn.execute(query)).scalar_one()
