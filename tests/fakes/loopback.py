"""Serving a fake's aiohttp app on 127.0.0.1 at a free port (every fake does it the same way)."""

from __future__ import annotations

from aiohttp import web


async def serve_on_loopback(app: web.Application) -> tuple[web.AppRunner, int]:
    """Start ``app``; returns its runner (for ``runner.cleanup()``) and the port it listens on."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, runner.addresses[0][1]
