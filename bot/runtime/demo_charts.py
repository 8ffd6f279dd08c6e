"""`mutual-aid-bot demo --charts DIR`: the demo's Elm Park with twelve weeks of history, charted.

The demo's cast sets Elm Park up as in the story (the organiser, four volunteers, a resident),
twelve weeks before the story's day. Then, week by week, neighbours ask for help through the
bot's services on the FakeClock, volunteers accept after a while, finish, and are thanked;
some requests wait, a few are cancelled. On the story's day the organiser sends /stats and
/gaps through the real bot, and the charts it sends are written to DIR (the pictures in
docs/organisers.md). Nothing here is used by the running bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import random
import tempfile
from datetime import timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.delivery.send_limits import unlimited
from bot.offline.fake_bot_api import FakeTelegram
from bot.requests.request_types import RequestDraft
from bot.runtime.app import build_application, start_application, stop_application
from bot.runtime.demo_stage import DEMO_START, DemoError, Stage, demo_settings
from bot.when import WhenKind, window_for

WEEKS = 12
# (category, volunteer who takes it) for the requests of a week, drawn at random.
KINDS = (("shopping", 2001), ("prescription", 2002), ("prescription", 2001), ("dog_walking", 2003))


async def _one_request(stage: Stage, rng: random.Random) -> None:
    """A request on a weekday morning: accepted after a while, then done (mostly)."""
    from bot.runtime.demo_story import RESIDENT

    services, clock = stage.services, stage.clock
    category, volunteer = rng.choice(KINDS)
    draft = RequestDraft(
        neighbourhood_id=(await services.community.memberships(RESIDENT.id))[0][0].id,
        category=category,
        description="Demo history",
        window=window_for(WhenKind.TODAY, clock.now(), services.settings.timezone),
        contact_phone=None,
        telegram_only=True,
        address="1 Elm Road",
        payment_method="doorstep" if category == "shopping" else None,
        pharmacy="Boots, High Street" if category == "prescription" else None,
    )
    created = await services.requests.create(RESIDENT.id, draft)
    fate = rng.random()
    if fate < 0.08:
        await services.requests.cancel(RESIDENT.id, created.request_id)
        return
    if fate < 0.14:
        return  # nobody took it yet
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(minutes=rng.choice((2, 5, 12, 20, 35, 50, 80, 140))))
    await services.requests.accept(volunteer, created.request_id)
    if fate < 0.22:
        return  # still with the volunteer
    await services.requests.mark_done(volunteer, created.request_id)
    await services.requests.confirm(RESIDENT.id, created.request_id, satisfied=True)


async def _history(stage: Stage, rng: random.Random) -> None:
    """Twelve weeks of requests, a few each weekday, ending on the story's day."""
    clock = stage.clock
    assert isinstance(clock, FakeClock)
    for week in range(WEEKS):
        busy = 1 + week // 3  # the group grows
        for day in range(5):
            await stage.advance_to(
                DEMO_START - timedelta(weeks=WEEKS - 1 - week) + timedelta(days=day)
            )
            if week == WEEKS - 1 and day > 0:
                return  # the story's day is the last
            for _ in range(rng.randint(0, busy)):
                await _one_request(stage, rng)


async def draw_demo_charts(folder: Path, *, seed: int = 16) -> list[Path]:
    """Play the history and write the /stats and /gaps charts the organiser gets; their paths."""
    from bot.runtime.demo_story import (
        CAST,
        ORGANISER,
        RESIDENT,
        join,
        set_up_neighbourhood,
        volunteers_join,
    )

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aid-charts-") as directory:
        settings = demo_settings(Path(directory), ORGANISER.id)
        fake = FakeTelegram(bot_username="MutualAidDemoBot")
        clock = FakeClock(DEMO_START - timedelta(weeks=WEEKS - 1, hours=1))
        app = build_application(settings, request=fake, clock=clock, limits=unlimited())
        stage = Stage(app=app, fake=fake, clock=clock, out=io.StringIO(), pause=None)
        stage.cast(*CAST)
        app.add_error_handler(stage.record_error)
        await start_application(app)
        try:
            payload = await set_up_neighbourhood(stage)
            await volunteers_join(stage, payload)
            await join(stage, RESIDENT, payload)
            await _history(stage, random.Random(seed))
            written = []
            for command, args, name in (("stats", "84", "stats"), ("gaps", "84", "gaps")):
                before = len(fake.photos_to(ORGANISER.id))
                await stage.command(ORGANISER, command, args)
                photos = fake.photos_to(ORGANISER.id)[before:]
                if len(photos) != 1:
                    raise DemoError(f"/{command} sent {len(photos)} charts, not one")
                path = folder / f"{name}-chart.png"
                path.write_bytes(photos[0])
                written.append(path)
            return written
        finally:
            with contextlib.suppress(Exception):
                await stop_application(app)


def write_demo_charts(folder: Path) -> int:
    """The CLI entry: write the pictures and say where; returns the exit status."""
    for path in asyncio.run(draw_demo_charts(folder)):
        print(f"wrote {path}")
    return 0
