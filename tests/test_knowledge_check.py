"""`guidance-bot knowledge check`: each kind of problem is reported as FILE:LINE, exit status 1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guidance_bot.cli import main
from guidance_bot.knowledge import LiveKnowledge, load_knowledge

from .conftest import RECORDING, VIOLENCE, write


def check(capsys, directory: Path) -> tuple[int, list[str]]:
    status = main(["knowledge", "check", str(directory)])
    out = capsys.readouterr().out
    return status, [line for line in out.splitlines() if re.match(r"^\S+:\d+: ", line)]


def test_valid_directory_passes(capsys, kdir):
    status, problems = check(capsys, kdir)
    assert status == 0
    assert problems == []


def test_yaml_syntax_error_names_file_and_line(capsys, kdir):
    bad = write(kdir / "entries" / "broken.yaml", "id: broken\ntitle: {ja: x, en: y\nquestions: [\n")
    status, problems = check(capsys, kdir)
    assert status == 1
    assert len(problems) == 1
    file, line, message = problems[0].split(":", 2)
    assert Path(file).resolve() == bad.resolve()
    assert 2 <= int(line) <= 4
    assert "YAML" in message


def test_unknown_field_is_reported_at_its_line(capsys, kdir):
    write(kdir / "entries" / "recording-calls.yaml", RECORDING + "colour: red\n")
    status, problems = check(capsys, kdir)
    line_no = RECORDING.count("\n") + 1
    assert status == 1
    assert any(p.endswith(msg) or "colour" in p for p in problems for msg in ["colour"])
    assert any(f"recording-calls.yaml:{line_no}:" in p and "colour" in p for p in problems)


def test_missing_english_answer(capsys, kdir):
    text = RECORDING.replace("  en: Yes. As a rule, tell the person you are recording.\n", "")
    write(kdir / "entries" / "recording-calls.yaml", text)
    status, problems = check(capsys, kdir)
    assert status == 1
    answer_line = text.splitlines().index("answer:") + 1
    assert any(f"recording-calls.yaml:{answer_line}:" in p and "answer" in p and "English" in p for p in problems)


def test_missing_japanese_questions(capsys, kdir):
    text = VIOLENCE.replace("  ja: [殴られた, 胸ぐらをつかまれた, 物を投げられた]\n", "")
    write(kdir / "entries" / "type-violence.yaml", text)
    status, problems = check(capsys, kdir)
    assert status == 1
    assert any("type-violence.yaml:" in p and "questions" in p and "Japanese" in p for p in problems)


def test_duplicate_id_points_at_both_files(capsys, kdir):
    copy = write(kdir / "entries" / "copy.yaml", VIOLENCE.replace("殴られた", "蹴られた")
                 .replace("a customer hit me", "a customer kicked me")
                 .replace("胸ぐらをつかまれた", "押された").replace("物を投げられた", "机を叩かれた")
                 .replace("he threw a chair", "he pushed me"))
    status, problems = check(capsys, kdir)
    assert status == 1
    dup = [p for p in problems if "duplicate id" in p]
    assert len(dup) == 1
    files = {copy.name, "type-violence.yaml"}
    reported_at = Path(dup[0].split(":", 1)[0]).name
    assert reported_at in files and ":1:" in dup[0]
    assert (files - {reported_at}).pop() in dup[0].split(":", 2)[2]  # and names the other file


def test_related_id_that_does_not_exist(capsys, kdir):
    write(kdir / "entries" / "recording-calls.yaml", RECORDING.replace("related: [type-violence]",
                                                                      "related: [type-violence, no-such-entry]"))
    status, problems = check(capsys, kdir)
    related_line = RECORDING.splitlines().index("related: [type-violence]") + 1
    assert status == 1
    assert any(f"recording-calls.yaml:{related_line}:" in p and "no-such-entry" in p for p in problems)


def test_same_example_question_under_two_entries(capsys, kdir):
    # Differs only in width and punctuation: still the same question.
    write(kdir / "entries" / "type-violence.yaml", VIOLENCE.replace("殴られた", "通話を録音してもいい？"))
    status, problems = check(capsys, kdir)
    assert status == 1
    line = VIOLENCE.splitlines().index("  ja: [殴られた, 胸ぐらをつかまれた, 物を投げられた]") + 1
    assert any(f"type-violence.yaml:{line}:" in p and "recording-calls" in p for p in problems)


def test_unknown_source_document_and_contact(capsys, kdir):
    write(kdir / "entries" / "type-violence.yaml",
          VIOLENCE.replace("doc: harassment-guidelines", "doc: no-such-doc").replace(
              "contacts: [compliance-office]", "contacts: [nobody]"))
    status, problems = check(capsys, kdir)
    assert status == 1
    assert any("no-such-doc" in p for p in problems)
    assert any("nobody" in p for p in problems)


def test_term_in_two_synonym_groups(capsys, kdir):
    write(kdir / "synonyms.yaml", "- [録音, record]\n- [録画, record]\n")
    status, problems = check(capsys, kdir)
    assert status == 1
    assert any("synonyms.yaml:2:" in p and "record" in p for p in problems)


def test_every_problem_is_reported_not_just_the_first(capsys, kdir):
    write(kdir / "entries" / "a.yaml", "id: Bad_Id\n")
    write(kdir / "entries" / "b.yaml", "id: [oops\n")
    status, problems = check(capsys, kdir)
    assert status == 1
    assert any("a.yaml:1:" in p and "kebab" in p for p in problems)
    assert any("b.yaml:" in p and "YAML" in p for p in problems)


def test_missing_directory_is_an_error(capsys, tmp_path):
    status = main(["knowledge", "check", str(tmp_path / "nope")])
    assert status == 1


def test_broken_reload_keeps_serving_last_good_version(kdir, caplog):
    live = LiveKnowledge(kdir)
    assert live.reload().ok
    good = live.current
    write(kdir / "entries" / "recording-calls.yaml", RECORDING.replace("title:", "title: [unclosed"))
    result = live.reload()
    assert not result.ok
    assert live.current is good  # still serving the last good knowledge
    assert "recording-calls" in live.current.entries
    assert any("recording-calls.yaml" in r.getMessage() for r in caplog.records)
    # Fixing the file brings the new version in.
    write(kdir / "entries" / "recording-calls.yaml", RECORDING.replace("録音して構いません。", "録音できます。"))
    assert live.reload_if_changed() is not None
    assert live.current.entries["recording-calls"].answer.ja.startswith("録音できます")


def test_bundled_knowledge_passes(capsys):
    status = main(["knowledge", "check"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert load_knowledge(Path(__file__).resolve().parents[1] / "knowledge").ok


@pytest.mark.parametrize("fmt", [["knowledge", "list", "--json"]])
def test_knowledge_list_json(capsys, kdir, fmt):
    import json

    assert main([*fmt, "--knowledge", str(kdir)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == ["recording-calls", "type-violence"]
    assert rows[0]["title"]["ja"] == "会話や電話を録音してよいか"
    assert rows[0]["source"] == [{"doc": "harassment-guidelines", "section": "第6章(2)④"}]


def test_out_of_scope_examples_are_loaded(kdir):
    write(kdir / "out_of_scope.yaml", "ja:\n  - 有給休暇はあと何日?\nen:\n  - how do I reset my password\n")
    knowledge = load_knowledge(kdir).knowledge
    assert knowledge.out_of_scope == ("有給休暇はあと何日?", "how do I reset my password")


def test_out_of_scope_question_that_is_also_an_example(capsys, kdir):
    # The bot cannot both answer and refuse it; the check names the entry that has it.
    write(kdir / "out_of_scope.yaml", "ja:\n  - 公用車の予約方法\n  - 通話を録音してもいい？\n")
    status, problems = check(capsys, kdir)
    assert status == 1
    assert any("out_of_scope.yaml:3:" in p and "recording-calls" in p for p in problems)


def test_out_of_scope_file_mistakes_name_their_line(capsys, kdir):
    write(kdir / "out_of_scope.yaml", "ja:\n  - 公用車の予約方法\n  - ''\n  - 公用車の予約方法\nfr:\n  - bonjour\nen: oops\n")
    status, problems = check(capsys, kdir)
    assert status == 1
    assert any("out_of_scope.yaml:3:" in p and "empty" in p for p in problems)
    assert any("out_of_scope.yaml:4:" in p and "twice" in p for p in problems)
    assert any("out_of_scope.yaml:5:" in p and "fr" in p for p in problems)
    assert any("out_of_scope.yaml:7:" in p and "list" in p for p in problems)


def test_overlaps_lists_near_identical_questions_under_different_entries(capsys, kdir):
    write(kdir / "entries" / "type-violence.yaml", VIOLENCE.replace("殴られた", "通話を録音していいの?"))
    status = main(["knowledge", "overlaps", "--knowledge", str(kdir)])
    out = capsys.readouterr().out
    assert status == 0
    pair = re.search(r"^(\d\.\d\d)  (\S+)「(.+)」\n      (\S+)「(.+)」$", out, re.M)
    assert pair and float(pair[1]) >= 0.7
    assert {pair[2], pair[4]} == {"recording-calls", "type-violence"}
    assert {pair[3], pair[5]} == {"通話を録音してもいい?", "通話を録音していいの?"}
    assert "1 組" in out and "1 pair(s)" in out


def test_overlaps_is_quiet_when_entries_are_distinct(capsys, kdir):
    assert main(["knowledge", "overlaps", "--knowledge", str(kdir)]) == 0
    assert "0 pair(s)" in capsys.readouterr().out
