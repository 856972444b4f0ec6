"""The ``guidance-bot`` command.

Exit statuses: 0 success; 1 the check or evaluation failed, or the knowledge could not be loaded;
2 bad usage or an unreadable input file.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

from . import __version__
from . import messages as m
from .answering import Answerer
from .config import ConfigError, Settings
from .evaluation import EvalFileError, load_eval, run_eval
from .knowledge import LiveKnowledge, load_knowledge
from .overlaps import find_overlaps
from .replies import render_text

from .cliutil import EXIT_FAIL, EXIT_OK, EXIT_USAGE, lang_arg
from .cliutil import fail as _fail


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.load(args.config)
    except ConfigError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if getattr(args, "knowledge", None):
        settings = replace(settings, knowledge_dir=args.knowledge.resolve())
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.run(args, settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


# -- knowledge -------------------------------------------------------------------------------------

def cmd_knowledge_check(args, settings: Settings) -> int:
    directory = (args.dir or settings.knowledge_dir).resolve()
    result = load_knowledge(directory)
    base = Path.cwd()
    for problem in result.problems:
        print(problem.format(relative_to=base))
    if result.ok:
        kb = result.knowledge
        print(f"OK: {len(kb.entries)} 件のエントリーに問題はありません "
              f"({len(kb.entries)} entries, no problems) [{_shown(directory)}]")
        return EXIT_OK
    print(f"NG: {len(result.problems)} 件の問題があります ({len(result.problems)} problem(s))", file=sys.stderr)
    return EXIT_FAIL


def cmd_knowledge_list(args, settings: Settings) -> int:
    kb = _load(settings)
    if kb is None:
        return EXIT_FAIL
    rows = []
    for e in kb.entries.values():
        rows.append({
            "id": e.id,
            "title": {"ja": e.title.ja, "en": e.title.en},
            "source": [{"doc": s.doc, "section": s.section} for s in e.sources],
            "tags": list(e.tags),
            "alert": e.alert is not None,
            "consult": e.consult,
        })
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    for row, e in zip(rows, kb.entries.values()):
        source = "; ".join(f"{kb.documents[s.doc].short if s.doc in kb.documents else s.doc} {s.section}"
                           for s in e.sources)
        print(f"{e.id}\n    {e.title.ja} / {e.title.en}\n    {source}")
    print(f"({len(rows)} 件 / entries)")
    return EXIT_OK


def cmd_knowledge_overlaps(args, settings: Settings) -> int:
    kb = _load(settings)
    if kb is None:
        return EXIT_FAIL
    overlaps = find_overlaps(kb, args.min)
    for o in overlaps:
        print(f"{o.similarity:.2f}  {o.first_id}「{o.first}」\n      {o.second_id}「{o.second}」")
    print(f"({len(overlaps)} 組: 別々のエントリーにほぼ同じ例文があります。答えが合う方に残してください / "
          f"{len(overlaps)} pair(s) of near-identical example questions under different entries: "
          f"keep each under the entry whose answer fits it)")
    return EXIT_OK


# -- asking ----------------------------------------------------------------------------------------

def cmd_ask(args, settings: Settings) -> int:
    question = " ".join(args.question).strip()
    lang = args.lang
    if not question:
        return _fail(m.EMPTY_QUESTION.ja + " / " + m.EMPTY_QUESTION.en, EXIT_USAGE)
    answerer = _answerer(settings)
    if answerer is None:
        return EXIT_FAIL
    answer = answerer.ask(question, lang)
    reply, decision = answer.reply, answer.decision
    if args.json:
        print(json.dumps({
            "answered": decision.answered,
            "outcome": decision.outcome,
            "entry": decision.entry_id,
            "score": decision.best.score if decision.best else 0.0,
            "suggestions": list(decision.suggestions),
            "language": reply.language,
            "title": reply.title,
            "text": render_text(reply),
        }, ensure_ascii=False, indent=2))
    else:
        print(render_text(reply))
    return EXIT_OK


def cmd_chat(args, settings: Settings) -> int:
    from .console import run_chat

    answerer = _answerer(settings)
    if answerer is None:
        return EXIT_FAIL
    return run_chat(answerer, args.lang)


def cmd_eval(args, settings: Settings) -> int:
    try:
        items = load_eval(args.file)
    except EvalFileError as exc:
        return _fail(str(exc), EXIT_USAGE)
    answerer = _answerer(settings)
    if answerer is None:
        return EXIT_FAIL
    known = answerer.knowledge.entries
    unknown = sorted({e for item in items for e in item.expect if e not in known})
    if unknown:
        return _fail(f"{args.file}: ナレッジにない id があります (unknown ids): {', '.join(unknown)}", EXIT_USAGE)
    report = run_eval(answerer.index.matcher.decide, items)
    figures = report.figures()
    if args.json:
        out = dict(figures)
        out["misses"] = [
            {"question": x.question, "expect": list(x.expect), "outcome": x.outcome, "got": list(x.got),
             "score": x.score, "kind": x.kind, "line": x.line}
            for x in report.misses
        ]
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for x in report.misses:
            print(f"{args.file}:{x.line}: [{x.kind}] {x.question!r} expect={list(x.expect)} "
                  f"{x.outcome}={list(x.got)} score={x.score}")
        for key, value in figures.items():
            print(f"{key:>16}: {value}")
    failed = _below(figures, args)
    for message in failed:
        print(message, file=sys.stderr)
    return EXIT_FAIL if failed else EXIT_OK


def _below(figures: dict, args) -> list[str]:
    limits = [("top1", args.min_top1, 1), ("top3", args.min_top3, 1), ("abstain_ok", args.min_abstain, 1),
              ("wrong_confident", args.max_wrong, -1)]
    failed = []
    for key, limit, sign in limits:
        if limit is not None and (figures[key] - limit) * sign < 0:
            word = "下回りました (below)" if sign > 0 else "上回りました (above)"
            failed.append(f"{key} {figures[key]} が基準 {limit} を{word} the limit")
    return failed


# -- server, database, operations ------------------------------------------------------------------

def cmd_serve(args, settings: Settings) -> int:
    import asyncio

    from .logs import setup_json_logging
    from .runtime import KnowledgeLoadError, Runtime
    from .server import serve
    from .store import SchemaOutOfDate

    runtime = Runtime(settings)
    try:
        asyncio.run(_preflight(runtime))
    except (KnowledgeLoadError, SchemaOutOfDate, OSError) as exc:
        return _fail(str(exc), EXIT_FAIL)
    setup_json_logging()
    serve(runtime, args.host, args.port)
    return EXIT_OK


async def _preflight(runtime) -> None:
    """Fail before binding the port: knowledge loads and the schema is current."""
    from .runtime import KnowledgeLoadError
    from .store import Database, check_schema

    result = runtime.live.reload()
    if result.knowledge is None:
        raise KnowledgeLoadError(result)
    db = Database(runtime.settings.database_url)
    try:
        await check_schema(db)
    except Exception as exc:
        from .store import SchemaOutOfDate
        if isinstance(exc, SchemaOutOfDate):
            raise
        raise OSError(f"データベースに接続できません (cannot reach the database): {type(exc).__name__}: {exc}") from None
    finally:
        await db.close()


def cmd_db_upgrade(args, settings: Settings) -> int:
    import asyncio

    from .store import Database, current_revision, safe_url, upgrade

    async def run() -> str | None:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            return await current_revision(db)
        finally:
            await db.close()

    try:
        revision = asyncio.run(run())
    except Exception as exc:
        return _fail(f"データベースを更新できません (cannot upgrade the database {safe_url(settings.database_url)}): "
                     f"{type(exc).__name__}: {exc}", EXIT_FAIL)
    print(f"OK: データベースは最新です (database is up to date): {safe_url(settings.database_url)} @ {revision}")
    return EXIT_OK


def cmd_about(args, settings: Settings) -> int:
    from .store import safe_url
    from .versioning import knowledge_version

    kb = _load(settings)
    version = knowledge_version(kb, settings.knowledge_dir) if kb else "-"
    rows = [
        ("guidance-bot", __version__),
        ("knowledge", f"{version} ({len(kb.entries) if kb else 0} entries) [{_shown(settings.knowledge_dir)}]"),
        ("database", safe_url(settings.database_url)),
        ("timezone", settings.timezone),
        ("slack", ("socket mode" if settings.slack.socket_mode else "http") if settings.slack.enabled else "off"),
        ("teams", settings.teams.app_type if settings.teams.enabled else "off"),
    ]
    if args.json:
        print(json.dumps(dict(rows), ensure_ascii=False, indent=2))
    else:
        for key, value in rows:
            print(f"{key:>13}: {value}")
    return EXIT_OK if kb else EXIT_FAIL


def cmd_report_misses(args, settings: Settings) -> int:
    import asyncio

    from .answerlog import AnswerLog
    from .clock import SystemClock
    from .misses import format_csv, format_text, group_misses
    from .store import Database

    since = SystemClock().now() - args.since

    async def run():
        db = Database(settings.database_url)
        try:
            return await AnswerLog(db, SystemClock()).unanswered(since)
        finally:
            await db.close()

    groups = group_misses(asyncio.run(run()))
    print(format_csv(groups) if args.format == "csv" else format_text(groups, since), end="" if args.format == "csv" else "\n")
    return EXIT_OK


def _duration(value: str):
    from datetime import timedelta

    units = {"d": "days", "h": "hours", "w": "weeks"}
    number, unit = value[:-1], value[-1:]
    if unit not in units or not number.isdigit():
        raise argparse.ArgumentTypeError("30d / 12h / 2w のように指定してください (use e.g. 30d, 12h, 2w)")
    return timedelta(**{units[unit]: int(number)})


def cmd_teams_package(args, settings: Settings) -> int:
    from .teams_package import TeamsPackageError, build_package, bundled_manifest_dir

    app_id = args.app_id or settings.teams.app_id
    if not app_id:
        return _fail("MICROSOFT_APP_ID が設定されていません。--app-id で指定することもできます "
                     "/ MICROSOFT_APP_ID is not set; or pass --app-id", EXIT_USAGE)
    try:
        path = build_package(app_id, args.out, bundled_manifest_dir())
    except (TeamsPackageError, OSError) as exc:
        return _fail(str(exc), EXIT_USAGE if isinstance(exc, TeamsPackageError) else EXIT_FAIL)
    print(path)
    return EXIT_OK


# -- helpers ---------------------------------------------------------------------------------------

def _load(settings: Settings):
    result = load_knowledge(settings.knowledge_dir)
    if result.knowledge is None:
        return _unavailable(result)
    return settings.apply_contacts(result.knowledge)


def _answerer(settings: Settings) -> Answerer | None:
    live = LiveKnowledge(settings.knowledge_dir)
    result = live.reload()
    if result.knowledge is None:
        return _unavailable(result)
    return Answerer(live, settings)


def _unavailable(result) -> None:
    """Show why the knowledge could not be loaded (the first problems), in both languages."""
    for problem in result.problems[:20]:
        print(problem.format(relative_to=Path.cwd()), file=sys.stderr)
    _fail(f"{m.KNOWLEDGE_UNAVAILABLE.ja}\n{m.KNOWLEDGE_UNAVAILABLE.en}", EXIT_FAIL)
    return None


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guidance-bot",
        description="品川区職員向けガイダンスボット / Shinagawa City staff guidance bot",
    )
    parser.add_argument("--version", action="version", version=f"guidance-bot {__version__}")
    parser.add_argument("--config", type=Path, help="設定ファイル / settings file (YAML)")
    sub = parser.add_subparsers(title="commands")

    knowledge = sub.add_parser("knowledge", help="ナレッジの検査と一覧 / check and list the knowledge")
    ksub = knowledge.add_subparsers(title="knowledge commands")
    check = ksub.add_parser("check", help="全ファイルを検査 / validate every file (FILE:LINE: message)")
    check.add_argument("dir", nargs="?", type=Path, help="ナレッジのディレクトリ / knowledge directory")
    check.set_defaults(run=cmd_knowledge_check)
    listing = ksub.add_parser("list", help="エントリーの一覧 / list the entries")
    listing.add_argument("--json", action="store_true", help="JSON で出力 / print JSON")
    listing.add_argument("--knowledge", type=Path, help="ナレッジのディレクトリ / knowledge directory")
    listing.set_defaults(run=cmd_knowledge_list)
    overlaps = ksub.add_parser("overlaps", help="別エントリー間で似すぎた例文 / near-identical example "
                                                "questions under different entries")
    overlaps.add_argument("--min", type=float, default=0.7,
                          help="類似度の下限 0..1（既定 0.7）/ lowest similarity shown (default 0.7)")
    overlaps.add_argument("--knowledge", type=Path, help="ナレッジのディレクトリ / knowledge directory")
    overlaps.set_defaults(run=cmd_knowledge_overlaps)

    ask = sub.add_parser("ask", help="1つの質問に答える / answer one question")
    ask.add_argument("question", nargs="+", help="質問 / the question")
    ask.add_argument("--lang", type=lang_arg, help="回答の言語 ja|en（既定: 質問の言語）/ reply language")
    ask.add_argument("--json", action="store_true", help="JSON で出力 / print JSON")
    ask.add_argument("--knowledge", type=Path, help="ナレッジのディレクトリ / knowledge directory")
    ask.set_defaults(run=cmd_ask)

    chat = sub.add_parser("chat", help="コンソールで対話 / interactive console chat")
    chat.add_argument("--lang", type=lang_arg, help="回答の言語 ja|en / reply language")
    chat.add_argument("--knowledge", type=Path, help="ナレッジのディレクトリ / knowledge directory")
    chat.set_defaults(run=cmd_chat)

    ev = sub.add_parser("eval", help="評価セットで測定 / measure on an evaluation set")
    ev.add_argument("file", type=Path, help="YAML: [{question: ..., expect: [id, ...]}]")
    ev.add_argument("--json", action="store_true", help="JSON で出力 / print JSON")
    ev.add_argument("--min-top1", type=float, help="top1 がこれ未満なら終了コード1 / exit 1 below this")
    ev.add_argument("--min-top3", type=float, help="top3 の下限 / lowest acceptable top3")
    ev.add_argument("--min-abstain", type=float, help="abstain_ok の下限 / lowest acceptable abstain_ok")
    ev.add_argument("--max-wrong", type=float, help="wrong_confident の上限 / highest acceptable wrong_confident")
    ev.add_argument("--knowledge", type=Path, help="ナレッジのディレクトリ / knowledge directory")
    ev.set_defaults(run=cmd_eval)
    serve = sub.add_parser("serve", help="Slack / Teams 用サーバーを起動 / run the server")
    serve.add_argument("--host", default="127.0.0.1", help="待ち受けアドレス / bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3978, help="ポート / port (default 3978)")
    serve.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="設定ファイル / settings file (YAML)")
    serve.set_defaults(run=cmd_serve)

    db = sub.add_parser("db", help="データベース / database")
    dsub = db.add_subparsers(title="db commands")
    up = dsub.add_parser("upgrade", help="マイグレーションを適用 / apply migrations")
    up.set_defaults(run=cmd_db_upgrade)

    about = sub.add_parser("about", help="版と設定の概要 / versions and settings summary")
    about.add_argument("--json", action="store_true", help="JSON で出力 / print JSON")
    about.set_defaults(run=cmd_about)

    report = sub.add_parser("report", help="回答ログの報告 / answer log reports")
    rsub = report.add_subparsers(title="report commands")
    misses = rsub.add_parser("misses", help="答えられなかった質問 / questions the bot could not answer")
    misses.add_argument("--since", type=_duration, default=_duration("30d"), help="期間 / period (default 30d)")
    misses.add_argument("--format", choices=("text", "csv"), default="text", help="出力形式 / output format")
    misses.set_defaults(run=cmd_report_misses)
    teams = sub.add_parser("teams-package", help="Teams アプリのパッケージ (zip) を作成 / build the Teams app package")
    teams.add_argument("--out", type=Path, default=Path("guidance-bot-teams.zip"), help="出力先 / zip file or directory")
    teams.add_argument("--app-id", help="Microsoft App ID（既定: MICROSOFT_APP_ID）/ default MICROSOFT_APP_ID")
    teams.set_defaults(run=cmd_teams_package)
    from .reminders.commands import add_parsers as add_remind; add_remind(sub)  # noqa: E702  (issue #8)
    from .handoff.commands import add_parsers as add_consult; add_consult(sub)  # noqa: E702  (issue #7)
    return parser


if __name__ == "__main__":
    sys.exit(main())
