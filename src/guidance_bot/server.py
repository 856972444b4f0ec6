"""The aiohttp application of ``guidance-bot serve``: health, readiness, metrics, and the routes the
platform adapters mount (``POST /slack/events``, ``POST /api/messages``).

Adapters are found through the ``guidance_bot.adapters`` entry point group, so the core never imports
a platform SDK: each entry point is ``mount(app, runtime) -> str`` and returns a line for the start-up
log, or raises ``AdapterUnavailable`` (SDK not installed, credentials missing).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from importlib.metadata import entry_points

from aiohttp import web

from .logs import new_request_id, request_id
from .metrics import CONTENT_TYPE
from .runtime import Runtime

log = logging.getLogger(__name__)

RUNTIME: web.AppKey[Runtime] = web.AppKey("runtime", Runtime)
MOUNTED: web.AppKey[list[str]] = web.AppKey("mounted", list)  # names of the adapters serving
ADAPTER_GROUP = "guidance_bot.adapters"
MAX_BODY = 1024 * 1024  # Slack and Teams payloads are far smaller


class AdapterUnavailable(RuntimeError):
    """An adapter that cannot be mounted here; the message says why (one line, ja / en)."""


Mount = Callable[[web.Application, Runtime], str]


def create_app(runtime: Runtime, adapters: dict[str, Mount] | None = None) -> web.Application:
    app = web.Application(middlewares=[request_context], client_max_size=MAX_BODY)
    app[RUNTIME] = runtime
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.cleanup_ctx.append(_runtime_context)
    mounted = []
    for name, mount in (adapters if adapters is not None else discover_adapters()).items():
        try:
            line = mount(app, runtime)
        except AdapterUnavailable as exc:
            log.warning("adapter not mounted", extra={"adapter": name, "reason": str(exc)})
            continue
        mounted.append(name)
        log.info("adapter mounted", extra={"adapter": name, "detail": line})
    app[MOUNTED] = mounted
    return app


def discover_adapters() -> dict[str, Mount]:
    found: dict[str, Mount] = {}
    for ep in entry_points(group=ADAPTER_GROUP):
        try:
            found[ep.name] = ep.load()
        except ImportError as exc:  # the platform's extra is not installed
            log.warning("adapter not mounted", extra={
                "adapter": ep.name, "reason": f"SDK がインストールされていません / SDK not installed: {exc.name}"})
        except AttributeError:  # a broken installation: say so rather than fail to start
            log.error("adapter not mounted", extra={"adapter": ep.name, "reason": "entry point not found"})
    return found


async def _runtime_context(app: web.Application) -> AsyncIterator[None]:
    runtime = app[RUNTIME]
    await runtime.start()
    log.info("guidance-bot started", extra={"knowledge_version": runtime.bot.knowledge_version(),
                                            "adapters": app[MOUNTED]})
    yield
    log.info("guidance-bot stopping")
    await runtime.stop()


@web.middleware
async def request_context(request: web.Request, handler) -> web.StreamResponse:
    token = request_id.set(request.headers.get("X-Request-Id") or new_request_id())
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        # A bug must not become a 500 storm that makes Slack retry: log it, count it, answer 500 once.
        request.app[RUNTIME].metrics.errors.labels("http").inc()
        log.exception("request failed", extra={"path": request.path})
        return web.json_response({"error": "internal error"}, status=500)
    finally:
        request_id.reset(token)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    ok, checks = await request.app[RUNTIME].ready()
    return web.json_response({"status": "ready" if ok else "not ready", "checks": checks},
                             status=200 if ok else 503)


async def metrics(request: web.Request) -> web.Response:
    body = request.app[RUNTIME].metrics.exposition()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def serve(runtime: Runtime, host: str, port: int) -> None:
    """Run until SIGTERM/SIGINT; then stop accepting, finish requests in flight, stop the runtime."""
    app = create_app(runtime)
    web.run_app(app, host=host, port=port, print=None, access_log=None, shutdown_timeout=30,
                handle_signals=True)
