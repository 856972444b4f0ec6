"""What the App Home shows of the user's own consultation requests.

SEAM: the hand-off core (``guidance_bot.handoff``) was written at the same time as this adapter. This
function is the one place that asks it for a requester's requests; it returns None (the App Home then
leaves the section out) while the runtime offers no such listing.
"""

from __future__ import annotations

import logging

from guidance_bot.i18n import Lang
from guidance_bot.platforms import Person
from guidance_bot.runtime import Runtime

log = logging.getLogger(__name__)

MAX_LINES = 10


async def consultation_lines(runtime: Runtime, person: Person, lang: Lang) -> list[str] | None:
    """One line per request of ``person``, newest first (reference, date, status), or None."""
    service = getattr(runtime, "consultations", None)
    lister = getattr(service, "requester_lines", None)
    if lister is None:
        return None
    return list(await lister(person, lang))[:MAX_LINES]
