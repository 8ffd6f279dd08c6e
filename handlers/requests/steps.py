"""The "ask for help" steps: the typed draft, the order of the questions, and their answers.

No sending here: handlers.requests.flow asks the questions, then hands button choices to
`choose` and messages to `answer`, which update the draft and say where to go next. The
summary's words are built in handlers.requests.summary, with everything typed escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

from telegram import Message

from bot.phones import PhoneResult, parse_phone, parse_shared_contact
from bot.requests.request_types import RequestDraft
from bot.runtime.services import Services
from bot.when import (
    MAX_DAYS_AHEAD,
    TimeWindow,
    WhenError,
    WhenKind,
    WhenProblem,
    parse_when,
    window_for,
)
from config import i18n, request_flow_texts, request_texts
from handlers.replies import media_of

ADDRESS_MAX_LENGTH = 300
MAX_MEDIA = 3  # voice notes and photos per request
PHARMACY_MAX_LENGTH = 100
NAME_MAX_LENGTH = 60

_QUICK_WHEN = {"today": WhenKind.TODAY, "tomorrow": WhenKind.TOMORROW, "week": WhenKind.THIS_WEEK}
_WHEN_REASONS = {
    WhenProblem.UNREADABLE: request_flow_texts.WHEN_UNREADABLE,
    WhenProblem.IN_THE_PAST: request_flow_texts.WHEN_IN_THE_PAST,
    WhenProblem.TOO_FAR: request_flow_texts.WHEN_TOO_FAR,
}


class Step(IntEnum):
    """The conversation's states, one question each."""

    NEIGHBOURHOOD = 0
    CATEGORY = 1
    WHAT = 2
    WHEN = 3
    WHEN_TYPED = 4
    PHONE = 5
    ADDRESS = 6
    PAYMENT = 7
    PHARMACY = 8
    FOR_WHOM = 9
    FOR_NAME = 10
    FOR_PHONE = 11
    FOR_AGREED = 12
    SUMMARY = 13
    EDIT = 14
    WHEN_AMPM = 15  # a typed hour from 1 to 7: morning or afternoon?

    @property
    def token(self) -> str:
        """The step's name in button data."""
        return self.name.lower()


class Move(Enum):
    """Leaving a step without answering it."""

    BACK = "back"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Reask:
    """A refused answer: the reason, then the same question again unless repeat is False."""

    reason: str
    repeat: bool = True


Answer = Step | Move | Reask | None  # None: the press does not belong to this step

# The questions in order; WHEN_TYPED, WHEN_AMPM and EDIT are reached only from other steps.
_ORDER = (
    Step.NEIGHBOURHOOD,
    Step.CATEGORY,
    Step.WHAT,
    Step.WHEN,
    Step.PHONE,
    Step.ADDRESS,
    Step.PAYMENT,
    Step.PHARMACY,
    Step.FOR_WHOM,
    Step.FOR_NAME,
    Step.FOR_PHONE,
    Step.FOR_AGREED,
    Step.SUMMARY,
)
# Steps answered together: editing one field walks its whole group, then returns to the summary.
_GROUP = {
    Step.WHEN_TYPED: Step.WHEN,
    Step.WHEN_AMPM: Step.WHEN,
    Step.FOR_NAME: Step.FOR_WHOM,
    Step.FOR_PHONE: Step.FOR_WHOM,
    Step.FOR_AGREED: Step.FOR_WHOM,
}
_TYPED_STEPS = frozenset(
    {
        Step.WHAT,
        Step.WHEN,
        Step.WHEN_TYPED,
        Step.WHEN_AMPM,
        Step.ADDRESS,
        Step.PHARMACY,
        Step.FOR_NAME,
        Step.FOR_PHONE,
    }
)
# A phone-in request is always for the neighbour on the phone, who gave the number themselves.
_NOT_FOR_PHONE_IN = frozenset({Step.PHONE, Step.FOR_WHOM, Step.FOR_AGREED})
_EDITABLE = (
    Step.WHAT,
    Step.WHEN,
    Step.PHONE,
    Step.ADDRESS,
    Step.PAYMENT,
    Step.PHARMACY,
    Step.FOR_WHOM,
)


@dataclass
class Draft:
    """Everything answered so far; the one value the flow keeps in user_data."""

    neighbourhoods: tuple[tuple[int, str], ...]
    neighbourhood_id: int | None = None
    category: str | None = None
    description: str | None = None
    window: TimeWindow | None = None
    contact_phone: str | None = None
    telegram_only: bool = False
    address: str | None = None
    payment_method: str | None = None
    pharmacy: str | None = None
    for_someone_else: bool | None = None
    for_name: str | None = None
    for_phone: str | None = None
    agreed: bool = False
    editing: Step | None = None  # the field being changed from the summary
    reply_keyboard: bool = False  # the phone step's keyboard is showing
    phone_in: bool = False  # an organiser logs a neighbour's request (organising.phone_in)
    media: tuple[tuple[str, str], ...] = ()  # (kind, file_id) of voice notes and photos
    prefilled: bool = False  # started from a stray message: "what is needed" is answered
    pending_when: tuple[TimeWindow, TimeWindow] | None = None  # the morning and afternoon reading

    @property
    def neighbourhood_name(self) -> str:
        """The chosen neighbourhood's name."""
        names = dict(self.neighbourhoods)
        return names.get(self.neighbourhood_id or 0, "?")

    def missing(self) -> Step | None:
        """The first question still unanswered, or None when the draft can be confirmed."""
        other = bool(self.for_someone_else)
        gaps = (
            (Step.NEIGHBOURHOOD, self.neighbourhood_id is None),
            (Step.CATEGORY, self.category is None),
            (Step.WHAT, self.description is None),
            (Step.WHEN, self.window is None),
            (Step.PHONE, self.contact_phone is None and not self.telegram_only),
            (Step.ADDRESS, self.address is None),
            (Step.PAYMENT, applies(Step.PAYMENT, self) and self.payment_method is None),
            (Step.PHARMACY, applies(Step.PHARMACY, self) and self.pharmacy is None),
            (Step.FOR_WHOM, self.for_someone_else is None),
            (Step.FOR_NAME, other and self.for_name is None),
            (Step.FOR_PHONE, other and self.for_phone is None),
            (Step.FOR_AGREED, other and not self.agreed),
        )
        return next((step for step, gap in gaps if gap), None)

    def to_request(self) -> RequestDraft:
        """The confirmed request for the service; only valid once missing() is None."""
        if self.missing() is not None or self.neighbourhood_id is None:
            raise ValueError("the draft is not complete")
        assert self.category is not None and self.description is not None
        assert self.window is not None
        other = bool(self.for_someone_else)
        return RequestDraft(
            neighbourhood_id=self.neighbourhood_id,
            category=self.category,
            description=self.description,
            window=self.window,
            contact_phone=None if self.telegram_only else self.contact_phone,
            telegram_only=self.telegram_only,
            address=self.address,
            payment_method=self.payment_method if applies(Step.PAYMENT, self) else None,
            pharmacy=self.pharmacy if applies(Step.PHARMACY, self) else None,
            for_name=self.for_name if other else None,
            for_phone=self.for_phone if other else None,
            media=self.media,
        )


def applies(step: Step, draft: Draft) -> bool:
    """Whether this question is asked for this draft."""
    if draft.phone_in and step in _NOT_FOR_PHONE_IN:
        return False
    if step is Step.NEIGHBOURHOOD:
        return len(draft.neighbourhoods) > 1
    if step is Step.PAYMENT:
        return draft.category == "shopping"
    if step is Step.PHARMACY:
        return draft.category == "prescription"
    if step in (Step.FOR_NAME, Step.FOR_PHONE, Step.FOR_AGREED):
        return bool(draft.for_someone_else)
    return True


def _group(step: Step) -> Step:
    """The first step of the group a step belongs to."""
    return _GROUP.get(step, step)


def next_step(current: Step, draft: Draft) -> Step:
    """The question after this one; while editing, the summary once the field is done."""
    base = Step.WHEN if current in (Step.WHEN_TYPED, Step.WHEN_AMPM) else current
    later = _ORDER[_ORDER.index(base) + 1 :]
    answered = {Step.WHAT} if draft.prefilled and draft.description is not None else set()
    following = next(
        (step for step in later if applies(step, draft) and step not in answered), Step.SUMMARY
    )
    if draft.editing is not None and _group(following) != _group(current):
        return Step.SUMMARY
    return following


def editable(draft: Draft) -> list[Step]:
    """The fields the summary's Edit offers for this draft."""
    return [step for step in _EDITABLE if applies(step, draft)]


def previous_step(current: Step, draft: Draft) -> Step | None:
    """The question before this one (None before the first: back to the menu)."""
    if current is Step.EDIT:
        return Step.SUMMARY
    if draft.editing is not None and current is draft.editing:
        return Step.EDIT
    if current is Step.WHEN_TYPED:
        return Step.WHEN
    if current is Step.WHEN_AMPM:
        return Step.WHEN_TYPED
    earlier = _ORDER[: _ORDER.index(current)]
    return next((step for step in reversed(earlier) if applies(step, draft)), None)


def _media_answer(message: Message, draft: Draft, services: Services) -> Answer:
    """A voice note or photo at "what is needed", with its caption as the words, if any."""
    media = media_of(message)
    assert media is not None
    if len(draft.media) >= MAX_MEDIA:
        return Reask(request_flow_texts.MEDIA_LIMIT.format(limit=MAX_MEDIA), repeat=False)
    if message.caption:
        text = _typed(message.caption, services.settings.tunables.max_text_length)
        if isinstance(text, Reask):
            return text
        draft.description = text
    draft.media = (*draft.media, media)
    if draft.description is None:
        draft.description = ""
    return next_step(Step.WHAT, draft)


async def choose(step: Step, value: str, draft: Draft, services: Services, user_id: int) -> Answer:
    """Apply a button choice at this step; None when the value does not belong to it."""
    if step is Step.NEIGHBOURHOOD:
        current = [(n.id, n.name) for n, _ in await services.community.memberships(user_id)]
        draft.neighbourhoods = tuple(current) or draft.neighbourhoods
        if not any(str(nid) == value for nid, _ in current):
            return None  # left it, or a forged id: ask again from the current list
        draft.neighbourhood_id = int(value)
    elif step is Step.CATEGORY and value in request_texts.CATEGORY_LABELS:
        draft.category = value
    elif step is Step.WHEN and value == "type":
        return Step.WHEN_TYPED
    elif step is Step.WHEN and value in _QUICK_WHEN:
        now, zone = services.clock.now(), services.settings.timezone
        draft.window = window_for(_QUICK_WHEN[value], now, zone)
    elif step is Step.WHEN_AMPM and value in ("am", "pm") and draft.pending_when:
        draft.window = draft.pending_when[0 if value == "am" else 1]
        draft.pending_when = None
    elif step is Step.PAYMENT and value in request_texts.PAYMENT_LABELS:
        draft.payment_method = value
    elif step is Step.FOR_WHOM and value in ("me", "other"):
        draft.for_someone_else = value == "other"
    elif step is Step.FOR_AGREED and value == "yes":
        draft.agreed = True
    elif step is Step.SUMMARY and value == "edit":
        return Step.EDIT
    elif step is Step.EDIT:
        fields = {field.token: field for field in editable(draft)}
        if value not in fields:
            return None
        draft.editing = fields[value]
        return fields[value]
    else:
        return None
    return next_step(step, draft)


def _typed(text: str, limit: int | None) -> str | Reask:
    """Stripped text within the limit (None: the parser limits it), or why it was refused."""
    clean = text.strip()
    if not clean:
        return Reask(request_flow_texts.TEXT_EMPTY)
    if limit is not None and len(clean) > limit:
        return Reask(request_flow_texts.TEXT_TOO_LONG.format(length=len(clean), limit=limit))
    return clean


def _phone_problem(result: PhoneResult) -> Reask:
    key = result.problem.value if result.problem else "invalid"
    return Reask(
        request_flow_texts.PHONE_PROBLEMS.get(key, request_flow_texts.PHONE_PROBLEMS["invalid"])
    )


def _phone_answer(message: Message, draft: Draft, services: Services, user_id: int) -> Answer:
    """A shared own contact, a typed number, or one of the phone keyboard's buttons."""
    region = services.settings.default_region
    if message.contact is not None:
        if message.contact.user_id != user_id:
            return Reask(request_flow_texts.PHONE_NOT_YOURS)
        result = parse_shared_contact(message.contact.phone_number, region)
    elif message.text is not None:
        text = message.text.strip()
        if text in (request_flow_texts.BUTTON_BACK, "Back", "back"):
            return Move.BACK
        if text in (request_flow_texts.BUTTON_CANCEL, "Cancel", "cancel"):
            return Move.CANCEL
        if text == request_flow_texts.BUTTON_TELEGRAM_ONLY:
            draft.telegram_only, draft.contact_phone = True, None
            return next_step(Step.PHONE, draft)
        result = parse_phone(text, region)
    else:
        return Reask(request_flow_texts.TYPE_PLEASE)
    if not result.ok:
        return _phone_problem(result)
    draft.contact_phone, draft.telegram_only = result.e164, False
    return next_step(Step.PHONE, draft)


async def answer(
    step: Step, message: Message, draft: Draft, services: Services, user_id: int
) -> Answer:
    """Apply a typed answer (or a shared contact) at this step."""
    if step is Step.PHONE:
        return _phone_answer(message, draft, services, user_id)
    if step not in _TYPED_STEPS:
        return Reask(request_flow_texts.USE_BUTTONS, repeat=False)
    if step is Step.WHAT and media_of(message) is not None:
        return _media_answer(message, draft, services)
    if message.text is None:
        return Reask(request_flow_texts.TYPE_PLEASE, repeat=False)
    limits = {
        Step.WHAT: services.settings.tunables.max_text_length,
        Step.ADDRESS: ADDRESS_MAX_LENGTH,
        Step.PHARMACY: PHARMACY_MAX_LENGTH,
        Step.FOR_NAME: NAME_MAX_LENGTH,
    }
    text = _typed(message.text, limits.get(step))
    if isinstance(text, Reask):
        return text
    if step in (Step.WHEN, Step.WHEN_TYPED, Step.WHEN_AMPM):
        try:
            draft.window = parse_when(text, services.clock.now(), services.settings.timezone)
        except WhenError as error:
            if error.reason is WhenProblem.AMBIGUOUS and error.choices is not None:
                draft.pending_when = error.choices
                return Step.WHEN_AMPM
            return Reask(i18n.gettext(_WHEN_REASONS[error.reason]).format(days=MAX_DAYS_AHEAD))
        draft.pending_when = None
    elif step is Step.FOR_PHONE:
        result = parse_phone(text, services.settings.default_region)
        if not result.ok:
            return _phone_problem(result)
        draft.for_phone, draft.agreed = result.e164, False
    elif step is Step.WHAT:
        draft.description = text
    elif step is Step.ADDRESS:
        draft.address = text
    elif step is Step.PHARMACY:
        draft.pharmacy = text
    else:
        draft.for_name, draft.agreed = text, False
    return next_step(step, draft)
