"""Helpers for the fault tests: the real `mutual-aid-bot run` process, raw updates, the DB."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from bot.clock import Clock, SystemClock
from bot.offline.updates import FakeUser
from config.settings import Settings
from storage.postgres import to_dollar_params
from tests.bot_api_server import BOT_USER, LoopbackBotApi
from tests.conftest import ORGANISER, TEST_TOKEN, BotHarness, make_settings
from tests.flows import make_volunteer, neighbourhood_with_invite

REPO = Path(__file__).resolve().parents[1]
JSON = dict[str, Any]
ZONE = "Europe/London"
# Environment variables the bot reads: a real-process test sets each one itself.
BOT_VARIABLES = (
    "BOT_TOKEN",
    "TELEGRAM_API_URL",
    "DATABASE_PATH",
    "DATABASE_URL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_HOST",
    "WEBHOOK_PORT",
    "WEBHOOK_PATH",
    "HTTP_PORT",
    "ORGANISER_IDS",
    "TIMEZONE",
    "DEFAULT_REGION",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "BACKUP_KEY",
    "CONFIG_FILE",
)
LOG_PROBLEM = re.compile(r" (WARNING|ERROR|CRITICAL) |^Traceback|^\S*(Error|Exception)\b")


def database_path(tmp_path: Path) -> Path:
    """Where make_settings puts the test database (shared by seeding and the real process)."""
    return tmp_path / "data" / "test.sqlite3"


def _url_file(tmp_path: Path) -> Path:
    return tmp_path / "database-url.txt"


def use_database_url(tmp_path: Path, url: str | None) -> None:
    """Record that this test's deployment runs on PostgreSQL at url (None: its SQLite file)."""
    if url:
        _url_file(tmp_path).write_text(url, encoding="utf-8")


def database_url(tmp_path: Path) -> str | None:
    """The PostgreSQL URL this test's deployment runs on, or None for its SQLite file."""
    path = _url_file(tmp_path)
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def database_env(tmp_path: Path) -> dict[str, str]:
    """DATABASE_URL for the deployment's processes and settings, when it is on PostgreSQL."""
    url = database_url(tmp_path)
    return {"DATABASE_URL": url} if url else {}


def process_config(tmp_path: Path) -> Path:
    """The TOML file every real-process test runs with, whatever the hour it runs at.

    No quiet hours (a start equal to its end), so alerts are never held for the morning; the
    daily digest twelve hours from now, so it never falls inside a test.
    """
    digest = (datetime.now(UTC) + timedelta(hours=12)).astimezone(ZoneInfo(ZONE))
    path = tmp_path / "bot-test.toml"
    path.write_text(
        f'timezone = "{ZONE}"\n'
        'default_region = "GB"\n'
        "[tunables]\n"
        'quiet_hours_start = "00:00"\n'
        'quiet_hours_end = "00:00"\n'
        f'digest_time = "{digest:%H:%M}"\n',
        encoding="utf-8",
    )
    return path


def process_settings(tmp_path: Path) -> Settings:
    """Settings for seeding in-process what a real-process test then runs on."""
    return make_settings(
        tmp_path, CONFIG_FILE=str(process_config(tmp_path)), **database_env(tmp_path)
    )


async def seed_community(
    tmp_path: Path,
    residents: list[FakeUser],
    volunteers: list[FakeUser],
    clock: Clock | None = None,
) -> None:
    """In-process: an organiser, a neighbourhood, residents who joined, approved volunteers."""
    from tests.flows import agree

    harness = BotHarness(settings=process_settings(tmp_path), clock=clock or SystemClock())
    await harness.start()
    try:
        _, code = await neighbourhood_with_invite(harness)
        for resident in residents:
            await agree(harness, resident, code)
        for volunteer in volunteers:
            await make_volunteer(harness, volunteer, code, max_open_tasks=100)
        assert not harness.errors, harness.errors
    finally:
        await harness.stop()


class BotProcess:
    """The installed command run as a child process against the loopback Bot API.

    Make it with the `bot_process` fixture, whose teardown kills whatever is still running.
    """

    def __init__(self, tmp_path: Path, api: LoopbackBotApi, **env: str) -> None:
        self._tmp_path = tmp_path
        self.api = api
        self._env = {
            **{k: v for k, v in os.environ.items() if k not in BOT_VARIABLES},
            "BOT_TOKEN": TEST_TOKEN,
            "TELEGRAM_API_URL": api.root,
            "DATABASE_PATH": str(database_path(tmp_path)),
            "ORGANISER_IDS": str(ORGANISER.id),
            "TIMEZONE": ZONE,
            "DEFAULT_REGION": "GB",
            "LOG_LEVEL": "INFO",
            "CONFIG_FILE": str(process_config(tmp_path)),
            **database_env(tmp_path),
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.started: list[subprocess.Popen[bytes]] = []
        self.starts = 0
        self.kills = 0

    @property
    def log_path(self) -> Path:
        """The log of the current (or last) run."""
        return self._tmp_path / f"bot-run-{self.starts}.log"

    def start(self) -> None:
        """Start a new process."""
        self.starts += 1
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                env=self._env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append(self.process)

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1

    def stop(self, timeout: float = 30) -> int:
        """SIGINT, as an operator stopping it; returns the exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def reap(self) -> int:
        """Kill every process this object started that still runs; how many there were."""
        alive = [process for process in self.started if process.poll() is None]
        for process in alive:
            process.kill()
            process.wait(timeout=30)
        return len(alive)

    def wait_exit(self, timeout: float) -> int | None:
        """The exit status, or None if it is still running after the timeout."""
        assert self.process is not None
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def logs(self) -> str:
        """Every run's log, concatenated."""
        parts = [
            (self._tmp_path / f"bot-run-{n}.log").read_text(errors="replace")
            for n in range(1, self.starts + 1)
        ]
        return "\n".join(parts)

    def report(self, calls: int = 15, problems: int = 40) -> str:
        """What a failed test needs: the bot's warnings and errors, its last Bot API calls and
        the outbox rows still pending (with when they may go). No scheduler chatter."""
        lines = [line for line in self.logs().splitlines() if LOG_PROBLEM.search(line)]
        shown = lines[-problems:] or ["(none)"]
        recent = [
            f"  {call.method} {call.outcome} chat={call.params.get('chat_id', '-')} "
            f"{str(call.params.get('text', ''))[:60]!r}"
            for call in self.api.log[-calls:]
        ] or ["  (none)"]
        pending = _pending_outbox(Db.of(self._tmp_path)) or ["  (none)"]
        return "\n".join(
            [
                f"bot process: {self.starts} starts, {self.kills} kills, alive={self.alive()}",
                f"warnings and errors ({len(lines)}, last {len(shown)}):",
                *(f"  {line}" for line in shown),
                f"last {calls} Bot API calls:",
                *recent,
                "outbox rows still pending:",
                *pending,
            ]
        )


def _pending_outbox(db: Db, limit: int = 20) -> list[str]:
    """The outbox rows not yet sent, oldest first, one line each."""
    if not db.exists():
        return []
    try:
        rows = db.rows(
            "SELECT id, method, chat_id, purpose, attempts, not_before, last_error, params "
            "FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?",
            limit,
        )
    except (sqlite3.Error, OSError, asyncpg.PostgresError) as error:
        return [f"  (could not read the outbox: {error})"]
    return [
        f"  #{row['id']} {row['method']} chat={row['chat_id']} purpose={row['purpose'] or '-'} "
        f"attempts={row['attempts']} not_before={row['not_before']} "
        f"error={row['last_error']!r} {json.loads(row['params']).get('text', '')[:40]!r}"
        for row in rows
    ]


class Db:
    """Read-only looks at the bot's database (SQLite file or PostgreSQL) while the process runs."""

    def __init__(self, path: Path, url: str | None = None) -> None:
        self._path = path
        self._url = url

    @classmethod
    def of(cls, tmp_path: Path) -> Db:
        """The database of this test's deployment."""
        return cls(database_path(tmp_path), database_url(tmp_path))

    def exists(self) -> bool:
        """Whether there is a database to look at yet."""
        return self._url is not None or self._path.exists()

    def rows(self, sql: str, *args: object) -> list[Any]:
        """Run one SELECT (`?` placeholders on both backends)."""
        if self._url is not None:
            with ThreadPoolExecutor(max_workers=1) as pool:  # callers may be inside a loop
                return pool.submit(asyncio.run, self._pg_rows(sql, args)).result(timeout=60)
        conn = sqlite3.connect(self._path, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    async def _pg_rows(self, sql: str, args: tuple[object, ...]) -> list[Any]:
        assert self._url is not None
        conn = await asyncpg.connect(self._url)
        try:
            return list(await conn.fetch(to_dollar_params(sql), *args))
        finally:
            await conn.close()

    def value(self, sql: str, *args: object) -> Any:
        """The first column of the first row."""
        found = self.rows(sql, *args)
        return found[0][0] if found else None

    def handled(self, update_id: int) -> bool:
        """Whether the bot has handled this update (its effects committed)."""
        return bool(
            self.rows(
                "SELECT 1 FROM inbox WHERE update_id = ? AND handled_at IS NOT NULL", update_id
            )
        )

    def finished(self, update_id: int) -> bool:
        """Whether the bot has finished this update (its conversation state stored too)."""
        return bool(
            self.rows(
                "SELECT 1 FROM inbox WHERE update_id = ? AND finished_at IS NOT NULL", update_id
            )
        )

    def pending_outbox(self) -> int:
        """Calls the outbox has not sent or given up yet."""
        return int(self.value("SELECT COUNT(*) FROM outbox WHERE state = 'pending'") or 0)


def wait_for(check: Callable[[], bool], timeout: float, step: float = 0.01) -> bool:
    """Poll until check() is true or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


def _user(user: FakeUser) -> JSON:
    return {"id": user.id, "is_bot": False, "first_name": user.first_name}


def _private_chat(user: FakeUser) -> JSON:
    return {"id": user.id, "type": "private", "first_name": user.first_name}


def text_update(update_id: int, user: FakeUser, text: str) -> JSON:
    """A private message (a command if it starts with /)."""
    message: JSON = {
        "message_id": update_id,
        "date": int(time.time()),
        "text": text,
        "chat": _private_chat(user),
        "from": _user(user),
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": update_id, "message": message}


def press_update(update_id: int, user: FakeUser, data: str, message_id: int = 1) -> JSON:
    """A button press on a bot message in the person's private chat."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": _user(user),
            "chat_instance": f"ci-{user.id}",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": _private_chat(user),
                "from": BOT_USER,
                "text": "…",
            },
        },
    }
