"""The knowledge the bot ships with: complete, bilingual, safe and faithful in form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guidance_bot.evaluation import load_eval
from guidance_bot.knowledge import KnowledgeBase, load_knowledge
from guidance_bot.knowledge.loader import question_key

REPO = Path(__file__).resolve().parents[1]
TOPIC_IDS = [line.strip() for line in (REPO / "tests/data/topic_ids.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
SAFETY_ENTRIES = ["type-violence", "type-intimidation", "calling-police", "applicable-criminal-laws"]
PHONE = re.compile(r"0\d{1,4}[-‐－―ー]\d{2,4}[-‐－―ー]\d{3,4}|[０-９]{2,4}[-‐－―ー][０-９]{3,4}")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    result = load_knowledge(REPO / "knowledge")
    assert result.ok, "\n".join(p.format() for p in result.problems)
    return result.knowledge


def test_every_topic_has_its_entry(kb):
    missing = [t for t in TOPIC_IDS if t not in kb.entries]
    assert missing == []
    assert len(TOPIC_IDS) == 99


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_entry_has_enough_example_questions(kb, topic):
    entry = kb.entries[topic]
    assert len(entry.questions.ja) >= 8
    assert len(entry.questions.en) >= 5


def test_every_entry_cites_a_known_document(kb):
    for entry in kb.entries.values():
        assert entry.sources, entry.id
        assert all(ref.doc in kb.documents for ref in entry.sources), entry.id


@pytest.mark.parametrize("entry_id", SAFETY_ENTRIES)
def test_violence_and_threat_entries_lead_with_the_police(kb, entry_id):
    alert = kb.entries[entry_id].alert
    assert alert is not None
    assert "110" in alert.ja and "110" in alert.en


def test_advisor_entry_offers_the_consultation_hand_off(kb):
    advisor = kb.entries["compliance-advisor"]
    assert advisor.consult
    assert "legal-consultation" in advisor.contacts


def test_contact_details_live_in_one_place(kb):
    """Phone and fax numbers come from contacts.yaml, never from an entry's own text."""
    office = kb.contacts["compliance-office"]
    assert office.phone and office.fax
    for entry in kb.entries.values():
        texts = [entry.answer.ja, entry.answer.en, *entry.steps.ja, *entry.steps.en]
        assert not any(PHONE.search(t) for t in texts), entry.id


def test_police_numbers_are_given(kb):
    police = kb.entries["calling-police"]
    text = police.answer.ja + "".join(police.steps.ja)
    assert "110" in text and "9110" in text


def test_checklist_has_17_items_in_4_groups(kb):
    checklist = kb.checklist
    assert checklist is not None
    assert len(checklist.groups) == 4
    assert [item.no for item in checklist.items] == list(range(1, 18))
    assert all(item.text.ja and item.text.en for item in checklist.items)


def test_eval_set_is_large_independent_and_covers_every_topic(kb):
    items = load_eval(REPO / "tests/eval/questions.yaml")
    in_scope = [i for i in items if i.expect]
    out_of_scope = [i for i in items if not i.expect]
    assert len(in_scope) >= 400 and len(out_of_scope) >= 60
    covered = {e for i in in_scope for e in i.expect}
    assert set(TOPIC_IDS) <= covered
    examples = {question_key(q) for e in kb.entries.values() for q in (*e.questions.ja, *e.questions.en)}
    copies = [i.question for i in items if question_key(i.question) in examples]
    assert copies == []
