"""The command line and the real process: configuration errors, migrate, backup, and a live run."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bot.offline.updates import FakeUser
from storage.migrations import MIGRATIONS
from tests.bot_api_server import serve_bot_api
from tests.conftest import TEST_TOKEN
from tests.flows_reliability import BOT_VARIABLES, BotProcess, text_update, wait_for


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in BOT_VARIABLES}
    environ["DATABASE_PATH"] = str(tmp_path / "db" / "bot.sqlite3")
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_run_without_token_exits_2_naming_bot_token(tmp_path: Path) -> None:
    result = cli(tmp_path, "run")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_timezone_and_organiser_ids_name_the_setting(tmp_path: Path) -> None:
    bad_zone = cli(tmp_path, "run", BOT_TOKEN=TEST_TOKEN, TIMEZONE="Mars/Olympus")
    assert bad_zone.returncode == 2
    assert bad_zone.stderr.strip().splitlines() == [
        "configuration error: TIMEZONE: 'Mars/Olympus' is not a known IANA time zone "
        "(for example Europe/London)"
    ]
    bad_ids = cli(tmp_path, "migrate", ORGANISER_IDS="1001,abc")
    assert bad_ids.returncode == 2
    [line] = bad_ids.stderr.strip().splitlines()
    assert line.startswith("configuration error: ORGANISER_IDS:") and "'abc'" in line


def test_migrate_twice_and_check_config_masks_the_token(tmp_path: Path) -> None:
    first = cli(tmp_path, "migrate")
    assert first.returncode == 0 and first.stdout.strip() == f"schema version {len(MIGRATIONS)}"
    assert cli(tmp_path, "migrate").stdout.strip() == f"schema version {len(MIGRATIONS)}"
    checked = cli(tmp_path, "check-config", BOT_TOKEN=TEST_TOKEN)
    assert checked.returncode == 0, checked.stderr
    assert "1000:****" in checked.stdout and TEST_TOKEN not in checked.stdout
    assert "up to date" in checked.stdout and "configuration OK" in checked.stdout


def test_newer_database_is_refused_by_the_cli(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    with sqlite3.connect(tmp_path / "db" / "bot.sqlite3") as raw:
        raw.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    result = cli(tmp_path, "migrate")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("configuration error: DATABASE_PATH:") and "only knows up to" in line


def test_backup_writes_a_consistent_copy(tmp_path: Path) -> None:
    assert cli(tmp_path, "migrate").returncode == 0
    with sqlite3.connect(tmp_path / "db" / "bot.sqlite3") as raw:
        raw.execute("INSERT INTO neighbourhoods (name, created_at) VALUES ('Elm Park', 'x')")
    result = cli(tmp_path, "backup", str(tmp_path / "copy.sqlite3"))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT name FROM neighbourhoods").fetchall() == [("Elm Park",)]
    again = cli(tmp_path, "backup", str(tmp_path / "copy.sqlite3"))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_real_process_polls_and_answers_start(bot_process: Callable[..., BotProcess]) -> None:
    """The installed command, pointed at a loopback Bot API, sets menus, polls and answers."""
    with serve_bot_api() as (api, _root):
        api.push_update(text_update(1, FakeUser(1002, "Rita", "Resident"), "/start"))
        bot = bot_process(api)
        bot.start()
        answered = wait_for(lambda: bool(api.sent_to(1002)) or not bot.alive(), 30, 0.05)
        exit_status = bot.stop()
        assert answered and exit_status == 0, bot.report()
        [(answered_at, text)] = api.sent_to(1002)
        methods = api.methods()
        assert methods[0] == "getMe"
        assert "setMyCommands" in methods and "getUpdates" in methods
        assert methods.index("setMyCommands") < methods.index("getUpdates")
        assert "a word about your data" in text
        latency = answered_at - api.delivered_at[1]
        print(f"/start answered {latency * 1000:.0f} ms after getUpdates delivered it")
