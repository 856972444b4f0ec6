"""The console chat: the same answers staff get in Slack or Teams, as plain text in a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from . import messages as m
from .answering import Answerer
from .i18n import Lang, detect_language
from .replies import Reply, render_text
from .smalltalk import small_talk_reply

QUIT = {":q", ":quit", ":exit"}
HISTORY_FILE = Path.home() / ".guidance-bot_history"


def run_chat(answerer: Answerer, lang: Lang | None = None, lines: Iterator[str] | None = None,
             write: Callable[[str], None] = print) -> int:
    """Read questions until `:q` or end of input. Line editing and history when on a terminal."""
    lines = lines if lines is not None else _input_lines()
    write(m.CHAT_WELCOME.get(lang or "ja"))
    fixed_lang = lang
    last: Reply | None = None
    for raw in lines:
        text = raw.strip()
        if not text:
            continue
        if text in QUIT:
            break
        if text in (":ja", ":en"):
            fixed_lang = text[1:]  # type: ignore[assignment]
            continue
        picked = _pick(last, text)
        reply_lang = fixed_lang or (last.language if picked and last else detect_language(text))
        if picked:
            reply = answerer.entry(picked, reply_lang)
        else:
            reply = small_talk_reply(text, reply_lang) or answerer.ask(text, reply_lang).reply
        if reply is None:
            continue
        write(render_text(reply))
        write("")
        last = reply
    return 0


def _pick(last: Reply | None, text: str) -> str | None:
    """A number after a reply with choices picks that choice ("did you mean" or related topics)."""
    if last is None or not last.choices or not text.isdigit():
        return None
    index = int(text) - 1
    return last.choices[index].entry_id if 0 <= index < len(last.choices) else None


def _input_lines() -> Iterator[str]:
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        session: PromptSession[str] = PromptSession(history=FileHistory(str(HISTORY_FILE)))
        while True:
            try:
                yield session.prompt("> ")
            except EOFError:
                return
    else:
        yield from sys.stdin
