"""Personal details out of text before it is stored: phone numbers, e-mail addresses, long digit
runs, and names before 様/さん/氏 (or after Mr./Ms.). What remains is enough to see what was asked."""

from __future__ import annotations

import re
import unicodedata

MASK = "＊＊＊"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+?\d{1,3}[-‐ ]?)?\(?0?\d{1,4}\)?[-‐ ]\d{1,4}[-‐ ]\d{3,4}")
_DIGITS = re.compile(r"\d{5,}")
# A name: up to 10 kanji/kana/Latin letters directly before an honorific.
_NAME_JA = re.compile(r"([\u4e00-\u9fff\u3040-\u309f\u30a0-\u30ffA-Za-z々ー]{1,10})(様|さま|さん|氏|くん|君)")
_NAME_EN = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?")
# Words before さん/様 that are roles, not names: keep them, they say what the question is about.
_NOT_NAMES = ("お客", "客", "皆", "みな", "相手", "利用者", "住民", "区民", "市民", "患者", "業者", "来庁者",
              "担当者", "上司", "部下", "同僚", "先輩", "後輩", "職員", "ご本人", "本人", "家族", "ご家族",
              "親御", "お年寄り", "高齢者", "外国人", "議員", "区長", "課長", "係長", "部長", "委員",
              "お医者", "弁護士", "相談者", "申請者", "その方", "あの方", "この方", "どちら")


def redact(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _EMAIL.sub(MASK, text)
    text = _PHONE.sub(MASK, text)
    text = _DIGITS.sub(MASK, text)
    text = _NAME_JA.sub(_name_ja, text)
    return _NAME_EN.sub(lambda m: f"{m.group(1)}. {MASK}", text)


def _name_ja(match: re.Match[str]) -> str:
    word, honorific = match.group(1), match.group(2)
    for role in _NOT_NAMES:
        if word.endswith(role):
            return match.group(0)
    # Keep particles in front of the name ("田中さんに" → the name is the kanji run before さん).
    head = re.match(r"^(.*?[をにがはでとのへもや])", word)
    kept = head.group(1) if head and len(head.group(1)) < len(word) else ""
    return f"{kept}{MASK}{honorific}"
