"""Text normalisation for matching: Japanese via SudachiPy, English via light stemming.

A text becomes a list of *slots*, one per content word. A slot holds every form the word may
appear as in the knowledge (normalised form, dictionary form, synonym group), so 言われた, 言う and
いう all meet, and 録った meets 録る.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import snowballstemmer
from sudachipy import Dictionary, SplitMode

Slot = tuple[str, ...]  # the forms of one content word; the first is its canonical form

_ASCII_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_LATIN_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9'’\-]*$")

# Parts of speech that carry meaning. Particles, auxiliaries, symbols and pronouns do not.
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞", "連体詞"}
# Light verbs and fillers present in almost every question; they only add noise.
_JA_STOP = {
    "為る", "する", "居る", "いる", "有る", "ある", "成る", "なる", "れる", "られる", "せる", "てる",
    "ちゃう", "貰う", "もらう", "呉れる", "くれる", "下さる", "くださる", "頂く", "いただく", "良い",
    "事", "こと", "物", "もの", "時", "とき", "方", "ほう", "所", "ところ", "様", "よう", "為", "ため",
    "さん", "的", "等", "など", "とか", "何", "なに", "どう", "如何", "いかが", "此れ", "其れ",
    "此の", "其の", "彼の", "ちょっと", "一寸", "又", "また", "もう", "とても", "凄い", "すごい",
    "思う", "分かる", "わかる", "知る", "教える", "出来る", "できる", "可い", "べし", "御", "お", "ご",
    "只今", "今", "いま", "場合", "感じ", "やつ", "奴", "ん", "の",
}
_EN_STOP = {
    "a", "an", "the", "and", "or", "but", "if", "so", "of", "to", "in", "on", "at", "by", "for",
    "with", "about", "from", "into", "as", "is", "am", "are", "was", "were", "be", "been", "being",
    "do", "does", "did", "doing", "have", "has", "had", "i", "me", "my", "we", "our", "us", "you",
    "your", "he", "him", "his", "she", "her", "they", "them", "their", "it", "its", "this", "that",
    "these", "those", "there", "here", "what", "which", "who", "whom", "how", "when", "where", "why",
    "can", "could", "should", "would", "will", "shall", "may", "might", "must", "just", "really",
    "very", "some", "any", "all", "get", "got", "getting", "s", "t", "ok", "okay", "please", "hi",
    "hello", "im", "i'm", "it's", "i've", "i'd", "don't", "dont", "doesn't", "isn't", "someone",
    "somebody", "something", "thing", "things", "one", "let", "need", "want", "know", "tell",
    "say", "said", "like", "also", "still", "keep", "now", "then", "than", "too", "even", "again",
}

# Katakana → hiragana, so カスハラ and かすはら compare equal at character level.
_KATA_TO_HIRA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """NFKC (full/half width), case folding and kana unification, for character-level comparison."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return text.translate(_KATA_TO_HIRA)


_NOT_ALNUM = re.compile(r"[\W_]+")
_ENGLISH_RUN = re.compile(r"([A-Za-z][\x20-\x7e\n]{24,})")


def squeeze(text: str) -> str:
    """The folded text with spaces and punctuation removed: what a fuzzy character match compares."""
    return _NOT_ALNUM.sub("", fold(text))


def bigrams(text: str) -> list[str]:
    """Character bigrams of the squeezed text's non-Latin runs (Japanese); Latin runs are skipped."""
    out: list[str] = []
    for run in re.findall(r"[^a-z0-9]+", squeeze(text)):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


class Normalizer:
    """Turns text into slots. One instance per knowledge version (it holds the synonym table)."""

    def __init__(self, synonyms: Iterable[Sequence[str]] = (), *, compounds: bool = True) -> None:
        self._tokenizer = _tokenizer()
        self._compounds = compounds
        self._stemmer = snowballstemmer.stemmer("english")
        # Synonym terms are normalised with the same pipeline, so 言われた-style inflections match.
        # Indexed by their first form, longest first, so a text is scanned in one pass.
        self._synonyms: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._stems: dict[str, str] = {}
        self._words: dict[object, list[Slot]] = {}
        for group in synonyms:
            canonical = "≡" + fold(group[0])
            for term in group:
                # Sudachi may split a word on its own differently than in a sentence
                # (土下座 alone is 土/下座), so the whole term is a key as well.
                keys = {tuple(slot[0] for slot in self._raw_slots(term)), (fold(term),)}
                for key in filter(None, keys):
                    bucket = self._synonyms.setdefault(key[0], [])
                    if all(k != key for k, _ in bucket):
                        bucket.append((key, canonical))
        for bucket in self._synonyms.values():
            bucket.sort(key=lambda item: -len(item[0]))

    def slots(self, text: str) -> list[Slot]:
        """Content words of the text, with synonyms folded into one group form."""
        raw = self._raw_slots(text)
        if not self._synonyms:
            return raw
        out: list[Slot] = []
        synonyms = self._synonyms
        i = 0
        while i < len(raw):
            if raw[i][0] not in synonyms and raw[i][-1] not in synonyms:  # the common case, fast
                out.append(raw[i])
                i += 1
                continue
            match = self._match_synonym(raw, i)
            if match:
                n, group = match
                out.append((group, *dict.fromkeys(f for s in raw[i:i + n] for f in s)))
                i += n
            else:
                out.append(raw[i])
                i += 1
        return out

    def char_terms(self, text: str) -> list[str]:
        """Character bigrams for Japanese, stemmed content words for English (bigrams of English
        carry little meaning), so the character evidence works in both languages."""
        grams = bigrams(text)
        latin = " ".join(re.findall(r"[a-z0-9'’]+", fold(text)))
        return grams + [slot[0] for slot in self._english(latin)] if latin else grams

    def terms(self, text: str) -> set[str]:
        """Every form of every slot: what an indexed text offers for matching."""
        return {form for slot in self.slots(text) for form in slot}

    def _match_synonym(self, raw: list[Slot], i: int) -> tuple[int, str] | None:
        """The longest synonym term starting at slot i, trying canonical then dictionary forms."""
        for pick in (0, -1):
            for key, group in self._synonyms.get(raw[i][pick], ()):
                n = len(key)
                if i + n <= len(raw) and all(raw[i + j][pick] == key[j] for j in range(n)):
                    return n, group
        return None

    def _raw_slots(self, text: str) -> list[Slot]:
        text = unicodedata.normalize("NFKC", text)
        if text.isascii():
            return self._english(text)
        slots: list[Slot] = []
        # English sentences inside Japanese text (bilingual answers) skip the Japanese tokenizer.
        for run in _ENGLISH_RUN.split(text):
            if run:
                slots.extend(self._english(run) if _ENGLISH_RUN.fullmatch(run) else self._japanese(run))
        return slots

    def _japanese(self, text: str) -> list[Slot]:
        slots: list[Slot] = []
        for word in self._tokenizer.tokenize(text, SplitMode.C):
            # The same dictionary word always gives the same slots: cache them by its id.
            key = word.surface() if word.is_oov() else word.word_id()
            cached = self._words.get(key)
            if cached is None:
                cached = self._words[key] = self._word(word)
            slots.extend(cached)
        return slots

    def _word(self, word) -> list[Slot]:
        parts = list(word.split(SplitMode.A)) or [word]
        slots = [slot for m in parts for slot in self._morpheme(m)]
        # A compound (国民年金, 庁舎管理規則) also counts whole, so that phrase matches score higher.
        if self._compounds and len(parts) > 1 and word.part_of_speech()[0] == "名詞":
            slots.append((fold(word.normalized_form()),))
        return slots

    def _morpheme(self, m) -> list[Slot]:
        surface = m.surface()
        if _LATIN_TOKEN.match(surface):
            return self._english(surface)
        pos = m.part_of_speech()
        if pos[0] not in _CONTENT_POS:
            return []
        norm = fold(m.normalized_form())
        lemma = fold(m.dictionary_form())
        if norm in _JA_STOP or lemma in _JA_STOP:
            return []
        return [(norm,) if norm == lemma else (norm, lemma)]

    def _english(self, text: str) -> list[Slot]:
        words = [w.replace("’", "'") for w in _ASCII_WORD.findall(text.casefold())]
        slots: list[Slot] = []
        for word in words:
            if word in _EN_STOP:
                continue
            if "'" in word:  # contractions: don't → don (dropped), it's → it (dropped)
                word = word.split("'")[0]
                if word in _EN_STOP or word.endswith("n"):
                    continue
            stem = self._stems.get(word)
            if stem is None:  # the pure-Python stemmer is slow; the vocabulary is small
                stem = self._stems[word] = self._stemmer.stemWord(word)
            slots.append((stem,))
        return slots


@lru_cache(maxsize=1)
def _tokenizer():
    # The small dictionary: same lemmas and normalised forms for our texts, half the memory.
    # Loading it takes ~50 ms; one tokenizer is shared by every normalizer.
    dictionary = Dictionary(dict="small")
    # SudachiPy 0.7 renamed create() to tokenizer(); accept both.
    if hasattr(dictionary, "tokenizer"):
        # Decode only the fields we read: tokenizing is a third faster.
        return dictionary.tokenizer(fields={"pos", "normalized_form", "dictionary_form", "split_a"})
    return dictionary.create()
