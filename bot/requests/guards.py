"""The check a press on a request starts with: does it exist, is it theirs, is it still so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.model.people import Person
from bot.model.requests import HelpRequest
from bot.requests.request_types import Outcome, Result
from storage import people
from storage.database import Connection
from storage.requests import help_requests

Role = Literal["requester", "assignee"]


@dataclass(frozen=True)
class Pressed:
    """A request and the person who pressed a button on it, who holds the role asked for."""

    request: HelpRequest
    presser: Person


async def pressed_on(
    conn: Connection, telegram_id: int, request_id: int, by: Role, status: str | None = None
) -> Pressed | Result:
    """The request and its presser, or the refusal: unknown, not theirs, or not `status`."""
    request = await help_requests.by_id(conn, request_id)
    presser = await people.by_telegram_id(conn, telegram_id)
    if request is None or presser is None:
        return Result(Outcome.UNKNOWN)
    holder = request.requester_person_id if by == "requester" else request.assignee_person_id
    if holder != presser.id:
        return Result(Outcome.NOT_YOURS, request)
    if status is not None and request.status != status:
        return Result(Outcome.NO_LONGER_POSSIBLE, request)
    return Pressed(request, presser)
