"""Requests a check-in answer creates: a call offered to the buddy first, or urgent help."""

from __future__ import annotations

import html

from bot import languages
from bot.core import Core
from bot.delivery import notify
from bot.model.checkins import CheckIn
from bot.model.people import Person
from bot.model.requests import HelpRequest, NewRequest
from bot.phones import format_for_display
from bot.requests.alerting import alert_buttons, category_text, when_text
from bot.requests.task_messages import first_name
from bot.when import WhenKind, window_for
from config import care_texts, request_texts
from storage import audit, people
from storage.database import Tx
from storage.organising import neighbourhoods
from storage.requests import help_requests
from storage.volunteers import offers as volunteers

CHAT_CATEGORY = "checkin_call"
HELP_CATEGORY = "other"


async def _insert(
    core: Core, tx: Tx, person: Person, checkin: CheckIn, category: str, text: str
) -> HelpRequest:
    """Store the request and publish it as created, as the resident's own."""
    window = window_for(WhenKind.TODAY, tx.now, core.settings.timezone)
    phone = checkin.phone_e164 or person.phone_e164
    request = await help_requests.insert(
        tx,
        NewRequest(
            neighbourhood_id=checkin.neighbourhood_id,
            requester_person_id=person.id,
            category=category,
            description=text,
            when_kind=window.kind.value,
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            contact_phone=phone,
            telegram_only=phone is None,
            address=checkin.address,
            payment_method=None,
            pharmacy=None,
            for_name=None,
            for_phone=None,
        ),
        tx.now,
    )
    await audit.record(
        tx,
        actor_telegram_id=person.telegram_id,
        action="request.created",
        subject=f"request:{request.ref}",
        now=tx.now,
        after={"status": request.status, "from": f"checkin:{checkin.id}"},
    )
    await core.events.publish(tx, "request.created", None, request)
    return request


async def chat_request(core: Core, tx: Tx, person: Person, checkin: CheckIn) -> HelpRequest:
    """A check-in call: offered to the buddy alone first, then widened as usual."""
    request = await _insert(
        core, tx, person, checkin, CHAT_CATEGORY, care_texts.CHECKIN_CHAT_DESCRIPTION
    )
    buddy = await people.by_id(tx, checkin.buddy_person_id)
    if buddy is None or not await volunteers.eligible_for_request(
        tx,
        person_id=buddy.id,
        neighbourhood_id=checkin.neighbourhood_id,
        category=CHAT_CATEGORY,
        now=tx.now,
    ):
        await core.alerting.start(tx, request, include_alerted=False)
        return request
    neighbourhood = await neighbourhoods.by_id(tx, checkin.neighbourhood_id)
    async with languages.speaking_to(tx, buddy.telegram_id):
        text = request_texts.ALERT.format(
            ref=request.ref,
            category=category_text(request.category),
            neighbourhood=html.escape(neighbourhood.name if neighbourhood else "?"),
            when=when_text(request, core.settings),
        )
        outbox_id = await notify.send(
            tx,
            buddy.telegram_id,
            text,
            buttons=alert_buttons(request.id),
            purpose="alert",
            neighbourhood_id=checkin.neighbourhood_id,
        )
    round_number = await help_requests.next_round(tx, request.id)
    await help_requests.add_alert(
        tx,
        request_id=request.id,
        person_id=buddy.id,
        chat_id=buddy.telegram_id,
        outbox_id=outbox_id,
        round_number=round_number,
        now=tx.now,
    )
    # Everyone else hears only if the buddy has not taken it by the widening delay (counted
    # from when the buddy's alert goes, which quiet hours may hold until the morning).
    await core.alerting.arm(tx, request, await core.alerting.alerts_begin(tx, request))
    return request


async def help_request(core: Core, tx: Tx, person: Person, checkin: CheckIn) -> HelpRequest:
    """Urgent help: alert volunteers and the organisers at once, even in quiet hours."""
    request = await _insert(
        core, tx, person, checkin, HELP_CATEGORY, care_texts.CHECKIN_HELP_DESCRIPTION
    )
    await help_requests.set_urgent(tx, request.id, tx.now)  # its alerts are never held
    request = await help_requests.by_id(tx, request.id) or request
    await core.alerting.start(tx, request, include_alerted=False)
    neighbourhood = await neighbourhoods.by_id(tx, checkin.neighbourhood_id)

    def text() -> str:
        phone = checkin.phone_e164 or person.phone_e164
        return care_texts.ORGANISER_CHECKIN_HELP.format(
            name=first_name(person),
            neighbourhood=html.escape(neighbourhood.name if neighbourhood else "?"),
            phone=html.escape(format_for_display(phone)) if phone else "–",
            ref=request.ref,
        )

    await core.alerting.tell_organisers(tx, checkin.neighbourhood_id, text)
    return request
