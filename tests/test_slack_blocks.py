"""Block Kit rendering of core replies and forms (pure functions, no Slack)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("slack_bolt")

from guidance_bot.forms import Field, Form, FormErrors, Option  # noqa: E402
from guidance_bot.replies import Action, Choice, ContactLine, PhraseLine, Reply  # noqa: E402
from guidance_slack.blocks import (  # noqa: E402
    METADATA_MAX,
    Metadata,
    action_name,
    decode_metadata,
    decode_value,
    encode_metadata,
    encode_value,
    errors_response,
    fallback_text,
    form_values,
    form_view,
    home_view,
    open_form_blocks,
    reply_blocks,
)

ANSWER = Reply(
    "answer", "ja", title="暴力型", alert="身の危険があればすぐに110番。", answer="直ちにその場を離れ、警察に通報します。",
    steps=("離れる", "通報する"), phrases=(PhraseLine("正確に記録するため、録音します。", when="録音するとき"),),
    source="対応要領 第7章 TYPE.2", contacts=(ContactLine("コンプライアンス推進担当", ("電話: 03-0000-0000",)),),
    choices=(Choice("recording-calls", "録音してよいか"),), actions=(Action("consult", "指導員に相談する", "type-violence"),),
    entry_id="type-violence", answer_id="a1b2",
)


def by_id(blocks, block_id):
    return next(b for b in blocks if b.get("block_id") == block_id)


def buttons(blocks):
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_alert_comes_first_and_prominent() -> None:
    blocks = reply_blocks(ANSWER)
    assert blocks[0]["block_id"] == "alert"
    assert "110番" in blocks[0]["text"]["text"] and ":rotating_light:" in blocks[0]["text"]["text"]
    assert blocks[1]["type"] == "divider"
    assert blocks[2] == {"type": "header", "block_id": "title",
                         "text": {"type": "plain_text", "text": "暴力型", "emoji": True}}


def test_steps_phrases_contacts_and_source() -> None:
    blocks = reply_blocks(ANSWER)
    assert "1. 離れる\n2. 通報する" in by_id(blocks, "steps")["text"]["text"]
    phrases = by_id(blocks, "phrases")["text"]["text"]
    assert "_録音するとき_\n>正確に記録するため、録音します。" in phrases
    assert "03-0000-0000" in by_id(blocks, "contacts")["text"]["text"]
    source = by_id(blocks, "source")
    assert source["type"] == "context" and "第7章 TYPE.2" in source["elements"][0]["text"]


def test_buttons_have_unique_ids_and_carry_value_and_language() -> None:
    blocks = reply_blocks(ANSWER, question="殴られた")
    found = buttons(blocks)
    ids = [b["action_id"] for b in found]
    assert len(ids) == len(set(ids))
    assert [action_name(i) for i in ids] == ["show", "consult", "feedback", "feedback"]
    show, consult, up, down = found
    assert decode_value(show["value"]).value == "recording-calls"
    assert show["text"]["text"] == "録音してよいか"
    assert (decode_value(consult["value"]).value, decode_value(consult["value"]).question) == ("type-violence", "殴られた")
    assert consult["style"] == "primary"
    assert (decode_value(up["value"]).value, decode_value(down["value"]).value) == ("a1b2:+1", "a1b2:-1")
    assert (up["text"]["text"], down["text"]["text"]) == ("👍", "👎")


def test_no_feedback_without_answer_id_and_english_labels() -> None:
    reply = Reply("answer", "en", title="May I record?", answer="Yes.", source="Guidelines 6(2)")
    blocks = reply_blocks(reply)
    assert buttons(blocks) == []
    assert by_id(blocks, "source")["elements"][0]["text"].startswith("Source:")


def test_mrkdwn_is_escaped_and_long_answers_split() -> None:
    reply = Reply("info", "en", answer="a <b> & c\n" + ("x" * 2000 + "\n") * 3)
    blocks = reply_blocks(reply)
    sections = [b for b in blocks if b["type"] == "section"]
    assert sections[0]["text"]["text"].startswith("a &lt;b&gt; &amp; c")
    assert len(sections) == 3 and all(len(s["text"]["text"]) <= 3000 for s in sections)


def test_fallback_text_is_the_plain_reply() -> None:
    text = fallback_text(ANSWER)
    assert text.startswith("⚠") and "暴力型" in text


def test_values_that_are_not_ours_are_taken_as_they_are() -> None:
    assert decode_value("recording-calls") == decode_value("recording-calls", "ja")
    assert decode_value("recording-calls").value == "recording-calls"
    assert decode_value('{"v": "x", "l": "en"}').lang == "en"
    assert decode_value(None).value == ""
    long = encode_value("x", "ja", question="質" * 5000)
    assert len(long) <= 2000 and decode_value(long).question


FORM = Form(
    "test-form", "en", "A rather long form title that Slack would refuse", "Send it now please!!!!!!!", (
        Field("name", "Name", required=True, max_length=50, hint="Your name"),
        Field("story", "What happened", "textarea", required=True, initial="draft"),
        Field("color", "Colour", "select", options=(Option("r", "Red"), Option("g", "Green")), initial="g"),
        Field("tags", "Tags", "checkboxes", options=(Option("a", "A"), Option("b", "B")), initial=("b",)),
        Field("agree", "I agree", "toggle", required=True, initial=True),
    ), intro="Tell us.", alert="Call 110 in danger.", context={"channel": "C1", "entry": "type-violence"},
)


def test_form_becomes_a_modal() -> None:
    view = form_view(FORM, channel="C1")
    assert view["type"] == "modal" and view["callback_id"] == "test-form"
    assert len(view["title"]["text"]) <= 24 and len(view["submit"]["text"]) <= 24
    assert view["close"]["text"] == "Cancel"
    assert [b.get("block_id") for b in view["blocks"]] == ["title", "alert", "intro", "name", "story", "color",
                                                           "tags", "agree"]
    assert view["blocks"][0]["text"]["text"] == FORM.title  # cut in the title bar, whole on top
    name, story, color, tags, agree = view["blocks"][3:]
    assert name["element"] == {"type": "plain_text_input", "action_id": "text", "multiline": False, "max_length": 50}
    assert (name["optional"], name["hint"]["text"]) == (False, "Your name")
    assert story["element"]["multiline"] and story["element"]["initial_value"] == "draft"
    assert color["optional"] and color["element"]["initial_option"]["value"] == "g"
    assert [o["value"] for o in tags["element"]["initial_options"]] == ["b"]
    assert agree["optional"] and agree["element"]["action_id"] == "toggle"  # unticked is an answer too
    assert agree["element"]["initial_options"] == agree["element"]["options"]
    meta = decode_metadata(view["private_metadata"])
    assert meta == Metadata("test-form", "en", {"channel": "C1", "entry": "type-violence"}, "C1")


def test_long_checklist_items_stay_readable() -> None:
    long = "Not using my position to obtain any benefit for myself or others, directly or indirectly, at any time"
    items = tuple(Option(str(n), f"{n}. {long}" if n == 1 else f"{n}. short") for n in range(1, 13))
    form = Form("checklist", "en", "Check", "See", (
        Field("group1", "Group 1", "checkboxes", options=items[:3]),
        Field("group2", "Group 2", "checkboxes", options=items[3:]),
    ))
    blocks = form_view(form)["blocks"]
    assert [b.get("block_id") for b in blocks] == ["group1__text", "group1", "group2"]
    assert f"1. {long}" in blocks[0]["text"]["text"]
    options = blocks[1]["element"]["options"]
    assert all(len(o["text"]["text"]) <= 75 for o in options) and options[0]["text"]["text"].endswith("…")
    assert blocks[1]["element"]["type"] == "checkboxes"
    assert (blocks[2]["element"]["type"], len(blocks[2]["element"]["options"])) == ("checkboxes", 9)
    many_form = Form("f", "en", "t", "s", (Field("g", "G", "checkboxes", options=items),))
    many = form_view(many_form)["blocks"][-1]["element"]  # 12 options would not fit checkboxes (10)
    assert (many["type"], len(many["options"])) == ("multi_static_select", 12)
    state = {"g": {"checkboxes": {"type": "multi_static_select", "selected_options": [{"value": "11"}]}}}
    assert form_values(state) == {"g": ["11"]}


def test_submitted_state_becomes_values() -> None:
    state = {
        "name": {"text": {"type": "plain_text_input", "value": "Sato"}},
        "story": {"textarea": {"type": "plain_text_input", "value": None}},
        "color": {"select": {"type": "static_select", "selected_option": {"value": "r"}}},
        "tags": {"checkboxes": {"type": "checkboxes", "selected_options": [{"value": "a"}, {"value": "b"}]}},
        "agree": {"toggle": {"type": "checkboxes", "selected_options": []}},
        "junk": "not a dict",
    }
    assert form_values(state) == {"name": "Sato", "story": "", "color": "r", "tags": ["a", "b"], "agree": False}


def test_form_errors_map_to_input_blocks() -> None:
    errors = FormErrors(FORM, {"name": "Required", "_form": "Something else", "story": "Too long"})
    assert errors_response(errors) == {"response_action": "errors", "errors": {
        "name": "Required / Something else", "story": "Too long"}}


def test_metadata_stays_within_slacks_limit() -> None:
    raw = encode_metadata(Metadata("f", "ja", {"question": "あ" * 5000, "entry": "x"}, "C1"))
    assert len(raw) <= METADATA_MAX
    meta = decode_metadata(raw)
    assert meta.context["entry"] == "x" and meta.context["question"].startswith("あ")
    assert decode_metadata("garbage", "f") == Metadata("f", "ja")


def test_open_form_button_carries_the_command_text() -> None:
    blocks = open_form_blocks(FORM, "consult 相談したい")
    [button] = blocks[1]["elements"]
    assert button["action_id"] == "open_form:0"
    assert decode_value(button["value"]).value == "consult 相談したい"
    assert json.loads(button["value"])["l"] == "en"


def test_home_view() -> None:
    view = home_view("ja", command="/guidance", bot_user_id="UBOT", examples=["殴られた"], consultations=None)
    assert view["type"] == "home"
    text = json.dumps(view, ensure_ascii=False)
    assert "/guidance" in text and "<@UBOT>" in text and "• 殴られた" in text
    assert "consultations" not in [b.get("block_id") for b in view["blocks"]]
    view = home_view("en", command="/g", bot_user_id="UBOT", examples=[], consultations=[])
    assert "not requested" in by_id(view["blocks"], "consultations")["text"]["text"]


def test_a_choice_of_nothing_is_left_out_so_slack_opens_the_modal() -> None:
    from tests.fakes.blockkit import view_problems

    form = Form("f", "ja", "t", "s", (
        Field("schedule", "予定", required=True),
        Field("tag", "タグ", "select", options=()),  # e.g. a knowledge base without rotation tags
        Field("groups", "項目", "checkboxes", options=()),
    ))
    view = form_view(form)
    assert [b.get("block_id") for b in view["blocks"]] == ["schedule"]
    assert view_problems(view) == []
    assert view_problems(form_view(FORM)) == []


def test_a_delete_button_asks_before_it_deletes() -> None:
    from tests.fakes.blockkit import message_problems

    reply = Reply("info", "ja", answer="#1 …", actions=(Action("reminder_pause", "#1 を一時停止", "1"),
                                                         Action("reminder_delete", "#1 を削除", "1", confirm=True)))
    blocks = reply_blocks(reply)
    pause, delete = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert "confirm" not in pause
    assert delete["confirm"]["text"]["text"] == "「#1 を削除」を実行します。元に戻せません。よろしいですか？"
    assert (delete["confirm"]["confirm"]["text"], delete["confirm"]["deny"]["text"]) == ("実行する", "やめる")
    assert message_problems(blocks) == []
