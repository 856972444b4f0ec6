"""Ranking documents for a question, and deciding whether the best one is a confident answer.

Evidence per document, each roughly in 0..1 and combined with configurable weights:
- ``best``: the closest single example question, by IDF-weighted word overlap (Dice);
- ``fuzzy``: rapidfuzz character similarity to the closest example question (catches spelling,
  word-boundary and kana differences that word matching misses);
- ``cover``: how much of the question's word weight the document's questions, title and keywords
  explain together (a question may borrow words from several examples);
- ``fields``: BM25 over those same fields pooled, which rewards repeated evidence;
- ``chars``: BM25 over character bigrams of those fields (stemmed words for English), which finds
  words that segmentation or the dictionary split differently (バイト in アルバイト, 職専 in 職務専念);
- ``answer``: BM25 over the answer text, weighted lower for curated knowledge because answers use
  the documents' vocabulary rather than staff's;
- ``whole``: BM25 over questions and answer as one text (what plain FAQ search does).
BM25 figures are divided by the question's total word weight, so they are comparable across
questions and a threshold means the same thing for every question.

Words the index has never seen get the highest IDF, so a question about something else
(区長の今日の予定) cannot score high just by sharing one word with an entry.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from .normalize import Normalizer, Slot, squeeze

FUZZY_LIMIT = 200
FEATURES = ("best", "fuzzy", "cover", "fields", "chars", "answer", "whole")


@dataclass(frozen=True, slots=True)
class MatchDoc:
    """What the matcher indexes: any FAQ-like item, not only knowledge entries."""

    id: str
    questions: Sequence[str]
    answer: str = ""
    keywords: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of evidence counts. The defaults were measured on the bundled knowledge
    and tests/eval/questions.yaml (many example questions per entry, short answers)."""

    best: float = 0.2
    fuzzy: float = 0.0
    cover: float = 0.2
    fields: float = 0.0
    chars: float = 0.7
    answer: float = 0.05
    whole: float = 0.1
    k1: float = 1.2  # BM25 term-frequency saturation
    b: float = 0.75  # BM25 length normalisation


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``answer``: lowest score for a confident answer; ``margin``: how far it must lead the
    runner-up; ``suggest``: lowest score worth offering as "did you mean"."""

    answer: float = 0.65
    margin: float = 0.15
    suggest: float = 0.30
    max_suggestions: int = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    score: float
    best: float = 0.0
    fuzzy: float = 0.0
    cover: float = 0.0
    fields: float = 0.0
    chars: float = 0.0
    answer: float = 0.0
    whole: float = 0.0
    question: str = ""  # the closest example question


Outcome = Literal["answer", "suggest", "none"]


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    @property
    def answered(self) -> bool:
        return self.outcome == "answer"

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def entry_id(self) -> str | None:
        return self.candidates[0].id if self.answered else None

    @property
    def suggestions(self) -> tuple[str, ...]:
        """Ids offered as "did you mean" (empty when answered confidently)."""
        return () if self.answered else tuple(c.id for c in self.candidates)


class _Field:
    """A BM25 field. Postings carry the term-frequency part precomputed, so a query only adds."""

    def __init__(self, docs_terms: list[dict[str, int]], k1: float, b: float) -> None:
        lengths = [sum(tf.values()) for tf in docs_terms]
        avg = (sum(lengths) / len(lengths)) if lengths and sum(lengths) else 1.0
        self.post: dict[str, list[tuple[int, float]]] = {}
        for d, tf in enumerate(docs_terms):
            norm = k1 * (1 - b + b * lengths[d] / avg)
            for term, count in tf.items():
                self.post.setdefault(term, []).append((d, count * (k1 + 1) / (count + norm)))
        n = len(docs_terms) or 1
        self.idf = {t: math.log((n + 1) / (len(p) + 0.5)) for t, p in self.post.items()}
        self.idf_unseen = math.log((n + 1) / 0.5)

    def score(self, slots: list[Slot], weights: list[float]) -> dict[int, float]:
        acc: dict[int, float] = {}
        for slot, weight in zip(slots, weights):
            if len(slot) == 1:
                for d, sat in self.post.get(slot[0], ()):
                    acc[d] = acc.get(d, 0.0) + weight * sat
                continue
            best: dict[int, float] = {}  # several forms of one word count once, at their best
            for form in slot:
                for d, sat in self.post.get(form, ()):
                    if sat > best.get(d, 0.0):
                        best[d] = sat
            for d, sat in best.items():
                acc[d] = acc.get(d, 0.0) + weight * sat
        return acc


class Matcher:
    """Indexes MatchDocs once; ranks questions against them in about a millisecond."""

    def __init__(
        self,
        docs: Iterable[MatchDoc],
        *,
        synonyms: Iterable[Sequence[str]] = (),
        weights: Weights = Weights(),
        thresholds: Thresholds = Thresholds(),
        normalizer: Normalizer | None = None,
    ) -> None:
        self.docs: list[MatchDoc] = list(docs)
        self.weights = weights
        self.thresholds = thresholds
        self.normalizer = normalizer or Normalizer(synonyms)
        self._build()

    # -- index ----------------------------------------------------------------------------------

    def _build(self) -> None:
        norm, w = self.normalizer, self.weights
        self._q_doc: list[int] = []  # question index → doc index
        self._q_text: list[str] = []  # squeezed question, for fuzzy matching
        self._q_raw: list[str] = []
        q_slots: list[list[Slot]] = []
        field_tf: list[dict[str, int]] = []
        chars_tf: list[dict[str, int]] = []
        answer_tf: list[dict[str, int]] = []
        for d, doc in enumerate(self.docs):
            tf: dict[str, int] = {}
            for q in doc.questions:
                slots = norm.slots(q)
                q_slots.append(slots)
                self._q_doc.append(d)
                self._q_text.append(squeeze(q))
                self._q_raw.append(q)
                _count(slots, tf)
            for k in doc.keywords:
                _count(norm.slots(k), tf)
            field_tf.append(tf)
            if w.chars:
                chars_tf.append(_count([(g,) for t in (*doc.questions, *doc.keywords)
                                        for g in norm.char_terms(t)], {}))
            answer_tf.append(_count(norm.slots(doc.answer), {}) if doc.answer and (w.answer or w.whole) else {})

        n = max(len(self.docs), 1)
        df: dict[str, int] = {}
        for fields, answer in zip(field_tf, answer_tf):
            for t in fields.keys() | answer.keys():
                df[t] = df.get(t, 0) + 1
        # Smoothed IDF; unseen words get the maximum, which pulls out-of-scope questions down.
        self._idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._idf_unseen = math.log((n + 1) / 0.5)

        self._q_post: dict[str, list[int]] = {}
        for qi, slots in enumerate(q_slots):
            for form in {f for s in slots for f in s}:
                self._q_post.setdefault(form, []).append(qi)
        self._q_weight = [sum(self._slot_weight(s) for s in slots) for slots in q_slots]
        self._f_post: dict[str, list[int]] = {}
        for d, tf in enumerate(field_tf):
            for t in tf:
                self._f_post.setdefault(t, []).append(d)
        self._fields = _Field(field_tf, w.k1, w.b) if w.fields else None
        self._chars = _Field(chars_tf, w.k1, w.b) if w.chars else None
        self._answers = _Field(answer_tf, w.k1, w.b) if w.answer else None
        whole = [{**a, **{t: c + a.get(t, 0) for t, c in f.items()}} for f, a in zip(field_tf, answer_tf)]
        self._whole = _Field(whole, w.k1, w.b) if w.whole else None

    def _slot_weight(self, slot: Slot) -> float:
        return max(self._idf.get(f, self._idf_unseen) for f in slot)

    # -- ranking --------------------------------------------------------------------------------

    def rank(self, query: str, limit: int | None = 10) -> list[Candidate]:
        """The documents best matching the query, best first, with their evidence."""
        slots = self.normalizer.slots(query)
        squeezed = squeeze(query)
        if not slots and not squeezed:
            return []
        w = self.weights
        weights = [self._slot_weight(s) for s in slots]
        total = sum(weights) or 1.0
        per_word = lambda scores: {d: v / total for d, v in scores.items()}  # noqa: E731

        best: dict[int, tuple[float, int]] = {}
        if w.best:
            best = self._dice(slots, weights, total, self._q_post)

        fuzzy: dict[int, tuple[float, int]] = {}
        if w.fuzzy and squeezed:
            # Only the closest few hundred questions matter; the C heap keeps this cheap.
            for _, score, qi in process.extract(
                squeezed, self._q_text, scorer=fuzz.ratio, limit=FUZZY_LIMIT, score_cutoff=30
            ):
                d = self._q_doc[qi]
                if score > fuzzy.get(d, (0.0, -1))[0]:
                    fuzzy[d] = (score, qi)

        evidence = {
            "cover": per_word(_accumulate(slots, weights, self._f_post)) if w.cover else {},
            "fields": per_word(self._fields.score(slots, weights)) if self._fields else {},
            "answer": per_word(self._answers.score(slots, weights)) if self._answers else {},
            "whole": per_word(self._whole.score(slots, weights)) if self._whole else {},
            "chars": self._char_scores(query) if self._chars else {},
        }
        evidence["best"] = {d: v for d, (v, _) in best.items()}
        evidence["fuzzy"] = {d: v / 100 for d, (v, _) in fuzzy.items()}
        pairs = [(getattr(w, name), evidence[name]) for name in FEATURES if getattr(w, name)]

        touched = set().union(*(scores.keys() for _, scores in pairs)) if pairs else set()
        scored = [(sum(wt * scores.get(d, 0.0) for wt, scores in pairs), d) for d in touched]
        top = heapq.nlargest(limit, scored) if limit else sorted(scored, reverse=True)
        if not w.best and top:
            # The closest example question is shown to staff; work it out for the top few only.
            shown = {d for _, d in top}
            post = {f: [qi for qi in self._q_post.get(f, ()) if self._q_doc[qi] in shown]
                    for s in slots for f in s}
            best = self._dice(slots, weights, total, post)
        results = []
        for score, d in top:
            qi = best.get(d, (0.0, -1))[1]
            if qi < 0:
                qi = fuzzy.get(d, (0.0, -1))[1]
            values = {name: round(evidence[name].get(d, 0.0), 4) for name in FEATURES}
            results.append(Candidate(id=self.docs[d].id, score=round(score, 4),
                                     question=self._q_raw[qi] if qi >= 0 else "", **values))
        results.sort(key=lambda c: (-c.score, c.id))
        return results

    def _dice(self, slots: list[Slot], weights: list[float], total: float,
              post: dict[str, list[int]]) -> dict[int, tuple[float, int]]:
        """Per document, the IDF-weighted Dice overlap of its closest example question, and which."""
        best: dict[int, tuple[float, int]] = {}
        for qi, common in _accumulate(slots, weights, post).items():
            dice = 2 * common / (total + self._q_weight[qi])
            d = self._q_doc[qi]
            if dice > best.get(d, (0.0, -1))[0]:
                best[d] = (dice, qi)
        return best

    def _char_scores(self, query: str) -> dict[int, float]:
        grams = [(g,) for g in dict.fromkeys(self.normalizer.char_terms(query))]
        weights = [self._chars.idf.get(g[0], self._chars.idf_unseen) for g in grams]
        total = sum(weights) or 1.0
        return {d: v / total for d, v in self._chars.score(grams, weights).items()}

    def decide(self, query: str) -> Decision:
        """Answer, suggest or abstain, by the configured thresholds."""
        t = self.thresholds
        ranked = self.rank(query, limit=max(t.max_suggestions, 2))
        if not ranked or ranked[0].score < t.suggest:
            return Decision("none", ())
        top = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if top.score >= t.answer and top.score - runner_up >= t.margin:
            return Decision("answer", tuple(ranked[:1]))
        offered = tuple(c for c in ranked[: t.max_suggestions] if c.score >= t.suggest)
        return Decision("suggest", offered)


def _count(slots: list[Slot], tf: dict[str, int]) -> dict[str, int]:
    for slot in slots:
        for form in slot:
            tf[form] = tf.get(form, 0) + 1
    return tf


def _accumulate(slots: list[Slot], weights: list[float], post: dict[str, list[int]]) -> dict[int, float]:
    """Per indexed item, the weight of the query slots it contains (each slot counted once)."""
    acc: dict[int, float] = {}
    for slot, weight in zip(slots, weights):
        hit: set[int] = set()
        for form in slot:
            hit.update(post.get(form, ()))
        for i in hit:
            acc[i] = acc.get(i, 0.0) + weight
    return acc
