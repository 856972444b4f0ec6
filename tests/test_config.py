"""Settings from the YAML file and the environment."""

from __future__ import annotations

import json

import pytest

from guidance_bot.cli import main
from guidance_bot.config import ConfigError, Settings

from .conftest import write


def test_file_sets_thresholds_contacts_and_knowledge(tmp_path, kdir):
    config = write(tmp_path / "bot.yaml", f"""\
        knowledge_dir: {kdir}
        matching:
          thresholds: {{answer: 0.9, margin: 0.2, suggest: 0.1}}
        contacts:
          compliance-office: {{phone: 03-1111-2222}}
        """)
    settings = Settings.load(config, env={})
    assert settings.knowledge_dir == kdir
    assert (settings.thresholds.answer, settings.thresholds.margin, settings.thresholds.suggest) == (0.9, 0.2, 0.1)
    assert settings.contacts["compliance-office"]["phone"] == "03-1111-2222"


def test_environment_wins_over_the_file(tmp_path, kdir):
    config = write(tmp_path / "bot.yaml", "knowledge_dir: elsewhere\ndatabase_url: sqlite:///a.db\n")
    env = {"GUIDANCE_CONFIG": str(config), "GUIDANCE_KNOWLEDGE_DIR": str(kdir),
           "GUIDANCE_DATABASE_URL": "postgresql+asyncpg://127.0.0.1/test"}
    settings = Settings.load(env=env)
    assert settings.knowledge_dir == kdir
    assert settings.database_url == "postgresql+asyncpg://127.0.0.1/test"


@pytest.mark.parametrize("text, fragment", [
    ("matching: {thresholds: {answer: high}}", "数値"),
    ("matching: {thresholds: {anwser: 0.5}}", "anwser"),
    ("contacts: {compliance-office: {name: only-one-language}}", "ja"),
    ("- not a mapping\n", "mapping"),
    ("key: [unclosed\n", "YAML"),
    # A channel name or a stray space would be retried forever: refused when the settings load.
    ("knowledge_errors_to: ['slack: C0FFICE']", "knowledge_errors_to"),
    ("consultation: {destinations: {default: ['slack:#general']}}", "slack:CHANNEL_ID"),
    ("consultation: {destinations: {default: ['teams:19:office channel']}}", "teams:CONVERSATION_ID"),
])
def test_bad_settings_are_reported_clearly(tmp_path, text, fragment):
    config = write(tmp_path / "bot.yaml", text)
    with pytest.raises(ConfigError) as exc:
        Settings.load(config, env={})
    assert fragment in str(exc.value)


def test_cli_uses_the_settings_file(tmp_path, kdir, capsys):
    config = write(tmp_path / "bot.yaml", f"knowledge_dir: {kdir}\nmatching: {{thresholds: {{answer: 5.0}}}}\n")
    assert main(["--config", str(config), "ask", "--json", "通話を録音してもいい?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["answered"] is False  # nothing can reach an answer threshold of 5
    assert result["suggestions"][0] == "recording-calls"


def test_cli_bad_settings_file_exits_2(tmp_path, capsys):
    config = write(tmp_path / "bot.yaml", "matching: {weights: {chars: lots}}\n")
    assert main(["--config", str(config), "knowledge", "list"]) == 2
    assert "weights" in capsys.readouterr().err
