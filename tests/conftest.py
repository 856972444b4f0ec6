"""Shared fixtures: a small, valid knowledge directory that each test may break in its own way."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.fakes.slack import slack_api, slack_socket_mode  # noqa: F401  (Slack fakes)
from tests.fakes.teams import connector, issuer, no_microsoft  # noqa: F401  (Teams fakes)

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


# -- databases and a running bot ------------------------------------------------------------------

from guidance_bot.clock import FakeClock  # noqa: E402
from guidance_bot.config import Settings  # noqa: E402
from guidance_bot.runtime import Runtime  # noqa: E402
from guidance_bot.store import Database, upgrade  # noqa: E402

from .dbs import database_urls  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request, tmp_path: Path):
    """An empty database of each kind, migrated to the latest schema."""
    async for url in database_urls(request.param, tmp_path):
        db = Database(url)
        await upgrade(db)
        await db.close()
        yield url


@pytest.fixture
async def sqlite_url(tmp_path: Path):
    """A migrated SQLite database, for tests where the database kind does not matter."""
    async for url in database_urls("sqlite", tmp_path):
        db = Database(url)
        await upgrade(db)
        await db.close()
        yield url


@pytest.fixture
def clock() -> FakeClock:
    from datetime import UTC, datetime
    return FakeClock(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # 09:00 in Tokyo


def make_settings(knowledge_dir: Path, database_url: str, **changes) -> Settings:
    from dataclasses import replace
    return replace(Settings(), knowledge_dir=knowledge_dir, database_url=database_url,
                   knowledge_poll_seconds=0.05, **changes)


@pytest.fixture
async def runtime(kdir: Path, sqlite_url: str, clock: FakeClock):
    """A started Runtime on the two-entry knowledge and a SQLite database, stopped afterwards."""
    rt = Runtime(make_settings(kdir, sqlite_url), clock=clock, outbox_poll_seconds=0.05)
    await rt.start()
    yield rt
    await rt.stop()
