"""Adaptive Card rendering of core replies and forms (pure functions, no SDK)."""

from __future__ import annotations

from dataclasses import replace

from guidance_bot.forms import Field, Form, FormErrors, Option
from guidance_bot.replies import Action, Choice, ContactLine, PhraseLine, Reply
from guidance_teams.cards import errors_card, form_card, form_values, reply_card


def buttons(card: dict) -> list[dict]:
    """Every button of a card: those in the body's action sets, then the card's own."""
    inside = [a for b in card["body"] if b.get("type") == "ActionSet" for a in b["actions"]]
    return inside + card.get("actions", [])

FULL = Reply(
    "answer", "ja", title="暴力型", alert="身の危険があればすぐに110番。", answer="直ちにその場を離れます。",
    steps=("離れる", "通報する"), phrases=(PhraseLine("お引き取りください。", when="繰り返すとき"),),
    source="対応要領 第7章", contacts=(ContactLine("コンプライアンス推進担当", ("電話 03-0000-0000",)),),
    choices=(Choice("recording-calls", "録音してよいか"),), actions=(Action("consult", "相談する", "type-violence"),),
    entry_id="type-violence", answer_id="ans-1")


def test_reply_card_order_and_contents():
    card = reply_card(FULL)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    body = card["body"]
    alert = body[0]
    assert alert["type"] == "Container" and alert["style"] == "attention"
    assert [i["text"] for i in alert["items"]] == ["⚠ 【緊急・安全第一】", "身の危険があればすぐに110番。"]
    flat = [b.get("text") for b in body]
    assert flat[1:4] == ["暴力型", "直ちにその場を離れます。", "対応の手順"]
    assert "1. 離れる" in flat and "2. 通報する" in flat
    phrase = next(b for b in body if b.get("style") == "emphasis")
    assert [i["text"] for i in phrase["items"]] == ["繰り返すとき", "「お引き取りください。」"]
    source = next(b for b in body if str(b.get("text", "")).startswith("出典"))
    assert source["isSubtle"] and source["size"] == "Small" and source["text"] == "出典: 対応要領 第7章"
    assert flat.index("出典: 対応要領 第7章") > flat.index("コンプライアンス推進担当")
    choices, own, prompt = body[-3:]
    assert choices["type"] == "ActionSet"
    assert choices["actions"] == [{"type": "Action.Submit", "title": "録音してよいか",
                                   "data": {"action": "show", "value": "recording-calls", "lang": "ja"}}]
    # As in Slack: consult, then the question, then 👍/👎 at the bottom.
    assert [a["data"] for a in own["actions"]] == [{"action": "consult", "value": "type-violence", "lang": "ja"}]
    assert prompt["text"] == "この回答は役に立ちましたか？" and prompt["isSubtle"]
    assert [a["data"] for a in card["actions"]] == [
        {"action": "feedback", "value": "ans-1:+1", "lang": "ja"},
        {"action": "feedback", "value": "ans-1:-1", "lang": "ja"},
    ]
    assert [a["title"] for a in reply_card(replace(FULL, language="en"))["actions"]] == ["👍", "👎"]
    assert reply_card(replace(FULL, language="en"))["body"][-1]["text"] == "Was this answer helpful?"


def test_without_feedback_the_replys_buttons_are_the_cards_actions():
    card = reply_card(replace(FULL, answer_id=None))
    assert [a["data"]["action"] for a in card["actions"]] == ["consult"]
    assert all("役に立ちました" not in str(b.get("text")) for b in card["body"])


def test_suggestion_heading_and_no_feedback_without_answer_id():
    reply = Reply("suggest", "en", answer="?", choices=(Choice("a", "A"), Choice("b", "B")))
    card = reply_card(reply)
    assert card["body"][-2]["text"] == "Did you mean one of these?"
    assert "actions" not in card
    english = reply_card(Reply("answer", "en", phrases=(PhraseLine("Please leave."),)))
    assert english["body"][-1]["items"][-1]["text"] == "“Please leave.”"


FORM = Form("f", "en", "Request", "Send", (
    Field("summary", "Summary", "textarea", required=True, max_length=2000, initial="draft", hint="Be brief"),
    Field("dept", "Department", "text", max_length=200),
    Field("urgency", "Urgency", "select", required=True, options=(Option("low", "Low"), Option("high", "High")),
          initial="high"),
    Field("items", "Checklist", "checkboxes", options=(Option("x", "X"), Option("y", "Y")), initial=("y",)),
    Field("share", "Share my name", "toggle", initial=True),
), intro="Intro", alert="Call 110 if in danger", context={"entry": "e1"})


def test_form_card_inputs():
    card = form_card(FORM)
    by_id = {e["id"]: e for e in card["body"] if "id" in e}
    summary = by_id["summary"]
    assert summary == {"type": "Input.Text", "id": "summary", "label": "Summary", "isRequired": True,
                       "errorMessage": "This field is required.", "isMultiline": True, "maxLength": 2000,
                       "value": "draft"}
    assert by_id["dept"]["maxLength"] == 200 and "isRequired" not in by_id["dept"]
    assert by_id["urgency"]["type"] == "Input.ChoiceSet" and by_id["urgency"]["value"] == "high"
    assert by_id["urgency"]["isRequired"] is True
    assert by_id["items.0"]["value"] == "" and by_id["items.1"]["value"] == "y"
    assert by_id["items.1"]["valueOn"] == "y" and by_id["items.1"]["title"] == "Y"
    assert by_id["share"]["value"] == "true"
    assert card["body"][1]["style"] == "attention"
    [submit] = card["actions"]
    assert submit["title"] == "Send"
    assert submit["data"]["form"] == "f" and submit["data"]["context"] == {"entry": "e1"}


def test_errors_shown_under_their_fields():
    card = errors_card(FormErrors(FORM, {"summary": "Write a summary", "other": "General problem"}))
    body = card["body"]
    ids = [e.get("id") for e in body]
    at = ids.index("summary")
    assert body[at + 1]["text"] == "Be brief"  # the hint stays with its field
    assert body[at + 2] == {"type": "TextBlock", "text": "Write a summary", "wrap": True, "color": "Attention",
                            "spacing": "None"}
    assert any(e.get("text") == "General problem" and e.get("color") == "Attention" for e in body[:at])


def test_form_values_from_submit_data():
    data = dict(form_card(FORM)["actions"][0]["data"], summary="s", dept="d", urgency="low",
                **{"items.0": "x", "items.1": ""}, share="false")
    assert form_values(data) == {"summary": "s", "dept": "d", "urgency": "low", "items": ["x"], "share": False}
    assert form_values({"kinds": {"summary": "textarea", "share": "toggle"}}) == {"summary": "", "share": False}


def test_the_question_rides_only_on_the_consult_button():
    card = reply_card(FULL, question="窓口で殴られた")
    data = {a["data"]["action"]: a["data"] for a in buttons(card)}
    assert data["consult"]["q"] == "窓口で殴られた"
    assert "q" not in data["feedback"]


def test_a_delete_button_asks_before_it_deletes():
    reply = Reply("info", "ja", answer="#1 …", actions=(Action("reminder_pause", "#1 を一時停止", "1"),
                                                         Action("reminder_delete", "#1 を削除", "1", confirm=True)))
    pause, delete = reply_card(reply)["actions"]
    assert pause["type"] == "Action.Submit" and pause["data"]["action"] == "reminder_pause"
    assert delete["type"] == "Action.ShowCard" and delete["title"] == "#1 を削除"
    assert delete["card"]["body"][0]["text"] == "「#1 を削除」を実行します。元に戻せません。よろしいですか？"
    [go] = delete["card"]["actions"]
    assert go["title"] == "実行する" and (go["data"]["action"], go["data"]["value"]) == ("reminder_delete", "1")

