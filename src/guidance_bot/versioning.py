"""The knowledge version recorded with every answer: the content hash, plus the git commit of the
knowledge directory when it is a git checkout (so an answer can be traced to the exact files)."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

from .knowledge import KnowledgeBase


def knowledge_version(knowledge: KnowledgeBase, directory: Path) -> str:
    commit = git_commit(directory)
    return f"{knowledge.version}@{commit}" if commit else knowledge.version


@functools.lru_cache(maxsize=8)
def _git_commit_cached(directory: str, stamp: float) -> str:
    try:
        out = subprocess.run(["git", "-C", directory, "log", "-1", "--format=%h", "--", "."],
                             capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def git_commit(directory: Path) -> str:
    head = _find_git_head(directory)
    if head is None:
        return ""
    return _git_commit_cached(str(directory), head.stat().st_mtime)


def _find_git_head(directory: Path) -> Path | None:
    for parent in (directory.resolve(), *directory.resolve().parents):
        head = parent / ".git" / "HEAD"
        if head.exists():
            return head
    return None
