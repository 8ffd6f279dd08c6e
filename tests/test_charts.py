"""/stats sends its chart after the text: a PNG of the numbers the text and caption give."""

from __future__ import annotations

import re
import statistics
import sys
from datetime import timedelta

from bot.offline.support import png_size
from bot.organising import charts
from bot.organising.stats import CHART_WEEKS
from config import i18n
from tests.conftest import BotHarness
from tests.flows_oversight import ELM_ORGANISER, two_neighbourhoods
from tests.test_stats import seed

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
# (days before now, status, minutes to accept) per seeded request. The FakeClock starts on
# Monday 2 Nov 2026, so "k weeks and a day" ago falls in the chart's week 10 - k.
HISTORY = [
    (1, "closed", 4),
    (1, "open", None),
    (2, "assigned", 30),
    (8, "closed", 90),
    (8, "cancelled", None),
    (9, "closed", 150),
    (9, "done", 10),
    (22, "closed", 0.5),
    (36, "open", None),
    (71, "closed", 600),
]
OUTCOME = {"closed": "helped", "done": "helped", "assigned": "in_progress", "open": "waiting",
           "cancelled": "cancelled"}  # fmt: skip


def expected_weeks() -> tuple[dict[str, list[int]], list[float | None]]:
    """Outcomes and median accept minutes per chart week, worked out from HISTORY by hand."""
    outcomes = {key: [0] * CHART_WEEKS for key in ("helped", "in_progress", "waiting", "cancelled")}
    delays: list[list[float]] = [[] for _ in range(CHART_WEEKS)]
    for days_ago, status, minutes in HISTORY:
        week = CHART_WEEKS - 1 - (days_ago + 6) // 7  # Monday 09:00 minus whole days
        outcomes[OUTCOME[status]][week] += 1
        if minutes is not None:
            delays[week].append(minutes)
    return outcomes, [statistics.median(d) if d else None for d in delays]


async def seeded(bot: BotHarness) -> None:
    c = await two_neighbourhoods(bot)
    now = bot.clock.now()
    for days_ago, status, minutes in HISTORY:
        accepted = minutes is not None
        await seed(
            bot, c.elm, "shopping", now - days_ago * DAY, status=status,
            accepted_after=minutes * MINUTE if accepted else None,
            assignee=c.volunteer_person if accepted else None,
        )  # fmt: skip


async def test_stats_sends_a_png_with_the_numbers_of_its_text(harness: BotHarness) -> None:
    await seeded(harness)
    await harness.send(harness.build.command(ELM_ORGANISER, "stats", "90"))
    calls = harness.fake.calls_to(chat_id=ELM_ORGANISER.id)
    assert [c.method for c in calls[-2:]] == ["sendMessage", "sendPhoto"]  # text, then chart
    text, photo = calls[-2].params["text"], calls[-1]
    [png] = harness.fake.photos_to(ELM_ORGANISER.id)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png_size(png) == (1080, 1350)  # fills a phone's width, portrait
    assert photo.result["photo"][0]["width"] == 1080
    assert 20_000 < len(png) < 1_000_000

    drawn = charts.counts_in(png)
    outcomes, medians = expected_weeks()
    assert drawn["outcomes"] == outcomes
    assert drawn["median_accept_minutes"] == medians
    assert drawn["weeks"][-1] == "2026-11-02" and drawn["weeks"][0] == "2026-08-17"
    # The chart, its caption and the text count the same requests (all within 90 days).
    total = sum(sum(week) for week in drawn["outcomes"].values())
    assert total == len(HISTORY)
    assert f"<b>{total} requests</b> from neighbours" in text
    caption = photo.params["caption"]
    assert re.search(rf"The last {CHART_WEEKS} weeks: {total} requests", caption)
    helped = sum(drawn["outcomes"]["helped"])
    assert f"🎉 {helped} helped" in text
    # A week whose accept time was under a minute is drawn with its real value.
    assert 0.5 in drawn["median_accept_minutes"]


async def test_the_chart_is_drawn_in_the_readers_language(harness: BotHarness) -> None:
    await seeded(harness)
    report = await harness.services.oversight.stats.report(ELM_ORGANISER.id, 30)
    assert report is not None
    series = charts.stats_series(report)
    english = charts.stats_chart(series)
    with i18n.speaking("cy"):
        welsh = charts.stats_chart(series)
    assert english != welsh  # the titles, legend and dates differ
    assert charts.counts_in(english) == charts.counts_in(welsh)


async def test_no_chart_without_requests_and_no_plotting_library_until_drawn(
    harness: BotHarness,
) -> None:
    await two_neighbourhoods(harness)
    await harness.send(harness.build.command(ELM_ORGANISER, "stats"))
    assert harness.fake.photos_to(ELM_ORGANISER.id) == []
    assert "No requests were made" in (harness.fake.last_text_to(ELM_ORGANISER.id) or "")


def test_the_bot_does_not_import_matplotlib_on_start() -> None:
    """Checked in a fresh interpreter: building the application leaves matplotlib unloaded."""
    import subprocess

    code = (
        "import sys, bot.runtime.app, bot.organising.charts, handlers, bot.organising.stats\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at start-up'\n"
        "print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_the_guide_shows_a_picture_of_each_chart() -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs"
    guide = (docs / "organisers.md").read_text(encoding="utf-8")
    for name, key in (("stats-chart.png", "outcomes"), ("gaps-chart.png", "categories")):
        assert f"](images/{name})" in guide
        png = (docs / "images" / name).read_bytes()
        assert png_size(png) == (1080, 1350)
        assert key in charts.counts_in(png)  # drawn by bot.organising.charts, numbers inside
