"""From a staff question to a Reply: match against the knowledge, then compose the answer."""

from __future__ import annotations

from dataclasses import dataclass

from . import messages as m
from .config import Settings
from .i18n import Lang, detect_language
from .knowledge import Contact, Entry, KnowledgeBase, LiveKnowledge
from .matching import Decision, Matcher, MatchDoc, Thresholds, Weights
from .replies import Action, Choice, ContactLine, PhraseLine, Reply

NO_ANSWER_CONTACT = "compliance-office"


def match_doc(entry: Entry) -> MatchDoc:
    """What the matcher sees of an entry: titles and example questions in both languages count as
    questions; keywords as keywords; answer, steps and phrases as the answer text."""
    return MatchDoc(
        id=entry.id,
        questions=(entry.title.ja, entry.title.en, *entry.questions.ja, *entry.questions.en),
        keywords=(*entry.keywords.ja, *entry.keywords.en),
        answer="\n".join((entry.answer.ja, entry.answer.en, *entry.steps.ja, *entry.steps.en)),
    )


@dataclass(frozen=True)
class Index:
    """A knowledge snapshot and the matcher built from it, always swapped together."""

    knowledge: KnowledgeBase
    matcher: Matcher

    @classmethod
    def build(cls, knowledge: KnowledgeBase, weights: Weights, thresholds: Thresholds) -> Index:
        docs = [match_doc(e) for e in knowledge.entries.values()]
        return cls(knowledge, Matcher(docs, negatives=knowledge.out_of_scope, synonyms=knowledge.synonyms,
                                      weights=weights, thresholds=thresholds))


@dataclass(frozen=True)
class Answer:
    reply: Reply
    decision: Decision


class Answerer:
    """Answers questions from the live knowledge; rebuilds its index when the knowledge changes."""

    def __init__(self, live: LiveKnowledge, settings: Settings | None = None) -> None:
        self._settings = settings or Settings()
        self._index: Index | None = None  # replaced whole: a reader sees the old index or the new
        live.on_change(self._rebuild)

    def _rebuild(self, knowledge: KnowledgeBase) -> None:
        s = self._settings
        self._index = Index.build(s.apply_contacts(knowledge), s.weights, s.thresholds)

    @property
    def index(self) -> Index:
        if self._index is None:
            raise RuntimeError("knowledge not loaded")
        return self._index

    @property
    def knowledge(self) -> KnowledgeBase:
        return self.index.knowledge

    def ask(self, question: str, lang: Lang | None = None) -> Answer:
        index = self.index
        lang = lang or detect_language(question)
        decision = index.matcher.decide(question)
        if decision.answered:
            entry = index.knowledge.entries[decision.entry_id]
            return Answer(entry_reply(index.knowledge, entry, lang, decision.best.score), decision)
        if decision.outcome == "suggest":
            return Answer(suggest_reply(index.knowledge, decision, lang), decision)
        return Answer(no_answer_reply(index.knowledge, lang, out_of_scope=decision.out_of_scope), decision)

    def entry(self, entry_id: str, lang: Lang) -> Reply | None:
        """The reply for one entry, as when staff pick a suggestion or a related topic."""
        knowledge = self.knowledge
        entry = knowledge.entries.get(entry_id)
        return entry_reply(knowledge, entry, lang) if entry else None


def entry_reply(knowledge: KnowledgeBase, entry: Entry, lang: Lang, score: float | None = None) -> Reply:
    actions = (Action("consult", m.ACTION_CONSULT.get(lang), entry.id),) if entry.consult else ()
    return Reply(
        kind="answer",
        language=lang,
        title=entry.title.get(lang),
        alert=entry.alert.get(lang) if entry.alert else "",
        answer=entry.answer.get(lang),
        steps=entry.steps.get(lang),
        phrases=tuple(PhraseLine(p.text.get(lang), p.when.get(lang) if p.when else "") for p in entry.phrases),
        source=cite(knowledge, entry, lang),
        contacts=tuple(contact_line(knowledge.contacts[k], lang) for k in entry.contacts if k in knowledge.contacts),
        choices=tuple(Choice(r, knowledge.entries[r].title.get(lang)) for r in entry.related if r in knowledge.entries),
        actions=actions,
        entry_id=entry.id,
        score=score,
    )


def suggest_reply(knowledge: KnowledgeBase, decision: Decision, lang: Lang) -> Reply:
    choices = tuple(Choice(c.id, knowledge.entries[c.id].title.get(lang)) for c in decision.candidates)
    # A safety alert must not wait for the user to pick: show it if any candidate carries one.
    alerts = [knowledge.entries[c.id].alert for c in decision.candidates if knowledge.entries[c.id].alert]
    return Reply(
        kind="suggest",
        language=lang,
        alert=alerts[0].get(lang) if alerts else "",
        choices=choices,
        score=decision.best.score if decision.best else None,
    )


def no_answer_reply(knowledge: KnowledgeBase, lang: Lang, *, out_of_scope: bool = False) -> Reply:
    """Nothing to answer with. A question like the out-of-scope examples (pay, IT, a car booking)
    is told that the documents do not cover it, so staff go to the right division instead of
    rephrasing."""
    contact = knowledge.contacts.get(NO_ANSWER_CONTACT)
    text, hint = (m.OUT_OF_SCOPE, m.OUT_OF_SCOPE_HINT) if out_of_scope else (m.NO_ANSWER, m.NO_ANSWER_HINT)
    return Reply(
        kind="none",
        language=lang,
        answer=f"{text.get(lang)}\n{hint.get(lang)}",
        contacts=(contact_line(contact, lang),) if contact else (),
        actions=(Action("consult", m.ACTION_CONSULT.get(lang)),),
    )


def cite(knowledge: KnowledgeBase, entry: Entry, lang: Lang) -> str:
    parts = []
    for ref in entry.sources:
        doc = knowledge.documents.get(ref.doc)
        name = doc.name.get(lang) if doc else ref.doc
        parts.append(f"{name} {ref.section}" if lang == "ja" else f"{name}, {ref.section}")
    return "; ".join(parts)


def contact_line(contact: Contact, lang: Lang) -> ContactLine:
    details = []
    if contact.phone:
        details.append(f"{m.PHONE.get(lang)}: {contact.phone}")
    if contact.fax:
        details.append(f"{m.FAX.get(lang)}: {contact.fax}")
    if contact.email:
        details.append(contact.email)
    if contact.url:
        details.append(contact.url)
    if contact.how:
        details.append(contact.how.get(lang))
    return ContactLine(contact.name.get(lang), tuple(details))
