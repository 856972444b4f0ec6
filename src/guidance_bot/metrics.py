"""Prometheus metrics, one registry per running bot (tests start many)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "guidance_questions", "Questions by outcome: answer, suggest, none, out_of_scope",
            ["outcome", "platform"], registry=self.registry)
        self.answer_seconds = Histogram(
            "guidance_answer_seconds", "Time to compose a reply to a question",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0), registry=self.registry)
        self.handoffs = Counter("guidance_handoffs", "Consultation requests accepted", ["category"],
                                registry=self.registry)
        self.reminder_deliveries = Counter(
            "guidance_reminder_deliveries", "Reminder due times: queued for delivery, or skipped",
            ["result"], registry=self.registry)
        self.outbox = Counter("guidance_outbox_deliveries", "Outbox delivery attempts", ["kind", "result"],
                              registry=self.registry)
        self.errors = Counter("guidance_errors", "Errors by where they happened", ["where"],
                              registry=self.registry)
        self.feedback = Counter("guidance_feedback", "Feedback on answers", ["value"], registry=self.registry)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
