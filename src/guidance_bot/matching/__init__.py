"""Matching staff questions to knowledge: normalisation, ranking and the answer/suggest/none decision."""

from .matcher import Candidate, Decision, Matcher, MatchDoc, Thresholds, Weights
from .normalize import Normalizer

__all__ = ["Candidate", "Decision", "MatchDoc", "Matcher", "Normalizer", "Thresholds", "Weights"]
