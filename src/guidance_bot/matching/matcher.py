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

Out-of-scope examples (``negatives``: 有給休暇の残り日数, 公用車の予約) are indexed as one more
document that is never offered. A confident answer must lead it by the same margin as any
runner-up, and a question closest to it gets no answer at all: without it, a question that shares
a few words with an entry (区長, 公用車, 電話) has nothing better to go to than that entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from .normalize import Normalizer, Slot, squeeze

FEATURES = ("best", "fuzzy", "cover", "fields", "chars", "answer", "whole")
OUT_OF_SCOPE = "(out of scope)"  # the id of the out-of-scope examples; never a valid entry id


@dataclass(frozen=True, slots=True)
class MatchDoc:
    """What the matcher indexes: any FAQ-like item, not only knowledge entries."""

    id: str
    questions: Sequence[str]
    answer: str = ""
    keywords: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of evidence counts. The defaults were chosen with the thresholds by
    bench/tune_matcher.py on the development questions (bench/dev) for the bundled knowledge (many
    example questions per entry, short answers)."""

    best: float = 0.2
    fuzzy: float = 0.0
    cover: float = 0.1
    fields: float = 0.0
    chars: float = 0.5
    answer: float = 0.05
    whole: float = 0.0
    k1: float = 1.2  # BM25 term-frequency saturation
    b: float = 0.75  # BM25 length normalisation


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``answer``: lowest score for a confident answer; ``margin``: how far it must lead the
    runner-up; ``suggest``: lowest score worth offering as "did you mean"."""

    answer: float = 0.35
    margin: float = 0.08
    suggest: float = 0.25
    max_suggestions: int = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    score: float
    best: float = 0.2
    fuzzy: float = 0.0
    cover: float = 0.1
    fields: float = 0.0
    chars: float = 0.5
    answer: float = 0.05
    whole: float = 0.0
    question: str = ""  # the closest example question


Outcome = Literal["answer", "suggest", "none"]


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    out_of_scope: bool = False  # no answer because the question is closest to the out-of-scope examples

    @property
    def answered(self) -> bool:
        return self.outcome == "answer"

    @property
    def label(self) -> str:
        """What the answer log and the metrics call it: the outcome, or ``out_of_scope``."""
        return "out_of_scope" if self.out_of_scope else self.outcome

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


class _Postings:
    """Term → (document indices, values) as arrays, so a query adds whole postings at once.

    For a BM25 field the value is the term-frequency part, precomputed; for a membership field
    (``binary``) it is 1.
    """

    def __init__(self, docs_terms: list[dict[str, int]], size: int, k1: float = 1.2,
                 b: float = 0.75, binary: bool = False) -> None:
        self.size = size
        lengths = np.array([sum(tf.values()) for tf in docs_terms], dtype=np.float64)
        avg = float(lengths.mean()) if len(lengths) and lengths.sum() else 1.0
        lists: dict[str, tuple[list[int], list[float]]] = {}
        for d, tf in enumerate(docs_terms):
            norm = k1 * (1 - b + b * lengths[d] / avg)
            for term, count in tf.items():
                docs, values = lists.setdefault(term, ([], []))
                docs.append(d)
                values.append(1.0 if binary else count * (k1 + 1) / (count + norm))
        self.post = {t: (np.array(d, dtype=np.int32), np.array(v)) for t, (d, v) in lists.items()}
        n = len(docs_terms) or 1
        self.idf = {t: math.log((n + 1) / (len(d) + 0.5)) for t, (d, _) in self.post.items()}
        self.idf_unseen = math.log((n + 1) / 0.5)

    def score(self, slots: list[Slot], weights: list[float],
              form_weight: Callable[[str], float] | None = None) -> np.ndarray:
        """Each slot adds its weight times the document's value for it. With ``form_weight``, a
        document that has only one of the slot's forms gets that form's weight at most: a synonym
        group such as 金銭要求 also carries the words of its phrases (金, 出す), and a document
        sharing only 出す does not score as if it shared 金銭要求. Ranking does not use it: with
        it each word evidence ranks better alone, but the mix decides no better (bench/tune_matcher.py,
        2026-11-26: 0.912 vs 0.916 confident top-1 on bench/dev), so only comparing two example
        questions (similar_examples) does."""
        acc = np.zeros(self.size)
        for slot, weight in zip(slots, weights):
            hits = [(f, self.post[f]) for f in slot if f in self.post]
            if len(hits) == 1 and (form_weight is None or hits[0][0] == slot[0]):
                docs, values = hits[0][1]
                acc[docs] += weight * values
            elif hits:  # several forms of one word count once, at their best
                best = np.zeros(self.size)
                for form, (docs, values) in hits:
                    w = weight if form_weight is None else min(weight, form_weight(form))
                    best[docs] = np.maximum(best[docs], w * values)
                acc += best
        return acc


class Matcher:
    """Indexes MatchDocs once; ranks questions against them in about a millisecond."""

    def __init__(
        self,
        docs: Iterable[MatchDoc],
        *,
        negatives: Sequence[str] = (),
        synonyms: Iterable[Sequence[str]] = (),
        weights: Weights = Weights(),
        thresholds: Thresholds = Thresholds(),
        normalizer: Normalizer | None = None,
    ) -> None:
        self.docs: list[MatchDoc] = list(docs)
        if negatives:
            self.docs.append(MatchDoc(id=OUT_OF_SCOPE, questions=tuple(negatives)))
        self.weights = weights
        self.thresholds = thresholds
        self.normalizer = normalizer or Normalizer(synonyms)
        self._build()

    # -- index ----------------------------------------------------------------------------------

    def _build(self) -> None:
        norm, w = self.normalizer, self.weights
        n = len(self.docs)
        q_doc: list[int] = []  # question index → doc index
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
                q_doc.append(d)
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

        df: dict[str, int] = {}
        for fields, answer in zip(field_tf, answer_tf):
            for t in fields.keys() | answer.keys():
                df[t] = df.get(t, 0) + 1
        # Smoothed IDF; unseen words get the maximum, which pulls out-of-scope questions down.
        self._idf = {t: math.log((max(n, 1) + 1) / (c + 0.5)) for t, c in df.items()}
        self._idf_unseen = math.log((max(n, 1) + 1) / 0.5)

        self._q_doc = np.array(q_doc, dtype=np.int32)
        # A document's questions are contiguous: where each one's run starts and ends.
        self._q_bounds = np.searchsorted(self._q_doc, np.arange(n + 1))
        self._questions = _Postings([_count(s, {}) for s in q_slots], len(q_slots), binary=True)
        self._q_weight = np.array([sum(self._slot_weight(s) for s in slots) for slots in q_slots])
        self._cover = _Postings(field_tf, n, binary=True) if w.cover else None
        self._fields = _Postings(field_tf, n, w.k1, w.b) if w.fields else None
        self._chars = _Postings(chars_tf, n, w.k1, w.b) if w.chars else None
        self._answers = _Postings(answer_tf, n, w.k1, w.b) if w.answer else None
        self._whole = None
        if w.whole:
            whole = [{**a, **{t: c + a.get(t, 0) for t, c in f.items()}} for f, a in zip(field_tf, answer_tf)]
            self._whole = _Postings(whole, n, w.k1, w.b)

    def _slot_weight(self, slot: Slot) -> float:
        return max(self._idf.get(f, self._idf_unseen) for f in slot)

    def _form_weight(self, form: str) -> float:
        return self._idf.get(form, self._idf_unseen)

    # -- ranking --------------------------------------------------------------------------------

    def rank(self, query: str, limit: int | None = 10) -> list[Candidate]:
        """The documents best matching the query, best first, with their evidence. The
        out-of-scope examples are ranked like a document, as ``OUT_OF_SCOPE``."""
        slots = self.normalizer.slots(query)
        squeezed = squeeze(query)
        n = len(self.docs)
        if not n or (not slots and not squeezed):
            return []
        w = self.weights
        weights = [self._slot_weight(s) for s in slots]
        total = sum(weights) or 1.0

        dice = 2 * self._questions.score(slots, weights) / (total + self._q_weight)
        best = np.zeros(n)
        np.maximum.at(best, self._q_doc, dice)
        evidence = {"best": best}
        if w.fuzzy and squeezed:
            similarity = process.cdist([squeezed], self._q_text, scorer=fuzz.ratio, dtype=np.uint8)[0]
            fuzzy = np.zeros(n)
            np.maximum.at(fuzzy, self._q_doc, similarity / 100)
            evidence["fuzzy"] = fuzzy
        for name, postings in (("cover", self._cover), ("fields", self._fields),
                               ("answer", self._answers), ("whole", self._whole)):
            if postings is not None:
                evidence[name] = postings.score(slots, weights) / total
        if self._chars is not None:
            evidence["chars"] = self._char_scores(query)

        score = np.zeros(n)
        for name in FEATURES:
            if getattr(w, name) and name in evidence:
                score += getattr(w, name) * evidence[name]
        touched = np.flatnonzero(score > 0)
        if limit and len(touched) > limit:
            touched = touched[np.argpartition(-score[touched], limit - 1)[:limit]]
        results = []
        for d in touched:
            values = {name: round(float(evidence[name][d]), 4) if name in evidence else 0.0
                      for name in FEATURES}
            results.append(Candidate(id=self.docs[d].id, score=round(float(score[d]), 4),
                                     question=self._closest_question(int(d), dice), **values))
        results.sort(key=lambda c: (-c.score, c.id))
        return results[:limit] if limit else results

    def similar_examples(self, query: str, min_similarity: float) -> list[tuple[str, str, float]]:
        """Example questions at least this similar to the query, as (document id, question,
        similarity), most similar first. Similarity is the IDF-weighted share of words the two
        have in common (weighted Jaccard, 0..1), so it is symmetric."""
        slots = list({slot[0]: slot for slot in self.normalizer.slots(query)}.values())
        if not slots:
            return []
        weights = [self._slot_weight(s) for s in slots]
        shared = self._questions.score(slots, weights, self._form_weight)
        union = np.maximum(sum(weights) + self._q_weight - shared, 1e-9)
        similarity = np.minimum(shared / union, 1.0)
        hits = np.flatnonzero(similarity >= min_similarity)
        found = [(self.docs[self._q_doc[q]].id, self._q_raw[q], round(float(similarity[q]), 3)) for q in hits]
        return sorted(found, key=lambda f: -f[2])

    def _closest_question(self, d: int, dice: np.ndarray) -> str:
        start, end = int(self._q_bounds[d]), int(self._q_bounds[d + 1])
        return self._q_raw[start + int(np.argmax(dice[start:end]))] if end > start else ""

    def _char_scores(self, query: str) -> np.ndarray:
        grams = [(g,) for g in dict.fromkeys(self.normalizer.char_terms(query))]
        weights = [self._chars.idf.get(g[0], self._chars.idf_unseen) for g in grams]
        return self._chars.score(grams, weights) / (sum(weights) or 1.0)

    def decide(self, query: str) -> Decision:
        """Answer, suggest or abstain, by the configured thresholds."""
        t = self.thresholds
        ranked = self.rank(query, limit=max(t.max_suggestions, 2) + 1)
        if ranked and ranked[0].id == OUT_OF_SCOPE:
            return Decision("none", (), out_of_scope=True)
        if not ranked or ranked[0].score < t.suggest:
            return Decision("none", ())
        top = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if top.score >= t.answer and top.score - runner_up >= t.margin:
            return Decision("answer", tuple(ranked[:1]))
        offered = tuple(c for c in ranked if c.id != OUT_OF_SCOPE and c.score >= t.suggest)
        return Decision("suggest", offered[: t.max_suggestions])


def _count(slots: list[Slot], tf: dict[str, int]) -> dict[str, int]:
    for slot in slots:
        for form in slot:
            tf[form] = tf.get(form, 0) + 1
    return tf
