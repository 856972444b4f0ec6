"""Legal consultation hand-off to the compliance advisor (issue #7), platform-neutral.

``install(runtime)`` registers on the bot:

- command ``consult`` (words consult, 相談, 法律相談; phrases such as 「弁護士に相談したい」 and
  "I need legal advice") → the request ``Form``; ``consult LC-2026-0001`` → that request (private);
- action ``consult`` (value: the entry id shown, or empty) → the ``Form``;
- form ``consult`` → the private confirmation ``Reply``, or ``FormErrors``;
- action ``consult_status`` (value ``LC-2026-0001:in_progress``; office only) → a ``Reply``.

The service is kept on ``runtime.consultations``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .handlers import PHRASES, Handlers
from .service import AccessRefused, Consultation, ConsultationService, NotFound, Viewer

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["AccessRefused", "Consultation", "ConsultationService", "Handlers", "NotFound", "Viewer", "install"]

log = logging.getLogger(__name__)


def install(runtime: Runtime) -> ConsultationService:
    def entry_title(entry_id: str, lang) -> str:
        entry = runtime.live.current.entries.get(entry_id) if runtime.live.loaded else None
        return entry.title.get(lang) if entry else ""

    service = ConsultationService(runtime.db, runtime.clock, runtime.settings, runtime.metrics,
                                  wakeup=runtime.outbox.wakeup.set, entry_title=entry_title)
    handlers = Handlers(runtime, service, entry_title)
    bot = runtime.bot
    bot.register_command("consult", ("consult", "相談", "法律相談"), handlers.command, handlers.help)
    for pattern in PHRASES:
        bot.register_phrase(pattern, "consult")
    bot.register_action("consult", handlers.open_form)
    bot.register_action("consult_status", handlers.change_status)
    bot.register_form("consult", handlers.submit)
    runtime.add_background(handlers.announce_pending)
    for kind in service.missing_destinations():
        # Requests are still accepted and stored (`guidance-bot consult list`); they are announced
        # once the destination is configured and the bot restarted. Never sent elsewhere.
        log.warning("consultation destination not configured", extra={"kind": kind})
    return service
