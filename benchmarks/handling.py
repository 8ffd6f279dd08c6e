"""Handling cost per update: the real Application, in-process, against a bare PTB echo bot.

Both bots answer through the same in-process FakeTelegram. Only `Application.process_update`
is timed; building updates and preparing each request (the conversation up to its summary)
is not. Telegram's send limits are taken out of the measurement for BOTH bots, because
AIORateLimiter paces sends to ~30/s and would otherwise be what a tight loop measures: the
real bot is built by `bot.app.build_application` while `bot.app.AIORateLimiter` names a
pass-through limiter (PTB's rate-limiter hook, never waiting), and the echo bot is given the
same pass-through limiter. What AIORateLimiter itself costs when it does not wait is measured
separately: the echo bot with the real AIORateLimiter, paced below 30/s, in turn with the
echo bot with the pass-through limiter, paced the same.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    BaseRateLimiter,
    MessageHandler,
    filters,
)

import bot.app as app_module
from benchmarks.common import print_table, summarise
from bot.app import build_application, services_of, start_application, stop_application
from bot.callback_data import pack, unpack
from bot.clock import FakeClock
from bot.offline import FakeTelegram
from bot.offline_updates import FakeUser, UpdateBuilder
from bot.volunteering import Offer
from config.settings import load_settings
from handlers import request_flow
from handlers.context import AidApplication, AidContext
from handlers.request_steps import Step

TOKEN = "1000:BENCH-token-not-real-0123456789abcdef"
ORGANISER = FakeUser(1001, "Olive", "Organiser")
RESIDENT = FakeUser(1002, "Rita", "Resident")  # /start and the conversation step
ASKER = FakeUser(1003, "Ada", "Asker")  # confirms the requests
VOLUNTEERS = [FakeUser(2001 + n, f"Vol{n}", "Unteer") for n in range(8)]
INVITE = re.compile(r"start=join-([A-Za-z0-9_-]+)")
TARGETS = {"/start": 2.0, "conversation step": 2.0, "accept": 3.0}
WARMUP = 5
ECHO = "echo (floor)"
PACED_PLAIN = "echo, paced"
PACED = "echo + AIORateLimiter, paced"
CONFIRM = "confirm (+5 alerts)"
SCENARIOS = ("/start", "conversation step", CONFIRM, "accept", "done")
COLUMNS = "update|n|mean ms|p50 ms|p99 ms|x echo|target|API calls|bot max/s|Telegram max/s"
TELEGRAM_PER_SECOND = 30
PACE_SECONDS = 0.02  # the limited echo sends every 40 ms (> 1/30 s), so it never waits


class Measured(NamedTuple):
    """One timed update: seconds, Bot API calls, and those of them bound to a chat."""

    seconds: float
    calls: int
    chat_calls: int  # what AIORateLimiter counts against Telegram's 30 per second


class PassThroughLimiter(BaseRateLimiter[int]):
    """PTB's rate-limiter hook with the waiting taken out: every call goes straight through."""

    def __init__(self, *_: Any, **__: Any) -> None:
        """Accept and ignore AIORateLimiter's arguments."""

    async def initialize(self) -> None:
        """Do nothing."""

    async def shutdown(self) -> None:
        """Do nothing."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Make the call at once."""
        return await callback(*args, **kwargs)


@contextmanager
def without_rate_limits() -> Iterator[None]:
    """While building, make bot.app's AIORateLimiter the pass-through limiter."""
    original = app_module.AIORateLimiter
    app_module.AIORateLimiter = PassThroughLimiter  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        app_module.AIORateLimiter = original  # type: ignore[misc]


class Driver:
    """Hands updates to a running Application, times them, and finds the bot's buttons."""

    def __init__(self, app: AidApplication, fake: FakeTelegram) -> None:
        self.app = app
        self.fake = fake
        self.build = UpdateBuilder(app.bot, fake)

    async def timed(self, update: Update) -> Measured:
        """Process one update; returns its time and the Bot API calls it made."""
        before = len(self.fake.calls)
        started = time.perf_counter()
        await self.app.process_update(update)
        elapsed = time.perf_counter() - started
        made = self.fake.calls[before:]
        return Measured(elapsed, len(made), sum("chat_id" in call.params for call in made))

    async def say(self, user: FakeUser, text: str) -> Measured:
        """The user types a message."""
        return await self.timed(self.build.text(user, text))

    async def command(self, user: FakeUser, name: str, args: str = "") -> Measured:
        """The user sends a /command."""
        return await self.timed(self.build.command(user, name, args))

    async def press(self, user: FakeUser, data: str, chat_id: int | None = None) -> Measured:
        """The user presses the newest button with this data in the chat."""
        chat = user.id if chat_id is None else chat_id
        message_id = self.button(chat, data)
        return await self.timed(
            self.build.callback(user, data, chat_id=chat, message_id=message_id)
        )

    def button(self, chat_id: int, data: str) -> int:
        """The newest bot message in the chat carrying a button with this data."""
        for call in reversed(self.fake.calls):
            if call.method != "sendMessage" or call.error or call.params.get("chat_id") != chat_id:
                continue
            rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
            if any(button.get("callback_data") == data for row in rows for button in row):
                return int(call.result["message_id"])
        raise RuntimeError(f"no button {data!r} in chat {chat_id}")

    def last_text(self, chat_id: int) -> str:
        """The last text sent or edited into the chat."""
        return self.fake.last_text_to(chat_id) or ""


async def _echo(update: Update, context: Any) -> None:
    """Reply with the text."""
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


class EchoBot:
    """A bare PTB echo bot (one MessageHandler replying with the text): the floor."""

    def __init__(self, fake: FakeTelegram, limiter: BaseRateLimiter[Any]) -> None:
        builder = ApplicationBuilder().token(TOKEN).request(fake).get_updates_request(fake)
        self.app = builder.rate_limiter(limiter).build()
        self.app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
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

    async def once(self) -> float:
        """Process one text message; returns the seconds it took."""
        self.count += 1
        update = self.build.text(self.user, f"hello {self.count}")
        started = time.perf_counter()
        await self.app.process_update(update)
        return time.perf_counter() - started


async def paced_echoes(fake: FakeTelegram, n: int) -> tuple[list[float], list[float]]:
    """Echo with the pass-through limiter, then with the real AIORateLimiter, in turn, paced."""
    plain, limited = EchoBot(fake, PassThroughLimiter()), EchoBot(fake, AIORateLimiter())
    timings: tuple[list[float], list[float]] = ([], [])
    await plain.start()
    await limited.start()
    try:
        for index in range(n + WARMUP):
            for echo, seconds in zip((plain, limited), timings, strict=True):
                elapsed = await echo.once()
                if index >= WARMUP:
                    seconds.append(elapsed)
                await asyncio.sleep(PACE_SECONDS)
        return timings
    finally:
        await plain.stop()
        await limited.stop()


async def seed(driver: Driver) -> int:
    """An organiser, a neighbourhood, two residents and eight approved volunteers."""
    services = services_of(driver.app)
    await driver.command(ORGANISER, "start")
    await driver.press(ORGANISER, pack("consent", "yes"))
    await driver.command(ORGANISER, "neighbourhood", "Elm Park")
    [neighbourhood] = await services.community.organised_neighbourhoods(ORGANISER.id)
    await driver.command(ORGANISER, "invite")
    match = INVITE.search(driver.last_text(ORGANISER.id))
    assert match, driver.last_text(ORGANISER.id)
    code = match.group(1)
    for user in (RESIDENT, ASKER, *VOLUNTEERS):
        await driver.command(user, "start", f"join-{code}")
        await driver.press(user, pack("consent", "yes", code))
    for user in VOLUNTEERS:
        await services.volunteering.save_offer(
            user.id, Offer(categories=frozenset({"shopping"}), availability=0, max_open_tasks=3)
        )
        person = await services.community.person(user.id)
        assert person is not None
        await services.volunteering.approve(ORGANISER.id, person.id, neighbourhood.id)
    return neighbourhood.id


def step(token: Step, value: str) -> str:
    """Button data of a choice in the request conversation."""
    return pack(request_flow.KIND, token.token, value)


async def to_summary(driver: Driver) -> None:
    """Walk the asker through /request up to the summary (untimed)."""
    await driver.command(ASKER, "request")
    await driver.press(ASKER, step(Step.CATEGORY, "shopping"))
    await driver.say(ASKER, "Milk, bread and bananas")
    await driver.press(ASKER, step(Step.WHEN, "today"))
    await driver.say(ASKER, "07700 100123")
    await driver.say(ASKER, "12 Test Street, Flat 2")
    await driver.press(ASKER, step(Step.PAYMENT, "doorstep"))
    await driver.press(ASKER, step(Step.FOR_WHOM, "me"))


def newest_alert(driver: Driver) -> tuple[FakeUser, int]:
    """The volunteer who got the newest alert, and the request it is about."""
    by_id = {user.id: user for user in VOLUNTEERS}
    for call in reversed(driver.fake.calls):
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in (button for row in rows for button in row):
            parsed = unpack(button.get("callback_data"))
            if call.method == "sendMessage" and parsed and parsed[0] == "accept":
                return by_id[int(call.params["chat_id"])], int(parsed[1][0])
    raise RuntimeError("no alert was sent")


class Samples:
    """Per-scenario durations and Bot API call counts; an echo update follows each one kept."""

    def __init__(self, echo: EchoBot) -> None:
        self.echo = echo
        self.seconds: dict[str, list[float]] = {ECHO: []}
        self.calls: dict[str, list[Measured]] = {ECHO: []}

    async def add(self, name: str, measured: Measured, record: bool) -> None:
        """Keep one measurement unless it is a warm-up, and time an echo update beside it."""
        echo = await self.echo.once()
        if record:
            self.seconds.setdefault(name, []).append(measured.seconds)
            self.calls.setdefault(name, []).append(measured)
            self.seconds[ECHO].append(echo)
            self.calls[ECHO].append(Measured(echo, 1, 1))


async def measure_bot(driver: Driver, samples: Samples, n: int) -> None:
    """Time /start, a conversation step, confirm, accept and done."""
    for index in range(n + WARMUP):
        await samples.add("/start", await driver.command(RESIDENT, "start"), index >= WARMUP)
    await driver.command(RESIDENT, "request")
    await driver.press(RESIDENT, step(Step.CATEGORY, "shopping"))
    for index in range(n + WARMUP):  # typed description; then Back (untimed) to ask again
        measured = await driver.say(RESIDENT, f"Milk, bread and {index} bananas")
        await samples.add("conversation step", measured, index >= WARMUP)
        await driver.press(RESIDENT, step(Step.WHEN, "back"))
    await driver.command(RESIDENT, "cancel")
    for index in range(n + WARMUP):
        record = index >= WARMUP
        await to_summary(driver)
        confirm = await driver.press(ASKER, step(Step.SUMMARY, "confirm"))
        await samples.add(CONFIRM, confirm, record)
        confirmed = driver.last_text(ASKER.id)
        assert "alerted 5 volunteers" in confirmed, confirmed
        volunteer, request_id = newest_alert(driver)
        await samples.add(
            "accept", await driver.press(volunteer, pack("accept", request_id)), record
        )
        assert "is going to help" in driver.last_text(ASKER.id), driver.last_text(ASKER.id)
        await samples.add("done", await driver.press(volunteer, pack("done", request_id)), record)
        await driver.press(volunteer, pack("skipamount", request_id))


def _row(name: str, samples: Samples, floor_ms: float) -> dict[str, Any]:
    """Summary of one scenario, with its ratio to the echo floor."""
    stats = summarise(samples.seconds[name])
    calls = samples.calls[name]
    stats["api_calls_per_update"] = sum(m.calls for m in calls) / len(calls)
    chat_calls = sum(m.chat_calls for m in calls) / len(calls)
    stats["ratio_to_echo"] = stats["mean_ms"] / floor_ms
    stats["bot_updates_per_second"] = 1000 / stats["mean_ms"]
    stats["telegram_updates_per_second"] = TELEGRAM_PER_SECOND / chat_calls
    if name in TARGETS:
        stats["target_ratio"] = TARGETS[name]
        stats["meets_target"] = stats["ratio_to_echo"] <= TARGETS[name]
    return stats


async def run(quick: bool) -> dict[str, Any]:
    """Measure per-update handling cost of the real bot and of the echo floor."""
    n = 50 if quick else 300
    fake = FakeTelegram()
    echo = EchoBot(fake, PassThroughLimiter())
    samples = Samples(echo)
    with tempfile.TemporaryDirectory(prefix="bench-handling-") as tmp:
        settings = load_settings(
            {
                "BOT_TOKEN": TOKEN,
                "DATABASE_PATH": str(Path(tmp) / "bench.sqlite3"),
                "ORGANISER_IDS": str(ORGANISER.id),
                "TIMEZONE": "Europe/London",
            }
        )
        # One resident sends thousands of updates here: lift the per-person flood limits.
        unlimited = replace(settings.tunables, requests_per_hour=10**9, messages_per_minute=10**9)
        settings = replace(settings, tunables=unlimited)
        with without_rate_limits():
            application = build_application(
                settings, request=fake, clock=FakeClock(), limits=unlimited()
            )
        assert isinstance(application.bot.rate_limiter, PassThroughLimiter)
        errors: list[BaseException] = []

        async def record(update: object, context: AidContext) -> None:
            if context.error is not None:
                errors.append(context.error)

        application.add_error_handler(record)
        await start_application(application)
        await echo.start()
        try:
            driver = Driver(application, fake)
            await seed(driver)
            await measure_bot(driver, samples, n)
        finally:
            await echo.stop()
            await stop_application(application)
    if errors:
        raise RuntimeError(f"handler errors during the benchmark: {errors[:3]!r}")
    for name, paced in zip(
        (PACED_PLAIN, PACED), await paced_echoes(fake, 30 if quick else 100), strict=True
    ):
        samples.seconds[name] = paced
        samples.calls[name] = [Measured(x, 1, 1) for x in paced]
    floor_ms = summarise(samples.seconds[ECHO])["mean_ms"]
    rows = {name: _row(name, samples, floor_ms) for name in (ECHO, PACED_PLAIN, PACED, *SCENARIOS)}
    print_table(
        f"handling cost per update ({n} measured each, after {WARMUP} warm-up)",
        COLUMNS.split("|"),
        [
            [
                name,
                r["n"],
                r["mean_ms"],
                r["p50_ms"],
                r["p99_ms"],
                r["ratio_to_echo"],
                f"<= {r['target_ratio']:g}x" if "target_ratio" in r else "",
                r["api_calls_per_update"],
                r["bot_updates_per_second"],
                r["telegram_updates_per_second"],
            ]
            for name, r in rows.items()
        ],
    )
    print("echo updates are interleaved with the bot's, one after each measured update;")
    print("bot max/s = 1000 / mean ms (one process, one update at a time); Telegram max/s =")
    print("30 / the chat-bound calls each update makes (Telegram's 30 messages/s overall).")
    print("rate limits: both bots use a pass-through limiter (see the module docstring);")
    print(f"'{PACED}' is the echo bot with the real limiter, paced so it never waits,")
    print(f"in turn with '{PACED_PLAIN}' (pass-through): their difference is the limiter's cost.")
    return {
        "iterations": n,
        "warmup": WARMUP,
        "method": " ".join((__doc__ or "").split("\n\n", 1)[1].split()),
        "rows": rows,
    }
