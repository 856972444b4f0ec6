"""Consultation requests: stored, numbered, announced to the compliance office, and audited.

A request is written in one transaction with its reference number (``counters``, UPDATE … RETURNING,
safe across replicas), the office notifications (outbox rows: delivered with retries, survive
restarts, never duplicated) and an audit row; only then is the requester told anything. A retried
submission (same ``Submission.key``) finds the request it already made.

Confidentiality: the contents are shown to the requester and the compliance office role only; every
view, listing, export and change is written to the audit log, and so is every refusal.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..audit import audit, audit_trail
from ..clock import Clock
from ..config import Settings
from ..i18n import Lang
from ..metrics import Metrics
from ..outbox import enqueue
from ..platforms import PLATFORMS, Person, Roles, user_destination
from ..store import Database
from ..store.tables import consultations, counters, outbox
from ..store.upsert import insert_if_absent
from . import messages as m
from . import notify
from .form import STATUSES, WHISTLEBLOWING, Request

log = logging.getLogger(__name__)

EntryTitle = Callable[[str, Lang], str]
LIST_SUBJECT = "consultations"


class AccessRefused(PermissionError):
    """The viewer is neither the requester nor in the compliance office role."""


class NotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: ``key`` goes into the audit log (``slack:U0123``, ``cli:alice``)."""

    key: str
    office: bool
    name: str = ""

    @classmethod
    def of(cls, person: Person, roles: Roles) -> Viewer:
        return cls(person.key, roles.is_compliance_office(person), person.name)

    @property
    def shown(self) -> str:
        return self.name or self.key


@dataclass(frozen=True, slots=True)
class Consultation:
    ref: str
    created_at: datetime
    platform: str
    requester_id: str
    requester_name: str
    show_name: bool
    category: str
    summary: str
    urgency: str
    department: str
    contact: str
    attached_question: str
    attached_entry: str
    language: Lang
    status: str
    status_by: str
    status_at: datetime | None

    @property
    def requester_key(self) -> str:
        return f"{self.platform}:{self.requester_id}"

    def as_dict(self, *, for_office: bool) -> dict[str, Any]:
        """Plain values; for the office the requester stays hidden unless they agreed."""
        hidden = for_office and not self.show_name
        return {
            "ref": self.ref, "created_at": self.created_at.isoformat(), "status": self.status,
            "status_by": self.status_by, "status_at": self.status_at.isoformat() if self.status_at else "",
            "category": self.category, "urgency": self.urgency, "summary": self.summary,
            "department": self.department, "contact": self.contact,
            "requester": "" if hidden else self.requester_key,
            "requester_name": "" if hidden else self.requester_name,
            "name_shown": self.show_name, "language": self.language,
            "attached_question": self.attached_question, "attached_entry": self.attached_entry,
        }


@dataclass(frozen=True, slots=True)
class Created:
    consultation: Consultation
    new: bool  # False: a retried submission found the request it had already made


@dataclass(frozen=True, slots=True)
class StatusChange:
    consultation: Consultation
    changed: bool


class _Rollback(Exception):
    """Leave the transaction without writing: the submission key was already used."""


class ConsultationService:
    def __init__(self, db: Database, clock: Clock, settings: Settings, metrics: Metrics | None = None, *,
                 wakeup: Callable[[], None] | None = None, entry_title: EntryTitle | None = None) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.metrics = metrics
        self._wakeup = wakeup or (lambda: None)
        self._entry_title = entry_title or (lambda entry_id, lang: "")
        self._tz = ZoneInfo(settings.timezone)

    # -- configuration ----------------------------------------------------------------------------

    def destinations(self, category: str) -> tuple[str, ...]:
        """Whistleblowing goes only to its own destination, never to the default one."""
        kind = WHISTLEBLOWING if category == WHISTLEBLOWING else "default"
        return tuple(self.settings.consultation_destinations.get(kind, ()))

    def missing_destinations(self) -> list[str]:
        configured = self.settings.consultation_destinations
        return [kind for kind in ("default", WHISTLEBLOWING) if not configured.get(kind)]

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self._tz)

    # -- creating ---------------------------------------------------------------------------------

    async def create(self, requester: Person, request: Request, *, key: str = "") -> Created:
        key = _key(key)
        try:
            async with self.db.begin() as conn:
                consultation = await self._create(conn, requester, request, key)
        except _Rollback:
            existing = await self._by_key(key)
            log.info("consultation submission retried", extra={"ref": existing.ref})
            return Created(existing, False)
        if self.metrics is not None:
            self.metrics.handoffs.labels(request.category).inc()
        if not self.destinations(request.category):
            self._error("handoff_destination")
            log.error("consultation stored but no destination is configured for it",
                      extra={"ref": consultation.ref, "category": request.category})
        log.info("consultation accepted", extra={"ref": consultation.ref, "category": request.category,
                                                 "urgency": request.urgency})
        self._wakeup()
        return Created(consultation, True)

    async def _create(self, conn: AsyncConnection, requester: Person, request: Request,
                      key: str | None) -> Consultation:
        now = self.clock.now()
        year = self.local(now).year
        counter = f"consultation:{year}"
        # A write first: on SQLite this takes the write lock, so the whole transaction is serialised.
        await insert_if_absent(conn, counters, {"name": counter, "value": 0})
        number = (await conn.execute(update(counters).where(counters.c.name == counter)
                                     .values(value=counters.c.value + 1).returning(counters.c.value))).scalar_one()
        if key and (await conn.execute(select(consultations.c.id)
                                       .where(consultations.c.submission_key == key))).first():
            raise _Rollback
        row = dict(
            ref=f"LC-{year}-{number:04d}", created_at=now, platform=str(requester.platform),
            requester_id=requester.user_id, requester_name=requester.name or None,
            show_name=request.show_name, category=request.category, summary=request.summary,
            urgency=request.urgency, department=request.department or None, contact=request.contact or None,
            attached_question=request.question or None, attached_entry=request.entry_id or None,
            language=request.language, status="received", status_by=None, status_at=None,
            submission_key=key)
        if not await insert_if_absent(conn, consultations, row):
            raise _Rollback  # a concurrent retry of the same submission committed first
        consultation = _consultation(row)
        await self._announce(conn, consultation)
        await audit(conn, self.clock, actor=requester.key, action="consultation.create", subject=consultation.ref,
                    detail={"category": request.category, "urgency": request.urgency})
        return consultation

    async def _announce(self, conn: AsyncConnection, consultation: Consultation) -> int:
        reply = notify.office_notification(consultation, self._entry_title, self.local)
        queued = 0
        for destination in self.destinations(consultation.category):
            queued += await enqueue(conn, self.clock, kind="consultation", destination=destination, reply=reply,
                                    dedupe_key=f"consultation:{consultation.ref}:office:{_digest(destination)}")
        return queued

    async def announce_pending(self) -> int:
        """Announce requests not yet taken up to the destinations configured now (requests stored
        while a destination was missing, e.g. whistleblowing before it was configured). Outbox
        dedupe keys make this a no-op for requests already announced there."""
        async with self.db.connect() as conn:
            rows = (await conn.execute(select(consultations).where(consultations.c.status == "received")
                                       .order_by(consultations.c.id))).all()
        queued = 0
        for row in rows:
            async with self.db.begin() as conn:
                queued += await self._announce(conn, _consultation(row._mapping))
        if queued:
            log.info("consultations announced after start", extra={"queued": queued})
            self._wakeup()
        return queued

    async def _by_key(self, key: str | None) -> Consultation:
        async with self.db.connect() as conn:
            row = (await conn.execute(select(consultations).where(consultations.c.submission_key == key))).one()
        return _consultation(row._mapping)

    # -- reading (audited) --------------------------------------------------------------------------

    async def get(self, viewer: Viewer, ref: str) -> Consultation:
        """The request, for its requester or the office. Others are refused whether or not it exists."""
        ref = _ref(ref)
        async with self.db.begin() as conn:
            row = (await conn.execute(select(consultations).where(consultations.c.ref == ref))).first()
            found = _consultation(row._mapping) if row else None
            if not viewer.office and (found is None or found.requester_key != viewer.key):
                await self._refused(conn, viewer, "view", ref)
            elif found is None:
                raise NotFound(ref)
            else:
                await audit(conn, self.clock, actor=viewer.key, action="consultation.view", subject=ref,
                            detail={"as": "office" if viewer.office else "requester"})
                return found
        raise AccessRefused(ref)

    async def list(self, viewer: Viewer, status: str | None = None, *, action: str = "list") -> list[Consultation]:
        """All requests (office only), oldest first; ``action`` names the audit row (list, export)."""
        async with self.db.begin() as conn:
            if not viewer.office:
                await self._refused(conn, viewer, action, LIST_SUBJECT)
            else:
                query = select(consultations).order_by(consultations.c.id)
                if status:
                    query = query.where(consultations.c.status == status)
                found = [_consultation(r._mapping) for r in (await conn.execute(query)).all()]
                await audit(conn, self.clock, actor=viewer.key, action=f"consultation.{action}", subject=LIST_SUBJECT,
                            detail={"status": status or "", "count": len(found), "refs": [c.ref for c in found]})
                return found
        raise AccessRefused(LIST_SUBJECT)

    async def own(self, person: Person, limit: int = 10) -> list[Consultation]:
        """The requester's own requests, newest first (for the App Home). Audited as a view."""
        async with self.db.begin() as conn:
            query = (select(consultations)
                     .where(consultations.c.platform == str(person.platform),
                            consultations.c.requester_id == person.user_id)
                     .order_by(consultations.c.id.desc()).limit(limit))
            found = [_consultation(r._mapping) for r in (await conn.execute(query)).all()]
            if found:
                await audit(conn, self.clock, actor=person.key, action="consultation.list_own",
                            subject=LIST_SUBJECT, detail={"refs": [c.ref for c in found]})
        return found

    async def requester_lines(self, person: Person, lang: Lang) -> list[str]:
        """One line per own request: reference, date, category and status — never the contents."""
        return [m.OWN_LINE.get(lang).format(ref=c.ref, date=f"{self.local(c.created_at):%Y-%m-%d}",
                                            category=m.CATEGORIES[c.category].get(lang),
                                            status=m.STATUSES[c.status].get(lang))
                for c in await self.own(person)]

    async def history(self, viewer: Viewer, ref: str) -> list[dict[str, Any]]:
        """The audit trail of one request (office only; reading it is itself audited by ``get``)."""
        if not viewer.office:
            raise AccessRefused(ref)
        async with self.db.connect() as conn:
            return await audit_trail(conn, _ref(ref))

    # -- changing -----------------------------------------------------------------------------------

    async def change_status(self, viewer: Viewer, ref: str, status: str) -> StatusChange:
        """Office only. The requester is told by direct message (outbox), exactly once per change."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        ref = _ref(ref)
        change: StatusChange | None = None
        async with self.db.begin() as conn:
            if not viewer.office:
                await self._refused(conn, viewer, "status", ref)  # committed, then refused
            else:
                change = await self._change(conn, viewer, ref, status)
        if change is None:
            raise AccessRefused(ref)
        if change.changed:
            # After the commit: a worker woken earlier would not see the message yet, and wait a whole poll.
            self._wakeup()
        return change

    async def _change(self, conn: AsyncConnection, viewer: Viewer, ref: str, status: str) -> StatusChange:
        row = (await conn.execute(select(consultations).where(consultations.c.ref == ref))).first()
        if row is None:
            raise NotFound(ref)
        before = _consultation(row._mapping)
        if before.status == status:  # a repeated click or a retried action: nothing to tell anyone
            return StatusChange(before, False)
        now = self.clock.now()
        # Conditional on the old status: of two office members clicking at once, one wins.
        result = await conn.execute(update(consultations).where(
            consultations.c.ref == ref, consultations.c.status == before.status).values(
            status=status, status_by=viewer.key[:100], status_at=now))
        if result.rowcount != 1:
            row = (await conn.execute(select(consultations).where(consultations.c.ref == ref))).one()
            return StatusChange(_consultation(row._mapping), False)
        after = replace(before, status=status, status_by=viewer.key, status_at=now)
        await audit(conn, self.clock, actor=viewer.key, action="consultation.status", subject=ref,
                    detail={"from": before.status, "to": status, "name": viewer.name})
        if after.platform in PLATFORMS:
            await enqueue(conn, self.clock, kind="consultation_status",
                          destination=user_destination(after.platform, after.requester_id),  # type: ignore[arg-type]
                          reply=notify.status_dm(after, viewer.shown, self.local),
                          dedupe_key=f"consultation:{ref}:status:{status}:{now.isoformat()}")
        log.info("consultation status changed", extra={"ref": ref, "from": before.status, "to": status})
        return StatusChange(after, True)

    async def _refused(self, conn: AsyncConnection, viewer: Viewer, attempt: str, subject: str) -> None:
        await audit(conn, self.clock, actor=viewer.key, action="consultation.refused", subject=subject,
                    detail={"attempt": attempt})
        log.warning("consultation access refused", extra={"attempt": attempt, "subject": subject})

    def _error(self, where: str) -> None:
        if self.metrics is not None:
            self.metrics.errors.labels(where).inc()


async def outbox_rows(db: Database, ref: str) -> Sequence[Mapping[str, Any]]:
    """The outbox rows of one request (operations and tests)."""
    async with db.connect() as conn:
        rows = await conn.execute(select(outbox).where(outbox.c.dedupe_key.like(f"consultation:{ref}:%"))
                                  .order_by(outbox.c.id))
        return [dict(r._mapping) for r in rows]


def _consultation(row: Mapping[str, Any]) -> Consultation:
    return Consultation(
        ref=row["ref"], created_at=row["created_at"], platform=row["platform"], requester_id=row["requester_id"],
        requester_name=row["requester_name"] or "", show_name=bool(row["show_name"]), category=row["category"],
        summary=row["summary"], urgency=row["urgency"], department=row["department"] or "",
        contact=row["contact"] or "", attached_question=row["attached_question"] or "",
        attached_entry=row["attached_entry"] or "", language=row["language"], status=row["status"],
        status_by=row["status_by"] or "", status_at=row["status_at"])


def _ref(ref: str) -> str:
    # Typed by people (CLI, chat): normalised, and never longer than the audit subject column.
    return ref.strip().upper()[:80]


def _key(key: str) -> str | None:
    if not key:
        return None
    return key if len(key) <= 200 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
