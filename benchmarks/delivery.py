"""Delivery at Telegram's ceiling: the real outbox dispatcher against a rate-limited Telegram.

The real Application is built by `bot.runtime.app.build_application` on a LimitedFakeTelegram, which
refuses with HTTP 429 what Telegram would (30 messages in any second overall, 20 in any minute
per group, 3 in any 3 seconds per private chat) and answers each call after 50 ms, a modest
network round trip. Alerts to distinct private chats and posts to
one group are queued through `bot.delivery.notify.send` in one transaction, interleaved in outbox
order,
then `services_of(app).dispatcher` (OutboxDispatcher + TelegramSender on the Application's
ExtBot with the sliding-window limiter of bot.delivery.send_limits) drains them until none is
pending.
The baseline, in the same run, is the same bot with PTB's AIORateLimiter (its defaults: a
bucket of 30 a second overall, 20 a minute per group), as the bot had before.

Rates are measured where Telegram would see them: from the first to the last message of each
kind accepted by the fake, (n - 1) / (t_last - t_first). DMs are compared with 30/s (Telegram's
overall limit, which the group's posts share), the group with 20/min. Because Telegram counts
sliding windows, a sender may burst a whole window at once: with n at or below the window (20
group posts) the group figure is a burst, not a sustained rate.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram.ext import AIORateLimiter

from benchmarks.common import print_table
from bot.clock import SystemClock
from bot.delivery import notify
from bot.offline.limits import LimitedFakeTelegram
from bot.requests.alerting import alert_buttons
from bot.runtime.app import build_application, services_of, start_application, stop_application
from bot.runtime.telegram_sender import TelegramSender
from config.settings import load_settings
from handlers.context import AidApplication
from storage.delivery import outbox

TOKEN = "1000:BENCH-token-not-real-0123456789abcdef"
GROUP = -1001000000001
FIRST_DM = 100_000


class PtbDefaultLimiter(AIORateLimiter):
    """PTB's limiter with its defaults; the outbox's priority argument means no retries here."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any,
    ) -> Any:
        """Drop the priority the outbox passes: AIORateLimiter reads the argument as max_retries."""
        retries = rate_limit_args if isinstance(rate_limit_args, int) else None
        return await super().process_request(callback, args, kwargs, endpoint, data, retries)


LATENCY = 0.05  # seconds for each Bot API answer: a modest round trip to api.telegram.org
DM_CEILING_PER_SECOND = 30
GROUP_CEILING_PER_MINUTE = 20
ALERT = (
    "<b>Can you help?</b> R-{n:04d}: Shopping in Elm Park, today 09:00-18:00.\n"
    "Press Accept to take it; the details are shown only to you."
)


def _rate(times: list[float], per: float) -> float | None:
    """(n - 1) / (last - first), per `per` seconds; None for fewer than two."""
    if len(times) < 2 or times[-1] <= times[0]:
        return None
    return (len(times) - 1) / (times[-1] - times[0]) * per


def _most_in_window(times: list[float], window: float) -> int:
    """The most calls accepted in any `window` seconds (the limit Telegram enforces)."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


async def strict_order_drain(app: AidApplication) -> None:
    """The dispatcher before per-chat lanes: one call at a time, in outbox order."""
    services = services_of(app)
    sender = TelegramSender(app.bot)
    while True:
        async with services.db.read() as conn:
            batch = await outbox.pending(conn, 100)
        if not batch:
            return
        for item in batch:  # this workload has no edits to resolve and no refusals
            message_id = await sender.call(item.method, item.params)
            async with services.db.transaction() as conn:
                await outbox.mark_sent(conn, item.id, message_id, services.clock.now())


async def _pending_count(app: AidApplication) -> int:
    """How many outbox calls are still pending."""
    async with services_of(app).db.read() as conn:
        return len(await outbox.pending(conn, 1_000_000))


def _bench_application(fake: LimitedFakeTelegram, folder: str, *, baseline: bool) -> AidApplication:
    """The real Application on the fake Telegram, with its database in `folder`."""
    settings = load_settings(
        {
            "BOT_TOKEN": TOKEN,
            "DATABASE_PATH": str(Path(folder) / "bench.sqlite3"),
            "TIMEZONE": "Europe/London",
        }
    )
    limiter = PtbDefaultLimiter() if baseline else None
    return build_application(settings, request=fake, clock=SystemClock(), rate_limiter=limiter)


class _BenchmarkDrains:
    """Whether the dispatcher may send now: only while the benchmark drains.

    A commit that writes to the outbox drains it (storage.database's write hooks), so without
    this the queueing transaction would send everything before the clock starts, and the
    strict-order variant's own drain would be overtaken by the lanes.
    """

    def __init__(self) -> None:
        self.on = False

    def __call__(self) -> bool:
        return self.on

    async def nobody_to_tell(self) -> None:
        """The dispatcher's hooks find sending paused: there is no other sender to wake."""


async def _take_over_outbox(application: AidApplication) -> _BenchmarkDrains:
    """Stop the outbox's retry job and finish the start-up drain: only the benchmark drains."""
    assert application.job_queue is not None
    for job in application.job_queue.get_jobs_by_name("outbox-retry"):
        job.schedule_removal()
    dispatcher = services_of(application).dispatcher
    await dispatcher.drain()  # after the start-up drain, if running
    drains = _BenchmarkDrains()
    dispatcher.share_sending(drains, drains.nobody_to_tell)
    return drains


async def _queue(application: AidApplication, dms: int, posts: int, purpose: str) -> None:
    """Queue `dms` alerts and `posts` group posts, spread among them, in one transaction."""
    every = (dms + posts) // posts if posts else 0
    async with services_of(application).db.transaction() as conn:
        for n in range(dms + posts):
            chat = GROUP if every and n % every == every - 1 else FIRST_DM + n
            text = ALERT.format(n=n)
            await notify.send(conn, chat, text, buttons=alert_buttons(n), purpose=purpose)


async def _drain_until_sent(
    application: AidApplication, sending: _BenchmarkDrains, *, strict_order: bool
) -> int:
    """Drain the outbox until nothing is pending; how many drains that took."""
    services = services_of(application)
    drains = 0
    sending.on = not strict_order  # the strict-order drain sends by itself, not the dispatcher
    while await _pending_count(application):
        drains += 1
        if strict_order:
            await strict_order_drain(application)
        else:
            await services.dispatcher.drain()
    sending.on = False
    return drains


def _measurements(
    fake: LimitedFakeTelegram, started: float, elapsed: float, drains: int
) -> dict[str, Any]:
    """What the fake Telegram accepted and refused, as rates, counts and times from `started`."""
    dm_times = [t for t, chat in fake.admitted if chat is not None and chat > 0]
    group_times = [t for t, chat in fake.admitted if chat == GROUP]
    dm_rate = _rate(dm_times, 1)
    group_rate = _rate(group_times, 60)
    return {
        "dms": len(dm_times),
        "group_posts": len(group_times),
        "dm_rate_per_second": dm_rate,
        "most_dms_in_one_second": _most_in_window(sorted(dm_times), 1.0),
        "dm_fraction_of_ceiling": dm_rate / DM_CEILING_PER_SECOND if dm_rate else None,
        "group_rate_per_minute": group_rate,
        "group_fraction_of_ceiling": (
            group_rate / GROUP_CEILING_PER_MINUTE if group_rate else None
        ),
        "group_within_one_window": len(group_times) <= GROUP_CEILING_PER_MINUTE,
        "too_many_requests": fake.too_many,
        "too_many_by_chat": {
            "private": sum(1 for _, chat, _ in fake.refused if chat is not None and chat > 0),
            "group": sum(1 for _, chat, _ in fake.refused if chat == GROUP),
        },
        "longest_retry_after_s": max((after for _, _, after in fake.refused), default=0),
        "seconds_to_drain": elapsed,
        "last_dm_after_s": dm_times[-1] - started if dm_times else None,
        "last_post_after_s": group_times[-1] - started if group_times else None,
        "drains": drains,
    }


async def deliver(
    label: str,
    dms: int,
    posts: int,
    *,
    baseline: bool = False,
    strict_order: bool = False,
    purpose: str = "",
) -> dict[str, Any]:
    """Queue `dms` alerts and `posts` group posts, drain until sent, and measure."""
    fake = LimitedFakeTelegram(latency=LATENCY)
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
        application = _bench_application(fake, tmp, baseline=baseline)
        await start_application(application)
        try:
            sending = await _take_over_outbox(application)
            await _queue(application, dms, posts, purpose)
            started = time.monotonic()
            drains = await _drain_until_sent(application, sending, strict_order=strict_order)
            elapsed = time.monotonic() - started
        finally:
            await stop_application(application)
    return {
        "variant": label,
        "limiter": "AIORateLimiter (PTB defaults)" if baseline else "sliding windows",
        "dispatcher": "strict outbox order (before lanes)" if strict_order else "per-chat lanes",
        **_measurements(fake, started, elapsed, drains),
    }


def _percent(value: float | None) -> str:
    """A fraction as a percentage, or a dash."""
    return f"{value:.1%}" if value is not None else "-"


async def _deliver_variants(
    quick: bool, dms: int, posts: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each variant's delivery, in the table's order; and the broadcast's, which is among them."""
    variants = [
        await deliver("sliding windows (bot/runtime/app.py)", dms, posts),
        await deliver("baseline: AIORateLimiter", dms, posts, baseline=True),
    ]
    broadcast = await deliver(
        "broadcast to volunteers", 150 if quick else 1000, 0, purpose="broadcast:1"
    )
    variants.append(broadcast)
    if not quick:  # the dispatcher before lanes: everything waits behind the throttled group
        variants.append(await deliver("strict order (before lanes)", 150, 10, strict_order=True))
    return variants, broadcast


def _print_variants(dms: int, posts: int, variants: list[dict[str, Any]]) -> None:
    """The table of rates, counts and refusals, one row a variant."""
    print_table(
        f"delivery: {dms} alerts to distinct private chats + {posts} posts to one group",
        [
            "variant",
            "DMs",
            "DM/s",
            "of 30/s",
            "most in 1 s",
            "posts",
            "posts/min",
            "of 20/min",
            "429s",
            "last DM s",
            "last post s",
        ],
        [
            [
                v["variant"],
                v["dms"],
                v["dm_rate_per_second"],
                _percent(v["dm_fraction_of_ceiling"]),
                v["most_dms_in_one_second"],
                v["group_posts"],
                v["group_rate_per_minute"] or "-",
                _percent(v["group_fraction_of_ceiling"])
                + (" (n<=20)" if v["group_within_one_window"] else ""),
                v["too_many_requests"],
                v["last_dm_after_s"],
                v["last_post_after_s"],
            ]
            for v in variants
        ],
    )


def _print_notes(broadcast: dict[str, Any]) -> None:
    """How to read the table, and the broadcast against its target."""
    print("rate = (n - 1) / (last - first accepted by the fake Telegram); DMs against 30/s")
    print("overall, posts against 20/min; '(n<=20)': the posts fit in one 20-per-minute window,")
    print("so their figure is not a sustained rate (they may go as a burst, or start late).")
    print("'most in 1 s' is what Telegram limits: over a short run, a full first and last")
    print("window make (n - 1) / span exceed 30/s while no second holds more than 30.")
    print(f"each Bot API call is answered after {LATENCY * 1000:.0f} ms (a network round trip).")
    target = 36.0 * len(broadcast_times(broadcast)) / 1000
    print(
        f"broadcast: {broadcast['dms']} messages in {broadcast['seconds_to_drain']:.1f} s "
        f"(target for 1,000: <= 36 s; scaled to this run: <= {target:.1f} s)"
    )


async def run(quick: bool) -> dict[str, Any]:
    """Deliver alerts and group posts through the real dispatcher at Telegram's limits."""
    dms, posts = (150, 2) if quick else (1000, 100)
    variants, broadcast = await _deliver_variants(quick, dms, posts)
    _print_variants(dms, posts, variants)
    _print_notes(broadcast)
    return {
        "workload": {"dms": dms, "group_posts": posts, "latency_s": LATENCY},
        "definition": " ".join((__doc__ or "").split("\n\n", 2)[2].split()),
        "variants": variants,
    }


def broadcast_times(variant: dict[str, Any]) -> range:
    """The broadcast's messages (for scaling its target to a quick run)."""
    return range(int(variant["dms"]))
