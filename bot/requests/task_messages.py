"""Messages about a taken task: the assignee's private details and the resident's news."""

from __future__ import annotations

import html

from bot import languages
from bot.callback_data import pack
from bot.delivery import notify
from bot.model.neighbourhoods import Neighbourhood
from bot.model.people import Person
from bot.model.requests import HelpRequest
from bot.model.volunteers import VolunteerProfile
from bot.phones import format_for_display
from bot.requests.alerting import category_text, when_text
from bot.requests.labels import your_request
from config import oversight_texts, relay_texts, request_texts
from config.settings import Settings
from storage import people
from storage.database import Tx
from storage.organising import neighbourhoods
from storage.organising.neighbourhoods import NeighbourhoodSettings


def first_name(person: Person) -> str:
    """The first word of the person's name, escaped ('A volunteer' in the current language)."""
    name = (person.display_name or request_texts.A_VOLUNTEER).split()[0]
    return html.escape(name)


async def send_task_details(
    tx: Tx, settings: Settings, request: HelpRequest, assignee: Person
) -> None:
    """Private details go to the assignee's private chat only, in the assignee's language."""
    neighbourhood = await neighbourhoods.by_id(tx, request.neighbourhood_id)
    requester = await people.by_id(tx, request.requester_person_id)
    local = await neighbourhoods.settings_of(tx, request.neighbourhood_id)
    async with languages.speaking_to(tx, assignee.telegram_id):
        text = _task_details(settings, request, requester, neighbourhood, local)
        buttons = [
            [
                (request_texts.BUTTON_DONE, pack("done", request.id)),
                (request_texts.BUTTON_CANT_DO, pack("release", request.id)),
            ],
            [(_message_label(request, requester), pack("relay", request.id))],
            [(request_texts.BUTTON_CONTACT_ORGANISER, pack("contact", request.id))],
        ]
        await notify.send(tx, assignee.telegram_id, text, buttons=buttons, purpose="task")
        name = html.escape(request.for_name) if request.for_name else None
        name = name or (first_name(requester) if requester else request_texts.THE_RESIDENT)
        for kind, file_id in request.media:  # only ever to the assignee, by file_id
            caption = request_texts.MEDIA_CAPTION.format(
                item=request_texts.MEDIA_LABELS.get(kind, kind), name=name, ref=request.ref
            )
            await notify.send_media(
                tx, assignee.telegram_id, kind, file_id, caption, purpose="task"
            )


def _task_details(
    settings: Settings,
    request: HelpRequest,
    requester: Person | None,
    neighbourhood: Neighbourhood | None,
    local: NeighbourhoodSettings,
) -> str:
    """The task's private details, in the current language."""
    extra = ""
    if request.payment_method:
        extra += request_texts.TASK_PAYMENT.format(
            payment=request_texts.PAYMENT_LABELS.get(
                request.payment_method, request.payment_method
            ),
            cap=f"{local.spending_cap_pence / 100:.2f}",
        )
    if request.pharmacy:
        extra += request_texts.TASK_PHARMACY.format(pharmacy=html.escape(request.pharmacy))
    if request.phone_in:  # logged by an organiser: the neighbour has no Telegram
        extra += oversight_texts.TASK_PHONE_IN
    if request.media:
        items = ", ".join(request_texts.MEDIA_LABELS.get(kind, kind) for kind, _ in request.media)
        extra += request_texts.TASK_MEDIA.format(items=items)
    name = request.for_name or (first_name(requester) if requester else request_texts.THE_RESIDENT)
    phone = request.for_phone or request.contact_phone
    return request_texts.TASK_DETAILS.format(
        ref=request.ref,
        category=category_text(request.category),
        neighbourhood=html.escape(neighbourhood.name if neighbourhood else "?"),
        when=when_text(request, settings),
        name=html.escape(name) if request.for_name else name,
        phone=html.escape(format_for_display(phone)) if phone else request_texts.TELEGRAM_ONLY,
        address=html.escape(request.address or "–"),
        description=html.escape(request.description or "–"),
        extra=extra,
    )


async def tell_requester_who_is_coming(
    tx: Tx,
    settings: Settings,
    chat: int,
    request: HelpRequest,
    volunteer: Person,
    profile: VolunteerProfile | None,
) -> None:
    """Tell the resident who is coming: first name, and phone only if the volunteer shares it."""
    async with languages.speaking_to(tx, chat):
        phone = ""
        if profile is not None and profile.share_phone and volunteer.phone_e164:
            phone = request_texts.RESIDENT_VOLUNTEER_PHONE.format(
                phone=html.escape(format_for_display(volunteer.phone_e164))
            )
        text = request_texts.RESIDENT_VOLUNTEER_COMING.format(
            volunteer=first_name(volunteer),
            request=your_request(request, settings.timezone),
            phone=phone,
        )
        label = html.unescape(relay_texts.BUTTON_MESSAGE.format(name=first_name(volunteer)))
        buttons = [[(label, pack("relay", request.id))]]
        await notify.send(tx, chat, text, buttons=buttons, purpose="resident")


def _message_label(request: HelpRequest, requester: Person | None) -> str:
    """Message <resident> (the organiser who logged a phone-in request), as a plain label."""
    name = first_name(requester) if requester else request_texts.THEM
    template = (
        relay_texts.BUTTON_MESSAGE_ORGANISER if request.phone_in else relay_texts.BUTTON_MESSAGE
    )
    return html.unescape(template.format(name=name))
