"""The demo: `mutual-aid-bot demo` plays the story (bot.runtime.demo_story) on the Stage.

The Stage (bot.runtime.demo_stage) drives the real Application on the offline Bot API; nothing
here is used by the running bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from bot.clock import FakeClock
from bot.delivery.send_limits import unlimited
from bot.offline.fake_bot_api import FakeTelegram
from bot.runtime.app import build_application, start_application, stop_application
from bot.runtime.demo_stage import DEMO_START, DemoError, Pause, Stage, demo_settings
from bot.runtime.demo_story import CAST, StoryResult, tell


def _tolerate_encoding(out: TextIO) -> None:
    """Let the transcript's emoji through (as ?) on consoles that are not UTF-8."""
    reconfigure = getattr(out, "reconfigure", None)
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "")
    if reconfigure is not None and encoding != "utf8":
        reconfigure(errors="replace")


async def play(
    out: TextIO,
    *,
    pause: Pause | None = None,
    directory: Path | None = None,
    language: str | None = None,
) -> StoryResult:
    """Start the bot on a throwaway database, play the story, stop; returns what happened."""
    with contextlib.ExitStack() as stack:
        if directory is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="aid-demo-")))
        organiser = next(actor for actor in CAST if actor.role == "organiser")
        settings = demo_settings(directory, organiser.id)
        fake, clock = FakeTelegram(bot_username="MutualAidDemoBot"), FakeClock(DEMO_START)
        app = build_application(settings, request=fake, clock=clock, limits=unlimited())
        stage = Stage(app=app, fake=fake, clock=clock, out=out, pause=pause, language=language)
        stage.cast(*CAST)
        app.add_error_handler(stage.record_error)
        await start_application(app)
        try:
            return await tell(stage)
        finally:
            await stop_application(app)


async def _wait_for_enter() -> None:
    """--step: wait for Enter without blocking the bot's event loop (EOF just goes on)."""
    with contextlib.suppress(EOFError):
        await asyncio.to_thread(input, "  [Enter for the next step] ")


def run_demo(*, step: bool = False, out: TextIO | None = None, language: str | None = None) -> int:
    """Play the demo story and print its transcript (to stdout); returns the exit status."""
    out = out or sys.stdout
    started = time.monotonic()
    _tolerate_encoding(out)
    try:
        asyncio.run(play(out, pause=_wait_for_enter if step else None, language=language))
    except DemoError as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    print(f"\nDemo finished in {time.monotonic() - started:.1f} s.", file=out)
    return 0
