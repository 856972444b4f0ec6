"""Waiting in background loops without losing a cancellation."""

from __future__ import annotations

import asyncio


async def wait_for_event(event: asyncio.Event, seconds: float) -> None:
    """Until ``event`` is set or ``seconds`` pass, then clear it.

    Not ``asyncio.wait_for``: on Python 3.11 it can swallow a cancellation that arrives just as the
    event is set, and a loop that swallowed it never stops (the server then hangs on shutdown).
    """
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass
    event.clear()
