"""The matcher as a library, and its three decisions: answer, suggest, none."""

from __future__ import annotations

import pytest

from guidance_bot.matching import Matcher, MatchDoc, Thresholds, Weights

DOCS = [
    MatchDoc("recording", ["通話を録音してもいい?", "無断で録音するのは違法?", "can I record the call?"],
             "相手の同意なしに録音しても違法ではありません。"),
    MatchDoc("mayor", ["区長を出せと言われた", "they demand to see the mayor"],
             "区長の権限は部以下に委ねられています。"),
    MatchDoc("manager", ["課長を出せと言われた", "they want my boss"], "担当者が対応します。"),
    MatchDoc("dogeza", ["土下座しろと言われた", "土下座を要求された"], "土下座の要求は拒絶します。"),
    MatchDoc("side-job", ["副業してもいい?", "can I have a side job?"], "任命権者の許可が必要です。"),
]
SYNONYMS = [["区長", "首長", "mayor"], ["録音", "録る", "record"], ["土下座", "dogeza"]]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(DOCS, synonyms=SYNONYMS)


def test_rank_puts_the_right_document_first(matcher):
    assert matcher.rank("電話を録ってもいいですか")[0].id == "recording"
    assert matcher.rank("首長に会わせろと言われた")[0].id == "mayor"
    assert matcher.rank("dogeza?")[0].id == "dogeza"


def test_rank_returns_evidence_and_the_closest_example(matcher):
    best = matcher.rank("通話を録音してもいいですか")[0]
    assert best.score > 0.5 and best.best > 0.5
    assert best.question == "通話を録音してもいい?"


def test_confident_answer_for_a_close_paraphrase(matcher):
    decision = matcher.decide("この通話を録音してもいい?")
    assert decision.answered
    assert decision.entry_id == "recording"
    assert decision.suggestions == ()


def test_unrelated_question_gets_no_answer(matcher):
    decision = matcher.decide("今日のランチのおすすめは?")
    assert decision.outcome == "none"
    assert decision.entry_id is None


def test_near_miss_sharing_one_word_is_not_answered_confidently(matcher):
    # Shares 区長 with "mayor" but asks about something else.
    decision = matcher.decide("区長の今日の予定を教えて")
    assert not decision.answered


def test_ambiguous_question_offers_up_to_three_choices():
    matcher = Matcher(DOCS, synonyms=SYNONYMS, thresholds=Thresholds(answer=0.9, margin=0.05, suggest=0.1))
    decision = matcher.decide("上の人を出せと言われた")
    assert decision.outcome == "suggest"
    assert 1 <= len(decision.suggestions) <= 3
    assert set(decision.suggestions) & {"mayor", "manager"}


def test_thresholds_are_configurable():
    strict = Matcher(DOCS, synonyms=SYNONYMS, thresholds=Thresholds(answer=1.5, suggest=0.2))
    lenient = Matcher(DOCS, synonyms=SYNONYMS, thresholds=Thresholds(answer=0.2, margin=0.0, suggest=0.1))
    question = "副業ってしていいの?"
    assert not strict.decide(question).answered
    assert lenient.decide(question).entry_id == "side-job"


def test_english_question_matches_english_examples(matcher):
    assert matcher.decide("Can I record this call?").entry_id == "recording"
    assert matcher.rank("is a side job ok")[0].id == "side-job"


def test_answer_text_counts_when_weighted():
    docs = [MatchDoc("a", ["窓口の受付"], "任命権者の許可が必要です。"), MatchDoc("b", ["電話の受付"], "")]
    ranked = Matcher(docs, weights=Weights(answer=0.2)).rank("任命権者の許可")
    assert ranked[0].id == "a" and ranked[0].answer > 0


def test_empty_or_symbol_only_question():
    matcher = Matcher(DOCS)
    assert matcher.rank("") == []
    assert matcher.decide("？？？").outcome == "none"


def test_indexes_any_list_of_faq_items():
    docs = [MatchDoc(str(i), [f"質問{i}について"], f"回答{i}") for i in range(50)]
    docs.append(MatchDoc("park", ["公園でボール遊びはできますか"], "公園では…"))
    assert Matcher(docs).rank("公園でボール遊びしてもいい?")[0].id == "park"


NEGATIVES = ["区長の今日の予定は?", "公用車の予約はどこから?", "有給休暇はあと何日?", "what's on the mayor's schedule today?"]


def test_question_like_an_out_of_scope_example_gets_no_answer():
    lenient = Thresholds(answer=0.1, margin=0.05, suggest=0.05)
    without = Matcher(DOCS, synonyms=SYNONYMS, thresholds=lenient)
    with_negatives = Matcher(DOCS, negatives=NEGATIVES, synonyms=SYNONYMS, thresholds=lenient)
    question = "区長の明日の予定を教えて"
    assert without.decide(question).answered  # lenient thresholds: the mayor entry wins alone
    decision = with_negatives.decide(question)
    assert decision.outcome == "none" and decision.candidates == ()


def test_out_of_scope_examples_are_never_offered_and_leave_real_questions_alone():
    matcher = Matcher(DOCS, negatives=NEGATIVES, synonyms=SYNONYMS)
    assert matcher.decide("区長を出せと言われた").entry_id == "mayor"
    assert matcher.decide("この通話を録音してもいい?").entry_id == "recording"
    for question in ("区長に会わせろと", "首長の予定", "上の人を出せと言われた"):
        assert "(out of scope)" not in {c.id for c in matcher.decide(question).candidates}
