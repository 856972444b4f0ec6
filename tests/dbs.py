"""Test databases: a fresh SQLite file, and a fresh PostgreSQL database on the local server
(127.0.0.1:5432, trust auth). CI has PostgreSQL, so its tests run there too, never skipped."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

PG_ADMIN = os.environ.get("GUIDANCE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def fresh_postgres() -> tuple[str, str]:
    """Create an empty database; returns (its URL, its name)."""
    name = f"gb_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN.rsplit("/", 1)[0]
    return f"{base}/{name}", name


async def drop_postgres(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def database_urls(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'guidance-bot.db'}"
        return
    url, name = await fresh_postgres()
    try:
        yield url
    finally:
        await drop_postgres(name)
