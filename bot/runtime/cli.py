"""The `mutual-aid-bot` command: run, check-config, migrate, backup, restore, demo."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import logs
from config.i18n import LANGUAGES, CatalogMissing
from config.settings import ConfigError, Settings, load_settings, logging_settings
from storage.database import Database, DatabaseTooNewError

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mutual-aid-bot",
        description="A Telegram bot that coordinates neighbourhood mutual aid.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (long polling)")
    commands.add_parser("check-config", help="validate settings and database, secrets masked")
    commands.add_parser("migrate", help="apply database migrations and print the schema version")
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
    if args.command == "demo" and args.charts is not None:
        from bot.runtime.demo_charts import write_demo_charts

        return write_demo_charts(args.charts)
    if args.command == "backup" and args.new_key:
        from bot.backups.crypto import new_key

        print(new_key())
        return 0
    if args.command == "backup" and args.path is None:
        parser.error("backup needs a PATH (or --new-key)")
    try:
        if args.command == "demo":  # its own settings and throwaway database: needs no config
            return _demo(args.step, args.language)
        settings = load_settings()
        logs.configure(settings.log_level, settings.log_format)
        if args.command == "run":
            return run(settings)
        if args.command == "check-config":
            return asyncio.run(check_config(settings))
        if args.command == "migrate":
            return asyncio.run(migrate(settings))
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
        print(f"configuration error: DATABASE_PATH: {error}", file=sys.stderr)
        return EXIT_CONFIG


def _demo(step: bool, language: str | None) -> int:
    """The demo; it logs (to stderr) only when LOG_LEVEL or LOG_FORMAT asks it to."""
    from bot.runtime.demo import run_demo

    if os.environ.get("LOG_LEVEL", "").strip() or os.environ.get("LOG_FORMAT", "").strip():
        logs.configure(*logging_settings(os.environ))
    return run_demo(step=step, language=language)


def run(settings: Settings) -> int:
    """Run the bot by long polling until SIGINT or SIGTERM (exactly-once: updates_poller)."""
    from telegram.error import InvalidToken

    from bot.runtime.app import build_application, update_inbox
    from bot.runtime.updates_poller import serve

    settings.require_token()
    asyncio.run(_refuse_newer_database(settings))
    application = build_application(settings)
    try:
        asyncio.run(serve(application, update_inbox))
    except InvalidToken:
        raise ConfigError(
            "BOT_TOKEN", "was rejected by Telegram; check it with @BotFather"
        ) from None
    return 0


async def _refuse_newer_database(settings: Settings) -> None:
    db = Database(settings.database_path)
    await db.open()
    try:
        await db.pending_migrations()
    finally:
        await db.close()


async def check_config(settings: Settings) -> int:
    """Print the settings (secrets masked) and the database's state."""
    width = max(len(name) for name, _ in settings.summary())
    for name, value in settings.summary():
        print(f"{name.ljust(width)}  {value}")
    db = Database(settings.database_path)
    await db.open()
    try:
        pending = await db.pending_migrations()
        version = await db.schema_version()
    finally:
        await db.close()
    state = "up to date" if pending == 0 else f"{pending} migration(s) to apply (run migrate)"
    print(f"{'database'.ljust(width)}  {settings.database_path}: schema version {version}, {state}")
    if settings.backup_key is None:
        print(
            "warning: BACKUP_KEY is not set, so backups (backup_dir and `mutual-aid-bot backup`) "
            "are written unencrypted; `mutual-aid-bot backup --new-key` makes a key",
            file=sys.stderr,
        )
    settings.require_token()
    print("configuration OK")
    return 0


async def migrate(settings: Settings) -> int:
    """Apply the missing migrations and print the schema version."""
    db = Database(settings.database_path)
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

    if not settings.database_path.exists():
        raise ConfigError("DATABASE_PATH", f"no database at {settings.database_path}")
    if target.exists():
        print(f"backup: {target} already exists; choose a new path", file=sys.stderr)
        return 1
    db = Database(settings.database_path)
    await db.open()
    try:
        await write_backup(db, settings.database_path, target, settings.backup_key)
    finally:
        await db.close()
    how = "encrypted with BACKUP_KEY" if settings.backup_key else "not encrypted"
    print(f"backed up {settings.database_path} to {target} ({how})")
    return 0
