"""The audit log: every view and change of a confidential record, with who and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .clock import Clock
from .store.tables import audit_log


async def audit(conn: AsyncConnection, clock: Clock, *, actor: str, action: str, subject: str,
                detail: dict[str, Any] | None = None) -> None:
    await conn.execute(insert(audit_log).values(at=clock.now(), actor=actor, action=action, subject=subject,
                                                detail=detail or {}))


async def audit_trail(conn: AsyncConnection, subject: str) -> list[dict[str, Any]]:
    rows = await conn.execute(select(audit_log).where(audit_log.c.subject == subject).order_by(audit_log.c.id))
    return [dict(r._mapping) for r in rows]
