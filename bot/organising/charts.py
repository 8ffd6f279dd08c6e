"""Organisers' charts as PNG bytes, drawn from the same numbers as the /stats and /gaps texts.

matplotlib (Agg, no display) is imported only inside `_render`, when a chart is drawn. The bot
draws through `draw`, in a short-lived child process, so the bot itself never loads matplotlib
or keeps its memory (about 90 MB once imported): it stays within its 100 MB target however
many charts it has sent. Charts show counts only, never a name or a request's details, and
read in the language of whoever asked. Every chart carries the numbers it plots in the PNG's
"Counts" text chunk (JSON), so anyone (and the tests) can check the picture against the text.
"""

from __future__ import annotations

import asyncio
import io
import json
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from babel.dates import format_date

from config import chart_texts, i18n, request_texts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bot.directory.gaps import CategoryGap
    from bot.organising.stats import StatsReport

# A portrait picture that fills a phone's width: 1080 x 1350 pixels, with large type.
WIDTH_IN, HEIGHT_IN, DPI = 9.0, 11.25, 120
FONT_SIZE = 19
COUNTS_KEY = "Counts"
OUTCOME_COLOURS = {
    "helped": "#2e7d32",
    "in_progress": "#1565c0",
    "waiting": "#ef6c00",
    "cancelled": "#9e9e9e",
}
NEED_COLOUR, SHORT_COLOUR = "#ef6c00", "#c62828"
VOLUNTEER_COLOUR, ASSET_COLOUR = "#1565c0", "#64b5f6"


@dataclass(frozen=True)
class StatsSeries:
    """What the /stats chart plots: per week, requests by outcome and the median accept time."""

    weeks: tuple[str, ...]  # ISO date of each week's Monday
    outcomes: dict[str, tuple[int, ...]]
    median_accept_minutes: tuple[float | None, ...]

    @property
    def total(self) -> int:
        """Every request the chart counts."""
        return sum(sum(counts) for counts in self.outcomes.values())


@dataclass(frozen=True)
class GapsSeries:
    """What the /gaps chart plots, per category with anything to show."""

    days: int
    categories: tuple[str, ...]
    made: tuple[int, ...]
    short: tuple[int, ...]
    volunteers: tuple[int, ...]
    assets: tuple[int, ...]


def stats_series(report: StatsReport) -> StatsSeries:
    """The numbers of the /stats chart, from the report the text describes."""
    return StatsSeries(
        weeks=tuple(week.starts.isoformat() for week in report.weeks),
        outcomes={
            key: tuple(week.by_outcome[key] for week in report.weeks)
            for key in chart_texts.OUTCOME_LABELS
        },
        median_accept_minutes=tuple(
            None if week.median_accept_seconds is None else week.median_accept_seconds / 60
            for week in report.weeks
        ),
    )


def gaps_series(gaps: list[CategoryGap], days: int) -> GapsSeries:
    """The numbers of the /gaps chart: the categories the text gives a row, in its order."""
    shown = [gap for gap in gaps if gap.has_anything]
    return GapsSeries(
        days=days,
        categories=tuple(gap.category for gap in shown),
        made=tuple(gap.requests.made for gap in shown),
        short=tuple(gap.short for gap in shown),
        volunteers=tuple(gap.volunteers for gap in shown),
        assets=tuple(gap.assets for gap in shown),
    )


async def draw(series: StatsSeries | GapsSeries) -> bytes:
    """Draw a chart in a child process, in the current language (the bot's way to draw)."""
    loop = asyncio.get_running_loop()
    # spawn: a fresh interpreter, not a fork of the bot's threads and event loop.
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await loop.run_in_executor(pool, draw_in_language, series, i18n.current())
    finally:
        pool.shutdown(wait=False)  # the child exits once it has answered


def draw_in_language(series: StatsSeries | GapsSeries, language: str) -> bytes:
    """The chart for these numbers, drawn in `language` (runs in the drawing process)."""
    with i18n.speaking(language):
        if isinstance(series, StatsSeries):
            return stats_chart(series)
        return gaps_chart(series)


def stats_chart(series: StatsSeries) -> bytes:
    """Two panels: requests per week by outcome, and the median time to accept by week."""
    return _render(_draw_stats, series, _counts(series))


def gaps_chart(series: GapsSeries) -> bytes:
    """Per category, needs (requests, unmet or late) against offers (volunteers, assets)."""
    return _render(_draw_gaps, series, _counts(series))


def counts_in(png: bytes) -> dict[str, Any]:
    """The numbers a chart carries in its "Counts" text chunk."""
    from PIL import Image  # matplotlib's own dependency; only tests and tools read charts

    with Image.open(io.BytesIO(png)) as image:
        return dict(json.loads(image.info[COUNTS_KEY]))


def _counts(series: StatsSeries | GapsSeries) -> str:
    return json.dumps(series.__dict__, ensure_ascii=False)


def _render(draw: Callable[[Figure, Any], None], series: Any, counts: str) -> bytes:
    """Draw on a fresh Agg figure and return the PNG (no pyplot: no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    draw(figure, series)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={COUNTS_KEY: counts})
    return buffer.getvalue()


def _style(axes: Any, title: str) -> None:
    axes.set_title(title, fontsize=FONT_SIZE + 3, fontweight="bold", loc="left")
    axes.tick_params(labelsize=FONT_SIZE - 2)
    axes.spines[["top", "right"]].set_visible(False)


def _week_labels(weeks: tuple[str, ...]) -> list[str]:
    """Every other Monday (the latest always) as a short date in the current language."""
    from datetime import date

    last = len(weeks) - 1
    return [
        format_date(date.fromisoformat(w), "d MMM", locale=i18n.current())
        if (last - n) % 2 == 0
        else ""
        for n, w in enumerate(weeks)
    ]


def _draw_stats(figure: Figure, series: StatsSeries) -> None:
    counts_axes, speed_axes = figure.subplots(2, 1, height_ratios=(3, 2))
    positions = list(range(len(series.weeks)))
    bottom = [0] * len(positions)
    for key, label in chart_texts.OUTCOME_LABELS.items():
        values = series.outcomes[key]
        counts_axes.bar(
            positions, values, bottom=bottom, color=OUTCOME_COLOURS[key], label=label, width=0.8
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for x, total in zip(positions, bottom, strict=True):
        if total:
            counts_axes.annotate(
                str(total), (x, total), ha="center", va="bottom", fontsize=FONT_SIZE - 3
            )
    counts_axes.set_ylim(0, max([*bottom, 1]) * 1.12)
    counts_axes.set_ylabel(chart_texts.AXIS_REQUESTS, fontsize=FONT_SIZE)
    counts_axes.yaxis.get_major_locator().set_params(integer=True)
    figure.legend(loc="outside upper center", ncols=4, fontsize=FONT_SIZE - 4, frameon=False,
                  handlelength=1, columnspacing=1)  # fmt: skip
    _style(counts_axes, chart_texts.STATS_TITLE)

    minutes = series.median_accept_minutes
    known = [m for m in minutes if m is not None]
    in_hours = bool(known) and max(known) >= 600  # minutes read better up to ten hours
    scale = 60.0 if in_hours else 1.0
    heights = [0.0 if m is None else m / scale for m in minutes]
    speed_axes.bar(positions, heights, color=OUTCOME_COLOURS["in_progress"], width=0.8)
    for x, (m, h) in enumerate(zip(minutes, heights, strict=True)):
        shown = chart_texts.NONE_ACCEPTED if m is None else "<1" if h < 1 else f"{h:.0f}"
        speed_axes.annotate(shown, (x, h), ha="center", va="bottom", fontsize=FONT_SIZE - 4)
    speed_axes.set_ylim(0, max([*heights, 1.0]) * 1.2)
    speed_axes.set_ylabel(
        chart_texts.AXIS_HOURS if in_hours else chart_texts.AXIS_MINUTES, fontsize=FONT_SIZE
    )
    _style(speed_axes, chart_texts.STATS_SPEED_TITLE)
    for axes in (counts_axes, speed_axes):
        axes.set_xticks(positions, _week_labels(series.weeks), fontsize=FONT_SIZE - 4)
    speed_axes.set_xlabel(chart_texts.AXIS_WEEK_OF, fontsize=FONT_SIZE - 2)


def _draw_gaps(figure: Figure, series: GapsSeries) -> None:
    axes = figure.subplots()
    labels = chart_texts.GAPS_SERIES
    offers = [v + a for v, a in zip(series.volunteers, series.assets, strict=True)]
    # Per category: its name, the needs bar below it, the offers bar below that.
    needs_at = [1.5 * n + 0.45 for n in range(len(series.categories))]
    offers_at = [y + 0.5 for y in needs_at]
    bar = {"height": 0.45}
    axes.barh(needs_at, series.made, color=NEED_COLOUR, label=labels["made"], **bar)
    axes.barh(needs_at, series.short, color=SHORT_COLOUR, label=labels["short"], **bar)
    axes.barh(offers_at, series.volunteers, color=VOLUNTEER_COLOUR, label=labels["volunteers"],
              **bar)  # fmt: skip
    axes.barh(offers_at, series.assets, left=series.volunteers, color=ASSET_COLOUR,
              label=labels["assets"], **bar)  # fmt: skip
    ends = [*zip(needs_at, series.made, strict=True), *zip(offers_at, offers, strict=True)]
    for y, value in ends:
        axes.annotate(f" {value}", (value, y), va="center", ha="left", fontsize=FONT_SIZE - 2)
    for y, category in zip(needs_at, series.categories, strict=True):
        name = request_texts.CATEGORY_LABELS[category].split(" ", 1)[-1]
        axes.annotate(name, (0, y - 0.4), va="bottom", ha="left", fontsize=FONT_SIZE,
                      fontweight="bold")  # fmt: skip
    axes.set_yticks([])
    axes.set_ylim(offers_at[-1] + 0.5 if offers_at else 1, -0.3)
    axes.set_xlim(0, max([*series.made, *offers, 1]) * 1.15)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.spines["left"].set_visible(False)
    _style(axes, chart_texts.GAPS_TITLE(series.days))
    figure.legend(loc="outside lower center", ncols=2, fontsize=FONT_SIZE - 3, frameon=False)
