"""The gap report: per category, what was asked and met, and what the community offers."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta

from bot.core import Core
from config import asset_texts as t
from config import request_texts as rt
from storage import asset_gaps, asset_search
from storage.asset_gaps import CategoryRequests
from storage.database import Connection
from storage.neighbourhoods import Neighbourhood

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


class GapReport:
    """Builds /gaps for an organiser's neighbourhoods."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def report(self, telegram_id: int, days: int) -> list[str] | None:
        """One report text per neighbourhood the person organises (None if they organise none)."""
        organised = await self._core.community.organised_neighbourhoods(telegram_id)
        if not organised:
            return None
        async with self._core.db.read() as conn:
            return [await self._one(conn, n, days) for n in organised]

    async def gaps(self, conn: Connection, neighbourhood_id: int, days: int) -> list[CategoryGap]:
        """The numbers of every category for the last `days` days."""
        now = self._core.clock.now()
        stats = await asset_gaps.request_stats(
            conn, neighbourhood_id, now - timedelta(days=days), now
        )
        volunteers = await asset_gaps.active_volunteers(conn, neighbourhood_id, now)
        result = []
        for category in rt.CATEGORY_LABELS:
            words = list(t.CATEGORY_KEYWORDS.get(category, ()))
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

    async def _one(self, conn: Connection, neighbourhood: Neighbourhood, days: int) -> str:
        gaps = await self.gaps(conn, neighbourhood.id, days)
        lines = [t.GAPS_HEADING.format(neighbourhood=html.escape(neighbourhood.name), days=days)]
        for gap in gaps:
            lines.append(
                t.GAPS_ROW.format(
                    category=rt.CATEGORY_LABELS[gap.category],
                    made=gap.requests.made,
                    met=gap.requests.met,
                    unmet=gap.requests.unmet,
                    late=gap.requests.late,
                    volunteers=gap.volunteers,
                    assets=gap.assets,
                )
            )
        lines.append("")
        lines.append(plain_words(gaps))
        return "\n".join(lines)


def plain_words(gaps: list[CategoryGap]) -> str:
    """One sentence on where needs outrun what is offered, worst first."""
    if not any(gap.requests.made for gap in gaps):
        return t.GAPS_NO_REQUESTS
    short = sorted((g for g in gaps if g.short), key=lambda g: (-g.short, g.category))
    if not short:
        return t.GAPS_KEEPING_UP
    items = []
    for gap in short:
        offered = (
            t.GAPS_OFFERED.format(volunteers=gap.volunteers, assets=gap.assets)
            if gap.volunteers or gap.assets
            else t.GAPS_NOBODY_OFFERS
        )
        items.append(
            t.GAPS_OUTRUN_ITEM.format(
                category=rt.CATEGORY_LABELS[gap.category].split(" ", 1)[-1],
                short=gap.short,
                made=gap.requests.made,
                offered=offered,
            )
        )
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + t.GAPS_LIST_AND + items[-1]
    return t.GAPS_OUTRUN.format(list=listed)
