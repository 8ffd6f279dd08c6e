"""The baselines handling is measured against: a bare PTB echo bot, the same Bot API calls made
directly with one SQLite commit, and a fake Telegram that takes a round trip per call."""

from __future__ import annotations

import asyncio
import contextlib
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import Bot, Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters
from telegram.request import BaseRequest, RequestData

from benchmarks import postgres as pg
from bot.offline.fake_bot_api import ApiCall, FakeTelegram
from bot.offline.updates import FakeUser, UpdateBuilder

TOKEN = "1000:BENCH-token-not-real-0123456789abcdef"


ROUND_TRIP = 0.050


class RoundTripTelegram(FakeTelegram):
    """FakeTelegram where every call takes a round trip; records when each call arrives."""

    def __init__(self, round_trip: float = ROUND_TRIP) -> None:
        super().__init__()
        self.half = round_trip / 2
        self.arrivals: list[tuple[float, str, int | None]] = []  # (time, method, chat id)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Travel there, answer as FakeTelegram does, travel back."""
        endpoint = url.rsplit("/", 1)[-1]
        if endpoint == "getUpdates":
            return await super().do_request(url, method, request_data)
        await asyncio.sleep(self.half)
        params = request_data.parameters if request_data is not None else {}
        chat = params.get("chat_id")
        self.arrivals.append((time.perf_counter(), endpoint, int(chat) if chat else None))
        answer = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        await asyncio.sleep(self.half)
        return answer


@dataclass
class Measured:
    """One update: CPU-bound time to settle, felt latency, and the calls it made."""

    seconds: float
    felt: float | None = None
    calls: list[ApiCall] = field(default_factory=list)
    postgres: pg.Tally = field(default_factory=pg.Tally)  # statements sent (none on SQLite)


async def _echo(update: Update, context: Any) -> None:
    """Reply with the text."""
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


class EchoBot:
    """A bare PTB echo bot (one MessageHandler replying with the text): the floor."""

    def __init__(self, fake: FakeTelegram) -> None:
        builder = ApplicationBuilder().token(TOKEN).request(fake).get_updates_request(fake)
        self.app = builder.build()
        self.app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
        self.fake = fake
        self.build = UpdateBuilder(self.app.bot, fake)
        self.user = FakeUser(3001, "Echo")
        self.count = 0

    async def start(self) -> None:
        """Initialise and start the application."""
        await self.app.initialize()
        await self.app.start()

    async def stop(self) -> None:
        """Stop and shut down the application."""
        await self.app.stop()
        await self.app.shutdown()

    async def once(self) -> Measured:
        """Process one text message; its time and (under a round trip) felt latency."""
        self.count += 1
        update = self.build.text(self.user, f"hello {self.count}")
        arrivals = len(self.fake.arrivals) if isinstance(self.fake, RoundTripTelegram) else 0
        started = time.perf_counter()
        await self.app.process_update(update)
        elapsed = time.perf_counter() - started
        felt = None
        if isinstance(self.fake, RoundTripTelegram) and len(self.fake.arrivals) > arrivals:
            felt = self.fake.arrivals[arrivals][0] - started
        return Measured(elapsed, felt)


class SameCallsBot:
    """Makes exactly the Bot API calls an update made, with one SQLite commit, nothing else."""

    def __init__(self, fake: FakeTelegram, path: Path) -> None:
        self.bot = Bot(TOKEN, request=fake, get_updates_request=fake)
        self._path = path
        self._db: aiosqlite.Connection | None = None

    async def start(self) -> None:
        """Open the bot and the database the commit goes to."""
        await self.bot.initialize()
        self._db = await aiosqlite.connect(self._path, isolation_level=None)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=FULL")
        await self._db.execute("CREATE TABLE IF NOT EXISTS handled (id INTEGER PRIMARY KEY)")

    async def stop(self) -> None:
        """Close both."""
        await self.bot.shutdown()
        if self._db is not None:
            await self._db.close()

    async def replay(self, calls: list[ApiCall]) -> float:
        """Make the same calls (and one commit); returns the seconds it took."""
        assert self._db is not None
        started = time.perf_counter()
        await self._db.execute("BEGIN IMMEDIATE")
        await self._db.execute("INSERT INTO handled DEFAULT VALUES")
        await self._db.execute("COMMIT")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PTB suggests its typed methods; same request
            for call in calls:
                params = {k: v for k, v in call.params.items() if k != "files"}
                # An edit of a message this fake never saw fails, but it is still a call.
                with contextlib.suppress(Exception):
                    await self.bot.do_api_request(call.method, api_kwargs=params)
        return time.perf_counter() - started
