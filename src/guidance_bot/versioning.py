"""The knowledge version recorded with every answer: the content hash, plus the git commit of the
knowledge directory when it is a git checkout (so an answer can be traced to the exact files)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .knowledge import KnowledgeBase


def knowledge_version(knowledge: KnowledgeBase, directory: Path) -> str:
    """Runs git, so call it once per knowledge change (the bot does, when the knowledge reloads),
    not once per answer."""
    commit = git_commit(directory)
    return f"{knowledge.version}@{commit}" if commit else knowledge.version


def git_commit(directory: Path) -> str:
    """The last commit that touched the directory, or "" outside a git checkout."""
    try:
        out = subprocess.run(["git", "-C", str(directory), "log", "-1", "--format=%h", "--", "."],
                             capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""
