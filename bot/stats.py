"""Community stats for organisers: needs met, how fast, by whom, and the thanks passed on."""

from __future__ import annotations

import html
import math
import statistics
from dataclasses import dataclass
from datetime import timedelta

from bot.alerting import category_text
from bot.core import Core
from bot.durations import duration_words
from config import oversight_texts as t
from config import request_texts as rt
from storage import stats

HOUR = 3600.0
MAX_DAYS = 366
DEFAULT_DAYS = 30
OUTCOMES = {
    "done": "helped",
    "closed": "helped",
    "assigned": "in_progress",
    "open": "waiting",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class StatsReport:
    """The numbers /stats shows for a period and a set of neighbourhoods."""

    days: int
    neighbourhood_names: tuple[str, ...]
    by_category: dict[str, int]
    by_outcome: dict[str, int]
    median_accept_seconds: float | None
    p90_accept_seconds: float | None
    accepted_within_hour_share: float | None  # of all requests made in the period
    tasks_per_volunteer: tuple[int, ...]
    approved_volunteers: int
    thanks: int
    checkins_kept: int = 0  # welfare check-ins answered
    checkins_due: int = 0  # answered or missed (those still waiting for an answer not counted)

    @property
    def total_requests(self) -> int:
        """How many requests were made in the period."""
        return sum(self.by_category.values())

    @property
    def volunteers_doing_most(self) -> int:
        """The fewest volunteers who together took on more than half of the tasks."""
        half = sum(self.tasks_per_volunteer) / 2
        running = 0
        for count, tasks in enumerate(self.tasks_per_volunteer, start=1):
            running += tasks
            if running > half:
                return count
        return 0


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.9: the value nine in ten are at or below)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


class Stats:
    """Builds /stats for the neighbourhoods a person organises."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def report(self, telegram_id: int, days: int) -> StatsReport | None:
        """The period's numbers over the person's neighbourhoods (None if they organise none)."""
        core = self._core
        since = core.clock.now() - timedelta(days=days)
        organised = await core.community.organised_neighbourhoods(telegram_id)
        if not organised:
            return None
        async with core.db.read() as conn:
            ids = [n.id for n in organised]
            counts = await stats.requests_by_category_and_status(conn, ids, since)
            delays = await stats.accept_delays(conn, ids, since)
            spread = await stats.tasks_per_volunteer(conn, ids, since)
            approved = await stats.approved_volunteers(conn, ids)
            thanks = await stats.thanks_given(conn, ids, since)
            kept, due = await stats.checkins_kept(conn, ids, since)
        by_category: dict[str, int] = {}
        by_outcome = dict.fromkeys(("helped", "in_progress", "waiting", "cancelled"), 0)
        for (category, status), n in counts.items():
            by_category[category] = by_category.get(category, 0) + n
            by_outcome[OUTCOMES.get(status, "waiting")] += n
        total = sum(by_category.values())
        return StatsReport(
            days=days,
            neighbourhood_names=tuple(n.name for n in organised),
            by_category=by_category,
            by_outcome=by_outcome,
            median_accept_seconds=statistics.median(delays) if delays else None,
            p90_accept_seconds=percentile(delays, 0.9) if delays else None,
            accepted_within_hour_share=(
                sum(1 for d in delays if d <= HOUR) / total if total else None
            ),
            tasks_per_volunteer=tuple(spread),
            approved_volunteers=approved,
            thanks=thanks,
            checkins_kept=kept,
            checkins_due=due,
        )


def describe(report: StatsReport) -> str:
    """The report in words that celebrate what neighbours did as well as what was needed."""
    names = report.neighbourhood_names
    where = (
        html.escape(names[0])
        if len(names) == 1
        else rt.STATS_NEIGHBOURHOODS.format(count=len(names))
    )
    text = t.STATS_HEAD.format(days=report.days, where=where)
    if report.total_requests == 0:
        text += t.STATS_NO_REQUESTS + "\n"
    else:
        lines = [
            t.STATS_CATEGORY_LINE.format(category=category_text(category), count=count)
            for category, count in sorted(report.by_category.items(), key=lambda kv: -kv[1])
        ]
        text += t.STATS_REQUESTS.format(
            total=report.total_requests,
            requests=_plural(report.total_requests, rt.STATS_WORD_REQUEST),
            categories="\n".join(lines),
        )
        text += t.STATS_OUTCOMES.format(**report.by_outcome)
        if report.median_accept_seconds is None or report.p90_accept_seconds is None:
            text += t.STATS_NO_SPEED
        else:
            text += t.STATS_SPEED.format(
                median=duration_words(report.median_accept_seconds),
                p90=duration_words(report.p90_accept_seconds),
                within_hour=round(100 * (report.accepted_within_hour_share or 0)),
            )
    spread = report.tasks_per_volunteer
    if spread:
        top = t.STATS_TOP.format(counts=", ".join(str(n) for n in spread[:3]))
        text += t.STATS_VOLUNTEERS.format(
            active=len(spread),
            volunteers=_plural(len(spread), rt.STATS_WORD_VOLUNTEER),
            tasks=sum(spread),
            approved=report.approved_volunteers,
            most=report.volunteers_doing_most,
            top=top,
        )
    else:
        text += t.STATS_NO_VOLUNTEERS.format(approved=report.approved_volunteers)
    if report.checkins_due:
        text += t.STATS_CHECKINS.format(kept=report.checkins_kept, due=report.checkins_due)
    else:
        text += t.STATS_NO_CHECKINS
    text += t.STATS_THANKS.format(
        thanks=report.thanks, words=_plural(report.thanks, rt.STATS_WORD_THANK_YOU)
    )
    return text


def _plural(count: int, words: tuple[str, str]) -> str:
    """The word for one, or for many."""
    one, many = words
    return one if count == 1 else many
