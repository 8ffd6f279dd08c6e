"""The offline test kit: the real Application on a throwaway database, fake network only.

Tests that use `settings`, `harness` or `db` run on each backend in `--backends` (SQLite and
PostgreSQL by default; tests.backends makes the databases).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from telegram import Update

from bot.clock import Clock, FakeClock
from bot.delivery.send_limits import SendLimits, unlimited
from bot.offline.fake_bot_api import FakeTelegram
from bot.offline.updates import FakeUser, UpdateBuilder
from bot.runtime.app import (
    build_application,
    services_of,
    settle,
    start_application,
    stop_application,
)
from bot.runtime.services import Services
from config.settings import Settings, load_settings
from handlers.context import AidApplication, AidContext
from storage.database import Database
from storage.postgres import PostgresDatabase
from storage.sqlite_database import SqliteDatabase
from tests.backends import BACKENDS, PostgresDatabases
from tests.postgres_cluster import ThrowawayCluster, find_postgres_bindir

if TYPE_CHECKING:
    from tests.bot_api_server import LoopbackBotApi
    from tests.flows_reliability import BotProcess

TEST_TOKEN = "1000:TEST-token-not-real-0123456789abcdef"
ORGANISER = FakeUser(1001, "Olive", "Organiser")
RESIDENT = FakeUser(1002, "Rita", "Resident")
NEIGHBOUR = FakeUser(1003, "Ned", "Neighbour")
VOLUNTEERS_CHAT = -1001000000001


def make_settings(tmp_path: Path, **extra_env: str) -> Settings:
    """Settings for a test deployment on a database file under tmp_path."""
    environ = {
        "BOT_TOKEN": TEST_TOKEN,
        "DATABASE_PATH": str(tmp_path / "data" / "test.sqlite3"),
        "ORGANISER_IDS": str(ORGANISER.id),
        "TIMEZONE": "Europe/London",
    }
    environ.update(extra_env)
    return load_settings(environ)


@dataclass
class BotHarness:
    """A running Application with its fake Telegram, update builder and recorded errors."""

    settings: Settings
    clock: Clock
    fake: FakeTelegram = field(default_factory=FakeTelegram)
    errors: list[BaseException] = field(default_factory=list)
    app: AidApplication | None = None
    updates: UpdateBuilder | None = None
    before_start: list[Callable[[AidApplication], None]] = field(default_factory=list)
    limits: SendLimits = field(default_factory=unlimited)  # an offline Telegram enforces none

    @property
    def services(self) -> Services:
        """The running application's services."""
        assert self.app is not None
        return services_of(self.app)

    @property
    def build(self) -> UpdateBuilder:
        """The update builder bound to the running bot."""
        assert self.updates is not None
        return self.updates

    async def start(self) -> None:
        """Build and start a fresh Application on the same database and fake network."""
        self.app = build_application(
            self.settings, request=self.fake, clock=self.clock, limits=self.limits
        )
        for hook in self.before_start:
            hook(self.app)
        self.app.add_error_handler(self._record_error)
        await start_application(self.app)
        self.updates = UpdateBuilder(self.app.bot, self.fake)

    async def stop(self) -> None:
        """Stop the Application as a shutdown would."""
        if self.app is not None:
            await stop_application(self.app)
            self.app = None

    async def restart(self) -> None:
        """Stop and start again, as after a process restart."""
        await self.stop()
        await self.start()

    async def send(self, update: Update) -> None:
        """Hand one update to the real Application and wait until its messages are sent."""
        assert self.app is not None
        await self.app.process_update(update)
        await self.settle()

    async def settle(self) -> None:
        """Wait for what the last updates started in the background: drains, broadcasts."""
        assert self.app is not None
        await settle(self.app)

    def message_with_button(self, chat_id: int, data: str) -> int | None:
        """The id of the newest bot message in a chat that carries a button with this data."""
        for call in reversed(self.fake.calls_to("sendMessage", chat_id)):
            rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
            if any(button.get("callback_data") == data for row in rows for button in row):
                return int(call.result["message_id"])
        return None

    async def press(
        self,
        user: FakeUser,
        data: str,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
    ) -> None:
        """Press a button: on the message that shows it, else (a forged press) the newest one."""
        chat = user.id if chat_id is None else chat_id
        if message_id is None:
            message_id = self.message_with_button(chat, data)
        if message_id is None:
            sent = self.fake.calls_to("sendMessage", chat)
            message_id = int(sent[-1].result["message_id"]) if sent else 1
        await self.send(self.build.callback(user, data, chat_id=chat, message_id=message_id))

    async def _record_error(self, update: object, context: AidContext) -> None:
        if context.error is not None:
            self.errors.append(context.error)

    def take_errors(self) -> list[BaseException]:
        """Return and forget the recorded handler errors (for tests that expect one)."""
        taken, self.errors = self.errors, []
        return taken


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves by hand."""
    return FakeClock()


def pytest_addoption(parser: pytest.Parser) -> None:
    """--backends: which storage backends the backend-parametrised tests run on."""
    parser.addoption(
        "--backends",
        default=",".join(BACKENDS),
        help="comma-separated storage backends to run on (default: sqlite,postgres)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that needs a database once per chosen backend."""
    if "backend" in metafunc.fixturenames:
        chosen = [b.strip() for b in metafunc.config.getoption("backends").split(",") if b]
        unknown = set(chosen) - set(BACKENDS)
        if unknown:
            raise pytest.UsageError(f"--backends: unknown {sorted(unknown)}; know {BACKENDS}")
        metafunc.parametrize("backend", chosen, scope="function")


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    """One throwaway PostgreSQL cluster for the session; fails when PostgreSQL is missing."""
    if find_postgres_bindir() is None:
        pytest.fail("PostgreSQL is not installed: `apt-get install -y postgresql` (or --backends)")
    cluster = ThrowawayCluster().start()
    try:
        yield PostgresDatabases(cluster)
    finally:
        cluster.stop()


@pytest.fixture
async def database_url(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[str | None]:
    """None on SQLite; on PostgreSQL, the URL of a fresh migrated database, dropped afterwards."""
    if backend != "postgres":
        yield None
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = await databases.fresh()
    try:
        yield url
    finally:
        await databases.drop(url)


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    """Settings for a throwaway deployment on the test's backend."""
    return make_settings(tmp_path, **({"DATABASE_URL": database_url} if database_url else {}))


@pytest.fixture
async def harness(settings: Settings, clock: FakeClock) -> AsyncIterator[BotHarness]:
    """The real bot, started on a temporary database; fails the test on any handler error."""
    bot = BotHarness(settings=settings, clock=clock)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
    assert not bot.errors, f"handler errors: {bot.errors!r}"


@pytest.fixture
async def db(tmp_path: Path, database_url: str | None, clock: FakeClock) -> AsyncIterator[Database]:
    """A migrated database on its own, without the Application (storage and outbox tests)."""
    database: Database = (
        PostgresDatabase(database_url)
        if database_url
        else SqliteDatabase(tmp_path / "storage.sqlite3")
    )
    database.use_clock(clock.now)  # transactions act at the test's time
    await database.open()
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def bot_process(tmp_path: Path, database_url: str | None) -> Iterator[Callable[..., BotProcess]]:
    """Makes real `mutual-aid-bot run` processes; teardown kills any still running, pass or fail.

    They run on the test's backend: seeding (process_settings) and Db.of use the same database.
    """
    from tests.flows_reliability import BotProcess, use_database_url

    use_database_url(tmp_path, database_url)

    made: list[BotProcess] = []

    def make(api: LoopbackBotApi, **env: str) -> BotProcess:
        process = BotProcess(tmp_path, api, **env)
        made.append(process)
        return process

    yield make
    for process in made:
        process.reap()
