"""What every part of the ``guidance-bot`` command shares: exit statuses, error output, the
``--lang`` argument type and the name of the person at the terminal (for audit records)."""

from __future__ import annotations

import argparse
import getpass
import sys

from .i18n import Lang, parse_lang

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def fail(message: str, status: int) -> int:
    print(message, file=sys.stderr)
    return status


def lang_arg(value: str) -> Lang:
    lang = parse_lang(value)
    if lang is None:
        raise argparse.ArgumentTypeError("ja か en を指定してください (use ja or en)")
    return lang


def cli_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): still audit something meaningful
        return "unknown"
