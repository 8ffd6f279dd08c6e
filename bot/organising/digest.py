"""The organiser digest: once a day, one message per organiser about their neighbourhoods.

One scheduler-store job fires at `digest_time` local time, sends every organiser's digest and
re-arms itself for the next day, so a restart neither loses nor repeats a day's digest.
Only references, categories, counts and times appear: no names, phones or addresses.
"""

from __future__ import annotations

import html
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import languages
from bot.core import Core
from bot.delivery import notify
from bot.durations import duration_words
from bot.requests.alerting import category_text
from bot.when import local_to_utc
from config import care_texts, i18n
from storage import jobs
from storage.care import checkins
from storage.care import reports as care_reports
from storage.database import Connection, Tx
from storage.jobs import ScheduledJob
from storage.organising import neighbourhoods

DIGEST_JOB = "care.digest"
DIGEST_TARGET = "daily"
MISSED_LOOKBACK = timedelta(days=1)


def next_daily(at: time, after: datetime, zone: ZoneInfo) -> datetime:
    """The first local `at` strictly after `after`."""
    day = after.astimezone(zone).date()
    for offset in range(3):
        moment = local_to_utc(day + timedelta(days=offset), at, zone)
        if moment > after:
            return moment
    raise ValueError("no next daily time")  # pragma: no cover


class Digest:
    """Composes, sends and re-arms the daily organiser digest."""

    def __init__(self, core: Core) -> None:
        self._core = core
        core.scheduler.register(DIGEST_JOB, self._digest_job)

    async def ensure_armed(self) -> None:
        """Arm the daily digest job if none is pending (at start-up)."""
        async with self._core.db.transaction() as tx:
            if not await jobs.pending_for(tx, DIGEST_JOB, DIGEST_TARGET):
                await self._arm(tx, tx.now)

    async def _arm(self, tx: Tx, after: datetime) -> None:
        settings = self._core.settings
        due = next_daily(settings.tunables.digest_time, after, settings.timezone)
        await self._core.scheduler.schedule(tx, kind=DIGEST_JOB, due_at=due, target=DIGEST_TARGET)

    async def recipients(self, conn: Connection) -> dict[int, list[int]]:
        """Organiser Telegram id -> neighbourhood ids; bootstrap organisers get the orphans."""
        found = await care_reports.organiser_neighbourhoods(conn)
        orphans = await care_reports.neighbourhoods_without_organiser(conn)
        if orphans:
            for telegram_id in self._core.settings.organiser_ids:
                found[telegram_id] = sorted(set(found.get(telegram_id, [])) | set(orphans))
        return found

    async def _digest_job(self, tx: Tx, job: ScheduledJob) -> None:
        for telegram_id, ids in sorted((await self.recipients(tx)).items()):
            async with languages.speaking_to(tx, telegram_id):
                text = await self.compose(tx, ids, for_day=job.due_at)
                await notify.send(tx, telegram_id, text, purpose="digest", neighbourhood_id=ids[0])
        if not await jobs.pending_for(tx, DIGEST_JOB, DIGEST_TARGET):
            await self._arm(tx, tx.now)

    async def compose(
        self,
        tx: Tx,
        neighbourhood_ids: list[int],
        for_day: datetime | None = None,
    ) -> str:
        """The digest for these neighbourhoods at `now` (headed with `for_day`'s date)."""
        zone = self._core.settings.timezone
        today = tx.now.astimezone(zone).date()
        label = (for_day or tx.now).astimezone(zone)
        lines = [care_texts.DIGEST_HEADER.format(date=i18n.day(label))]
        for nid in neighbourhood_ids:
            neighbourhood = await neighbourhoods.by_id(tx, nid)
            if neighbourhood is None:
                continue
            lines.append(
                care_texts.DIGEST_NEIGHBOURHOOD.format(name=html.escape(neighbourhood.name))
            )
            lines.extend(await self._section(tx, nid, today))
        return "\n".join(lines)

    async def _section(self, tx: Tx, nid: int, today: date) -> list[str]:
        zone = self._core.settings.timezone
        lines: list[str] = []
        waiting = await care_reports.unassigned(tx, nid)
        if waiting:
            lines.append(care_texts.DIGEST_UNASSIGNED.format(count=len(waiting)))
            lines.extend(
                care_texts.DIGEST_REQUEST_WAITING.format(
                    ref=r.ref,
                    category=category_text(r.category),
                    waited=duration_words((tx.now - r.since).total_seconds()),
                )
                for r in waiting
            )
        late = await care_reports.overdue(
            tx, nid, tx.now - self._core.settings.tunables.overdue_after
        )
        if late:
            lines.append(care_texts.DIGEST_OVERDUE.format(count=len(late)))
            lines.extend(
                care_texts.DIGEST_REQUEST_OVERDUE.format(
                    ref=r.ref,
                    category=category_text(r.category),
                    due=i18n.day_at_time(r.since.astimezone(zone)),
                )
                for r in late
            )
        missed = await checkins.missed_since(tx, [nid], tx.now - MISSED_LOOKBACK)
        if missed:
            lines.append(care_texts.DIGEST_MISSED.format(count=len(missed)))
        escalations = await checkins.open_escalations(tx, [nid])
        if escalations:
            unacknowledged = sum(1 for e in escalations if e.acknowledged_at is None)
            lines.append(
                care_texts.DIGEST_ESCALATIONS.format(count=len(escalations), waiting=unacknowledged)
            )
        pending = await care_reports.volunteers_awaiting_approval(tx, nid)
        if pending:
            lines.append(care_texts.DIGEST_PENDING_VOLUNTEERS.format(count=pending))
        yesterday = today - timedelta(days=1)
        totals = await care_reports.completed_between(
            tx,
            nid,
            local_to_utc(yesterday, time(0, 0), zone),
            local_to_utc(today, time(0, 0), zone),
        )
        if totals.done:
            lines.append(care_texts.DIGEST_YESTERDAY(totals.done, thanked=totals.thanked))
        return lines or [care_texts.DIGEST_ALL_QUIET]
