"""The knowledge the running bot serves: reloaded when files change, never replaced by a broken version."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from .loader import LoadResult, load_knowledge
from .model import KnowledgeBase

log = logging.getLogger(__name__)


class KnowledgeUnavailable(RuntimeError):
    """Raised when the directory has never loaded cleanly, so there is nothing to serve."""


class LiveKnowledge:
    """Holds the last good KnowledgeBase snapshot and swaps it atomically on a clean reload.

    Listeners (the matcher index) are told of each new snapshot so they rebuild once per change.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._current: KnowledgeBase | None = None
        self._stamp: tuple = ()
        self._lock = threading.Lock()
        self._listeners: list[Callable[[KnowledgeBase], None]] = []

    @property
    def current(self) -> KnowledgeBase:
        if self._current is None:
            raise KnowledgeUnavailable(str(self.directory))
        return self._current

    @property
    def loaded(self) -> bool:
        return self._current is not None

    def on_change(self, listener: Callable[[KnowledgeBase], None]) -> None:
        self._listeners.append(listener)
        if self._current is not None:
            listener(self._current)

    def reload(self) -> LoadResult:
        """Load the directory; on any problem keep serving the previous snapshot and log why."""
        with self._lock:
            self._stamp = self._file_stamp()
            result = load_knowledge(self.directory)
            if result.knowledge is None:
                for problem in result.problems:
                    log.error("knowledge problem: %s", problem.format())
                if self._current is not None:
                    log.error("knowledge reload failed with %d problem(s); still serving version %s",
                              len(result.problems), self._current.version)
                return result
            if self._current is not None and self._current.version == result.knowledge.version:
                return result
            self._current = result.knowledge
            log.info("knowledge version %s loaded: %d entries",
                     result.knowledge.version, len(result.knowledge.entries))
        for listener in self._listeners:
            listener(result.knowledge)
        return result

    def reload_if_changed(self) -> LoadResult | None:
        """Cheap check (names, sizes, mtimes) so a poller can call this every few seconds."""
        if self._file_stamp() == self._stamp:
            return None
        return self.reload()

    def _file_stamp(self) -> tuple:
        try:
            return tuple(sorted(
                (str(p), p.stat().st_mtime_ns, p.stat().st_size)
                for p in self.directory.rglob("*.y*ml") if p.is_file()
            ))
        except OSError:
            return ()
