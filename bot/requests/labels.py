"""A request in words for the people it concerns: "your shopping on Tue 8 Dec (R-54YG)".

Residents are told what they asked for and when, with the reference in brackets, never the
reference alone. Words come in the current language (call inside languages.speaking_to).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.model.requests import HelpRequest
from bot.when import WhenKind
from config import i18n, request_flow_texts, request_texts


def help_noun(category: str) -> str:
    """The kind of help as a noun: "shopping", "dog walk"."""
    return request_texts.HELP_NOUNS.get(category, request_texts.HELP_NOUNS["other"])


def _label(request: HelpRequest, zone: ZoneInfo, *, own: bool) -> str:
    if request.when_kind == WhenKind.THIS_WEEK.value:
        template = (
            request_texts.YOUR_REQUEST_THIS_WEEK if own else request_texts.THE_REQUEST_THIS_WEEK
        )
        return template.format(help=help_noun(request.category), ref=request.ref)
    template = request_texts.YOUR_REQUEST_ON if own else request_texts.THE_REQUEST_ON
    day = i18n.day(request.starts_at.astimezone(zone))
    return template.format(help=help_noun(request.category), day=day, ref=request.ref)


def your_request(request: HelpRequest, zone: ZoneInfo) -> str:
    """'your shopping on Tue 8 Dec (R-54YG)'; 'the …' for a request an organiser logged."""
    return _label(request, zone, own=not request.phone_in)


def the_request(request: HelpRequest, zone: ZoneInfo) -> str:
    """'the shopping on Tue 8 Dec (R-54YG)'."""
    return _label(request, zone, own=False)


def alerts_when(alerts_at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """When held alerts will go, in words: 'at 8:00', 'tomorrow at 8:00'."""
    local, today = alerts_at.astimezone(zone), now.astimezone(zone).date()
    shown = f"{local.hour}:{local.minute:02d}"
    if local.date() == today:
        return request_flow_texts.HELD_AT.format(time=shown)
    if local.date() == today + timedelta(days=1):
        return request_flow_texts.HELD_TOMORROW_AT.format(time=shown)
    return request_flow_texts.HELD_ON_DAY_AT.format(day=i18n.day(local), time=shown)


def capitalised(text: str) -> str:
    """The text with its first letter upper case, for the start of a sentence."""
    return text[:1].upper() + text[1:]


def _starts_sentence(template: str, placeholder: str) -> bool:
    """Whether the placeholder opens a sentence in this (translated) template."""
    before = re.sub(r"<[^>]+>", "", template.split(placeholder, 1)[0]).rstrip()
    if not before:
        return True
    last = before[-1]
    return last in ".!?" or not (last.isalnum() or last in ",;:-–'’\"(")


def with_request(template: str, label: str, **values: object) -> str:
    """Format a template's {request} with a label, capitalised where it opens a sentence.

    "{request} is cancelled" gives "Your shopping … is cancelled", while Welsh "Mae {request}
    wedi'i ganslo" keeps "eich siopa …" as it is.
    """
    shown = capitalised(label) if _starts_sentence(template, "{request}") else label
    return template.format(request=shown, **values)
