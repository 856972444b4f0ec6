"""Example questions that two entries (or an entry and the out-of-scope list) share almost word
for word. Each such pair makes the matcher toss a coin between them, so the compliance office
should keep the question under the one entry whose answer fits it, or reword one of the two."""

from __future__ import annotations

from dataclasses import dataclass

from .answering import Index
from .knowledge import KnowledgeBase
from .matching import Thresholds, Weights
from .matching.matcher import OUT_OF_SCOPE


@dataclass(frozen=True, slots=True)
class Overlap:
    similarity: float
    first_id: str
    first: str
    second_id: str  # OUT_OF_SCOPE for a question of out_of_scope.yaml
    second: str


def find_overlaps(knowledge: KnowledgeBase, min_similarity: float = 0.8) -> list[Overlap]:
    """Pairs of example questions from different entries, most similar first, each pair once."""
    matcher = Index.build(knowledge, Weights(), Thresholds()).matcher
    found: dict[frozenset[tuple[str, str]], Overlap] = {}
    for doc in matcher.docs:
        for question in doc.questions:
            for other_id, other, similarity in matcher.similar_examples(question, min_similarity):
                if other_id == doc.id:
                    continue
                key = frozenset({(doc.id, question), (other_id, other)})
                if key not in found:
                    first, second = sorted([(doc.id, question), (other_id, other)],
                                           key=lambda pair: pair[0] == OUT_OF_SCOPE)
                    found[key] = Overlap(similarity, *first, *second)
    return sorted(found.values(), key=lambda o: (-o.similarity, o.first_id, o.second_id))
