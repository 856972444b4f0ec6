"""Shared fixtures: a small, valid knowledge directory that each test may break in its own way."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "knowledge"

DOCUMENTS = """\
harassment-guidelines:
  short: 対応要領
  ja: 品川区職員のカスタマー・ハラスメント対応要領
  en: Guidelines for Responding to Customer Harassment
"""

CONTACTS = """\
compliance-office:
  name: {ja: コンプライアンス推進担当, en: Compliance Section}
  phone: 03-0000-0000
"""

RECORDING = """\
id: recording-calls
title: {ja: 会話や電話を録音してよいか, en: "May I record the call?"}
questions:
  ja: ["通話を録音してもいい?", "相手に言わずに録音したら違法?", 電話を録っておきたい]
  en: ["can I record the call?", "is secret recording legal?"]
answer:
  ja: 録音して構いません。原則として録音することを相手に告知します。
  en: Yes. As a rule, tell the person you are recording.
phrases:
  - ja: 正確に記録するため、お話の内容を録音させていただきます。
    en: To keep an accurate record, I will record what we discuss.
source:
  - {doc: harassment-guidelines, section: 第6章(2)④}
related: [type-violence]
"""

VIOLENCE = """\
id: type-violence
title: {ja: 暴力型, en: Violence against staff}
questions:
  ja: [殴られた, 胸ぐらをつかまれた, 物を投げられた]
  en: [a customer hit me, he threw a chair]
answer:
  ja: 直ちにその場を離れ、警察に通報します。
  en: Leave at once and call the police.
alert:
  ja: 身の危険があればすぐに110番。
  en: If you are in danger, call 110 now.
consult: true
contacts: [compliance-office]
source:
  - {doc: harassment-guidelines, section: 第7章 TYPE.2}
"""

SYNONYMS = """\
- [録音, 録る, record]
- [殴る, 叩く, hit, punch]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    """A valid two-entry knowledge directory."""
    d = tmp_path / "knowledge"
    write(d / "documents.yaml", DOCUMENTS)
    write(d / "contacts.yaml", CONTACTS)
    write(d / "synonyms.yaml", SYNONYMS)
    write(d / "entries" / "recording-calls.yaml", RECORDING)
    write(d / "entries" / "type-violence.yaml", VIOLENCE)
    return d
