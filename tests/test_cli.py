"""The `guidance-bot` command as staff and the compliance office use it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from guidance_bot.cli import main

from .conftest import write


def run_json(capsys, *argv: str) -> dict:
    status = main(list(argv))
    out = capsys.readouterr().out
    assert status == 0, out
    return json.loads(out)


@pytest.mark.parametrize("question, entry, lang", [
    ("通話を録音してもいい?", "recording-calls", "ja"),
    ("they want the mayor", "demand-for-mayor", "en"),
    ("土下座しろって言われた", "dogeza-demand", "ja"),
])
def test_ask_json_answers_the_mission_examples(capsys, question, entry, lang):
    result = run_json(capsys, "ask", "--json", question)
    assert result["answered"] is True
    assert result["entry"] == entry
    assert result["language"] == lang
    assert result["suggestions"] == []
    assert result["score"] > 0
    assert result["title"] in result["text"]


def test_ask_json_out_of_scope(capsys):
    result = run_json(capsys, "ask", "--json", "今日の日経平均株価")
    assert result["answered"] is False and result["entry"] is None
    assert "お答えできません" in result["text"]


def test_ask_lang_override(capsys):
    result = run_json(capsys, "ask", "--json", "--lang", "en", "通話を録音してもいい?")
    assert result["language"] == "en"
    assert "record" in result["text"].lower()


def test_ask_plain_text_shows_source_and_phrases(capsys):
    assert main(["ask", "通話を録音してもいい?"]) == 0
    out = capsys.readouterr().out
    assert "出典: 品川区職員のカスタマー・ハラスメント対応要領 第6章(2)④" in out
    assert "「お話の内容と齟齬があるといけないため、録音させていただきます。」" in out


def test_bad_lang_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["ask", "--lang", "fr", "hello"])
    assert exc.value.code == 2
    assert "ja" in capsys.readouterr().err


def test_broken_knowledge_fails_with_status_1(capsys, kdir):
    write(kdir / "entries" / "x.yaml", "id: [broken\n")
    assert main(["ask", "--knowledge", str(kdir), "録音"]) == 1
    err = capsys.readouterr().err
    assert "x.yaml:" in err and "ナレッジを読み込めません" in err


def test_eval_reports_figures_and_misses(capsys, kdir, tmp_path):
    questions = write(tmp_path / "q.yaml", """\
        - {question: "通話を録音してもいい?", expect: [recording-calls]}
        - {question: "胸ぐらをつかまれた", expect: [type-violence]}
        - {question: "電話を録っておきたい", expect: [type-violence]}
        - {question: "明日の天気は?", expect: []}
        """)
    result = run_json(capsys, "eval", "--knowledge", str(kdir), "--json", str(questions))
    assert result["n"] == 4 and result["in_scope"] == 3 and result["out_of_scope"] == 1
    assert result["top1"] == pytest.approx(2 / 3, abs=1e-3)
    assert result["abstain_ok"] == 1.0
    assert result["wrong_confident"] == pytest.approx(1 / 4)
    [miss] = result["misses"]
    assert miss["question"] == "電話を録っておきたい" and miss["kind"] == "wrong_confident"
    assert miss["got"] == ["recording-calls"] and miss["line"] == 3

    assert main(["eval", "--knowledge", str(kdir), str(questions), "--min-top1", "0.5"]) == 0
    capsys.readouterr()
    assert main(["eval", "--knowledge", str(kdir), str(questions), "--min-top1", "0.9"]) == 1
    assert "top1" in capsys.readouterr().err


def test_eval_rejects_a_malformed_file(capsys, tmp_path):
    bad = write(tmp_path / "bad.yaml", "- {question: ok, expect: [x]}\n- {expect: [y]}\n")
    assert main(["eval", str(bad)]) == 2
    assert "bad.yaml:2:" in capsys.readouterr().err


def test_eval_rejects_unknown_ids(capsys, tmp_path):
    f = write(tmp_path / "q.yaml", "- {question: \"録音していい?\", expect: [no-such-entry]}\n")
    assert main(["eval", str(f)]) == 2
    assert "no-such-entry" in capsys.readouterr().err


def test_chat_answers_lines_and_quits(tmp_path):
    script = "通話を録音してもいい?\nthey want the mayor\n:q\nこの行は読まれない\n"
    proc = subprocess.run(
        [sys.executable, "-m", "guidance_bot.cli", "chat"], input=script, capture_output=True,
        text=True, timeout=60, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "会話や電話を録音してよいか" in proc.stdout
    assert "When someone demands to see the mayor" in proc.stdout
    assert "この行は読まれない" not in proc.stdout


def test_chat_picks_a_suggestion_by_number(kdir):
    from guidance_bot.answering import Answerer
    from guidance_bot.config import Settings
    from guidance_bot.console import run_chat
    from guidance_bot.knowledge import LiveKnowledge
    from guidance_bot.matching import Thresholds

    live = LiveKnowledge(kdir)
    live.reload()
    answerer = Answerer(live, Settings(knowledge_dir=kdir, thresholds=Thresholds(answer=5.0, suggest=0.05)))
    out: list[str] = []
    run_chat(answerer, None, iter(["電話で殴るって言われたので録音したい", "2", ":q"]), out.append)
    suggestion = out[1]
    assert "もしかして" in suggestion
    second = [line for line in suggestion.splitlines() if line.strip().startswith("2.")][0]
    picked_title = second.split("2.", 1)[1].strip()
    assert out[3].startswith(("■ " + picked_title, "⚠"))
    assert picked_title in out[3]


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "guidance-bot"
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "guidance-bot" in proc.stdout


def test_help_is_bilingual(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "ナレッジ" in out and "knowledge" in out
