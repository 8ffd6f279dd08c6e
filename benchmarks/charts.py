"""Organisers' charts at city scale: 1,000 neighbourhoods with twelve weeks of request history.

A fresh SQLite file is migrated by the bot's own code and bulk-loaded with the stdlib sqlite3
module: 1,000 neighbourhoods, each with 0 to 12 requests a week over the chart's twelve weeks
(about 78,000 requests, outcomes and accept times drawn at random), approved volunteers with
categories, and the bootstrap organiser, who organises every neighbourhood. A fresh Python
process then does what /stats and /gaps do for that organiser, through the bot's services:
build the numbers (the same the text shows), then draw each chart as the bot does
(`bot.organising.charts.draw`: a spawned child process per chart, which imports matplotlib, draws
and
exits), and again in-process (the drawing alone, after a first draw that imports matplotlib),
whose peak RSS is what a drawing process needs. The baselines, measured in the same run and
process, are building the numbers for the text, and the RSS before any chart was drawn.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.common import print_table, summarise
from storage.sqlite_database import SqliteDatabase
from storage.timefmt import to_db

if TYPE_CHECKING:
    from bot.directory.gaps import NeighbourhoodGaps
    from bot.organising.charts import GapsSeries, StatsSeries
    from bot.organising.stats import StatsReport

NEIGHBOURHOODS = 1_000
WEEKS = 12
ORGANISER_ID = 1001
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the FakeClock's start: a Monday morning
CATEGORIES = ("shopping", "prescription", "checkin_call", "dog_walking", "lift", "other")
STATUSES = ("closed", "closed", "closed", "done", "assigned", "open", "cancelled")
FULL_DRAWS = 10
QUICK_DRAWS = 3
RSS_TARGET_MB = 100.0  # the idle bot's memory target; drawing is allowed above it, briefly


def seed_database(path: Path, seed: int = 16) -> int:
    """Bulk-load the history; returns how many requests it holds."""
    rng = random.Random(seed)
    stamp = to_db(NOW)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO people (id, telegram_id, display_name, consent_at, consent_version, "
            "created_at, updated_at) VALUES (1, ?, 'Olive', ?, 'v', ?, ?)",
            (ORGANISER_ID, stamp, stamp, stamp),
        )
        conn.executemany(
            "INSERT INTO neighbourhoods (id, name, created_at) VALUES (?, ?, ?)",
            ((n, f"Neighbourhood {n}", stamp) for n in range(1, NEIGHBOURHOODS + 1)),
        )
        rows = []
        for nid in range(1, NEIGHBOURHOODS + 1):
            for week in range(WEEKS):
                for _ in range(rng.randint(0, 12)):
                    created = NOW - timedelta(weeks=week, minutes=rng.randint(1, 7 * 24 * 60))
                    status = rng.choice(STATUSES)
                    accepted = None
                    if status not in ("open", "cancelled"):
                        accepted = to_db(created + timedelta(minutes=rng.expovariate(1 / 45)))
                    rows.append((nid, rng.choice(CATEGORIES), to_db(created), status, accepted))
        conn.executemany(
            "INSERT INTO help_requests (ref, neighbourhood_id, category, description, when_kind, "
            "starts_at, ends_at, status, created_at, updated_at, accepted_at) "
            "VALUES ('R-' || hex(randomblob(5)), ?, ?, 'seeded', 'today', ?3, ?3, ?, ?3, ?3, ?)",
            rows,
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return len(rows)


def _rss_mb() -> dict[str, float]:
    """This process's VmRSS and VmHWM (peak), in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values


@dataclass(frozen=True)
class _Numbers:
    """What /stats and /gaps build for their text, and the seconds each took."""

    report: StatsReport
    gaps: list[NeighbourhoodGaps]
    stats_s: float
    gaps_s: float
    idle: dict[str, float]  # _rss_mb() with the services open, before the numbers


async def _build_numbers(database: Path) -> _Numbers:
    """Open the bot's services on the database and time building /stats' and /gaps' numbers."""
    from bot.clock import FakeClock
    from bot.directory.gaps import describe as describe_gaps
    from bot.organising.stats import describe as describe_stats
    from bot.runtime.services import build_services
    from config.settings import load_settings

    settings = load_settings(
        {
            "BOT_TOKEN": "1000:BENCH-token-not-real-0123456789abcdef",
            "DATABASE_PATH": str(database),
            "ORGANISER_IDS": str(ORGANISER_ID),
            "TIMEZONE": "Europe/London",
        }
    )
    services = build_services(settings, FakeClock(NOW), sender=None)  # type: ignore[arg-type]
    await services.db.open()
    try:
        idle = _rss_mb()
        started = time.perf_counter()
        report = await services.oversight.stats.report(ORGANISER_ID, 30)
        assert report is not None
        describe_stats(report)
        stats_numbers = time.perf_counter() - started
        started = time.perf_counter()
        gaps = await services.assets.gaps.report(ORGANISER_ID, 30)
        assert gaps is not None
        "\n".join(describe_gaps(g) for g in gaps)
        gaps_numbers = time.perf_counter() - started
    finally:
        await services.db.close()
    return _Numbers(report, gaps, stats_numbers, gaps_numbers, idle)


async def _time_bot_draws(
    series: dict[str, StatsSeries | GapsSeries], draws: int
) -> dict[str, list[float]]:
    """Draw each chart as the bot does (a child process per chart), `draws` rounds; seconds."""
    from bot.organising import charts

    timings: dict[str, list[float]] = {name: [] for name in series}
    for _ in range(draws):
        for name, one in series.items():
            started = time.perf_counter()
            await charts.draw(one)
            timings[name].append(time.perf_counter() - started)
    return timings


def _time_draws_in_process(
    stats_series: StatsSeries, gaps_series: GapsSeries, draws: int
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Draw each chart in this process, `draws` rounds; the seconds and the PNG sizes in bytes."""
    from bot.organising import charts

    timings: dict[str, list[float]] = {"stats": [], "gaps": []}
    sizes = {}
    for _ in range(draws):
        for name, draw, series in (
            ("stats", charts.stats_chart, stats_series),
            ("gaps", charts.gaps_chart, gaps_series),
        ):
            started = time.perf_counter()
            png = draw(series)  # type: ignore[operator]
            timings[name].append(time.perf_counter() - started)
            sizes[name] = len(png)
    return timings, sizes


async def _measure(database: Path, draws: int) -> dict[str, Any]:
    """In a fresh process: build the numbers, draw each chart, read the memory."""
    from bot.organising import charts  # before the idle RSS is read, as the bot has it loaded

    numbers = await _build_numbers(database)
    assert "matplotlib" not in sys.modules
    before = _rss_mb()  # the numbers are built: what drawing adds is measured from here
    stats_series = charts.stats_series(numbers.report)
    gaps_series = charts.gaps_series(numbers.gaps[0].gaps, 30)
    as_the_bot = await _time_bot_draws({"stats": stats_series, "gaps": gaps_series}, draws)
    assert "matplotlib" not in sys.modules  # the bot's process never loads it
    bot_after = _rss_mb()
    timings, sizes = _time_draws_in_process(stats_series, gaps_series, draws)
    after = _rss_mb()
    return {
        "bot_stats_chart": summarise(as_the_bot["stats"]),
        "bot_gaps_chart": summarise(as_the_bot["gaps"]),
        "bot_rss_after_charts_mb": bot_after["VmRSS"],
        "bot_peak_rss_after_charts_mb": bot_after["VmHWM"],
        "requests_in_chart": stats_series.total,
        "stats_numbers_s": numbers.stats_s,
        "gaps_numbers_s": numbers.gaps_s,
        "first_stats_draw_s": timings["stats"][0],
        "stats_draw": summarise(timings["stats"][1:]),
        "gaps_draw": summarise(timings["gaps"][1:] or timings["gaps"]),
        "png_bytes": sizes,
        "rss_services_open_mb": numbers.idle["VmRSS"],
        "peak_rss_with_numbers_mb": before["VmHWM"],
        "rss_before_mb": before["VmRSS"],
        "peak_rss_after_mb": after["VmHWM"],
        "rss_after_mb": after["VmRSS"],
    }


async def _seed(database: Path) -> tuple[int, float]:
    """Migrate a fresh database and load the history; the requests seeded and the seconds taken."""
    db = SqliteDatabase(database)
    await db.open()
    await db.migrate()
    await db.close()
    started = time.perf_counter()
    requests = await asyncio.to_thread(seed_database, database)
    return requests, time.perf_counter() - started


def _measure_in_child(database: Path, draws: int) -> dict[str, Any]:
    """Run `_measure` in a fresh Python process; the result it prints last, as JSON."""
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.charts", str(database), str(draws)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def _print_bot_charts(result: dict[str, Any], draws: int, requests: int) -> None:
    """The table of charts drawn as the bot draws them, against building their numbers."""
    numbers_ms = {
        "stats": result["stats_numbers_s"] * 1000,
        "gaps": result["gaps_numbers_s"] * 1000,
    }
    print_table(
        f"as the bot draws: a child process per chart, {draws} of each "
        f"({NEIGHBOURHOODS:,} neighbourhoods, {requests:,} requests)",
        ("chart", "numbers ms", "chart p50 ms", "chart p99 ms", "chart / numbers"),
        [
            (
                f"/{name}",
                numbers_ms[name],
                result[f"bot_{name}_chart"]["p50_ms"],
                result[f"bot_{name}_chart"]["p99_ms"],
                result[f"bot_{name}_chart"]["p50_ms"] / numbers_ms[name],
            )
            for name in ("stats", "gaps")
        ],  # fmt: skip
    )


def _print_drawing_alone(result: dict[str, Any]) -> None:
    """The table of charts drawn in-process: the drawing alone, without a child's start."""
    stats_ms, gaps_ms = result["stats_draw"]["p50_ms"], result["gaps_draw"]["p50_ms"]
    print_table(
        f"drawing alone, in-process ({result['requests_in_chart']:,} requests in the /stats chart)",
        (
            "chart",
            "numbers ms",
            "first draw ms",
            "draw p50 ms",
            "draw p99 ms",
            "draw / numbers",
            "png KB",
        ),  # fmt: skip
        [
            (
                "/stats",
                result["stats_numbers_s"] * 1000,
                result["first_stats_draw_s"] * 1000,
                stats_ms,
                result["stats_draw"]["p99_ms"],
                stats_ms / (result["stats_numbers_s"] * 1000),
                result["png_bytes"]["stats"] / 1024,
            ),
            (
                "/gaps",
                result["gaps_numbers_s"] * 1000,
                "-",
                gaps_ms,
                result["gaps_draw"]["p99_ms"],
                gaps_ms / (result["gaps_numbers_s"] * 1000),
                result["png_bytes"]["gaps"] / 1024,
            ),
        ],  # fmt: skip
    )


def _print_memory(result: dict[str, Any]) -> None:
    """The table of memory before and after the charts, in the bot's process and drawing's."""
    print_table(
        "memory, MB (VmRSS; peak is VmHWM)",
        (
            "process",
            "before charts",
            "peak with numbers",
            "after charts",
            "peak after charts",
            "peak / before",
            "idle target",
        ),  # fmt: skip
        [
            (
                "bot (charts in a child)",
                result["rss_before_mb"],
                result["peak_rss_with_numbers_mb"],
                result["bot_rss_after_charts_mb"],
                result["bot_peak_rss_after_charts_mb"],
                result["bot_peak_rss_after_charts_mb"] / result["rss_before_mb"],
                RSS_TARGET_MB,
            ),
            (
                "drawing in-process",
                result["rss_before_mb"],
                result["peak_rss_with_numbers_mb"],
                result["rss_after_mb"],
                result["peak_rss_after_mb"],
                result["peak_rss_after_mb"] / result["rss_before_mb"],
                RSS_TARGET_MB,
            ),
        ],  # fmt: skip
    )


async def run(quick: bool) -> dict[str, Any]:
    """Seed the history, measure in a fresh process, print the table."""
    draws = QUICK_DRAWS if quick else FULL_DRAWS
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "charts.sqlite3"
        requests, seeded_s = await _seed(database)
        result = _measure_in_child(database, draws)
    result.update(neighbourhoods=NEIGHBOURHOODS, requests_seeded=requests, seed_s=seeded_s)
    _print_bot_charts(result, draws, requests)
    _print_drawing_alone(result)
    _print_memory(result)
    return result


if __name__ == "__main__":
    # The measuring child: python -m benchmarks.charts DATABASE DRAWS
    measured = asyncio.run(_measure(Path(sys.argv[1]), int(sys.argv[2])))
    print(json.dumps(measured))
