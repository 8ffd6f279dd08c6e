"""One typed, validated settings object built from the environment and an optional TOML file."""

from __future__ import annotations

import base64
import binascii
import os
import re
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import phonenumbers

from config import http_settings

# Secret and the duration and clock-time parsers live in config.values; importers use them here.
from config.tunables import ConfigError, Tunables, unknown_key_problem
from config.values import Secret, format_duration, parse_clock_time, parse_duration

__all__ = ["ConfigError", "Secret", "Settings", "Tunables", "format_duration", "load_settings"]
__all__ += ["parse_clock_time", "parse_duration"]

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_PATH = "data/mutual-aid.sqlite3"
DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_REGION = "GB"
DEFAULT_LOG_LEVEL = "INFO"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
BACKUP_KEY_BYTES = 32  # AES-256, written as URL-safe base64 (44 characters)
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_TOKEN_LIKE_RE = re.compile(r"\d+:[A-Za-z0-9_-]{20,}")
_MAX_USER_ID = 2**63 - 1


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to start, already parsed and validated."""

    bot_token: Secret | None = None
    telegram_api_url: str = DEFAULT_API_URL
    database_path: Path = Path(DEFAULT_DATABASE_PATH)
    database_url: str | None = None
    organiser_ids: frozenset[int] = frozenset()
    timezone: zoneinfo.ZoneInfo = field(default_factory=lambda: zoneinfo.ZoneInfo(DEFAULT_TIMEZONE))
    default_region: str = DEFAULT_REGION
    log_level: str = DEFAULT_LOG_LEVEL
    log_format: str = "text"
    backup_key: Secret | None = None
    config_file: Path | None = None
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    webhook_host: str = http_settings.DEFAULT_WEBHOOK_HOST
    webhook_port: int = http_settings.DEFAULT_WEBHOOK_PORT
    webhook_path: str = http_settings.DEFAULT_WEBHOOK_PATH
    http_port: int | None = None
    tunables: Tunables = field(default_factory=Tunables)

    def require_token(self) -> Secret:
        """Return the bot token, or raise ConfigError when it is not set."""
        if self.bot_token is None:
            raise ConfigError(
                "BOT_TOKEN", "is not set; it is required to run the bot (get one from @BotFather)"
            )
        return self.bot_token

    def require_webhook(self) -> tuple[str, Secret]:
        """WEBHOOK_URL and WEBHOOK_SECRET, or ConfigError naming the one not set."""
        if self.webhook_url is None:
            raise ConfigError(
                "WEBHOOK_URL", "is not set; `run --webhook` needs its public https URL"
            )
        if self.webhook_secret is None:
            raise ConfigError(
                "WEBHOOK_SECRET",
                "is not set; `run --webhook` needs 1-256 characters of A-Za-z0-9_-",
            )
        return self.webhook_url, self.webhook_secret

    def summary(self) -> list[tuple[str, str]]:
        """Return (name, value) rows for a check-config printout, with the token masked."""
        rows = [
            ("BOT_TOKEN", self.bot_token.masked() if self.bot_token else "not set"),
            ("TELEGRAM_API_URL", self.telegram_api_url),
            ("DATABASE_PATH", str(self.database_path) if not self.database_url else "not used"),
            ("DATABASE_URL", masked_url(self.database_url) if self.database_url else "not set"),
            ("ORGANISER_IDS", ", ".join(map(str, sorted(self.organiser_ids))) or "none"),
            ("TIMEZONE", self.timezone.key),
            ("DEFAULT_REGION", self.default_region),
            ("LOG_LEVEL", self.log_level),
            ("LOG_FORMAT", self.log_format),
            ("BACKUP_KEY", "****" if self.backup_key else "not set (backups are not encrypted)"),
            ("CONFIG_FILE", str(self.config_file) if self.config_file else "not set"),
            ("WEBHOOK_URL", self.webhook_url or "not set (run --webhook needs it)"),
            ("WEBHOOK_SECRET", "****" if self.webhook_secret else "not set"),
            ("WEBHOOK_HOST", self.webhook_host),
            ("WEBHOOK_PORT", str(self.webhook_port)),
            ("WEBHOOK_PATH", self.webhook_path),
            ("HTTP_PORT", str(self.http_port) if self.http_port else "not set (no HTTP server)"),
        ]
        return rows + self.tunables.summary()


def _expect_str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(name, f"must be a string in CONFIG_FILE, got {type(value).__name__}")
    return value.strip()


def _parse_token(value: object) -> Secret | None:
    text = _expect_str("BOT_TOKEN", value)
    if not text:
        return None
    if not _TOKEN_RE.fullmatch(text):
        raise ConfigError(
            "BOT_TOKEN",
            "does not look like a token from @BotFather (digits, a colon, then letters)",
        )
    return Secret(text)


def _parse_api_url(value: object) -> str:
    text = _expect_str("TELEGRAM_API_URL", value).rstrip("/") or DEFAULT_API_URL
    expected = f"give the Bot API server root, for example {DEFAULT_API_URL}"
    if _TOKEN_LIKE_RE.search(text):
        raise ConfigError("TELEGRAM_API_URL", f"must not contain the bot token; {expected}")
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        valid = valid and (parts.port is None or parts.port > 0)
    except ValueError:
        valid = False
    if "@" in text or "?" in text or "#" in text:
        problem = "must not contain a user name, password, query or fragment"
        raise ConfigError("TELEGRAM_API_URL", f"{problem}; {expected}")
    if not valid or any(char.isspace() for char in text):
        problem = f"{text!r} is not an http(s) URL with a host"
        raise ConfigError("TELEGRAM_API_URL", f"{problem}; {expected}")
    return text


def _parse_database_path(value: object) -> Path:
    text = _expect_str("DATABASE_PATH", value)
    return Path(text) if text else Path(DEFAULT_DATABASE_PATH)


def masked_url(url: str) -> str:
    """A database URL with its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def parse_database_url(value: object) -> str | None:
    """A PostgreSQL URL (None when empty); ConfigError naming DATABASE_URL when it is not one."""
    text = _expect_str("DATABASE_URL", value)
    if not text:
        return None
    expected = "give postgresql://user:password@host:port/database"
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("postgresql", "postgres") and bool(parts.hostname)
        valid = valid and (parts.port is None or parts.port > 0) and len(parts.path) > 1
    except ValueError:
        valid = False
    if not valid:
        shown = masked_url(text) if "://" in text else "the value"
        raise ConfigError("DATABASE_URL", f"{shown} is not a PostgreSQL URL; {expected}")
    return text


def _parse_organiser_ids(value: object) -> frozenset[int]:
    problem = "is not a Telegram user id; give whole numbers separated by commas"
    if isinstance(value, str):
        items: list[object] = [piece.strip() for piece in value.split(",") if piece.strip()]
    elif isinstance(value, list):
        items = list(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [value]
    else:
        raise ConfigError("ORGANISER_IDS", f"{value!r} {problem}")
    ids: set[int] = set()
    for item in items:
        if isinstance(item, str) and re.fullmatch(r"\d+", item.strip()):
            number = int(item.strip())
        elif isinstance(item, int) and not isinstance(item, bool):
            number = item
        else:
            raise ConfigError("ORGANISER_IDS", f"{item!r} {problem}")
        if not 0 < number <= _MAX_USER_ID:
            raise ConfigError("ORGANISER_IDS", f"{item!r} {problem}")
        ids.add(number)
    return frozenset(ids)


def _parse_timezone(value: object) -> zoneinfo.ZoneInfo:
    text = _expect_str("TIMEZONE", value) or DEFAULT_TIMEZONE
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    hint = "for example Europe/London"
    if not zoneinfo.available_timezones():
        hint += "; no time zone data was found, so install the system tzdata or the tzdata package"
    raise ConfigError("TIMEZONE", f"{text!r} is not a known IANA time zone ({hint})")


def _parse_region(value: object) -> str:
    text = _expect_str("DEFAULT_REGION", value).upper() or DEFAULT_REGION
    if text not in phonenumbers.SUPPORTED_REGIONS:
        hint = " (did you mean GB?)" if text == "UK" else ""
        raise ConfigError(
            "DEFAULT_REGION",
            f"{text!r} is not a supported region{hint}; give a two-letter ISO 3166 code such as GB",
        )
    return text


def _parse_log_level(value: object) -> str:
    text = _expect_str("LOG_LEVEL", value).upper() or DEFAULT_LOG_LEVEL
    if text not in LOG_LEVELS:
        raise ConfigError(
            "LOG_LEVEL", f"{text!r} is not a log level; use one of {', '.join(LOG_LEVELS)}"
        )
    return text


def _parse_log_format(value: object) -> str:
    text = _expect_str("LOG_FORMAT", value).lower() or "text"
    if text not in LOG_FORMATS:
        raise ConfigError("LOG_FORMAT", f"{text!r} is not a log format; use text or json")
    return text


def _parse_backup_key(value: object) -> Secret | None:
    text = _expect_str("BACKUP_KEY", value)
    if not text:
        return None
    try:
        key = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        key = b""
    if len(key) != BACKUP_KEY_BYTES:
        raise ConfigError(
            "BACKUP_KEY",
            f"is not a key: give {BACKUP_KEY_BYTES} random bytes in URL-safe base64 (44 "
            "characters), as `mutual-aid-bot backup --new-key` prints",
        )
    return Secret(text)


def logging_settings(environ: Mapping[str, str]) -> tuple[str, str]:
    """LOG_LEVEL and LOG_FORMAT alone, from the environment (for the demo, which needs no more)."""
    return (
        _parse_log_level(environ.get("LOG_LEVEL", "")),
        _parse_log_format(environ.get("LOG_FORMAT", "")),
    )


def _named(name: str, parse: Callable[[object], object]) -> Callable[[object], object]:
    """A config.http_settings parser whose ValueError becomes a ConfigError naming `name`."""

    def parse_named(value: object) -> object:
        try:
            return parse(value)
        except ValueError as exc:
            raise ConfigError(name, str(exc)) from None

    return parse_named


# Variables read from the environment and (lower-cased) from the top level of the TOML file.
_PARSERS: dict[str, Callable[[object], object]] = {
    "BOT_TOKEN": _parse_token,
    "TELEGRAM_API_URL": _parse_api_url,
    "DATABASE_PATH": _parse_database_path,
    "DATABASE_URL": parse_database_url,
    "ORGANISER_IDS": _parse_organiser_ids,
    "TIMEZONE": _parse_timezone,
    "DEFAULT_REGION": _parse_region,
    "LOG_LEVEL": _parse_log_level,
    "LOG_FORMAT": _parse_log_format,
    "BACKUP_KEY": _parse_backup_key,
    "WEBHOOK_URL": _named("WEBHOOK_URL", http_settings.parse_webhook_url),
    "WEBHOOK_SECRET": _named("WEBHOOK_SECRET", http_settings.parse_webhook_secret),
    "WEBHOOK_HOST": _named("WEBHOOK_HOST", http_settings.parse_host),
    "WEBHOOK_PORT": _named(
        "WEBHOOK_PORT", lambda v: http_settings.parse_port(v, http_settings.DEFAULT_WEBHOOK_PORT)
    ),
    "WEBHOOK_PATH": _named("WEBHOOK_PATH", http_settings.parse_path),
    "HTTP_PORT": _named("HTTP_PORT", lambda v: http_settings.parse_port(v, None)),
}


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError("CONFIG_FILE", f"file not found: {path}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("CONFIG_FILE", f"is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError("CONFIG_FILE", f"is not valid TOML: {path} is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError("CONFIG_FILE", f"cannot be read: {path} ({exc.strerror})") from None


def _split_file(data: Mapping[str, Any]) -> tuple[dict[str, object], Mapping[str, Any]]:
    values: dict[str, object] = {}
    tunables: Mapping[str, Any] = {}
    known = [name.lower() for name in _PARSERS] + ["tunables"]
    for key, value in data.items():
        lowered = key.lower()
        if lowered == "tunables":
            if not isinstance(value, dict):
                raise ConfigError("CONFIG_FILE tunables", "must be a [tunables] table")
            tunables = value
            continue
        name = lowered.upper()
        if lowered not in known or name in values:
            problem = "is given twice" if name in values else unknown_key_problem(key, known)
            raise ConfigError(f"CONFIG_FILE {key}", problem)
        values[name] = value
    return values, tunables


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from environment variables over an optional CONFIG_FILE over defaults."""
    env = os.environ if environ is None else environ
    config_text = env.get("CONFIG_FILE", "").strip()
    config_file = Path(config_text) if config_text else None
    raw: dict[str, object] = {}
    tunables = Tunables()
    if config_file is not None:
        raw, table = _split_file(_read_config_file(config_file))
        tunables = Tunables.from_mapping(table)
    for name in _PARSERS:
        value = env.get(name, "")
        if value.strip():
            raw[name] = value

    values = {name.lower(): parse(raw.get(name, "")) for name, parse in _PARSERS.items()}
    return Settings(**values, config_file=config_file, tunables=tunables)  # type: ignore[arg-type]
