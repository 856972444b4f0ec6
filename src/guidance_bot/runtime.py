"""Everything a running bot holds, built once from the settings: knowledge, matcher, database,
metrics, answer log, outbox, the conversation, and the background tasks (knowledge hot reload,
outbox delivery, retention purge). Adapters receive the Runtime and call into ``runtime.bot``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from .answering import Answerer
from .answerlog import AnswerLog
from .bot import Bot
from .clock import Clock, SystemClock
from .config import Settings
from .events import EventDedupe
from .i18n import Text
from .knowledge import LiveKnowledge
from .metrics import Metrics
from .outbox import OutboxWorker, Sender, report_problems
from .store import Database, check_schema

log = logging.getLogger(__name__)

PURGE_EVERY_S = 3600.0
STOP_TIMEOUT_S = 10.0


class Runtime:
    def __init__(self, settings: Settings, *, clock: Clock | None = None, db: Database | None = None,
                 outbox_poll_seconds: float = 1.0) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db = db or Database(settings.database_url)
        self.metrics = Metrics()
        self.live = LiveKnowledge(settings.knowledge_dir)
        self.answerer = Answerer(self.live, settings)
        self.answer_log = AnswerLog(self.db, self.clock)
        self.dedupe = EventDedupe(self.db, self.clock)
        self.senders: dict[str, Sender] = {}
        self.outbox = OutboxWorker(self.db, self.clock, self.senders, self.metrics,
                                   poll_seconds=outbox_poll_seconds)
        self.bot = Bot(self.answerer, self.live, self.answer_log, self.metrics, settings.roles)
        self._tasks: list[asyncio.Task[Any]] = []
        self._background: list[Callable[[], Awaitable[None]]] = [self.outbox.run, self._watch_knowledge,
                                                                 self._purge_periodically]
        self.started = False
        self._wire_features()

    def _wire_features(self) -> None:
        """Consultations, reminders and the self-check register their commands, buttons and forms."""
        # Imported here: the features import this module for its types.
        from .handoff import install as install_handoff
        from .reminders import install as install_reminders

        self.reminders = install_reminders(self)
        self.consultations = install_handoff(self)

    def add_background(self, loop: Callable[[], Awaitable[None]]) -> None:
        self._background.append(loop)

    def add_sender(self, platform: str, sender: Sender) -> None:
        self.senders[platform] = sender

    # -- life cycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the knowledge (unless ``serve``'s preflight just did) and check the database schema;
        raise with a clear message if either fails."""
        if not self.live.loaded:
            result = self.live.reload()
            if result.knowledge is None:
                raise KnowledgeLoadError(result)
        await check_schema(self.db)
        self._tasks = [asyncio.create_task(loop(), name=getattr(loop, "__name__", "background"))
                       for loop in self._background]
        self.started = True

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # Bounded: a loop that ignored its cancellation must not hang the shutdown.
            _, stuck = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT_S)
            for task in stuck:
                log.error("background task did not stop", extra={"task": task.get_name()})
        self._tasks = []
        await self.db.close()

    async def ready(self) -> tuple[bool, dict[str, bool]]:
        checks = {"knowledge": self.live.loaded, "database": await self.db.ping()}
        return all(checks.values()), checks

    # -- background loops ----------------------------------------------------------------------

    async def _watch_knowledge(self) -> None:
        while True:
            await asyncio.sleep(self.settings.knowledge_poll_seconds)
            try:
                result = await asyncio.to_thread(self.live.reload_if_changed)
                if result is not None and result.knowledge is None:
                    await self._report_broken_knowledge(result)
            except Exception:
                self.metrics.errors.labels("knowledge_reload").inc()
                log.exception("knowledge reload failed")

    async def _report_broken_knowledge(self, result) -> None:
        self.metrics.errors.labels("knowledge").inc()
        if not self.settings.knowledge_errors_to:
            return
        await report_problems(
            self.db, self.clock, self.settings.knowledge_errors_to, kind="knowledge_error",
            title="ナレッジの検査エラー / Knowledge check failed",
            summary=Text(f"ナレッジの変更に {len(result.problems)} 件の問題があるため、前の版で回答を続けています。",
                         f"The knowledge change has {len(result.problems)} problem(s); "
                         "the previous version stays in use."),
            problems=[p.format(relative_to=self.live.directory) for p in result.problems])
        self.outbox.wakeup.set()

    async def _purge_periodically(self) -> None:
        while True:
            try:
                removed = await self.answer_log.purge(self.settings.retention_days)
                await self.dedupe.purge()
                if removed:
                    log.info("answer log purged", extra={"rows": removed, "retention_days": self.settings.retention_days})
            except Exception:
                self.metrics.errors.labels("purge").inc()
                log.exception("answer log purge failed")
            await asyncio.sleep(PURGE_EVERY_S)


class KnowledgeLoadError(RuntimeError):
    def __init__(self, result) -> None:
        first = result.problems[0].format() if result.problems else ""
        super().__init__(f"ナレッジを読み込めません ({len(result.problems)} 件の問題): {first} "
                         f"/ the knowledge could not be loaded ({len(result.problems)} problem(s))")
        self.result = result
