"""Read-only views of requests for listings: /myrequests, /tasks, the request flow."""

from __future__ import annotations

from bot.clock import Clock
from bot.model.requests import HelpRequest
from bot.requests.alerting import when_text
from config.settings import Settings
from storage import people
from storage.database import Database
from storage.organising import neighbourhoods
from storage.requests import help_requests


class RequestViews:
    """Queries over requests that change nothing."""

    _db: Database
    _clock: Clock
    _settings: Settings

    async def for_requester(self, telegram_id: int) -> list[HelpRequest]:
        """The person's open and recent requests."""
        async with self._db.read() as conn:
            person = await people.by_telegram_id(conn, telegram_id)
            if person is None:
                return []
            since = self._clock.now() - self._settings.tunables.fairness_window
            return await help_requests.for_requester(conn, person.id, since)

    async def for_assignee(self, telegram_id: int) -> list[HelpRequest]:
        """The volunteer's current and recent tasks."""
        async with self._db.read() as conn:
            person = await people.by_telegram_id(conn, telegram_id)
            if person is None:
                return []
            since = self._clock.now() - self._settings.tunables.fairness_window
            return await help_requests.for_assignee(conn, person.id, since)

    async def neighbourhood_name(self, neighbourhood_id: int) -> str:
        """A neighbourhood's name, for listings."""
        async with self._db.read() as conn:
            neighbourhood = await neighbourhoods.by_id(conn, neighbourhood_id)
        return neighbourhood.name if neighbourhood else "?"

    async def spending_cap_pence(self, neighbourhood_id: int) -> int:
        """The neighbourhood's shopping spending cap, in pence."""
        async with self._db.read() as conn:
            return (await neighbourhoods.settings_of(conn, neighbourhood_id)).spending_cap_pence

    def when_text(self, request: HelpRequest) -> str:
        """The request's time window in words."""
        return when_text(request, self._settings)
