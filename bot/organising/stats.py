"""Community stats for organisers: needs met, how fast, by whom, and the thanks passed on."""

from __future__ import annotations

import html
import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core import Core
from bot.durations import duration_words
from bot.requests.alerting import category_text
from config import oversight_texts
from storage.organising import stats

HOUR = 3600.0
MAX_DAYS = 366
DEFAULT_DAYS = 30
CHART_WEEKS = 12
OUTCOME_KEYS = ("helped", "in_progress", "waiting", "cancelled")
OUTCOMES = {
    "done": "helped",
    "closed": "helped",
    "assigned": "in_progress",
    "open": "waiting",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class WeekStats:
    """One week of the chart: requests made that week by outcome, and their accept times."""

    starts: date  # the Monday, in the deployment's time zone
    by_outcome: dict[str, int]
    median_accept_seconds: float | None

    @property
    def total(self) -> int:
        """How many requests were made that week."""
        return sum(self.by_outcome.values())


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
    weeks: tuple[WeekStats, ...] = field(default=())  # the chart's weeks, oldest first

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

    @property
    def weeks_total(self) -> int:
        """How many requests the chart's weeks hold."""
        return sum(week.total for week in self.weeks)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.9: the value nine in ten are at or below)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def week_start(moment: datetime, zone: ZoneInfo) -> date:
    """The Monday of the local week a moment falls in."""
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def weekly(
    rows: list[tuple[datetime, datetime | None, str]], now: datetime, zone: ZoneInfo
) -> tuple[WeekStats, ...]:
    """The last CHART_WEEKS local weeks (this one last): outcomes and median accept time."""
    this_week = week_start(now, zone)
    starts = [this_week - timedelta(weeks=n) for n in range(CHART_WEEKS - 1, -1, -1)]
    outcomes = {start: dict.fromkeys(OUTCOME_KEYS, 0) for start in starts}
    delays: dict[date, list[float]] = {start: [] for start in starts}
    for created, accepted, status in rows:
        start = week_start(created, zone)
        if start not in outcomes:
            continue
        outcomes[start][OUTCOMES.get(status, "waiting")] += 1
        if accepted is not None:
            delays[start].append((accepted - created).total_seconds())
    return tuple(
        WeekStats(
            start,
            outcomes[start],
            statistics.median(delays[start]) if delays[start] else None,
        )
        for start in starts
    )


class Stats:
    """Builds /stats for the neighbourhoods a person organises."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def report(self, telegram_id: int, days: int) -> StatsReport | None:
        """The period's numbers over the person's neighbourhoods (None if they organise none)."""
        core = self._core
        now = core.clock.now()
        since = now - timedelta(days=days)
        zone = core.settings.timezone
        chart_since = datetime.combine(
            week_start(now, zone) - timedelta(weeks=CHART_WEEKS - 1), datetime.min.time(), zone
        )
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
            timings = await stats.request_timings(conn, ids, chart_since)
        by_category: dict[str, int] = {}
        by_outcome = dict.fromkeys(OUTCOME_KEYS, 0)
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
            weeks=weekly(timings, now, zone),
        )


def where_words(names: tuple[str, ...]) -> str:
    """The neighbourhood's name (escaped), or how many neighbourhoods."""
    return (
        html.escape(names[0])
        if len(names) == 1
        else oversight_texts.STATS_NEIGHBOURHOODS(len(names))
    )


def within(seconds: float) -> str:
    """'in under a minute' or 'within 2 hours 5 minutes'."""
    if seconds < 60:
        return oversight_texts.STATS_UNDER_A_MINUTE
    return oversight_texts.STATS_WITHIN.format(duration=duration_words(seconds))


def describe(report: StatsReport) -> str:
    """The report in words that celebrate what neighbours did as well as what was needed."""
    text = oversight_texts.STATS_HEAD(report.days, where=where_words(report.neighbourhood_names))
    if report.total_requests == 0:
        text += oversight_texts.STATS_NO_REQUESTS + "\n"
    else:
        lines = [
            oversight_texts.STATS_CATEGORY_LINE.format(
                category=category_text(category), count=count
            )
            for category, count in sorted(report.by_category.items(), key=lambda kv: -kv[1])
        ]
        text += oversight_texts.STATS_REQUESTS(report.total_requests, categories="\n".join(lines))
        text += oversight_texts.STATS_OUTCOMES.format(**report.by_outcome)
        if report.median_accept_seconds is None or report.p90_accept_seconds is None:
            text += oversight_texts.STATS_NO_SPEED
        else:
            text += oversight_texts.STATS_SPEED.format(
                median=within(report.median_accept_seconds),
                p90=within(report.p90_accept_seconds),
                within_hour=round(100 * (report.accepted_within_hour_share or 0)),
            )
    text += _volunteers(report)
    if report.checkins_due:
        text += oversight_texts.STATS_CHECKINS.format(
            kept=report.checkins_kept, due=report.checkins_due
        )
    else:
        text += oversight_texts.STATS_NO_CHECKINS
    return text + oversight_texts.STATS_THANKS(report.thanks)


def _volunteers(report: StatsReport) -> str:
    """Who took the tasks on; the busiest few only when there were several volunteers."""
    spread = report.tasks_per_volunteer
    if not spread:
        return oversight_texts.STATS_NO_VOLUNTEERS.format(approved=report.approved_volunteers)
    several = len(spread) > 1
    top = ", ".join(oversight_texts.STATS_TASKS(n) for n in spread[:3])
    return oversight_texts.STATS_VOLUNTEERS.format(
        volunteers=oversight_texts.STATS_ACTIVE(len(spread)),
        tasks=oversight_texts.STATS_TASKS(sum(spread)),
        approved=report.approved_volunteers,
        most=oversight_texts.STATS_MOST.format(most=report.volunteers_doing_most)
        if several
        else "",
        top=oversight_texts.STATS_TOP.format(counts=top) if several else "",
    )
