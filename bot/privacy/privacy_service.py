"""Personal data: /mydata, /forgetme, the privacy-notice version, retention, backups, floods."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.backups.backup_files import Backups
from bot.core import Core
from bot.flood_control import FloodControl
from bot.privacy import mydata
from bot.privacy.retention import Retention
from bot.requests.request_types import Outcome
from storage import audit
from storage.privacy import personal_data as privacy
from storage.timefmt import to_db


@dataclass(frozen=True)
class Forgotten:
    """What /forgetme did: whether anything was stored, and what it cancelled or handed back."""

    found: bool
    requests_cancelled: int = 0
    tasks_reoffered: int = 0


class Privacy:
    """Personal data: /mydata, /forgetme, notice versions, retention, backups (issue 7)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.flood = FloodControl(core)
        self.retention = Retention(core)
        self.backups = Backups(core)
        # Telegram ids known to have agreed to the current notice (it changes only on restart).
        self._on_current_notice: set[int] = set()

    async def ensure_scheduled(self) -> None:
        """Store the retention and backup jobs if they are not pending (at start-up)."""
        async with self._core.db.transaction() as tx:
            await self.retention.ensure_scheduled(tx)
            await self.backups.ensure_scheduled(tx)

    async def notice_outdated(self, telegram_id: int) -> bool:
        """True if the person agreed to an earlier version of the privacy notice than this one."""
        if telegram_id in self._on_current_notice:
            return False
        person = await self._core.community.person(telegram_id)
        if person is None or not person.has_consented:
            return False  # the consent gate asks them
        if person.consent_version == self._core.community.notice_version:
            self._on_current_notice.add(telegram_id)
            return False
        return True

    def forget_cached_where(self, chosen: Callable[[int], bool]) -> None:
        """Drop what is remembered of the people `chosen` picks (their chats left this process)."""
        self._on_current_notice = {t for t in self._on_current_notice if not chosen(t)}
        self.flood.forget_where(chosen)

    async def export(self, telegram_id: int) -> tuple[str, bytes] | None:
        """A summary in words and a JSON file of everything stored; None if nothing is stored."""
        now = self._core.clock.now()
        async with self._core.db.read() as conn:
            data = await privacy.export_person(conn, telegram_id)
        if data is None:
            return None
        document = mydata.readable_document(
            data, exported_at=to_db(now), notice_version=self._core.community.notice_version
        )
        return mydata.summary(data, self._core.settings.timezone), document

    async def forget(self, telegram_id: int) -> Forgotten:
        """Cancel the person's open requests, hand back their tasks and erase them: one step.

        It all happens in one transaction, so a crash half-way leaves nothing erased and
        nobody told; cancelling and handing back go through the request lifecycle, so
        volunteers and residents are told and tasks are offered again once it commits. Only
        the day's anonymous counts are kept.
        """
        requests = self._core.requests
        async with self._core.db.transaction() as tx:
            own_requests = await privacy.open_requests_of(tx, telegram_id)
            own_tasks = await privacy.open_tasks_of(tx, telegram_id)
            cancelled = [
                (await requests.cancel_in(tx, telegram_id, rid)).outcome for rid in own_requests
            ]
            released = [
                (await requests.release_in(tx, telegram_id, rid)).outcome for rid in own_tasks
            ]
            counts = {
                "requests_cancelled": cancelled.count(Outcome.OK),
                "tasks_reoffered": released.count(Outcome.OK),
            }
            found = await privacy.erase_person(tx, telegram_id, tx.now)
            if found:
                await privacy.count_erasure(tx, tx.now, **counts)
                await audit.record(
                    tx,
                    actor_telegram_id=None,
                    action="privacy.forgotten",
                    subject="person:erased",
                    now=tx.now,
                    after=counts,
                )
        self.flood.forget(telegram_id)
        self._on_current_notice.discard(telegram_id)
        return Forgotten(found, **counts) if found else Forgotten(False)

    async def erasure_totals(self) -> dict[str, int]:
        """How many people were forgotten, and what that cancelled and handed back (no ids)."""
        async with self._core.db.read() as conn:
            return await privacy.erasure_totals(conn)
