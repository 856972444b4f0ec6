"""The platform-neutral reply and its plain-text rendering."""

from __future__ import annotations

import pytest

from guidance_bot.answering import Answerer
from guidance_bot.config import Settings
from guidance_bot.knowledge import LiveKnowledge
from guidance_bot.matching import Thresholds
from guidance_bot.replies import render_text


@pytest.fixture
def answerer(kdir) -> Answerer:
    live = LiveKnowledge(kdir)
    assert live.reload().ok
    return Answerer(live, Settings(knowledge_dir=kdir))


def test_answer_reply_carries_everything_the_entry_offers(answerer):
    reply = answerer.ask("通話を録音してもいい?").reply
    assert reply.kind == "answer" and reply.language == "ja"
    assert reply.title == "会話や電話を録音してよいか"
    assert reply.answer.startswith("録音して構いません")
    assert reply.phrases[0].text == "正確に記録するため、お話の内容を録音させていただきます。"
    assert reply.source == "品川区職員のカスタマー・ハラスメント対応要領 第6章(2)④"
    assert [c.entry_id for c in reply.choices] == ["type-violence"]
    assert reply.actions == ()  # this entry does not offer the hand-off


def test_english_question_gets_english_reply(answerer):
    reply = answerer.ask("can I record the call?").reply
    assert reply.language == "en"
    assert reply.title == "May I record the call?"
    assert reply.source == "Guidelines for Responding to Customer Harassment, 第6章(2)④"
    assert "To keep an accurate record" in render_text(reply)


def test_language_override(answerer):
    reply = answerer.ask("通話を録音してもいい?", lang="en").reply
    assert reply.language == "en" and reply.answer.startswith("Yes.")


def test_safety_alert_comes_before_the_answer(answerer):
    reply = answerer.ask("胸ぐらをつかまれた").reply
    assert reply.entry_id == "type-violence"
    text = render_text(reply)
    assert text.index("110") < text.index(reply.answer)
    assert text.startswith("⚠")


def test_consult_action_and_contacts(answerer):
    reply = answerer.ask("胸ぐらをつかまれた").reply
    assert [a.name for a in reply.actions] == ["consult"]
    assert reply.contacts[0].name == "コンプライアンス推進担当"
    assert "03-0000-0000" in render_text(reply)


def test_contacts_come_from_settings_when_overridden(kdir):
    live = LiveKnowledge(kdir)
    live.reload()
    settings = Settings(knowledge_dir=kdir, contacts={"compliance-office": {"phone": "03-9999-9999"}})
    reply = Answerer(live, settings).ask("胸ぐらをつかまれた").reply
    assert "03-9999-9999" in render_text(reply)
    assert "03-0000-0000" not in render_text(reply)


def test_out_of_scope_question_says_so_and_offers_a_person(answerer):
    reply = answerer.ask("明日の天気は?").reply
    assert reply.kind == "none"
    assert "お答えできません" in reply.answer
    assert "110" in reply.answer  # an unknown way of describing danger still gets the safety line
    assert reply.contacts and reply.actions[0].name == "consult"


def test_question_like_the_out_of_scope_examples_is_sent_to_the_right_division(kdir):
    from .conftest import write
    write(kdir / "out_of_scope.yaml", "ja:\n  - 公用車の予約はどこから?\n  - 有給休暇はあと何日?\n"
                                       "en:\n  - how do I book an official car\n")
    live = LiveKnowledge(kdir)
    assert live.reload().ok
    answerer = Answerer(live, Settings(knowledge_dir=kdir))
    for question, lang, said in (("公用車の予約ってどうやるの", "ja", "範囲外"),
                                 ("how can I book the official car?", "en", "outside the three documents")):
        answer = answerer.ask(question)
        assert answer.decision.out_of_scope and answer.reply.kind == "none"
        assert said in answer.reply.answer and answer.reply.language == lang
    # A question the entries answer is still answered.
    assert answerer.ask("通話を録音してもいい?").reply.kind == "answer"


def test_did_you_mean_lists_numbered_choices(kdir):
    live = LiveKnowledge(kdir)
    live.reload()
    settings = Settings(knowledge_dir=kdir, thresholds=Thresholds(answer=5.0, suggest=0.05))
    reply = Answerer(live, settings).ask("電話で殴るって言われたので録音したい").reply
    assert reply.kind == "suggest"
    text = render_text(reply)
    assert "もしかして" in text
    assert "1. " in text
    assert {c.entry_id for c in reply.choices} == {"recording-calls", "type-violence"}
    # A safety alert among the candidates is shown at once, not after the user picks.
    assert reply.alert.startswith("身の危険")
