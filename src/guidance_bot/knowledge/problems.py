"""Problems found in the knowledge files, reported as ``FILE:LINE: message``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..i18n import Text


@dataclass(frozen=True, slots=True)
class Problem:
    file: Path
    line: int
    message: Text

    def format(self, relative_to: Path | None = None) -> str:
        path = self.file
        if relative_to is not None:
            try:
                path = self.file.relative_to(relative_to)
            except ValueError:
                pass
        return f"{path}:{self.line}: {self.message.ja} ({self.message.en})"

    def sort_key(self) -> tuple[str, int]:
        return (str(self.file), self.line)
