"""Delivery at Telegram's ceiling: the real outbox dispatcher against a rate-limited Telegram.

The real Application is built by `bot.app.build_application` on a LimitedFakeTelegram, which
refuses with HTTP 429 what Telegram would (30 messages in any second overall, 20 in any minute
per group, 3 in any 3 seconds per private chat) and answers each call after 50 ms, a modest
network round trip. Alerts to distinct private chats and posts to
one group are queued through `bot.notify.send` in one transaction, interleaved in outbox order,
then `services_of(app).dispatcher` (OutboxDispatcher + TelegramSender on the Application's
ExtBot with AIORateLimiter) drains them until none is pending.

Rates are measured where Telegram would see them: from the first to the last message of each
kind accepted by the fake, (n - 1) / (t_last - t_first). DMs are compared with 30/s (Telegram's
overall limit, which the group's posts share), the group with 20/min. Because Telegram counts
sliding windows, a sender may burst a whole window at once: with n at or below the window (20
group posts) the group figure is a burst, not a sustained rate.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from telegram.ext import AIORateLimiter

import bot.app as app_module
from benchmarks.common import print_table
from bot import notify
from bot.alerting import alert_buttons
from bot.app import build_application, services_of, start_application, stop_application
from bot.clock import SystemClock
from bot.offline_limits import LimitedFakeTelegram
from bot.telegram_sender import TelegramSender
from config.settings import load_settings
from handlers.context import AidApplication
from storage import outbox

TOKEN = "1000:BENCH-token-not-real-0123456789abcdef"
GROUP = -1001000000001
FIRST_DM = 100_000
LATENCY = 0.05  # seconds for each Bot API answer: a modest round trip to api.telegram.org
DM_CEILING_PER_SECOND = 30
GROUP_CEILING_PER_MINUTE = 20
# The change proposed for bot/app.py: a bucket of one, filled just under each limit.
PROPOSED_LIMITS: dict[str, float] = {
    "overall_max_rate": 1,
    "overall_time_period": 1 / 29,
    "group_max_rate": 1,
    "group_time_period": 60 / 19,
}
ALERT = (
    "<b>Can you help?</b> R-{n:04d}: Shopping in Elm Park, today 09:00-18:00.\n"
    "Press Accept to take it; the details are shown only to you."
)


@contextmanager
def limiter_arguments(arguments: dict[str, float]) -> Iterator[None]:
    """While building, make bot.app's AIORateLimiter take these arguments too."""
    original = app_module.AIORateLimiter
    patched = functools.partial(AIORateLimiter, **arguments)
    app_module.AIORateLimiter = patched  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        app_module.AIORateLimiter = original  # type: ignore[misc]


def _rate(times: list[float], per: float) -> float | None:
    """(n - 1) / (last - first), per `per` seconds; None for fewer than two."""
    if len(times) < 2 or times[-1] <= times[0]:
        return None
    return (len(times) - 1) / (times[-1] - times[0]) * per


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


async def deliver(
    label: str,
    dms: int,
    posts: int,
    *,
    limits: dict[str, float] | None,
    strict_order: bool = False,
) -> dict[str, Any]:
    """Queue `dms` alerts and `posts` group posts, drain until sent, and measure."""
    fake = LimitedFakeTelegram(latency=LATENCY)
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
        settings = load_settings(
            {
                "BOT_TOKEN": TOKEN,
                "DATABASE_PATH": str(Path(tmp) / "bench.sqlite3"),
                "TIMEZONE": "Europe/London",
            }
        )
        if limits is None:
            application = build_application(settings, request=fake, clock=SystemClock())
        else:
            with limiter_arguments(limits):
                application = build_application(settings, request=fake, clock=SystemClock())
        await start_application(application)
        try:
            services = services_of(application)
            assert application.job_queue is not None  # only this benchmark drains from now on
            for job in application.job_queue.get_jobs_by_name("outbox-retry"):
                job.schedule_removal()
            await services.dispatcher.drain()  # after the start-up drain, if it is running
            every = (dms + posts) // posts if posts else 0
            now = services.clock.now()
            async with services.db.transaction() as conn:
                for n in range(dms + posts):
                    chat = GROUP if every and n % every == every - 1 else FIRST_DM + n
                    text = ALERT.format(n=n)
                    await notify.send(conn, chat, text, now, buttons=alert_buttons(n))
            started = time.monotonic()
            drains = 0
            while await _pending_count(application):
                drains += 1
                if strict_order:
                    await strict_order_drain(application)
                else:
                    await services.dispatcher.drain()
            elapsed = time.monotonic() - started
        finally:
            await stop_application(application)
    dm_times = [t for t, chat in fake.admitted if chat is not None and chat > 0]
    group_times = [t for t, chat in fake.admitted if chat == GROUP]
    dm_rate = _rate(dm_times, 1)
    group_rate = _rate(group_times, 60)
    return {
        "variant": label,
        "limiter": "AIORateLimiter as in bot/app.py" if limits is None else limits,
        "dispatcher": "strict outbox order (before lanes)" if strict_order else "per-chat lanes",
        "dms": len(dm_times),
        "group_posts": len(group_times),
        "dm_rate_per_second": dm_rate,
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


def _percent(value: float | None) -> str:
    """A fraction as a percentage, or a dash."""
    return f"{value:.1%}" if value is not None else "-"


async def run(quick: bool) -> dict[str, Any]:
    """Deliver alerts and group posts through the real dispatcher at Telegram's limits."""
    dms, posts = (150, 2) if quick else (1000, 100)
    variants = [
        await deliver("bot/app.py today", dms, posts, limits=None),
        await deliver("proposed limiter", dms, posts, limits=PROPOSED_LIMITS),
    ]
    if not quick:  # the dispatcher before lanes: everything waits behind the throttled group
        strict = await deliver(
            "proposed, strict order", 150, 10, limits=PROPOSED_LIMITS, strict_order=True
        )
        variants.append(strict)
    print_table(
        f"delivery: {dms} alerts to distinct private chats + {posts} posts to one group",
        [
            "variant",
            "DMs",
            "DM/s",
            "of 30/s",
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
    print("rate = (n - 1) / (last - first accepted by the fake Telegram); DMs against 30/s")
    print("overall, posts against 20/min; '(n<=20)': the posts fit in one 20-per-minute window,")
    print("so their figure is not a sustained rate (they may go as a burst, or start late).")
    print(f"each Bot API call is answered after {LATENCY * 1000:.0f} ms (a network round trip).")
    print(f"proposed limiter (bot/app.py): AIORateLimiter({_arguments(PROPOSED_LIMITS)}, ...)")
    return {
        "workload": {"dms": dms, "group_posts": posts, "latency_s": LATENCY},
        "definition": " ".join((__doc__ or "").split("\n\n", 2)[2].split()),
        "proposed_limits": PROPOSED_LIMITS,
        "variants": variants,
    }


def _arguments(arguments: dict[str, float]) -> str:
    """Keyword arguments as they would be written."""
    return ", ".join(f"{key}={value:g}" for key, value in arguments.items())
