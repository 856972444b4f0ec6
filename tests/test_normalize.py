"""Japanese-aware normalisation: what makes differently written questions meet."""

from __future__ import annotations

import pytest

from guidance_bot.i18n import detect_language, parse_lang
from guidance_bot.matching.normalize import Normalizer, bigrams, fold, squeeze

SYNONYMS = [["区長", "首長", "mayor"], ["録音", "録る", "record"], ["土下座", "dogeza"],
            ["カスハラ", "カスタマー・ハラスメント", "customer harassment"]]


@pytest.fixture(scope="module")
def norm() -> Normalizer:
    return Normalizer(SYNONYMS)


def canon(norm: Normalizer, text: str) -> list[str]:
    return [slot[0] for slot in norm.slots(text)]


def test_full_and_half_width_fold_together():
    assert squeeze("ＳＮＳで１１０番") == squeeze("SNSで110番")
    assert fold("ｶｽﾊﾗ") == fold("カスハラ")


def test_katakana_and_hiragana_fold_together():
    assert fold("カスハラ") == fold("かすはら")


def test_inflected_verbs_reduce_to_dictionary_form(norm):
    said = norm.terms("土下座しろって言われた")
    assert "言う" in said
    assert "録る" in norm.terms("昨日の電話、録った")


def test_synonyms_meet_across_languages_and_spellings(norm):
    assert canon(norm, "区長を出せ")[0] == canon(norm, "they want the mayor")[0]
    assert canon(norm, "首長")[0] == canon(norm, "区長")[0]
    assert canon(norm, "録った")[0] == canon(norm, "record")[0] == canon(norm, "録音")[0]
    assert canon(norm, "dogeza")[0] == canon(norm, "土下座しろって言われた")[0]
    assert canon(norm, "カスタマー・ハラスメントって何")[0] == canon(norm, "customer harassment")[0]


def test_english_is_lower_cased_and_stemmed(norm):
    assert canon(norm, "Recording CALLS") == canon(norm, "recorded call")
    assert "call" in norm.terms("Recording CALLS")
    assert norm.slots("Threatening") == norm.slots("threatened")


def test_particles_and_stop_words_are_dropped(norm):
    assert canon(norm, "の に を は") == []
    assert canon(norm, "what is the") == []


def test_bigrams_find_shared_parts_of_words():
    assert set(bigrams("バイト")) <= set(bigrams("アルバイトをしてもいい"))
    assert bigrams("OKかな") == ["かな"]


def test_char_terms_stem_english_words(norm):
    assert norm.char_terms("Recording calls") == ["record", "call"]
    assert norm.char_terms("SNSで晒された") == ["で晒", "晒さ", "され", "れた", "sns"]


@pytest.mark.parametrize("text, lang", [
    ("通話を録音してもいい?", "ja"), ("カスハラ", "ja"), ("区長", "ja"), ("ｶｽﾊﾗ", "ja"),
    ("they want the mayor", "en"), ("SNS 110", "en"),
])
def test_language_follows_the_question(text, lang):
    assert detect_language(text) == lang


def test_parse_lang_accepts_common_spellings():
    assert parse_lang("JA") == "ja" and parse_lang("english") == "en" and parse_lang("fr") is None
