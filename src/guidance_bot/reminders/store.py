"""Reminders in the database: create, list, pause, resume, delete, with the ownership rule.

Who may change a reminder: the person who created it, while they are a manager, and the compliance
office (any reminder). The command line is trusted like the compliance office: whoever runs it
holds the database credentials anyway. Declared reminders (from the settings file) are owned by
the file: they can be paused and resumed, but deleted only by removing them from the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..audit import audit
from ..clock import Clock
from ..i18n import Text
from ..platforms import Destination, Person, Roles
from ..store import Database
from ..store.tables import reminders
from ..store.upsert import insert_if_absent
from . import messages as m
from .schedule import Schedule

FILE_OWNER_PREFIX = "file:"


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    owner: str
    platform: str
    channel: str
    schedule: str  # canonical spec
    timezone: str
    skip_holidays: bool
    content_kind: str
    content: str
    language: str
    rotation: int
    paused: bool
    next_due_at: datetime | None
    created_at: datetime
    source_key: str | None

    @property
    def destination(self) -> str:
        return f"{self.platform}:{self.channel}"

    @property
    def declared(self) -> bool:
        return self.owner.startswith(FILE_OWNER_PREFIX)

    def parsed_schedule(self) -> Schedule:
        return Schedule.from_spec(self.schedule, tz=self.timezone, skip_holidays=self.skip_holidays)

    @classmethod
    def from_row(cls, row) -> Reminder:
        return cls(**{name: getattr(row, name) for name in cls.__slots__})  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes reminders: ``key`` is matched against the owner (``slack:U0123``, ``cli:alice``)."""

    key: str
    manager: bool
    office: bool

    @classmethod
    def of(cls, person: Person, roles: Roles) -> Actor:
        return cls(person.key, roles.is_manager(person), roles.is_compliance_office(person))

    @classmethod
    def cli(cls, user: str) -> Actor:
        return cls(f"cli:{user}", True, True)

    def may_change(self, reminder: Reminder) -> bool:
        return self.office or (self.manager and reminder.owner == self.key)


class ReminderError(Exception):
    """A refused or impossible change; ``text`` is for the user."""

    def __init__(self, text: Text) -> None:
        super().__init__(f"{text.ja} / {text.en}")
        self.text = text


class NotFound(ReminderError):
    pass


class NotAllowed(ReminderError):
    pass


@dataclass(frozen=True, slots=True)
class NewReminder:
    owner: str
    destination: Destination
    schedule: Schedule
    content_kind: str
    content: str
    language: str = "ja"
    source_key: str | None = None


class ReminderStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # -- creating ----------------------------------------------------------------------------------

    async def add(self, new: NewReminder) -> tuple[Reminder, bool]:
        """Store a reminder; (reminder, created). With a ``source_key`` already stored (a retried
        form submission), the existing reminder comes back and nothing is added."""
        now = self._clock.now()
        values = _values(new, now) | {"created_at": now, "rotation": 0, "paused": False}
        async with self._db.begin() as conn:
            if new.source_key is not None:
                created = await insert_if_absent(conn, reminders, values)
                row = (await conn.execute(select(reminders).where(
                    reminders.c.source_key == new.source_key))).one()
            else:
                result = await conn.execute(insert(reminders).values(**values).returning(reminders))
                row, created = result.one(), True
            if created:
                await audit(conn, self._clock, actor=new.owner, action="reminder_add", subject=f"reminder:{row.id}",
                            detail={"kind": new.content_kind, "schedule": new.schedule.spec})
        return Reminder.from_row(row), created

    # -- reading -----------------------------------------------------------------------------------

    async def get(self, reminder_id: int) -> Reminder | None:
        async with self._db.connect() as conn:
            row = (await conn.execute(select(reminders).where(reminders.c.id == reminder_id))).one_or_none()
        return Reminder.from_row(row) if row else None

    async def list(self, *, owner: str | None = None, destination: Destination | None = None) -> list[Reminder]:
        query = select(reminders).order_by(reminders.c.id)
        if owner is not None:
            query = query.where(reminders.c.owner == owner)
        if destination is not None:
            query = query.where(reminders.c.platform == destination.platform,
                                reminders.c.channel == destination.conversation)
        async with self._db.connect() as conn:
            return [Reminder.from_row(r) for r in await conn.execute(query)]

    # -- changing ----------------------------------------------------------------------------------

    async def pause(self, reminder_id: int, actor: Actor) -> Reminder:
        return await self._change(reminder_id, actor, "reminder_pause", lambda r: {"paused": True})

    async def resume(self, reminder_id: int, actor: Actor) -> Reminder:
        # Due times that passed while paused are not caught up: the next one is after now.
        def values(r: Reminder) -> dict:
            return {"paused": False, "next_due_at": r.parsed_schedule().next_after(self._clock.now())}
        return await self._change(reminder_id, actor, "reminder_resume", values)

    async def delete(self, reminder_id: int, actor: Actor) -> Reminder:
        async with self._db.begin() as conn:
            reminder = await self._allowed(conn, reminder_id, actor)
            if reminder.declared:
                source = reminder.owner.removeprefix(FILE_OWNER_PREFIX)
                raise NotAllowed(m.DECLARED_DELETE.format(id=reminder_id, source=source))
            await conn.execute(delete(reminders).where(reminders.c.id == reminder_id))
            await audit(conn, self._clock, actor=actor.key, action="reminder_delete", subject=f"reminder:{reminder_id}")
        return reminder

    async def _change(self, reminder_id: int, actor: Actor, action: str, values) -> Reminder:
        async with self._db.begin() as conn:
            reminder = await self._allowed(conn, reminder_id, actor)
            changes = values(reminder)
            row = (await conn.execute(update(reminders).where(reminders.c.id == reminder_id)
                                      .values(**changes).returning(reminders))).one()
            await audit(conn, self._clock, actor=actor.key, action=action, subject=f"reminder:{reminder_id}")
        return Reminder.from_row(row)

    async def _allowed(self, conn: AsyncConnection, reminder_id: int, actor: Actor) -> Reminder:
        query = select(reminders).where(reminders.c.id == reminder_id).with_for_update()
        row = (await conn.execute(query)).one_or_none()
        if row is None:
            raise NotFound(m.NOT_FOUND.format(id=reminder_id))
        reminder = Reminder.from_row(row)
        if not actor.may_change(reminder):
            raise NotAllowed(m.NOT_YOURS.format(id=reminder_id))
        return reminder


def _values(new: NewReminder, now: datetime) -> dict:
    """The stored columns a reminder's definition decides (also used to update declared ones)."""
    return {
        "owner": new.owner[:120], "platform": new.destination.platform, "channel": new.destination.conversation,
        "schedule": new.schedule.spec, "timezone": new.schedule.tz, "skip_holidays": new.schedule.skip_holidays,
        "content_kind": new.content_kind, "content": new.content, "language": new.language,
        "next_due_at": new.schedule.next_after(now), "source_key": new.source_key,
    }
