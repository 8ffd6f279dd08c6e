"""Phone-in requests, assignment, broadcast, stats, exports and audit views (issue 6)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core import Core
from bot.model.requests import HelpRequest
from bot.organising.broadcast import Broadcasts
from bot.organising.exports import Exports
from bot.organising.stats import Stats
from bot.requests.assignment import Assignment
from bot.requests.phone_in import PhoneIn
from config import request_texts
from storage import people
from storage.organising import neighbourhoods, oversight
from storage.organising.oversight import AuditEntry, WaitingRequest
from storage.requests import help_requests

OPEN_SHOWN = 30


class Access(StrEnum):
    """Whether a person may see an organiser view."""

    OK = "ok"
    NOT_ORGANISER = "not_organiser"  # organises nothing at all
    NOT_HERE = "not_here"  # organises elsewhere, not this neighbourhood
    UNKNOWN = "unknown"  # no such request


@dataclass(frozen=True)
class WaitingList:
    """The unassigned requests an organiser can see, oldest first."""

    access: Access
    requests: tuple[WaitingRequest, ...] = ()
    total: int = 0
    neighbourhood_names: dict[int, str] | None = None


@dataclass(frozen=True)
class History:
    """A request's audit entries, with the names of the people who acted."""

    access: Access
    request: HelpRequest | None = None
    entries: tuple[AuditEntry, ...] = ()
    names: dict[int, str] | None = None


class Oversight:
    """Phone-in requests, assignment, broadcast, stats, exports and audit views (issue 6)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.phone_in = PhoneIn(core)
        self.assignment = Assignment(core)
        self.broadcasts = Broadcasts(core)
        self.stats = Stats(core)
        self.exports = Exports(core)

    async def waiting(self, telegram_id: int) -> WaitingList:
        """Unassigned requests of the neighbourhoods the person organises."""
        organised = await self._core.community.organised_neighbourhoods(telegram_id)
        if not organised:
            return WaitingList(Access.NOT_ORGANISER)
        async with self._core.db.read() as conn:
            found, total = await oversight.waiting_requests(
                conn, [n.id for n in organised], OPEN_SHOWN
            )
        names = {n.id: n.name for n in organised}
        return WaitingList(Access.OK, tuple(found), total, names)

    async def history(self, telegram_id: int, ref: str) -> History:
        """A request's audit history, for organisers of its neighbourhood."""
        core = self._core
        async with core.db.read() as conn:
            request = await help_requests.by_ref(conn, ref)
            if request is None:
                return History(Access.UNKNOWN)
            if not await core.community.organises(conn, telegram_id, request.neighbourhood_id):
                return History(Access.NOT_HERE, request)
            entries = await oversight.history(conn, f"request:{request.ref}")
            actors = sorted({e.actor_telegram_id for e in entries if e.actor_telegram_id})
            names = await oversight.names_by_telegram_id(conn, actors)
        return History(Access.OK, request, tuple(entries), names)

    async def person_name(self, person_id: int) -> str:
        """A person's display name (for messages)."""
        async with self._core.db.read() as conn:
            person = await people.by_id(conn, person_id)
        return (person.display_name if person else None) or request_texts.THE_VOLUNTEER

    async def neighbourhood_name(self, neighbourhood_id: int) -> str:
        """A neighbourhood's name (for messages)."""
        async with self._core.db.read() as conn:
            found = await neighbourhoods.by_id(conn, neighbourhood_id)
        return found.name if found else "?"
