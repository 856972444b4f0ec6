"""The server process: settings at start, health and readiness, metrics, hot reload, the answer log
with redaction and retention, the outbox, and a graceful stop."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from guidance_bot.bot import Message
from guidance_bot.cli import main
from guidance_bot.config import ConfigError, Settings
from guidance_bot.outbox import OutboxWorker, enqueue
from guidance_bot.platforms import Person, parse_destination
from guidance_bot.replies import Reply
from guidance_bot.runtime import Runtime
from guidance_bot.server import MOUNTED, create_app
from guidance_bot.store import Database, upgrade
from guidance_bot.store.tables import answers, outbox

from .conftest import make_settings, write
from .dbs import drop_postgres, fresh_postgres

STAFF = Person("slack", "U0STAFF")


class RecordingSender:
    """Stands in for a platform: records what it was asked to send; fails the first ``fail`` times."""

    def __init__(self, fail: int = 0) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self.attempts = 0
        self._fail = fail

    async def send(self, destination, reply: Reply) -> None:
        self.attempts += 1
        if self.attempts <= self._fail:
            raise ConnectionError("platform unavailable")
        self.sent.append((str(destination), reply))


async def client_for(runtime: Runtime) -> TestClient:
    client = TestClient(TestServer(create_app(runtime, adapters={})))
    await client.start_server()
    return client


# -- settings at start -------------------------------------------------------------------------

@pytest.mark.parametrize("env, named", [
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": "not-a-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ({"MICROSOFT_APP_ID": "00000000-0000-0000-0000-000000000001"}, "MICROSOFT_APP_PASSWORD"),
    ({"MICROSOFT_APP_ID": "a", "MICROSOFT_APP_PASSWORD": "p"}, "MICROSOFT_APP_TENANT_ID"),
    ({"MICROSOFT_APP_TYPE": "Anything"}, "MICROSOFT_APP_TYPE"),
    ({"GUIDANCE_TEAMS_ALLOW_UNAUTHENTICATED": "yes"}, "GUIDANCE_TEAMS_ALLOW_UNAUTHENTICATED"),
    ({"GUIDANCE_DATABASE_URL": "mysql://db/x"}, "GUIDANCE_DATABASE_URL"),
])
def test_a_wrong_or_missing_secret_is_named_at_start(env, named, kdir, capsys):
    with pytest.raises(ConfigError, match=named):
        Settings.load(env=env)
    # The command prints exactly one line that names it, and does not start.
    old = dict(os.environ)
    try:
        os.environ.update(env)
        assert main(["serve", "--port", "0"]) == 2
    finally:
        os.environ.clear()
        os.environ.update(old)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0]


@pytest.mark.parametrize("text, named", [
    ("timezone: Mars/Olympus", "timezone"),
    ("roles: {managers: U1}", "roles.managers"),
    ("roles: {owners: [U1]}", "roles"),
    ("consultation: {destinations: {default: [C123]}}", "consultation.destinations.default"),
    ("answer_log: {retention_days: 0}", "answer_log.retention_days"),
    ("slack: {command: guidance}", "slack.command"),
])
def test_a_wrong_file_setting_is_named(tmp_path, text, named):
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        Settings.load(write(tmp_path / "bot.yaml", text), env={})


def test_the_settings_file_sets_roles_destinations_and_time_zone(tmp_path):
    settings = Settings.load(write(tmp_path / "bot.yaml", """\
        timezone: UTC
        roles: {managers: [U1, S9], compliance_office: [U2]}
        consultation: {destinations: {default: [slack:C1, "teams:19:x@thread.tacv2"], whistleblowing: slack:C2}}
        answer_log: {retention_days: 30}
        """), env={})
    assert settings.timezone == "UTC" and settings.retention_days == 30
    assert settings.consultation_destinations["default"] == ("slack:C1", "teams:19:x@thread.tacv2")
    assert settings.consultation_destinations["whistleblowing"] == ("slack:C2",)
    assert settings.roles.is_manager(Person("slack", "U1"))
    assert settings.roles.is_manager(Person("slack", "U7", groups=frozenset({"S9"})))  # via a user group
    assert settings.roles.is_compliance_office(Person("teams", "U2"))
    assert not settings.roles.is_compliance_office(Person("slack", "U1"))


def test_serve_refuses_a_database_that_was_never_upgraded(kdir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GUIDANCE_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    monkeypatch.setenv("GUIDANCE_KNOWLEDGE_DIR", str(kdir))
    assert main(["serve", "--port", "0"]) == 1
    assert "guidance-bot db upgrade" in capsys.readouterr().err
    assert main(["db", "upgrade"]) == 0
    assert "0001" in capsys.readouterr().out


def test_platforms_without_credentials_are_not_mounted_and_start_up_says_so(runtime, caplog):
    from guidance_bot.server import discover_adapters
    caplog.set_level(logging.WARNING)
    app = create_app(runtime, adapters=discover_adapters())
    assert app[MOUNTED] == []
    reasons = [r for r in caplog.records if r.getMessage() == "adapter not mounted"]
    assert {r.adapter for r in reasons} == {"slack", "teams"}


# -- health, readiness, metrics --------------------------------------------------------------------

async def test_health_and_readiness_and_metrics(runtime):
    client = await client_for(runtime)
    try:
        assert (await client.get("/healthz")).status == 200
        ready = await client.get("/readyz")
        assert ready.status == 200 and (await ready.json())["checks"] == {"knowledge": True, "database": True}
        await runtime.bot.handle(Message(STAFF, "通話を録音してもいい?"))
        await runtime.bot.handle(Message(STAFF, "区長の今日の予定は？"))
        text = await (await client.get("/metrics")).text()
        assert 'guidance_questions_total{outcome="answer",platform="slack"} 1.0' in text
        assert 'guidance_questions_total{outcome="none",platform="slack"} 1.0' in text
        assert "guidance_answer_seconds_count 2.0" in text
    finally:
        await client.close()


async def test_readyz_is_503_when_the_database_goes_down(kdir, clock):
    url, name = await fresh_postgres()
    db = Database(url)
    await upgrade(db)
    await db.close()
    rt = Runtime(make_settings(kdir, url), clock=clock)
    client = TestClient(TestServer(create_app(rt, adapters={})))
    await client.start_server()
    try:
        assert (await client.get("/readyz")).status == 200
        await drop_postgres(name)  # the database disappears under the running bot
        response = await client.get("/readyz")
        assert response.status == 503
        assert (await response.json())["checks"] == {"knowledge": True, "database": False}
        assert (await client.get("/healthz")).status == 200  # alive, just not ready
    finally:
        await client.close()


# -- hot reload --------------------------------------------------------------------------------------

NEW_ENTRY = """\
id: shredding-documents
title: {ja: 書類のシュレッダー処理, en: Shredding documents}
questions:
  ja: [シュレッダーにかけていい書類は？, 個人情報の書類を捨てたい]
  en: [which papers can I shred?]
answer: {ja: 個人情報を含む書類はシュレッダーにかけます。, en: Shred papers with personal data.}
source:
  - {doc: harassment-guidelines, section: 第1章}
"""


async def test_a_good_change_on_disk_is_served_without_a_restart(runtime, kdir):
    before = runtime.bot.knowledge_version()
    write(kdir / "entries" / "shredding-documents.yaml", NEW_ENTRY)
    reply = await _wait_for_answer(runtime, "シュレッダーにかけていい書類は？", "shredding-documents")
    assert reply.entry_id == "shredding-documents"
    assert runtime.bot.knowledge_version() != before


async def test_answers_are_stamped_with_the_commit_that_holds_the_served_knowledge(kdir, sqlite_url, clock):
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(kdir), *args], check=True, capture_output=True, text=True,
                              env={**os.environ, "GIT_AUTHOR_NAME": "office", "GIT_AUTHOR_EMAIL": "o@example.jp",
                                   "GIT_COMMITTER_NAME": "office", "GIT_COMMITTER_EMAIL": "o@example.jp"}).stdout
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "first")
    rt = Runtime(make_settings(kdir, sqlite_url), clock=clock, outbox_poll_seconds=3600)
    await rt.start()
    try:
        first = git("log", "-1", "--format=%h").strip()
        assert rt.bot.knowledge_version().endswith(f"@{first}")
        write(kdir / "entries" / "shredding-documents.yaml", NEW_ENTRY)
        git("add", ".")
        git("commit", "-q", "-m", "second")  # moves the branch, not .git/HEAD
        second = git("log", "-1", "--format=%h").strip()
        await asyncio.to_thread(rt.live.reload)
        assert rt.bot.knowledge_version().endswith(f"@{second}")
        await rt.bot.handle(Message(STAFF, "通話を録音してもいい?"))
        assert (await _answer_rows(rt))[0].knowledge_version == rt.bot.knowledge_version()
    finally:
        await rt.stop()


async def test_a_broken_change_keeps_the_last_good_knowledge_and_tells_the_office(kdir, sqlite_url, clock):
    settings = make_settings(kdir, sqlite_url, knowledge_errors_to=("slack:C0FFICE",))
    rt = Runtime(settings, clock=clock, outbox_poll_seconds=0.05)
    office = RecordingSender()
    rt.add_sender("slack", office)
    await rt.start()
    try:
        broken = kdir / "entries" / "recording-calls.yaml"
        broken.write_text(broken.read_text(encoding="utf-8").replace("answer:", "answer: [unclosed\n  x:"),
                          encoding="utf-8")
        for _ in range(100):
            if office.sent:
                break
            await asyncio.sleep(0.05)
        destination, reply = office.sent[0]
        assert destination == "slack:C0FFICE"
        assert "recording-calls.yaml:" in reply.answer  # names the file and line
        answer = await rt.bot.handle(Message(STAFF, "通話を録音してもいい?"))
        assert answer.entry_id == "recording-calls"  # still the last good version
    finally:
        await rt.stop()


async def _wait_for_answer(runtime: Runtime, question: str, entry_id: str) -> Reply:
    reply = None
    for _ in range(100):
        reply = await runtime.bot.handle(Message(STAFF, question))
        if reply.entry_id == entry_id:
            return reply
        await asyncio.sleep(0.05)
    return reply


# -- answer log ----------------------------------------------------------------------------------------

async def _answer_rows(runtime: Runtime):
    async with runtime.db.connect() as conn:
        return (await conn.execute(select(answers).order_by(answers.c.at))).all()


async def test_answered_questions_are_logged_without_their_text(runtime):
    reply = await runtime.bot.handle(Message(STAFF, "通話を録音してもいい?"))
    row = (await _answer_rows(runtime))[0]
    assert (row.outcome, row.entry_id, row.platform, row.language) == ("answer", "recording-calls", "slack", "ja")
    assert row.question is None and row.knowledge_version == runtime.bot.knowledge_version()
    assert reply.answer_id == row.id and row.score > 0


async def test_unanswered_questions_are_kept_redacted(runtime):
    await runtime.bot.handle(Message(STAFF, "山田様（090-1234-5678, yamada@example.jp）の住所変更の手続きは？"))
    row = (await _answer_rows(runtime))[0]
    assert row.outcome == "none"
    assert "様" in row.question and "住所変更" in row.question
    for secret in ("山田", "090", "5678", "yamada@example.jp"):
        assert secret not in row.question


async def test_feedback_is_recorded_on_the_answer(runtime):
    from guidance_bot.bot import ActionEvent, feedback_actions
    reply = await runtime.bot.handle(Message(STAFF, "通話を録音してもいい?"))
    down = feedback_actions(reply)[1]
    await runtime.bot.act(ActionEvent(STAFF, down.name, down.value, "ja"))
    assert (await _answer_rows(runtime))[0].feedback == -1


async def test_the_answer_log_is_purged_after_the_retention_period(runtime, clock):
    await runtime.bot.handle(Message(STAFF, "区長の今日の予定は？"))
    clock.advance(days=60)
    await runtime.bot.handle(Message(STAFF, "公用車の予約はどこで？"))
    clock.advance(days=31)  # the first is 91 days old, the second 31
    assert await runtime.answer_log.purge(runtime.settings.retention_days) == 1
    rows = await _answer_rows(runtime)
    assert [r.question for r in rows] == ["公用車の予約はどこで?"]  # kept as NFKC-normalised text


async def test_report_misses_groups_similar_questions(kdir, sqlite_url, monkeypatch, capsys):
    write(kdir / "out_of_scope.yaml", "ja:\n  - 有給休暇はあと何日残ってる?\n")
    rt = Runtime(make_settings(kdir, sqlite_url))
    await rt.start()
    for q in ["有給休暇の日数は？", "有給休暇の日数を知りたい", "有給休暇は何日ある？", "区長の今日の予定"]:
        await rt.bot.handle(Message(STAFF, q))
    await rt.stop()
    monkeypatch.setenv("GUIDANCE_DATABASE_URL", sqlite_url)
    assert await asyncio.to_thread(main, ["report", "misses", "--since", "1d"]) == 0
    out = capsys.readouterr().out
    assert "4 件 / 2 グループ" in out
    assert out.index("有給休暇") < out.index("区長")  # the bigger group first
    # The leave questions are like the out-of-scope examples; the office sees which ones were.
    assert "回答なし unanswered 0 / 範囲外 out of scope 3" in out
    assert await asyncio.to_thread(main, ["report", "misses", "--format", "csv"]) == 0
    csv_lines = capsys.readouterr().out.strip().splitlines()
    assert csv_lines[0].startswith("count,") and csv_lines[0].endswith(",out_of_scope")
    assert csv_lines[1].startswith("3,") and csv_lines[1].endswith(",3")


async def test_logs_carry_no_message_text(runtime, caplog):
    from guidance_bot.logs import quiet_noisy_loggers
    quiet_noisy_loggers()  # the server's levels
    caplog.set_level(logging.INFO)
    await runtime.bot.handle(Message(STAFF, "佐藤さん 080-9999-1111 に土下座しろと言われた"))
    logged = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str, ensure_ascii=False)
                       for r in caplog.records)
    assert "佐藤" not in logged and "080-9999-1111" not in logged and "土下座" not in logged


# -- outbox ------------------------------------------------------------------------------------------

async def test_outbox_retries_with_backoff_and_delivers_once(database_url, clock):
    from guidance_bot.metrics import Metrics
    db = Database(database_url)
    sender = RecordingSender(fail=3)
    worker = OutboxWorker(db, clock, {"slack": sender}, Metrics())
    async with db.begin() as conn:
        assert await enqueue(conn, clock, kind="test", destination="slack:C1",
                             reply=Reply("info", "ja", answer="お知らせ"), dedupe_key="k1")
        assert not await enqueue(conn, clock, kind="test", destination="slack:C1",
                                 reply=Reply("info", "ja", answer="お知らせ"), dedupe_key="k1")
    for _ in range(3):
        assert await worker.deliver_due() == 0
        assert await worker.deliver_due() == 0  # not due again until the backoff has passed
        clock.advance(minutes=10)
    assert await worker.deliver_due() == 1
    clock.advance(hours=1)
    assert await worker.deliver_due() == 0
    assert [d for d, _ in sender.sent] == ["slack:C1"] and sender.attempts == 4
    await db.close()


async def test_two_workers_never_send_the_same_message(database_url, clock):
    from guidance_bot.metrics import Metrics
    db1, db2 = Database(database_url), Database(database_url)
    sender = RecordingSender()
    async with db1.begin() as conn:
        for i in range(30):
            await enqueue(conn, clock, kind="test", destination=f"slack:C{i}",
                          reply=Reply("info", "ja", answer=str(i)), dedupe_key=f"k{i}")
    w1 = OutboxWorker(db1, clock, {"slack": sender}, Metrics(), batch=7)
    w2 = OutboxWorker(db2, clock, {"slack": sender}, Metrics(), batch=7)
    for _ in range(6):
        await asyncio.gather(w1.deliver_due(), w2.deliver_due())
    assert sorted(d for d, _ in sender.sent) == sorted(f"slack:C{i}" for i in range(30))
    async with db1.connect() as conn:
        assert all(r.delivered_at for r in (await conn.execute(select(outbox))).all())
    await db1.close()
    await db2.close()


async def test_a_message_for_a_platform_not_mounted_waits_instead_of_being_dropped(runtime, clock):
    async with runtime.db.begin() as conn:
        await enqueue(conn, clock, kind="test", destination=parse_destination("teams:19:abc"),
                      reply=Reply("info", "ja", answer="x"), dedupe_key="t1")
    assert await runtime.outbox.deliver_due() == 0
    sender = RecordingSender()
    runtime.add_sender("teams", sender)
    clock.advance(minutes=1)
    assert await runtime.outbox.deliver_due() == 1 and sender.sent[0][0] == "teams:19:abc"


# -- graceful stop ---------------------------------------------------------------------------------

async def test_a_request_in_flight_finishes_when_the_server_stops(runtime):
    app = create_app(runtime, adapters={})
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="finished")

    app.router.add_get("/slow", slow)
    runner = web.AppRunner(app, shutdown_timeout=10)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    import aiohttp
    async with aiohttp.ClientSession() as session:
        pending = asyncio.create_task(session.get(f"http://127.0.0.1:{port}/slow"))
        await asyncio.sleep(0.2)
        stopping = asyncio.create_task(runner.cleanup())
        await asyncio.sleep(0.2)
        release.set()
        response = await pending
        assert response.status == 200 and await response.text() == "finished"
        await stopping


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sigterm_stops_the_server_cleanly(kdir, tmp_path):
    env = dict(os.environ, GUIDANCE_KNOWLEDGE_DIR=str(kdir), GUIDANCE_DATABASE_URL=f"sqlite:///{tmp_path / 'b.db'}")
    for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID"):
        env.pop(key, None)
    cli = [sys.executable, "-m", "guidance_bot.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        import urllib.request
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    messages = [json.loads(line)["message"] for line in out.splitlines() if line.startswith("{")]
    assert "guidance-bot started" in messages and messages[-1] == "guidance-bot stopping"


async def test_the_office_reads_the_misses_report_in_chat_and_others_may_not(kdir, sqlite_url, clock):
    from guidance_bot.platforms import Roles
    office = Person("slack", "U0OFFICE")
    rt = Runtime(make_settings(kdir, sqlite_url, roles=Roles(compliance_office=frozenset({"U0OFFICE"}))),
                 clock=clock)
    await rt.start()
    try:
        for q in ["有給休暇の日数は？", "有給休暇の日数を知りたい", "区長の今日の予定"]:
            await rt.bot.handle(Message(STAFF, q))
        report = await rt.bot.handle(Message(office, "report 7d"))
        assert report.private and "有給休暇" in report.answer and "3 件 / 2 グループ" in report.answer
        refused = await rt.bot.handle(Message(STAFF, "report"))
        assert "有給休暇" not in refused.answer and "not allowed" in refused.answer
    finally:
        await rt.stop()


@pytest.mark.parametrize("text, locale, expected", [
    ("help", "ja", "ja"), ("help", "en", "en"), ("help", None, "en"), ("ヘルプ", "en", "ja"),
    ("report 7d", "ja", "ja"), ("consult LC-2026-0001", "ja", "ja"),
])
async def test_a_bare_command_word_follows_the_users_client_language(runtime, text, locale, expected):
    reply = await runtime.bot.handle(Message(STAFF, text, locale=locale))
    assert reply.language == expected


async def test_a_question_follows_its_own_language_whatever_the_client(runtime):
    reply = await runtime.bot.handle(Message(STAFF, "can I record the call?", locale="ja"))
    assert reply.language == "en"


async def test_a_background_loop_stops_when_cancelled_just_as_it_is_woken():
    # asyncio.wait_for on Python 3.11 swallows this cancellation, and the server then hung on shutdown.
    from guidance_bot.waiting import wait_for_event

    for _ in range(50):
        event = asyncio.Event()

        async def loop() -> None:
            while True:
                await wait_for_event(event, 10)

        task = asyncio.create_task(loop())
        await asyncio.sleep(0)
        event.set()
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=1)
        assert task in done


async def test_the_runtime_stops_right_after_the_outbox_was_woken(kdir, sqlite_url, clock):
    rt = Runtime(make_settings(kdir, sqlite_url), clock=clock)
    await rt.start()
    await asyncio.sleep(0.05)
    rt.outbox.wakeup.set()
    rt.reminders.dispatcher.wakeup.set()
    await asyncio.wait_for(rt.stop(), timeout=5)


async def test_a_database_error_does_not_carry_what_staff_wrote(sqlite_url):
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError
    db = Database(sqlite_url)
    values = dict(id="same", at=datetime.now(UTC), platform="slack", language="ja", outcome="none",
                  suggestions=[], knowledge_version="v", question="山田様に土下座しろと言われた")
    async with db.begin() as conn:
        await conn.execute(insert(answers).values(**values))
    with pytest.raises(IntegrityError) as caught:
        async with db.begin() as conn:
            await conn.execute(insert(answers).values(**values))
    assert "土下座" not in str(caught.value)
    await db.close()


@pytest.mark.parametrize("text, lang, said", [
    ("ありがとうございます！", "ja", "どういたしまして"), ("thanks!", "en", "You're welcome"),
    ("こんにちは", "ja", "困っていることをそのまま"), ("Good morning", "en", "in your own words"),
])
async def test_greetings_and_thanks_get_a_friendly_reply_not_an_entry(runtime, text, lang, said):
    reply = await runtime.bot.handle(Message(STAFF, text))
    assert reply.kind == "info" and reply.language == lang and said in reply.answer
    assert await _answer_rows(runtime) == []  # not a question: nothing logged


async def test_thanks_followed_by_a_question_is_still_answered(runtime):
    reply = await runtime.bot.handle(Message(STAFF, "ありがとう、それと通話を録音してもいい?"))
    assert reply.kind == "answer" and reply.entry_id == "recording-calls"
