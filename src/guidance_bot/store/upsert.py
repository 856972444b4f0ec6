"""INSERT … ON CONFLICT DO NOTHING for both SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


async def insert_if_absent(conn: AsyncConnection, table: Table, values: dict[str, Any]) -> bool:
    """Insert the row unless a unique key already exists; True when this call inserted it."""
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing()
    result = await conn.execute(statement)
    return result.rowcount == 1
