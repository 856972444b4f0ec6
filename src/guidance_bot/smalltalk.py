"""Greetings and thanks on their own ("ありがとう", "hi!") get a short friendly reply instead of
being matched: as questions they would share a word with some entry and get a strange answer."""

from __future__ import annotations

import re

from . import messages as m
from .i18n import Lang
from .replies import Reply

_END = r"[\s!！。．.、,〜~ー♪]*"  # trailing punctuation only: ありがとう！ / thanks!!
_GREETING = re.compile(
    r"^(こんにちは|こんにちわ|こんばんは|おはよう(ございます)?|はじめまして|よろしく(お願いします|おねがいします)?"
    r"|hello|hi|hey|good (morning|afternoon|evening))" + _END + "$", re.IGNORECASE)
_THANKS = re.compile(
    r"^(ありがとう(ございます|ございました)?|どうもありがとう(ございます)?|助かりました|助かった|感謝します"
    r"|thanks?( you)?( (so|very) much| a lot)?|thx|ty|cheers|much appreciated)" + _END + "$", re.IGNORECASE)


def small_talk_reply(text: str, lang: Lang) -> Reply | None:
    """A reply when the whole message is a greeting or thanks; None for anything else."""
    text = text.strip()
    if _THANKS.match(text):
        return Reply("info", lang, answer=m.SMALL_TALK_THANKS.get(lang))
    if _GREETING.match(text):
        return Reply("info", lang, answer=m.SMALL_TALK_GREETING.get(lang))
    return None
