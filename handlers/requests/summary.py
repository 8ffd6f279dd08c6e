"""The words of a request being written: its summary and what the phone step settled.

Also the draft filled in from a stray message (handlers.general's "Ask for help with this").
"""

from __future__ import annotations

import html

from bot.phones import format_for_display
from bot.runtime.services import Services
from config import request_flow_texts, request_texts
from handlers.requests.steps import MAX_MEDIA, Draft, Step, applies


def _shown_phone(e164: str | None) -> str:
    """A stored number as people write it, escaped."""
    return html.escape(format_for_display(e164)) if e164 else ""


def summary_text(draft: Draft, services: Services) -> str:
    """Everything the person entered, escaped, for them to check."""
    extra = ""
    if applies(Step.PAYMENT, draft) and draft.payment_method:
        label = request_texts.PAYMENT_LABELS.get(draft.payment_method, draft.payment_method)
        extra = request_flow_texts.SUMMARY_PAYMENT.format(payment=html.escape(label))
    if applies(Step.PHARMACY, draft) and draft.pharmacy:
        extra = request_flow_texts.SUMMARY_PHARMACY.format(pharmacy=html.escape(draft.pharmacy))
    for_whom = request_flow_texts.SUMMARY_FOR_ME
    if draft.for_someone_else:
        for_whom = request_flow_texts.SUMMARY_FOR_SOMEONE.format(
            name=html.escape(draft.for_name or ""), phone=_shown_phone(draft.for_phone)
        )
    zone = services.settings.timezone
    description = html.escape(draft.description or "")
    if draft.media:
        description += request_flow_texts.SUMMARY_MEDIA.format(items=media_words(draft.media))
    return request_flow_texts.SUMMARY.format(
        neighbourhood=html.escape(draft.neighbourhood_name),
        category=html.escape(request_texts.CATEGORY_LABELS.get(draft.category or "", "?")),
        description=description.strip(),
        when=draft.window.describe(zone) if draft.window else "?",
        phone=request_flow_texts.SUMMARY_TELEGRAM_ONLY
        if draft.telegram_only
        else _shown_phone(draft.contact_phone),
        address=html.escape(draft.address or ""),
        extra=extra,
        for_whom=for_whom,
    )


def media_words(media: tuple[tuple[str, str], ...]) -> str:
    """'📷 a photo, 🎤 a voice note' in the current language."""
    labels = request_texts.MEDIA_LABELS
    return ", ".join(labels.get(kind, kind) for kind, _ in media)


def prefill(draft: Draft, stray: dict[str, object], services: Services) -> str | None:
    """Fill "what is needed" from a stray message; the note to show, or None if nothing fits."""
    text = str(stray.get("text") or "").strip()
    raw_media = stray.get("media")
    media = tuple(
        (str(kind), str(file_id))
        for kind, file_id in (raw_media if isinstance(raw_media, list) else [])
        if kind in request_texts.MEDIA_LABELS
    )[:MAX_MEDIA]
    if len(text) > services.settings.tunables.max_text_length or not (text or media):
        return None
    draft.description, draft.media, draft.prefilled = text, media, True
    return request_flow_texts.PREFILLED


def phone_note(draft: Draft) -> str:
    """What the phone step settled, said as its keyboard is put away."""
    if draft.telegram_only or draft.contact_phone is None:
        return request_flow_texts.TELEGRAM_ONLY_SAVED
    return request_flow_texts.PHONE_SAVED.format(phone=_shown_phone(draft.contact_phone))
