"""Parsers for the HTTP settings: webhook mode (WEBHOOK_*) and the health and metrics port.

Each takes the raw value (a string from the environment, or a TOML value) and returns the
parsed one or raises ValueError with the problem; config.settings names the setting.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from config.values import Secret

DEFAULT_WEBHOOK_HOST = "0.0.0.0"  # every interface: the TLS proxy is in front
DEFAULT_WEBHOOK_PORT = 8080
DEFAULT_WEBHOOK_PATH = "/telegram"
# What Telegram accepts as a secret_token for setWebhook.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_PATH_RE = re.compile(r"^/[A-Za-z0-9._~/-]*$")


def _text(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"must be a string in CONFIG_FILE, got {type(value).__name__}")
    return value.strip()


def parse_port(value: object, default: int | None) -> int | None:
    """A TCP port 1-65535 (an empty value gives the default)."""
    text = _text(value)
    if not text:
        return default
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{text!r} is not a TCP port; give a whole number from 1 to 65535")
    return int(text)


def parse_host(value: object) -> str:
    """The address to listen on (an empty value: every interface)."""
    text = _text(value)
    if any(char.isspace() or char in "/@?#" for char in text):
        raise ValueError(f"{text!r} is not a host name or address, such as 0.0.0.0")
    return text or DEFAULT_WEBHOOK_HOST


def parse_path(value: object) -> str:
    """The path Telegram posts updates to, starting with a slash."""
    text = _text(value) or DEFAULT_WEBHOOK_PATH
    if not _PATH_RE.fullmatch(text) or text in ("/healthz", "/metrics"):
        raise ValueError(
            f"{text!r} is not a usable path; give one such as /telegram (a slash, then letters, "
            "digits, . _ ~ - or /; not /healthz or /metrics)"
        )
    return text


def parse_webhook_url(value: object) -> str | None:
    """The public https URL Telegram posts to (None when empty)."""
    text = _text(value)
    if not text:
        return None
    try:
        parts = urlsplit(text)
        valid = parts.scheme == "https" and bool(parts.hostname)
        valid = valid and (parts.port is None or parts.port > 0)
    except ValueError:
        valid = False
    if not valid or "@" in text or "#" in text or any(char.isspace() for char in text):
        raise ValueError(
            "is not an https URL with a host; give the public address of the TLS proxy that "
            "forwards to WEBHOOK_PATH, for example https://bot.example.org/telegram"
        )
    return text


def parse_webhook_secret(value: object) -> Secret | None:
    """The secret Telegram sends back in each webhook call (None when empty); never echoed."""
    text = _text(value)
    if not text:
        return None
    if not _SECRET_RE.fullmatch(text):
        raise ValueError("must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
    return Secret(text)
