"""The `mutual-aid-bot` command: run, check-config, migrate, backup, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from config.i18n import LANGUAGES, CatalogMissing
from config.settings import ConfigError, Settings, load_settings
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
    backup = commands.add_parser("backup", help="write a consistent copy of the live database")
    backup.add_argument("path", type=Path, help="where to write the copy")
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
    args = _parser().parse_args(argv)
    if args.command == "demo" and args.charts is not None:
        from bot.demo_charts import write_demo_charts

        return write_demo_charts(args.charts)
    if args.command == "demo":  # its own settings and throwaway database: needs no config
        from bot.demo import run_demo

        return run_demo(step=args.step, language=args.language)
    try:
        settings = load_settings()
        logging.basicConfig(
            level=settings.log_level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        logging.getLogger("httpx").setLevel(logging.WARNING)
        if settings.log_level != "DEBUG":
            # APScheduler logs two INFO lines per timer run (the outbox retry runs every 2 s).
            logging.getLogger("apscheduler").setLevel(logging.WARNING)
        if args.command == "run":
            return run(settings)
        if args.command == "check-config":
            return asyncio.run(check_config(settings))
        if args.command == "migrate":
            return asyncio.run(migrate(settings))
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


def run(settings: Settings) -> int:
    """Run the bot by long polling until SIGINT or SIGTERM (exactly-once, bot.updates_poller)."""
    from telegram.error import InvalidToken

    from bot.app import build_application, update_inbox
    from bot.updates_poller import serve

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
    """Copy the live database to target with SQLite's online backup API."""
    if not settings.database_path.exists():
        raise ConfigError("DATABASE_PATH", f"no database at {settings.database_path}")
    if target.exists():
        print(f"backup: {target} already exists; choose a new path", file=sys.stderr)
        return 1
    db = Database(settings.database_path)
    await db.open()
    try:
        await db.backup_to(target)
    finally:
        await db.close()
    print(f"backed up {settings.database_path} to {target}")
    return 0
