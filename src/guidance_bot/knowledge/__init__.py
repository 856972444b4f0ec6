"""Knowledge entries: the YAML format, loading with line numbers, validation and live reload."""

from .live import KnowledgeUnavailable, LiveKnowledge
from .loader import LoadResult, load_knowledge
from .model import (
    Checklist,
    ChecklistGroup,
    ChecklistItem,
    Contact,
    Document,
    Entry,
    KnowledgeBase,
    Phrase,
    SourceRef,
)
from .problems import Problem

__all__ = [
    "Checklist", "ChecklistGroup", "ChecklistItem", "Contact", "Document", "Entry",
    "KnowledgeBase", "KnowledgeUnavailable", "LiveKnowledge", "LoadResult", "Phrase", "Problem",
    "SourceRef", "load_knowledge",
]
