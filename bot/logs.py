"""Logging without personal data: redaction, the filter for libraries' loggers, JSON lines.

The bot's own log lines name people by person number (or chat id) and requests by reference,
never by name, phone, address or text. Libraries are another matter: at DEBUG,
python-telegram-bot logs every Bot API call with its parameters and every update it
processes, httpx and httpcore log requests, and aiosqlite logs each statement with its
arguments. Rather than silence them, RedactingFilter keeps their lines and replaces every
text in their arguments with its length, so a DEBUG log still shows which calls were made.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers whose arguments may carry what people typed or what the bot sent them.
LIBRARY_LOGGERS = ("telegram", "httpx", "httpcore", "aiosqlite", "apscheduler", "hpack")
_MAX_DEPTH = 8
# A Bot API method name passed on its own ("sendMessage"), kept so DEBUG shows which call it was.
_API_METHOD = re.compile(r"[a-z]+(?:[A-Z][a-z]*)+")


def redact(value: object, depth: int = 0) -> Any:
    """The value with every text replaced by its length; structure and numbers are kept.

    Mappings keep their keys, sequences their order, Telegram objects their fields; any
    other object becomes its type name (a statement partial), since its repr could hold
    anything.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return f"<{len(value)} chars>"
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if depth >= _MAX_DEPTH:
        return "<…>"
    if isinstance(value, Mapping):
        return {str(key): redact(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item, depth + 1) for item in value]
    to_dict = getattr(value, "to_dict", None)  # Telegram objects: their fields, redacted
    if callable(to_dict):
        try:
            return {type(value).__name__: redact(to_dict(), depth + 1)}
        except Exception:  # noqa: BLE001 - a log line must never fail
            pass
    return f"<{type(value).__name__}>"


def _redact_argument(value: object) -> Any:
    """A record's argument redacted, except a bare Bot API method name."""
    if isinstance(value, str) and _API_METHOD.fullmatch(value):
        return value
    return redact(value)


def _is_library(name: str) -> bool:
    return name.split(".", 1)[0] in LIBRARY_LOGGERS


class RedactingFilter(logging.Filter):
    """On a handler: library records keep their message, with their arguments redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's arguments if a library logged it; never drops a record."""
        if not _is_library(record.name):
            return True
        if not isinstance(record.msg, str):
            record.msg = f"<{type(record.msg).__name__}>"
        if isinstance(record.args, Mapping):
            record.args = redact(record.args)
        elif record.args:
            record.args = tuple(_redact_argument(arg) for arg in record.args)
        return True


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def configure(level: str, log_format: str = "text") -> logging.Handler:
    """Send every log record to stderr, one line each (text, or a JSON object), redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_formatter(log_format))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs each request's URL at INFO, and the URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if level != "DEBUG":
        # APScheduler logs two INFO lines per timer run (the outbox retry runs every 2 s).
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return handler
