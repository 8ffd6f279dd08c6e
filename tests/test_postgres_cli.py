"""The command line on PostgreSQL: choosing it, bad and unreachable URLs, migrate, copy-to."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg

from bot.clock import SystemClock
from bot.offline.updates import FakeUser
from storage.migrations import MIGRATIONS
from tests.backends import PostgresDatabases
from tests.conftest import RESIDENT, TEST_TOKEN, BotHarness, make_settings
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_reliability import BOT_VARIABLES
from tests.postgres_cluster import free_port
from tests.test_cli import cli

HELPER_ID = 3001


def _with_password(url: str) -> str:
    """The same URL with a password (the throwaway cluster trusts loopback, so any works)."""
    return url.replace("postgresql://postgres@", "postgresql://postgres:s3cret-pw@")


async def test_check_config_names_postgresql_and_masks_the_password(
    tmp_path: Path, postgres_databases: PostgresDatabases
) -> None:
    url = _with_password(await postgres_databases.fresh(migrated=False))
    migrated = cli(tmp_path, "migrate", DATABASE_URL=url)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.strip() == f"schema version {len(MIGRATIONS)}"
    again = cli(tmp_path, "migrate", DATABASE_URL=url)
    assert again.stdout.strip() == f"schema version {len(MIGRATIONS)}"
    checked = cli(tmp_path, "check-config", BOT_TOKEN=TEST_TOKEN, DATABASE_URL=url)
    assert checked.returncode == 0, checked.stderr
    assert "s3cret-pw" not in checked.stdout + checked.stderr
    assert "postgresql://postgres:***@127.0.0.1" in checked.stdout
    assert (
        "PostgreSQL postgresql://postgres:***@" in checked.stdout and "up to date" in checked.stdout
    )
    assert not (tmp_path / "db").exists()  # DATABASE_PATH was not touched


async def test_a_newer_postgresql_database_is_refused(
    tmp_path: Path, postgres_databases: PostgresDatabases
) -> None:
    url = await postgres_databases.fresh()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("UPDATE schema_version SET version = $1", len(MIGRATIONS) + 1)
    finally:
        await conn.close()
    result = cli(tmp_path, "migrate", DATABASE_URL=url)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("configuration error: DATABASE_URL:") and "only knows up to" in line


def test_a_bad_url_exits_2_naming_database_url(tmp_path: Path) -> None:
    for bad in ("mysql://me@localhost/aid", "postgresql://", "postgresql://db.example/"):
        result = cli(tmp_path, "migrate", DATABASE_URL=bad)
        assert result.returncode == 2, (bad, result.stderr)
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("configuration error: DATABASE_URL:"), line


def test_an_unreachable_server_exits_2_for_commands_and_is_retried_by_run(
    tmp_path: Path,
) -> None:
    url = f"postgresql://aid:pw@127.0.0.1:{free_port()}/aid"  # nothing listens there
    result = cli(tmp_path, "migrate", DATABASE_URL=url)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("configuration error: DATABASE_URL: cannot connect to"), line
    assert ":pw@" not in line and ":***@" in line
    environ = {
        **{k: v for k, v in os.environ.items() if k not in BOT_VARIABLES},
        "BOT_TOKEN": TEST_TOKEN,
        "DATABASE_URL": url,
        "TIMEZONE": "Europe/London",
    }
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=environ, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while log.read_text().count("the database is not answering") < 2:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            status = process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
    assert status == 0, log.read_text()  # stopped while waiting: a clean exit
    assert ":pw@" not in log.read_text()


async def _seed_sqlite(tmp_path: Path) -> Path:
    """A SQLite deployment with people, a neighbourhood, a volunteer and a request."""
    settings = make_settings(tmp_path)
    bot = BotHarness(settings=settings, clock=SystemClock())
    await bot.start()
    try:
        _, code = await neighbourhood_with_invite(bot)
        await agree(bot, RESIDENT, code)
        await make_volunteer(bot, FakeUser(HELPER_ID, "Hal", "Helper"), code)
        await ask_for_shopping(
            bot, RESIDENT, description="Bread, milk", address="1 Test Road", phone="07700 100123"
        )
        assert not bot.errors, bot.errors
    finally:
        await bot.stop()
    return settings.database_path


def _sqlite_rows(path: Path, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        names = ", ".join(columns)
        return sorted(tuple(r) for r in conn.execute(f"SELECT {names} FROM {table}"))


async def test_copy_to_copies_every_row_and_refuses_a_non_empty_target(
    tmp_path: Path, postgres_databases: PostgresDatabases
) -> None:
    source = await _seed_sqlite(tmp_path)
    url = await postgres_databases.fresh(migrated=False)
    env = {"DATABASE_PATH": str(source)}
    result = cli(tmp_path, "copy-to", url, **env)
    assert result.returncode == 0, result.stderr
    assert "every row count matches" in result.stdout
    conn = await asyncpg.connect(url)
    try:
        tables = [
            r["table_name"]
            for r in await conn.fetch(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_name != 'schema_version'"
            )
        ]
        compared = 0
        for table in tables:
            columns = [
                r["column_name"]
                for r in await conn.fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = $1 "
                    "AND is_generated = 'NEVER' ORDER BY ordinal_position",
                    table,
                )
            ]
            target = sorted(
                tuple(r) for r in await conn.fetch(f"SELECT {', '.join(columns)} FROM {table}")
            )
            assert target == _sqlite_rows(source, table, columns), table
            compared += len(target)
        assert compared > 20 and "help_requests" in tables and "match_pool" in tables
        # New rows continue after the copied ids.
        before = await conn.fetchval("SELECT MAX(id) FROM people")
        new_id = await conn.fetchval(
            "INSERT INTO people (telegram_id, created_at, updated_at) VALUES (9999, 'x', 'x') "
            "RETURNING id"
        )
        assert new_id > before
    finally:
        await conn.close()
    again = cli(tmp_path, "copy-to", url, **env)
    assert (
        again.returncode == 1
        and "not empty" in again.stderr
        and "Nothing was changed" in again.stderr
    )


def test_copy_to_needs_a_postgresql_url(tmp_path: Path) -> None:
    result = cli(tmp_path, "copy-to", "sqlite:///elsewhere.db")
    assert result.returncode == 2 and "DATABASE_URL" in result.stderr
