"""The compliance self-check (コンプライアンスチェックシート) as an interactive form.

Form ``checklist``: one ``checkboxes`` field per group, named ``group1``…``groupN``, whose option
values are the item numbers as strings ("1"…"17"). Adapters that render one toggle per item may
instead send ``item1``…``item17`` (true/false); a comma-separated string ("1,3") is accepted too,
as Teams returns multi-select choice sets that way.

The result goes to the staff member only (a private Reply); the database keeps one anonymous row
(day, platform, ticked, total): no user id, no item-level answers.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from ..bot import Submission
from ..clock import Clock
from ..forms import Field, Form, Option, flag_value
from ..i18n import Lang
from ..knowledge import KnowledgeBase
from ..knowledge.model import Checklist
from ..replies import Choice, Reply
from ..store import Database
from ..store.tables import checklist_completions, processed_events
from ..store.upsert import insert_if_absent
from . import messages as m

log = logging.getLogger(__name__)

FORM_ID = "checklist"


def group_field(index: int) -> str:
    return f"group{index}"


def checklist_form(checklist: Checklist, lang: Lang) -> Form:
    fields = tuple(
        Field(group_field(i), group.title.get(lang), kind="checkboxes",
              options=tuple(Option(str(item.no), f"{item.no}. {item.text.get(lang)}") for item in group.items))
        for i, group in enumerate(checklist.groups, 1))
    intro = checklist.intro.get(lang).strip() if checklist.intro else ""
    intro = f"{intro}\n{m.CHECKLIST_PRIVACY.get(lang)}".strip()
    return Form(FORM_ID, lang, checklist.title.get(lang), m.CHECKLIST_SUBMIT.get(lang), fields, intro=intro)


def ticked_numbers(checklist: Checklist, values: Mapping[str, object]) -> set[int]:
    """Item numbers ticked, whichever way the adapter sent them; unknown numbers are ignored."""
    known = {item.no for item in checklist.items}
    ticked: set[str] = set()
    for i in range(1, len(checklist.groups) + 1):
        value = values.get(group_field(i))
        if isinstance(value, str):
            ticked |= {v.strip() for v in value.split(",")}
        elif isinstance(value, list | tuple | set):
            ticked |= {str(v).strip() for v in value}
    for no in known:
        value = values.get(f"item{no}")
        if not isinstance(value, list | tuple) and flag_value(value):  # one checkbox per item (Teams)
            ticked.add(str(no))
    return {int(v) for v in ticked if v.isdigit() and int(v) in known}


def result_reply(knowledge: KnowledgeBase, checklist: Checklist, ticked: set[int], lang: Lang) -> Reply:
    total = len(checklist.items)
    lines = [m.RESULT_SCORE.format(ticked=len(ticked), total=total).get(lang)]
    choices: list[Choice] = []
    unticked = [item for item in checklist.items if item.no not in ticked]
    if not unticked:
        lines.append(m.RESULT_ALL.get(lang))
    else:
        lines += ["", m.RESULT_UNTICKED.get(lang)]
        for item in unticked:
            lines.append(f"□ {item.no}. {item.text.get(lang)}")
            titles = [knowledge.entries[r].title.get(lang) for r in item.related if r in knowledge.entries]
            if titles:
                lines.append(f"    → {m.RESULT_SEE.get(lang)}: " + " / ".join(titles))
            for r in item.related:
                if r in knowledge.entries and all(c.entry_id != r for c in choices):
                    choices.append(Choice(r, knowledge.entries[r].title.get(lang)))
        lines += ["", m.RESULT_HINT.get(lang)] if choices else []
    lines += ["", m.CHECKLIST_PRIVACY.get(lang)]
    return Reply("info", lang, title=m.RESULT_TITLE.get(lang), answer="\n".join(lines), choices=tuple(choices),
                 private=True)


async def record_completion(db: Database, clock: Clock, tz: str, submission: Submission, ticked: int,
                            total: int) -> bool:
    """Store the anonymous count once per submission (a retried submission counts once).

    Only the local day is kept, not the minute, so the row cannot be matched to a person through
    the platform's own logs.
    """
    now = clock.now()
    zone = ZoneInfo(tz)
    day = datetime.combine(now.astimezone(zone).date(), time(), zone)
    async with db.begin() as conn:
        # The platform's submission key names the person's chat (Teams) or view (Slack): only its hash
        # is kept, stamped with the day like the count, so the two cannot be matched up either.
        if submission.key and not await insert_if_absent(conn, processed_events, {
                "key": "checklist:" + hashlib.sha256(submission.key.encode()).hexdigest(), "at": day}):
            return False
        await conn.execute(insert(checklist_completions).values(
            at=day, platform=str(submission.person.platform)[:16], ticked=ticked, total=total))
    log.info("self-check completed")  # no score: the log line carries a request id
    return True
