"""Phone-in requests: an organiser logs a request for a neighbour without Telegram.

The organiser is stored as the requester, so they get every update a resident would (who is
coming, "is it done?"), while the neighbour's name and phone go to the assignee, whose alert
and details say to phone them.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core import Core
from bot.requests.request_types import Created, RequestDraft
from storage import people


class PhoneIn:
    """Logs requests taken by phone; only an organiser of the neighbourhood may."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def create(self, organiser_telegram_id: int, draft: RequestDraft) -> Created:
        """Store a phone-in request and alert the first volunteers (PermissionError if refused)."""
        core = self._core
        if not draft.for_name or not draft.for_phone:
            raise ValueError("a phone-in request needs the neighbour's name and phone")
        draft = replace(draft, contact_phone=None, telegram_only=False)
        async with core.db.transaction() as tx:
            organiser = await people.by_telegram_id(tx, organiser_telegram_id)
            if organiser is None or not organiser.has_consented:
                raise PermissionError("the organiser has not agreed to the privacy notice")
            if not await core.community.organises(
                tx, organiser_telegram_id, draft.neighbourhood_id
            ):
                raise PermissionError("not an organiser of that neighbourhood")
            created = await core.requests.store_and_alert(
                tx, organiser_telegram_id, draft.new_request(organiser.id, phone_in=True)
            )
        return created
