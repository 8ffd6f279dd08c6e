"""The gap report: per category, what was asked and met, and what the community offers."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta

from bot.core import Core
from bot.language_names import joined
from bot.model.neighbourhoods import Neighbourhood
from config import asset_texts, request_texts
from storage.database import Connection
from storage.directory import gaps as asset_gaps
from storage.directory import search as asset_search
from storage.directory.gaps import CategoryRequests

MAX_DAYS = 365
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class CategoryGap:
    """One category's line of the report."""

    category: str
    requests: CategoryRequests
    volunteers: int
    assets: int

    @property
    def short(self) -> int:
        """Requests that went unmet or were late."""
        return self.requests.unmet_or_late

    @property
    def has_anything(self) -> bool:
        """Whether anything was asked or is offered (else it joins the one "quiet" line)."""
        return bool(self.requests.made or self.volunteers or self.assets)


@dataclass(frozen=True)
class NeighbourhoodGaps:
    """One neighbourhood's numbers for the period."""

    neighbourhood: Neighbourhood
    days: int
    gaps: list[CategoryGap]


class GapReport:
    """Builds /gaps for an organiser's neighbourhoods."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def report(self, telegram_id: int, days: int) -> list[NeighbourhoodGaps] | None:
        """Each organised neighbourhood's numbers (None if the person organises none)."""
        organised = await self._core.community.organised_neighbourhoods(telegram_id)
        if not organised:
            return None
        async with self._core.db.read() as conn:
            return [
                NeighbourhoodGaps(n, days, await self.gaps(conn, n.id, days)) for n in organised
            ]

    async def gaps(self, conn: Connection, neighbourhood_id: int, days: int) -> list[CategoryGap]:
        """The numbers of every category for the last `days` days."""
        now = self._core.clock.now()
        stats = await asset_gaps.request_stats(
            conn, neighbourhood_id, now - timedelta(days=days), now
        )
        volunteers = await asset_gaps.active_volunteers(conn, neighbourhood_id, now)
        result = []
        for category in request_texts.CATEGORY_LABELS:
            words = list(asset_texts.CATEGORY_KEYWORDS.get(category, ()))
            offered = (
                await asset_search.count_matching(conn, neighbourhood_id, words) if words else 0
            )
            result.append(
                CategoryGap(
                    category,
                    stats.get(category, CategoryRequests(0, 0, 0, 0, 0)),
                    volunteers.get(category, 0),
                    offered,
                )
            )
        return result


def describe(report: NeighbourhoodGaps) -> str:
    """One neighbourhood's report: a row per category with anything, one line for the rest."""
    name = html.escape(report.neighbourhood.name)
    lines = [asset_texts.GAPS_HEADING(report.days, neighbourhood=name)]
    for gap in report.gaps:
        if gap.has_anything:
            lines.append(
                asset_texts.GAPS_ROW.format(
                    category=request_texts.CATEGORY_LABELS[gap.category],
                    asked=_asked(gap),
                    offered=_offered(gap),
                )
            )
    quiet = [_name(gap) for gap in report.gaps if not gap.has_anything]
    if quiet:
        lines.append(asset_texts.GAPS_QUIET.format(categories=joined(quiet)))
    lines.append("")
    lines.append(plain_words(report.gaps))
    return "\n".join(lines)


def _name(gap: CategoryGap) -> str:
    """The category's label without its emoji."""
    return request_texts.CATEGORY_LABELS[gap.category].split(" ", 1)[-1]


def _asked(gap: CategoryGap) -> str:
    if not gap.requests.made:
        return asset_texts.GAPS_NONE_ASKED
    return asset_texts.GAPS_ASKED.format(
        made=gap.requests.made,
        met=gap.requests.met,
        unmet=gap.requests.unmet,
        late=gap.requests.late,
    )


def _offered(gap: CategoryGap) -> str:
    if not (gap.volunteers or gap.assets):
        return asset_texts.GAPS_NOBODY_OFFERS
    return asset_texts.GAPS_OFFERED.format(
        volunteers=asset_texts.GAPS_VOLUNTEERS(gap.volunteers),
        assets=asset_texts.GAPS_ASSETS(gap.assets),
    )


def plain_words(gaps: list[CategoryGap]) -> str:
    """One sentence on where needs outrun what is offered, worst first."""
    if not any(gap.requests.made for gap in gaps):
        return asset_texts.GAPS_NO_REQUESTS
    short = sorted((g for g in gaps if g.short), key=lambda g: (-g.short, g.category))
    if not short:
        return asset_texts.GAPS_KEEPING_UP
    items = [
        asset_texts.GAPS_OUTRUN_ITEM.format(
            category=_name(gap), short=gap.short, made=gap.requests.made, offered=_offered(gap)
        )
        for gap in short
    ]
    listed = (
        items[0]
        if len(items) == 1
        else ", ".join(items[:-1]) + asset_texts.GAPS_LIST_AND + items[-1]
    )
    return asset_texts.GAPS_OUTRUN.format(list=listed)
