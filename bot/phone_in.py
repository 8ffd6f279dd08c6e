"""Phone-in requests: an organiser logs a request for a neighbour without Telegram.

The organiser is stored as the requester, so they get every update a resident would (who is
coming, "is it done?"), while the neighbour's name and phone go to the assignee, whose alert
and details say to phone them.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core import Core
from bot.request_types import Created, RequestDraft
from storage import help_requests, people
from storage.help_requests import NewRequest


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
        now = core.clock.now()
        async with core.db.transaction() as conn:
            organiser = await people.by_telegram_id(conn, organiser_telegram_id)
            if organiser is None or not organiser.has_consented:
                raise PermissionError("the organiser has not agreed to the privacy notice")
            if not await core.community.organises(
                conn, organiser_telegram_id, draft.neighbourhood_id
            ):
                raise PermissionError("not an organiser of that neighbourhood")
            request = await help_requests.insert(
                conn,
                NewRequest(
                    neighbourhood_id=draft.neighbourhood_id,
                    requester_person_id=organiser.id,
                    category=draft.category,
                    description=draft.description,
                    when_kind=draft.window.kind.value,
                    starts_at=draft.window.starts_at,
                    ends_at=draft.window.ends_at,
                    contact_phone=None,
                    telegram_only=False,
                    address=draft.address,
                    payment_method=draft.payment_method,
                    pharmacy=draft.pharmacy,
                    for_name=draft.for_name,
                    for_phone=draft.for_phone,
                    phone_in=True,
                ),
                now,
            )
            await core.requests.record_change(
                conn, organiser_telegram_id, "request.created", None, request
            )
            alerted = await core.alerting.start(conn, request, now, include_alerted=False)
            await core.requests.audit_alerted(conn, request, alerted)
        await core.after_commit()
        return Created(request.id, request.ref, alerted)
