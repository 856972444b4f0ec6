"""Reminders declared by the compliance office in a YAML file: synced at start, errors as FILE:LINE."""

from __future__ import annotations

from pathlib import Path

from guidance_bot.bot import ActionEvent
from guidance_bot.clock import FakeClock
from guidance_bot.platforms import Person
from guidance_bot.runtime import Runtime

from .conftest import make_settings, write
from .test_reminders import ROLES, outbox_rows, rkdir, tokyo  # noqa: F401  (fixture)

FIRST = """\
- name: weekly-guidelines
  channel: slack:C0123
  schedule: 毎週月曜 9:00
  tag: guideline
- name: recording
  channel: teams:19:abc@thread.tacv2
  schedule: every weekday 8:45am
  entry: recording-calls
  language: en
  skip_holidays: true
"""

SECOND = """\
reminders:
  - name: weekly-guidelines
    channel: slack:C0123
    schedule: 毎週月曜 9:00
    tag: guideline
  - name: monthly-check
    channel: slack:C0123
    schedule: 毎月1日 9時
    checklist: true
"""

CHANGED = SECOND.replace("毎週月曜 9:00", "毎週火曜 10:00")

BROKEN = """\
- name: weekly-guidelines
  channel: slack:C0123
  schedule: 毎週月曜 9:00
  tag: guideline
- name: bad
  channel: general
  schedule: そのうち
  entry: no-such-entry
  colour: red
"""


def runtime_with_file(kdir: Path, url: str, clock: FakeClock, path: Path) -> Runtime:
    rt = Runtime(make_settings(kdir, url, reminders_file=path, roles=ROLES,
                               knowledge_errors_to=("slack:C0FFICE",)), clock=clock)
    assert rt.live.reload().knowledge is not None
    return rt


async def by_name(rt: Runtime) -> dict:
    return {r.source_key: r for r in await rt.reminders.store.list()}


async def test_declared_reminders_are_added_changed_and_removed(rkdir, database_url, clock, tmp_path):
    path = write(tmp_path / "reminders.yaml", FIRST)
    rt = runtime_with_file(rkdir, database_url, clock, path)
    try:
        result = await rt.reminders.declared.sync_if_changed()
        assert (result.ok, result.added, result.updated, result.removed) == (True, 2, 0, 0)
        assert await rt.reminders.declared.sync_if_changed() is None  # unchanged file: nothing to do
        rows = await by_name(rt)
        weekly, recording = rows["file:weekly-guidelines"], rows["file:recording"]
        assert (weekly.destination, weekly.schedule, weekly.content_kind, weekly.owner) == (
            "slack:C0123", "every mon 09:00", "tag", "file:reminders.yaml")
        assert (recording.language, recording.skip_holidays, recording.next_due_at) == (
            "en", True, tokyo(2026, 11, 26, 8, 45))

        # A pause made in chat survives a sync; the file cannot be bypassed by deleting in chat.
        reply = await rt.bot.act(ActionEvent(Person("slack", "U9"), "reminder_pause", str(weekly.id), "ja"))
        assert "一時停止しました" in reply.answer
        reply = await rt.bot.act(ActionEvent(Person("slack", "U9"), "reminder_delete", str(weekly.id), "ja"))
        assert "設定ファイル" in reply.answer
        reply = await rt.bot.act(ActionEvent(Person("slack", "U1"), "reminder_resume", str(weekly.id), "ja"))
        assert "作成した人とコンプライアンス推進担当だけ" in reply.answer

        write(path, SECOND)
        result = await rt.reminders.declared.sync()
        assert (result.added, result.updated, result.removed) == (1, 0, 1)
        rows = await by_name(rt)
        assert set(rows) == {"file:weekly-guidelines", "file:monthly-check"}
        assert rows["file:weekly-guidelines"].paused and rows["file:weekly-guidelines"].id == weekly.id
        assert rows["file:monthly-check"].next_due_at == tokyo(2026, 12, 1, 9, 0)

        write(path, CHANGED)
        result = await rt.reminders.declared.sync()
        assert (result.added, result.updated, result.removed) == (0, 1, 0)
        changed = (await by_name(rt))["file:weekly-guidelines"]
        assert changed.schedule == "every tue 10:00" and changed.next_due_at == tokyo(2026, 12, 1, 10, 0)
    finally:
        await rt.stop()


async def test_broken_file_keeps_previous_reminders_and_reports_lines(rkdir, sqlite_url, clock, tmp_path, caplog):
    path = write(tmp_path / "reminders.yaml", FIRST)
    rt = runtime_with_file(rkdir, sqlite_url, clock, path)
    try:
        await rt.reminders.declared.sync()
        before = await by_name(rt)

        write(path, BROKEN)
        result = await rt.reminders.declared.sync()
        assert not result.ok
        lines = [p.format() for p in result.problems]
        assert any(line.startswith(f"{path}:6: ") and "slack:CHANNEL_ID" in line for line in lines)
        assert any(line.startswith(f"{path}:7: ") and "そのうち" in line for line in lines)
        assert any(line.startswith(f"{path}:8: ") and "no-such-entry" in line for line in lines)
        assert any(line.startswith(f"{path}:9: ") and "colour" in line for line in lines)
        assert await by_name(rt) == before
        assert any("reminders file problem" in r.getMessage() for r in caplog.records)
        alerts = [r for r in await outbox_rows(rt) if r.kind == "reminders_file_error"]
        assert [a.destination for a in alerts] == ["slack:C0FFICE"]
        assert rt.outbox.wakeup.is_set()  # sent now, not at the outbox's next poll
        assert rt.metrics.errors.labels("reminders_file")._value.get() == 1

        write(path, "- name: x\n  channel: slack:C1\n  schedule: [unclosed\n")
        result = await rt.reminders.declared.sync()
        assert result.problems[0].line in (3, 4) and "YAML" in result.problems[0].format()
        assert await by_name(rt) == before
    finally:
        await rt.stop()


async def test_file_is_synced_by_the_running_server(rkdir, sqlite_url, clock, tmp_path):
    path = write(tmp_path / "reminders.yaml", FIRST)
    rt = runtime_with_file(rkdir, sqlite_url, clock, path)
    await rt.start()
    try:
        import asyncio
        for _ in range(100):
            if len(await rt.reminders.store.list()) == 2:
                break
            await asyncio.sleep(0.02)
        assert len(await rt.reminders.store.list()) == 2
    finally:
        await rt.stop()


def test_the_example_configuration_shows_where_the_file_goes(tmp_path):
    """config.example.yaml carries the (commented) ``reminders.file`` line; uncommented, it is used."""
    from guidance_bot.config import Settings

    example = (Path(__file__).resolve().parents[1] / "config.example.yaml").read_text(encoding="utf-8")
    assert "  # file: reminders.yaml\n" in example
    config = tmp_path / "config.yaml"
    config.write_text(example.replace("  # file: reminders.yaml\n", "  file: reminders.yaml\n"), encoding="utf-8")
    assert Settings.load(config, env={}).reminders_file == tmp_path / "reminders.yaml"
