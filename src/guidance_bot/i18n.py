"""Languages and bilingual text.

Japanese is the product's first language; every text a user sees exists in Japanese and English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")

# Hiragana, katakana (incl. half-width) and CJK ideographs: any of them makes a question Japanese.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u3400-\u4dbf\u4e00-\u9fff]")


def detect_language(text: str) -> Lang:
    """Kana or kanji anywhere means Japanese; otherwise English."""
    return "ja" if _JAPANESE.search(text) else "en"


def locale_lang(locale: str | None) -> Lang | None:
    """A chat client's language (Slack ``ja-JP``, Teams ``en-US``), when it is one of ours."""
    locale = (locale or "").lower()
    return "ja" if locale.startswith("ja") else "en" if locale.startswith("en") else None


def parse_lang(value: str | None) -> Lang | None:
    """Accept ``ja``/``en`` (any case, also ``jp``/``japanese``/``english``); None for anything else."""
    if not value:
        return None
    v = value.strip().lower()
    if v in ("ja", "jp", "japanese", "日本語"):
        return "ja"
    if v in ("en", "english", "英語"):
        return "en"
    return None


@dataclass(frozen=True, slots=True)
class Text:
    """One text in both languages."""

    ja: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.ja if lang == "ja" else self.en

    def format(self, **values: object) -> Text:
        return Text(self.ja.format(**values), self.en.format(**values))


@dataclass(frozen=True, slots=True)
class TextList:
    """A list of texts in both languages (steps, example questions)."""

    ja: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def get(self, lang: Lang) -> tuple[str, ...]:
        return self.ja if lang == "ja" else self.en

    def __bool__(self) -> bool:
        return bool(self.ja or self.en)
