"""The answer log the compliance office reads: what was answered, suggested or left unanswered.

Question text is kept only when the bot did not answer (that is what curators need), redacted
before it is written, and purged after the retention period.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update

from .clock import Clock
from .matching import Decision
from .redact import redact
from .store import Database
from .store.tables import answers


@dataclass(frozen=True)
class LoggedQuestion:
    at: datetime
    outcome: str
    question: str
    suggestions: tuple[str, ...]


class AnswerLog:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def record(self, *, platform: str, language: str, decision: Decision, question: str,
                     knowledge_version: str) -> str:
        answer_id = str(uuid.uuid4())
        keep_text = not decision.answered
        async with self._db.begin() as conn:
            await conn.execute(insert(answers).values(
                id=answer_id, at=self._clock.now(), platform=platform, language=language,
                outcome=decision.label, entry_id=decision.entry_id,
                suggestions=list(decision.suggestions),
                score=round(decision.best.score, 4) if decision.best else None,
                knowledge_version=knowledge_version,
                question=redact(question) if keep_text else None))
        return answer_id

    def now(self) -> datetime:
        return self._clock.now()

    async def feedback(self, answer_id: str, value: int) -> bool:
        """Record 👍 (+1) or 👎 (-1); pressing again changes it. False when the answer is unknown."""
        async with self._db.begin() as conn:
            result = await conn.execute(update(answers).where(answers.c.id == answer_id)
                                        .values(feedback=1 if value > 0 else -1))
        return result.rowcount == 1

    async def purge(self, retention_days: int) -> int:
        cutoff = self._clock.now() - timedelta(days=retention_days)
        async with self._db.begin() as conn:
            result = await conn.execute(delete(answers).where(answers.c.at < cutoff))
        return result.rowcount

    async def unanswered(self, since: datetime) -> list[LoggedQuestion]:
        query = (select(answers.c.at, answers.c.outcome, answers.c.question, answers.c.suggestions)
                 .where(answers.c.at >= since, answers.c.outcome != "answer", answers.c.question.is_not(None))
                 .order_by(answers.c.at))
        async with self._db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [LoggedQuestion(r.at, r.outcome, r.question, tuple(r.suggestions or ())) for r in rows]
