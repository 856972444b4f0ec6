"""Reminders: exactly-once dispatch across replicas, catch-up, rotation, permissions, chat and CLI."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from guidance_bot.bot import ActionEvent, Message, Submission
from guidance_bot.cli import main
from guidance_bot.clock import FakeClock
from guidance_bot.forms import Form, FormErrors
from guidance_bot.platforms import Destination, Person, Roles
from guidance_bot.reminders import commands, parse_schedule
from guidance_bot.reminders.dispatcher import dedupe_key, plan
from guidance_bot.reminders.store import NewReminder
from guidance_bot.runtime import Runtime
from guidance_bot.store.tables import outbox, reminder_deliveries

from .conftest import make_settings, write

TAGGED = """\
id: {id}
title: {{ja: 行動指針 {n}, en: Action guideline {n}}}
questions:
  ja: [行動指針{n}とは]
  en: [what is action guideline {n}]
answer:
  ja: 行動指針 {n} の説明。
  en: Guideline {n} explained.
tags: [guideline]
source:
  - {{doc: harassment-guidelines, section: 第{n}章}}
"""

CHECKLIST = """\
id: mini-checklist
title: {ja: チェックシート, en: Self-check}
groups:
  - title: {ja: 区分1, en: Group 1}
    items:
      - {number: 1, ja: 録音を告知していますか。, en: Do you announce recording?, related: [recording-calls]}
      - {number: 2, ja: 暴力に備えていますか。, en: Are you ready for violence?, related: [type-violence]}
  - title: {ja: 区分2, en: Group 2}
    items:
      - {number: 3, ja: 指針を読みましたか。, en: Have you read the guidelines?, related: [guideline-b, guideline-a]}
"""

TOKYO = "Asia/Tokyo"


@pytest.fixture
def rkdir(kdir: Path) -> Path:
    """The two-entry knowledge plus three entries tagged ``guideline`` and a small checklist."""
    for n, name in enumerate(("guideline-c", "guideline-a", "guideline-b"), 1):
        write(kdir / "entries" / f"{name}.yaml", TAGGED.format(id=name, n=n))
    write(kdir / "checklist.yaml", CHECKLIST)
    return kdir


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []

    async def send(self, destination, reply) -> None:
        await asyncio.sleep(0)  # let the other replica interleave
        self.sent.append((str(destination), reply))


def runtime_on(kdir: Path, url: str, clock: FakeClock, **changes) -> Runtime:
    """A Runtime not started: the test drives the dispatcher and outbox passes itself."""
    rt = Runtime(make_settings(kdir, url, **changes), clock=clock)
    assert rt.live.reload().knowledge is not None
    return rt


def new(schedule: str, clock: FakeClock, kind: str = "text", content: str = "毎週の確認です", *,
        channel: str = "slack:C0123", owner: str = "slack:U1") -> NewReminder:
    return NewReminder(owner=owner, destination=Destination(*channel.split(":", 1)),  # type: ignore[arg-type]
                       schedule=parse_schedule(schedule, tz=TOKYO, now=clock.now()), content_kind=kind,
                       content=content)


async def outbox_rows(rt: Runtime) -> list:
    async with rt.db.connect() as conn:
        return list(await conn.execute(select(outbox).order_by(outbox.c.id)))


async def delivery_rows(rt: Runtime) -> list:
    async with rt.db.connect() as conn:
        return list(await conn.execute(select(reminder_deliveries).order_by(reminder_deliveries.c.id)))


def tokyo(*args) -> datetime:
    from zoneinfo import ZoneInfo
    return datetime(*args, tzinfo=ZoneInfo(TOKYO)).astimezone(UTC)


# -- exactly once ------------------------------------------------------------------------------------

async def test_two_dispatchers_on_one_database_deliver_each_due_time_once(rkdir, database_url, clock):
    a, b = runtime_on(rkdir, database_url, clock), runtime_on(rkdir, database_url, clock)
    sender = RecordingSender()
    a.add_sender("slack", sender)
    b.add_sender("slack", sender)
    start = clock.now()
    try:
        added = [(await a.reminders.store.add(n))[0] for n in (
            new("cron: */30 * * * *", clock),
            new("毎日 9:00", clock, "tag", "guideline"),
            new("平日 8:45", clock, "entry", "recording-calls"),
            new("明日 10:00", clock, "checklist", ""),
        )]
        for _ in range(2 * 24 * 6):  # two days in ten-minute steps
            clock.advance(minutes=10)
            await asyncio.gather(a.reminders.dispatcher.run_once(), b.reminders.dispatcher.run_once(),
                                 a.outbox.deliver_due(), b.outbox.deliver_due())
        await asyncio.gather(a.outbox.deliver_due(), b.outbox.deliver_due())
        end = clock.now()

        rows = await outbox_rows(a)
        deliveries = await delivery_rows(a)
        for reminder in added:
            expected = [t for t in reminder.parsed_schedule().next_times(start, 400) if t <= end]
            keys = [r.dedupe_key for r in rows if r.dedupe_key.startswith(f"reminder:{reminder.id}:")]
            assert keys == [dedupe_key(reminder.id, t) for t in expected], reminder.schedule
            assert [d.due_at for d in deliveries if d.reminder_id == reminder.id] == expected
            assert {d.status for d in deliveries if d.reminder_id == reminder.id} == {"queued"}
        assert len(rows) == len(deliveries) == 96 + 2 + 2 + 1
        assert all(r.delivered_at is not None for r in rows)
        assert len(sender.sent) == len(rows)  # each queued message sent once, by one replica or the other
        rotation = [reply.entry_id for _, reply in sender.sent
                    if reply.entry_id and reply.entry_id.startswith("guideline")]
        assert rotation == ["guideline-a", "guideline-b"]
        checklist = [reply for _, reply in sender.sent if reply.actions and reply.actions[0].name == "checklist"]
        assert len(checklist) == 1 and checklist[0].title == "チェックシート"
        assert {dest for dest, _ in sender.sent} == {"slack:C0123"}
    finally:
        await a.stop()
        await b.stop()


async def test_many_dispatchers_racing_on_the_same_due_time(rkdir, database_url, clock):
    replicas = [runtime_on(rkdir, database_url, clock) for _ in range(4)]
    try:
        reminder, _ = await replicas[0].reminders.store.add(new("毎日 9:00", clock))
        clock.advance(days=1)
        queued = await asyncio.gather(*(rt.reminders.dispatcher.run_once() for rt in replicas))
        assert sorted(queued) == [0, 0, 0, 1]
        rows = await outbox_rows(replicas[0])
        assert [r.dedupe_key for r in rows] == [dedupe_key(reminder.id, tokyo(2026, 11, 26, 9, 0))]
    finally:
        for rt in replicas:
            await rt.stop()


# -- catch-up after a restart ----------------------------------------------------------------------

async def test_catch_up_after_restart(rkdir, database_url, clock, caplog):
    first = runtime_on(rkdir, database_url, clock)
    reminder, _ = await first.reminders.store.add(new("毎日 9:00", clock))
    await first.stop()  # the bot is down …

    clock.set(tokyo(2026, 11, 26, 9, 30))  # … for the 9:00 delivery, back 30 minutes later
    second = runtime_on(rkdir, database_url, clock)
    try:
        assert await second.reminders.dispatcher.run_once() == 1
        assert await second.reminders.dispatcher.run_once() == 0  # sent late once, not again
        assert [r.dedupe_key for r in await outbox_rows(second)] == [dedupe_key(reminder.id, tokyo(2026, 11, 26, 9, 0))]

        clock.set(tokyo(2026, 11, 27, 12, 0))  # down for three hours past the next one: too late
        with caplog.at_level(logging.WARNING, logger="guidance_bot.reminders.dispatcher"):
            assert await second.reminders.dispatcher.run_once() == 0
        skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
        assert skipped and skipped[0].reminder_id == reminder.id
        assert second.metrics.reminder_deliveries.labels("skipped")._value.get() == 1
        statuses = [(d.due_at, d.status) for d in await delivery_rows(second)]
        assert statuses == [(tokyo(2026, 11, 26, 9, 0), "queued"), (tokyo(2026, 11, 27, 9, 0), "skipped")]
        assert len(await outbox_rows(second)) == 1
        stored = await second.reminders.store.get(reminder.id)
        assert stored.next_due_at == tokyo(2026, 11, 28, 9, 0)

        clock.set(tokyo(2026, 11, 28, 9, 0))  # the next one is on time
        assert await second.reminders.dispatcher.run_once() == 1
        assert len(await outbox_rows(second)) == 2
    finally:
        await second.stop()


async def test_long_downtime_sends_only_the_latest_missed_time(rkdir, sqlite_url, clock):
    rt = runtime_on(rkdir, sqlite_url, clock)
    try:
        reminder, _ = await rt.reminders.store.add(new("cron: */10 * * * *", clock))
        clock.advance(minutes=45)  # 9:10 … 9:40 missed
        assert await rt.reminders.dispatcher.run_once() == 1
        assert [r.dedupe_key for r in await outbox_rows(rt)] == [dedupe_key(reminder.id, tokyo(2026, 11, 25, 9, 40))]
        assert (await rt.reminders.store.get(reminder.id)).next_due_at == tokyo(2026, 11, 25, 9, 50)
    finally:
        await rt.stop()


def test_plan_window():
    schedule = parse_schedule("毎日 9:00", tz=TOKYO, now=tokyo(2026, 11, 25, 8, 0))
    due = tokyo(2026, 11, 26, 9, 0)
    hour = timedelta(hours=1)
    assert plan(schedule, due, due, hour) == (due, tokyo(2026, 11, 27, 9, 0))
    assert plan(schedule, due, due + hour, hour) == (due, tokyo(2026, 11, 27, 9, 0))
    assert plan(schedule, due, due + hour + timedelta(seconds=1), hour) == (None, tokyo(2026, 11, 27, 9, 0))
    assert plan(schedule, due, due + timedelta(days=5, hours=2), hour) == (None, tokyo(2026, 12, 2, 9, 0))
    assert plan(schedule, due, due + timedelta(days=5, minutes=5), hour) == (tokyo(2026, 12, 1, 9, 0),
                                                                             tokyo(2026, 12, 2, 9, 0))


async def test_once_reminder_fires_once_then_has_no_next(rkdir, database_url, clock):
    rt = runtime_on(rkdir, database_url, clock)
    try:
        reminder, _ = await rt.reminders.store.add(new("明日 10:00", clock))
        assert reminder.next_due_at == tokyo(2026, 11, 26, 10, 0)
        clock.set(tokyo(2026, 11, 26, 10, 0))
        assert await rt.reminders.dispatcher.run_once() == 1
        assert (await rt.reminders.store.get(reminder.id)).next_due_at is None
        clock.advance(days=3)
        assert await rt.reminders.dispatcher.run_once() == 0
        assert len(await outbox_rows(rt)) == 1
    finally:
        await rt.stop()


async def test_rotation_through_a_tag_and_paused_reminders(rkdir, sqlite_url, clock):
    rt = runtime_on(rkdir, sqlite_url, clock)
    sender = RecordingSender()
    rt.add_sender("slack", sender)
    try:
        reminder, _ = await rt.reminders.store.add(new("毎日 9:00", clock, "tag", "guideline"))
        for _ in range(4):
            clock.advance(days=1)
            await rt.reminders.dispatcher.run_once()
            await rt.outbox.deliver_due()
        assert [r.entry_id for _, r in sender.sent] == ["guideline-a", "guideline-b", "guideline-c", "guideline-a"]
        assert sender.sent[0][1].title == "行動指針 2"

        office = commands.Actor.cli("ops")
        await rt.reminders.store.pause(reminder.id, office)
        clock.advance(days=2)
        assert await rt.reminders.dispatcher.run_once() == 0
        resumed = await rt.reminders.store.resume(reminder.id, office)
        assert resumed.next_due_at == tokyo(2026, 12, 2, 9, 0)  # no catch-up for paused days
    finally:
        await rt.stop()


async def test_missing_content_is_skipped_and_counted(rkdir, sqlite_url, clock):
    rt = runtime_on(rkdir, sqlite_url, clock)
    try:
        await rt.reminders.store.add(new("毎日 9:00", clock, "entry", "guideline-c"))
        (rkdir / "entries" / "guideline-c.yaml").unlink()
        assert rt.live.reload().knowledge is not None
        clock.advance(days=1)
        assert await rt.reminders.dispatcher.run_once() == 0
        assert [d.status for d in await delivery_rows(rt)] == ["skipped"]
        assert rt.metrics.errors.labels("reminder_content")._value.get() == 1
    finally:
        await rt.stop()


# -- chat: creating, listing, permissions -------------------------------------------------------------

ROLES = Roles(managers=frozenset({"U1", "U2"}), compliance_office=frozenset({"U9"}))


def person(user: str) -> Person:
    return Person("slack", user)


@pytest.fixture
async def chat_rt(rkdir, sqlite_url, clock):
    rt = runtime_on(rkdir, sqlite_url, clock, roles=ROLES)
    yield rt
    await rt.stop()


async def say(rt: Runtime, user: str, text: str, channel: str = "C0123", private: bool = False):
    return await rt.bot.handle(Message(person(user), text, channel=channel, private=private, lang="ja"))


async def press(rt: Runtime, user: str, name: str, value: str):
    return await rt.bot.act(ActionEvent(person(user), name, value, "ja", channel="C0123"))


async def test_remind_in_one_line_echoes_schedule_and_next_times(chat_rt):
    reply = await say(chat_rt, "U1", "remind 毎週月曜 9:00 | 今週も安全運転で")
    assert reply.private and reply.title == "リマインダー #1 を登録しました"
    assert "毎週 月曜日 9:00（Asia/Tokyo）" in reply.answer
    assert "2026年11月30日（月）9:00" in reply.answer and "2026年12月14日（月）9:00" in reply.answer
    assert [a.name for a in reply.actions] == ["reminder_pause", "reminder_delete"]
    assert [a.confirm for a in reply.actions] == [False, True]  # deleting cannot be undone: asked first
    stored = await chat_rt.reminders.store.get(1)
    assert (stored.owner, stored.destination, stored.content) == ("slack:U1", "slack:C0123", "今週も安全運転で")

    reply = await say(chat_rt, "U1", "remind every weekday 8:45 | tag:guideline")
    assert "Weekdays (Mon–Fri) at 8:45 (Asia/Tokyo)" in reply.answer or "平日" in reply.answer
    assert (await chat_rt.reminders.store.get(2)).content_kind == "tag"

    reply = await say(chat_rt, "U1", "remind every monday 9am | entry:no-such-entry")
    assert "no-such-entry" in reply.answer and reply.private
    reply = await say(chat_rt, "U3", "remind 毎日 9:00 | hi")
    assert "権限がありません" in reply.answer


async def test_remind_form_validates_and_retries_do_not_duplicate(chat_rt):
    form = await say(chat_rt, "U1", "remind")
    assert isinstance(form, Form) and form.form_id == "remind"
    assert [f.name for f in form.fields] == ["schedule", "kind", "text", "entry", "tag", "language", "skip_holidays"]
    assert form.context["channel"] == "C0123"
    assert {o.value for o in form.fields[4].options} == {"guideline"}

    def submission(values, key="view-1"):
        return Submission(person("U1"), "remind", values, "ja", context=form.context, key=key)

    errors = await chat_rt.bot.submit(submission({"schedule": "そのうち", "kind": "text", "text": "x"}))
    assert isinstance(errors, FormErrors) and set(errors.errors) == {"schedule"}
    assert "使える書き方" in errors.errors["schedule"]
    errors = await chat_rt.bot.submit(submission({"schedule": "2020-01-01 9:00", "kind": "entry", "entry": ""}))
    assert set(errors.errors) == {"schedule", "entry"} and "使える書き方" in errors.errors["schedule"]

    values = {"schedule": "毎月1日 9時", "kind": "entry", "entry": "recording-calls", "language": "en",
              "skip_holidays": True}
    first = await chat_rt.bot.submit(submission(values))
    again = await chat_rt.bot.submit(submission(values))
    assert first.title == again.title == "リマインダー #1 を登録しました"
    assert "2026年12月1日（火）9:00" in first.answer and "2027年2月1日（月）9:00" in first.answer
    assert "祝日と年末年始" in first.answer
    assert len(await chat_rt.reminders.store.list()) == 1
    stored = await chat_rt.reminders.store.get(1)
    assert (stored.language, stored.skip_holidays, stored.content) == ("en", True, "recording-calls")

    refused = await chat_rt.bot.submit(Submission(person("U3"), "remind", values, "ja", context=form.context, key="v2"))
    assert "権限がありません" in refused.answer


async def test_pause_resume_delete_permissions(chat_rt):
    await say(chat_rt, "U1", "remind 毎日 9:00 | 朝礼の確認")

    owner_list = await say(chat_rt, "U1", "reminders")
    assert "#1 slack:C0123" in owner_list.answer
    assert [(a.name, a.value) for a in owner_list.actions] == [("reminder_pause", "1"), ("reminder_delete", "1")]
    other_list = await say(chat_rt, "U2", "reminders")
    assert "#1" in other_list.answer and other_list.actions == ()  # may see, may not change
    assert (await say(chat_rt, "U2", "reminders", private=True)).answer.startswith("リマインダーはありません")

    # another manager: refused
    reply = await press(chat_rt, "U2", "reminder_pause", "1")
    assert "作成した人とコンプライアンス推進担当だけ" in reply.answer
    assert not (await chat_rt.reminders.store.get(1)).paused
    # not a manager at all: refused, for the button and the command
    assert "権限がありません" in (await press(chat_rt, "U3", "reminder_delete", "1")).answer
    assert "権限がありません" in (await say(chat_rt, "U3", "reminders")).answer
    assert await chat_rt.reminders.store.get(1) is not None
    # the compliance office may change anyone's
    assert "一時停止しました" in (await press(chat_rt, "U9", "reminder_pause", "1")).answer
    assert (await chat_rt.reminders.store.get(1)).paused
    listing = await say(chat_rt, "U9", "reminders all")
    assert "一時停止中" in listing.answer and listing.actions[0].name == "reminder_resume"
    assert "権限がありません" in (await say(chat_rt, "U1", "reminders all")).answer
    # the owner
    assert "再開しました" in (await say(chat_rt, "U1", "reminders resume 1")).answer
    assert "削除しました" in (await press(chat_rt, "U1", "reminder_delete", "1")).answer
    assert await chat_rt.reminders.store.get(1) is None
    assert "#1 はありません" in (await press(chat_rt, "U1", "reminder_delete", "1")).answer


# -- the command line --------------------------------------------------------------------------------

@pytest.fixture
def cli_env(rkdir, sqlite_url, clock, monkeypatch):
    monkeypatch.setenv("GUIDANCE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("GUIDANCE_KNOWLEDGE_DIR", str(rkdir))
    monkeypatch.delenv("GUIDANCE_CONFIG", raising=False)
    monkeypatch.setattr(commands, "CLOCK", clock)
    monkeypatch.setattr(commands, "cli_user", lambda: "alice")
    return sqlite_url


def test_cli_add_list_pause_resume_delete(cli_env, capsys):
    assert main(["remind", "add", "--channel", "slack:C0123ABCD", "--schedule", "毎週月曜 9:00", "--text", "週次の確認"]) == 0
    out = capsys.readouterr().out
    assert "#1" in out.splitlines()[0]
    assert "毎週 月曜日 9:00（Asia/Tokyo） / Every Monday at 9:00 (Asia/Tokyo)" in out
    times = [line.strip() for line in out.splitlines() if line.startswith("    2026") or line.startswith("    2027")]
    assert times == ["2026-11-30 (月 Mon) 09:00 Asia/Tokyo", "2026-12-07 (月 Mon) 09:00 Asia/Tokyo",
                     "2026-12-14 (月 Mon) 09:00 Asia/Tokyo"]

    assert main(["remind", "add", "--channel", "teams:19:abc@thread.tacv2", "--schedule", "every weekday 8:45am",
                 "--tag", "guideline", "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["id"] == 2 and added["next"][0] == "2026-11-26T08:45:00+09:00"

    assert main(["remind", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["channel"], r["owner"], r["content_kind"]) for r in rows] == [
        (1, "slack:C0123ABCD", "cli:alice", "text"), (2, "teams:19:abc@thread.tacv2", "cli:alice", "tag")]

    assert main(["remind", "pause", "1"]) == 0
    assert "一時停止しました" in capsys.readouterr().out
    assert main(["remind", "list"]) == 0
    out = capsys.readouterr().out
    assert "#1 slack:C0123ABCD [一時停止中 / paused]" in out and "(2 件 / reminders)" in out
    assert main(["remind", "resume", "1"]) == 0
    assert "2026-11-30 (月 Mon) 09:00" in capsys.readouterr().out
    assert main(["remind", "delete", "1"]) == 0
    assert main(["remind", "delete", "1"]) == 1
    assert "#1" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--channel", "slack:C0123", "--schedule", "そのうち", "--text", "x"], "使える書き方"),
    (["--channel", "slack:C0123", "--schedule", "毎日 9:00", "--entry", "nope"], "nope"),
    (["--channel", "slack:C0123", "--schedule", "毎日 9:00", "--tag", "nothing"], "nothing"),
    (["--channel", "slack:C0123", "--schedule", "2020-01-01 9:00", "--checklist"], "過ぎています"),
])
def test_cli_add_refuses_bad_input(cli_env, capsys, argv, message):
    assert main(["remind", "add", *argv]) == 2
    assert message in capsys.readouterr().err


def test_cli_add_refuses_a_channel_name(cli_env, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["remind", "add", "--channel", "#general", "--schedule", "毎日 9:00", "--text", "x"])
    assert exc.value.code == 2
    assert "slack:CHANNEL_ID" in capsys.readouterr().err


# -- configured in the settings file ----------------------------------------------------------------------

def config_file(tmp_path: Path, rkdir: Path, url: str, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"knowledge_dir: {rkdir}\ndatabase_url: {url}\n{text}", encoding="utf-8")
    return path


async def test_catch_up_window_comes_from_the_settings_file(rkdir, sqlite_url, clock, tmp_path, caplog):
    from dataclasses import replace

    from guidance_bot.config import Settings

    settings = Settings.load(config_file(tmp_path, rkdir, sqlite_url, "reminders:\n  catch_up_minutes: 10\n"),
                             env={"GUIDANCE_DATABASE_URL": sqlite_url})
    assert settings.reminder_catch_up_minutes == 10
    rt = Runtime(replace(settings, knowledge_dir=rkdir), clock=clock)
    assert rt.live.reload().knowledge is not None
    try:
        reminder, _ = await rt.reminders.store.add(new("毎日 9:00", clock))
        clock.set(tokyo(2026, 11, 26, 9, 30))  # 30 minutes late: past the 10-minute window
        with caplog.at_level(logging.WARNING, logger="guidance_bot.reminders.dispatcher"):
            assert await rt.reminders.dispatcher.run_once() == 0
        [skipped] = [r for r in caplog.records if r.getMessage() == "reminder due time skipped"]
        assert (skipped.reminder_id, skipped.catch_up_minutes, skipped.reason) == (reminder.id, 10, "too_late")
        clock.set(tokyo(2026, 11, 27, 9, 10))  # 10 minutes late: sent, once
        assert await rt.reminders.dispatcher.run_once() == 1
        assert await rt.reminders.dispatcher.run_once() == 0
        assert [r.dedupe_key for r in await outbox_rows(rt)] == [dedupe_key(reminder.id, tokyo(2026, 11, 27, 9, 0))]
    finally:
        await rt.stop()


def test_cli_add_prints_the_next_times_in_the_configured_time_zone(cli_env, rkdir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GUIDANCE_CONFIG", str(config_file(tmp_path, rkdir, cli_env, "timezone: Europe/London\n")))
    assert main(["remind", "add", "--channel", "slack:C0123ABCD", "--schedule", "every monday 9am",
                 "--text", "weekly check"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "リマインダー #1 を登録しました (reminder #1 created)"
    times = [line.strip() for line in out.splitlines() if line.startswith("    20")]
    assert times == ["2026-11-30 (月 Mon) 09:00 Europe/London", "2026-12-07 (月 Mon) 09:00 Europe/London",
                     "2026-12-14 (月 Mon) 09:00 Europe/London"]
    stored = json.loads((main(["remind", "list", "--json"]), capsys.readouterr().out)[1])
    assert stored[0]["next"] == "2026-11-30T09:00:00+00:00"  # 18:00 in Tokyo


class ChannelRefusingSender(RecordingSender):
    """The bot is not in the reminder's channel: posts there fail, direct messages work."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    async def send(self, destination, reply) -> None:
        if not destination.is_user:
            self.refused += 1
            raise ConnectionError("not_in_channel")
        await super().send(destination, reply)


async def test_the_manager_is_told_once_when_a_reminder_cannot_be_posted(rkdir, sqlite_url, clock):
    rt = runtime_on(rkdir, sqlite_url, clock)
    sender = ChannelRefusingSender()
    rt.add_sender("slack", sender)
    try:
        await rt.reminders.store.add(new("毎日 9:00", clock, owner="slack:U1"))
        await rt.reminders.store.add(new("毎日 9:00", clock, owner="cli:alice", channel="slack:C0OTHER"))
        clock.set(tokyo(2026, 11, 26, 9, 0))
        assert await rt.reminders.dispatcher.run_once() == 2
        for _ in range(8):  # about two hours of retries
            await rt.outbox.deliver_due()
            clock.advance(minutes=20)
        assert sender.refused >= 8  # still being retried, never dropped
        [(to, notice)] = sender.sent  # the manager, once; nobody to tell for the CLI's reminder
        assert to == "slack:user:U1"
        assert "#1" in notice.answer and "slack:C0123" in notice.answer and "参加" in notice.answer
    finally:
        await rt.stop()
