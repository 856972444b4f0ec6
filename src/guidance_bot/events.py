"""Exactly-once handling of platform events across retries and replicas: the first replica to
insert an event's key handles it; any later delivery of the same key is acknowledged and ignored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from .clock import Clock
from .store import Database
from .store.tables import processed_events
from .store.upsert import insert_if_absent

KEEP = timedelta(days=2)  # Slack retries for minutes, Teams for less; two days is plenty


class EventDedupe:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def first_time(self, key: str) -> bool:
        async with self._db.begin() as conn:
            return await insert_if_absent(conn, processed_events, {"key": key[:200], "at": self._clock.now()})

    async def purge(self) -> int:
        async with self._db.begin() as conn:
            result = await conn.execute(delete(processed_events).where(
                processed_events.c.at < self._clock.now() - KEEP))
        return result.rowcount
