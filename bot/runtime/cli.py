"""The `mutual-aid-bot` command: run, check-config, healthcheck, migrate, backup, restore, demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import logging
import os
import signal
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from bot import logs
from config.i18n import LANGUAGES, CatalogMissing
from config.settings import ConfigError, Settings, load_settings, logging_settings
from storage.backends import database_for
from storage.database import DatabaseTooNewError
from storage.postgres import DatabaseUnreachableError

EXIT_CONFIG = 2
HEALTHCHECK_TIMEOUT_SECONDS = 5.0  # /healthz itself gives the database 2 s
log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mutual-aid-bot",
        description="A Telegram bot that coordinates neighbourhood mutual aid.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_command = commands.add_parser("run", help="run the bot (long polling by default)")
    run_command.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook on WEBHOOK_HOST:WEBHOOK_PORT (needs WEBHOOK_URL and "
        "WEBHOOK_SECRET) instead of long polling",
    )
    commands.add_parser("check-config", help="validate settings and database, secrets masked")
    commands.add_parser(
        "healthcheck",
        help="exit 0 if the running bot's /healthz answers 200 (WEBHOOK_PORT with WEBHOOK_URL, "
        "else HTTP_PORT), else 1; with neither set, check-config's checks",
    )
    commands.add_parser("migrate", help="apply database migrations and print the schema version")
    copy_to = commands.add_parser(
        "copy-to", help="copy the SQLite database into an empty PostgreSQL database (once)"
    )
    copy_to.add_argument("url", metavar="DATABASE_URL", help="postgresql://user@host:port/db")
    backup = commands.add_parser(
        "backup", help="write a consistent copy of the live database (encrypted with BACKUP_KEY)"
    )
    backup.add_argument("path", type=Path, nargs="?", help="where to write the copy")
    backup.add_argument("--new-key", action="store_true", help="print a new key for BACKUP_KEY")
    restore = commands.add_parser(
        "restore", help="put a backup (encrypted or not) in place of the database (bot stopped)"
    )
    restore.add_argument("backup", type=Path, help="the backup file")
    restore.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    demo = commands.add_parser("demo", help="play a scripted story offline (no token needed)")
    demo.add_argument("--step", action="store_true", help="pause after each exchange")
    demo.add_argument(
        "--language",
        choices=sorted(LANGUAGES),
        help="everyone's Telegram app language (default: the cast's, English)",
    )
    demo.add_argument(
        "--charts",
        type=Path,
        metavar="DIR",
        help="instead, play twelve weeks of Elm Park's history and write the organiser's charts",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run the command, and return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    status = _command(parser, args)
    # Docker reserves status 2 for health checks: anything but healthy is 1 there.
    return 1 if args.command == "healthcheck" and status != 0 else status


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Run the parsed command; configuration errors become one line and status 2."""
    if args.command == "demo" and args.charts is not None:
        from bot.runtime.demo_charts import write_demo_charts

        return write_demo_charts(args.charts)
    if args.command == "backup" and args.new_key:
        from bot.backups.crypto import new_key

        print(new_key())
        return 0
    if args.command == "backup" and args.path is None:
        parser.error("backup needs a PATH (or --new-key)")
    settings: Settings | None = None
    try:
        if args.command == "demo":  # its own settings and throwaway database: needs no config
            return _demo(args.step, args.language)
        settings = load_settings()
        logs.configure(settings.log_level, settings.log_format)
        if args.command == "run":
            return run(settings, webhook=args.webhook)
        if args.command == "check-config":
            return asyncio.run(check_config(settings))
        if args.command == "healthcheck":
            return healthcheck(settings)
        if args.command == "migrate":
            return asyncio.run(migrate(settings))
        if args.command == "copy-to":
            return asyncio.run(copy_to(settings, args.url))
        if args.command == "restore":
            from bot.backups.restore_command import restore

            return restore(settings, args.backup, assume_yes=args.yes)
        return asyncio.run(backup(settings, args.path))
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except CatalogMissing as error:
        print(f"installation error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabaseTooNewError as error:
        print(f"configuration error: {_database_setting(settings)}: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except DatabaseUnreachableError as error:
        print(f"configuration error: DATABASE_URL: cannot connect to {error}", file=sys.stderr)
        return EXIT_CONFIG


def _database_setting(settings: Settings | None) -> str:
    """The setting that names the database in use."""
    return "DATABASE_URL" if settings is not None and settings.database_url else "DATABASE_PATH"


def _demo(step: bool, language: str | None) -> int:
    """The demo; it logs (to stderr) only when LOG_LEVEL or LOG_FORMAT asks it to."""
    from bot.runtime.demo import run_demo

    if os.environ.get("LOG_LEVEL", "").strip() or os.environ.get("LOG_FORMAT", "").strip():
        logs.configure(*logging_settings(os.environ))
    return run_demo(step=step, language=language)


def run(settings: Settings, *, webhook: bool = False) -> int:
    """Run the bot until SIGINT or SIGTERM (exactly-once: updates_poller), polling or by webhook.

    With --webhook, or HTTP_PORT when polling, /healthz and /metrics are served too.
    """
    from telegram.error import InvalidToken

    from bot.runtime.app import build_application, cluster_member, update_inbox
    from bot.runtime.updates_poller import serve

    settings.require_token()
    if webhook:
        settings.require_webhook()
    if not asyncio.run(_refuse_newer_database(settings, retry=True)):
        return 0  # stopped (SIGINT or SIGTERM) while waiting for the database
    if not webhook and settings.http_port is None:
        application = build_application(settings)
        coroutine = serve(application, update_inbox)
    else:
        from bot.runtime.metrics import RuntimeMetrics
        from bot.runtime.webhook import polling_with_http, webhook_mode

        metrics = RuntimeMetrics()
        # Webhook mode on PostgreSQL joins (or forms) a cluster of processes: bot.runtime.cluster.
        several = webhook and settings.database_url is not None
        application = build_application(settings, metrics=metrics, several_processes=several)
        member = cluster_member(application, metrics) if several else None
        if webhook:
            mode = webhook_mode(settings, metrics, member)
        else:
            assert settings.http_port is not None
            mode = polling_with_http(settings, metrics, settings.http_port)
        coroutine = serve(
            application, lambda app: update_inbox(app, metrics.handled, share=member), mode
        )
    try:
        asyncio.run(coroutine)
    except InvalidToken:
        raise ConfigError(
            "BOT_TOKEN", "was rejected by Telegram; check it with @BotFather"
        ) from None
    return 0


async def _refuse_newer_database(settings: Settings, *, retry: bool = False) -> bool:
    """Refuse a database newer than the code; with retry, wait out a server not answering yet.

    False when SIGINT or SIGTERM stopped the wait (handled here, as the serving loop does: a
    process started with SIGINT ignored, as in a background job, must still stop).
    """
    from bot.runtime.updates_poller import Backoff

    db = database_for(settings.database_path, settings.database_url)
    backoff = Backoff()
    stop = asyncio.Event()
    if retry:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    while True:
        try:
            await db.open()
            break
        except DatabaseUnreachableError as error:
            if not (retry and error.retryable):
                raise
            delay = backoff.next_delay()
            log.warning(
                "the database is not answering at start-up (%s); retry in %.1fs", error, delay
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            if stop.is_set():
                return False
    try:
        await db.pending_migrations()
    finally:
        await db.close()
    return True


async def check_config(settings: Settings) -> int:
    """Print the settings (secrets masked) and the database's state."""
    width = max(len(name) for name, _ in settings.summary())
    for name, value in settings.summary():
        print(f"{name.ljust(width)}  {value}")
    db = database_for(settings.database_path, settings.database_url)
    await db.open()
    try:
        pending = await db.pending_migrations()
        version = await db.schema_version()
    finally:
        await db.close()
    state = "up to date" if pending == 0 else f"{pending} migration(s) to apply (run migrate)"
    print(f"{'database'.ljust(width)}  {db.describe()}: schema version {version}, {state}")
    if settings.backup_key is None:
        print(
            "warning: BACKUP_KEY is not set, so backups (backup_dir and `mutual-aid-bot backup`) "
            "are written unencrypted; `mutual-aid-bot backup --new-key` makes a key",
            file=sys.stderr,
        )
    settings.require_token()
    print("configuration OK")
    return 0


def healthcheck(settings: Settings) -> int:
    """Probe the running bot's /healthz on this machine; check-config when it serves none."""
    if settings.webhook_url is not None:
        port: int | None = settings.webhook_port
    else:
        port = settings.http_port
    if port is None:
        return asyncio.run(check_config(settings))
    # Listening everywhere: loopback reaches it (asyncio makes a "::" socket IPv6-only).
    wildcard = {"0.0.0.0": "127.0.0.1", "::": "::1"}
    host = wildcard.get(settings.webhook_host, settings.webhook_host)
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address in a URL
    url = f"http://{host}:{port}/healthz"
    # No proxy: HTTP_PROXY in the environment must not take a loopback probe elsewhere.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=HEALTHCHECK_TIMEOUT_SECONDS) as response:
            status, reason = response.status, response.read(200).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        status, reason = error.code, error.read(200).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        why = getattr(error, "reason", error)
        print(f"healthcheck: {url}: no answer ({why})", file=sys.stderr)
        return 1
    if status != 200:
        print(f"healthcheck: {url} answered {status}: {reason.strip()}", file=sys.stderr)
        return 1
    print(f"healthcheck: {url} answered 200 {reason.strip()}")
    return 0


async def migrate(settings: Settings) -> int:
    """Apply the missing migrations and print the schema version."""
    db = database_for(settings.database_path, settings.database_url)
    await db.open()
    try:
        version = await db.migrate()
    finally:
        await db.close()
    print(f"schema version {version}")
    return 0


async def backup(settings: Settings, target: Path) -> int:
    """Copy the live database to target (SQLite's online backup API), encrypted with BACKUP_KEY."""
    from bot.backups.backup_files import write_backup

    if not settings.database_url and not settings.database_path.exists():
        raise ConfigError("DATABASE_PATH", f"no database at {settings.database_path}")
    if target.exists():
        print(f"backup: {target} already exists; choose a new path", file=sys.stderr)
        return 1
    db = database_for(settings.database_path, settings.database_url)
    await db.open()
    try:
        await write_backup(db, settings.database_path, target, settings.backup_key)
    finally:
        await db.close()
    how = "encrypted with BACKUP_KEY" if settings.backup_key else "not encrypted"
    print(f"backed up {db.describe()} to {target} ({how})")
    return 0


async def copy_to(settings: Settings, url: str) -> int:
    """Copy DATABASE_PATH's SQLite database into the empty PostgreSQL database at url."""
    from config.settings import masked_url, parse_database_url
    from storage.copy_to import CopyError, copy_sqlite_to_postgres

    target = parse_database_url(url)
    assert target is not None
    if not settings.database_path.exists():
        raise ConfigError("DATABASE_PATH", f"no database at {settings.database_path}")
    try:
        copied = await copy_sqlite_to_postgres(settings.database_path, target)
    except CopyError as error:
        print(f"copy-to: {error}. Nothing was changed.", file=sys.stderr)
        return 1
    for table in copied:
        print(f"{table.table}: {table.source_rows} rows copied, {table.target_rows} in target")
    rows = sum(table.target_rows for table in copied)
    print(
        f"copied {len(copied)} tables ({rows} rows) from {settings.database_path} to "
        f"{masked_url(target)}; every row count matches. Set DATABASE_URL to use it."
    )
    return 0
