"""The "offer help" steps: the draft, the order of the questions, their buttons and texts.

No sending here: handlers.volunteers.flow asks the questions and takes the answers. The
summary's words are built here too, from the draft, with everything typed escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.callback_data import pack, unpack
from bot.language_names import joined
from bot.phones import format_for_display
from bot.volunteers import volunteering as vol
from bot.when import ANY_TIME
from config import i18n, request_texts, volunteer_texts

# Conversation states, in the order the steps are asked; STEP_NAMES go into button data.
CHOOSING_CATEGORIES, CHOOSING_TIMES, CHOOSING_MAX_TASKS = range(3)
TYPING_LANGUAGES, TYPING_SKILLS, SHARING_PHONE, CONFIRMING = range(3, 7)
ORDER = (
    CHOOSING_CATEGORIES,
    CHOOSING_TIMES,
    CHOOSING_MAX_TASKS,
    TYPING_LANGUAGES,
    TYPING_SKILLS,
    SHARING_PHONE,
    CONFIRMING,
)
_NAMES = ("cat", "when", "tasks", "langs", "skills", "phone", "summary")
STEP_NAMES = dict(zip(ORDER, _NAMES, strict=True))
STATES = {name: state for state, name in STEP_NAMES.items()}

KIND = "vol"  # button data: v1|vol|<action>|<step>|<value>
DEFAULT_MAX_TASKS = 2
LANGUAGE_MAX_LENGTH = 40
# Stored language codes back to a name to show ("cy" -> "Welsh"); the first name listed wins.
_LANGUAGE_NAMES = {code: n for n, code in reversed(vol.LANGUAGE_CODES.items()) if n != code}


class ListStep(NamedTuple):
    """A step where a comma-separated list is typed: the draft field, limits and texts."""

    field: str
    most: int
    longest: int
    ask: str
    invalid: str


LISTS = {
    TYPING_LANGUAGES: ListStep(
        "languages",
        vol.MAX_LANGUAGES,
        LANGUAGE_MAX_LENGTH,
        volunteer_texts.ASK_LANGUAGES,
        volunteer_texts.LANGUAGES_INVALID,
    ),
    TYPING_SKILLS: ListStep(
        "skills",
        vol.MAX_SKILLS,
        vol.SKILL_MAX_LENGTH,
        volunteer_texts.ASK_SKILLS,
        volunteer_texts.SKILLS_INVALID,
    ),
}


@dataclass
class OfferDraft:
    """The offer being put together, kept in user_data until it is confirmed or dropped."""

    categories: set[str] = field(default_factory=set)
    availability: int = 0
    max_tasks: int = DEFAULT_MAX_TASKS
    languages: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    share_phone: bool = False
    phone_e164: str | None = None
    is_change: bool = False
    prompt_id: int | None = None  # the message now showing this flow's buttons

    def offer(self) -> vol.Offer:
        """The finished offer for the volunteering service."""
        return vol.Offer(
            categories=frozenset(self.categories),
            availability=self.availability,
            max_open_tasks=self.max_tasks,
            languages=tuple(self.languages),
            skills=tuple(self.skills),
            share_phone=self.share_phone,
            phone_e164=self.phone_e164 if self.share_phone else None,
        )


def button_data(*parts: str | int) -> str:
    """Button data of this flow (kind vol) for an action and its arguments."""
    return pack(KIND, *parts)


def button_args(data: str | None) -> list[str]:
    """Button data's arguments after the kind, padded so [action, step, value] unpack."""
    parsed = unpack(data)
    return [*(parsed[1] if parsed else []), "", "", ""]


def _button(label: str, *parts: str | int, chosen: bool = False) -> InlineKeyboardButton:
    text = volunteer_texts.CHOSEN_MARK + label if chosen else label
    return InlineKeyboardButton(text, callback_data=button_data(*parts))


def step_keyboard(state: int, draft: OfferDraft) -> InlineKeyboardMarkup:
    """A step's buttons: its choices (chosen ones marked ✓), then Back and Cancel."""
    name = STEP_NAMES[state]
    rows: list[list[InlineKeyboardButton]] = []
    if state == CHOOSING_CATEGORIES:
        for key, label in request_texts.CATEGORY_LABELS.items():
            rows.append([_button(label, "pick", name, key, chosen=key in draft.categories)])
    elif state == CHOOSING_TIMES:
        for bit, label in (
            *request_texts.AVAILABILITY_LABELS,
            (ANY_TIME, request_texts.ANY_TIME_LABEL),
        ):
            chosen = (draft.availability & bit) == bit
            rows.append([_button(label, "pick", name, bit, chosen=chosen)])
    elif state == CHOOSING_MAX_TASKS:
        current, choices = draft.max_tasks, vol.MAX_TASKS_CHOICES
        rows.append([_button(str(n), "pick", name, n, chosen=n == current) for n in choices])
    elif state in LISTS and getattr(draft, LISTS[state].field):
        rows.append(
            [
                _button(volunteer_texts.BUTTON_KEEP, "next", name),
                _button(volunteer_texts.BUTTON_CLEAR, "clear", name),
            ]
        )
    elif state in LISTS:
        rows.append([_button(volunteer_texts.BUTTON_SKIP, "next", name)])
    elif state == CONFIRMING:
        rows += [
            [_button(volunteer_texts.BUTTON_CONFIRM, "confirm")],
            [_button(volunteer_texts.BUTTON_EDIT, "edit")],
        ]
    if state in (CHOOSING_CATEGORIES, CHOOSING_TIMES):
        rows.append([_button(volunteer_texts.BUTTON_NEXT, "next", name)])
    nav = [
        _button(volunteer_texts.BUTTON_BACK, "back", name),
        _button(volunteer_texts.BUTTON_CANCEL, "cancel"),
    ]
    return InlineKeyboardMarkup([*rows, nav])


def phone_keyboard() -> ReplyKeyboardMarkup:
    """Share the Telegram number, keep it private, Back or Cancel: a one-time reply keyboard."""
    rows = [
        [KeyboardButton(volunteer_texts.BUTTON_SHARE_PHONE, request_contact=True)],
        [KeyboardButton(volunteer_texts.BUTTON_NO_PHONE)],
        [
            KeyboardButton(volunteer_texts.BUTTON_BACK),
            KeyboardButton(volunteer_texts.BUTTON_CANCEL),
        ],
    ]
    return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)


def language_name(code: str) -> str:
    """A stored language code as a name to show ("cy" -> "Welsh")."""
    name = _LANGUAGE_NAMES.get(code, code)
    return name.upper() if len(name) <= 3 else name.title()


def split_list(text: str, most: int, longest: int) -> list[str] | None:
    """Comma-separated items, tidied and without repeats; None if empty or over a limit."""
    items = [" ".join(part.split()) for part in re.split(r"[,;\n]", text)]
    unique: dict[str, str] = {}
    for item in filter(None, items):
        unique.setdefault(item.casefold(), item)
    if not unique or len(unique) > most or any(len(item) > longest for item in unique.values()):
        return None
    return list(unique.values())


def summary_text(draft: OfferDraft) -> str:
    """The offer to check, with everything the person typed escaped."""
    times = [label for bit, label in request_texts.AVAILABILITY_LABELS if draft.availability & bit]
    labels = request_texts.CATEGORY_LABELS.items()
    phone = volunteer_texts.PHONE_PRIVATE
    if draft.share_phone and draft.phone_e164:
        phone = volunteer_texts.PHONE_SHARED.format(
            phone=html.escape(format_for_display(draft.phone_e164))
        )
    return volunteer_texts.SUMMARY.format(
        categories=", ".join(label for c, label in labels if c in draft.categories),
        availability=request_texts.ANY_TIME_LABEL
        if draft.availability == ANY_TIME
        else ", ".join(times),
        max_tasks=draft.max_tasks,
        languages=html.escape(", ".join(draft.languages)) or volunteer_texts.NOTHING,
        skills=html.escape(", ".join(draft.skills)) or volunteer_texts.NOTHING,
        phone=phone,
    )


def prompt_text(state: int, draft: OfferDraft) -> str:
    """The question a step asks."""
    if state == CHOOSING_CATEGORIES:
        return (
            volunteer_texts.ASK_CATEGORIES_EXISTING
            if draft.is_change
            else volunteer_texts.ASK_CATEGORIES
        )
    if state in LISTS:
        items: list[str] = getattr(draft, LISTS[state].field)
        if items:
            return i18n.gettext(LISTS[state].ask) + volunteer_texts.ASK_LIST_NOW.format(
                items=html.escape(", ".join(items))
            )
        replaces = state == TYPING_SKILLS and draft.is_change
        return i18n.gettext(LISTS[state].ask) + (
            volunteer_texts.ASK_SKILLS_REPLACE if replaces else ""
        )
    if state == CONFIRMING:
        return summary_text(draft)
    return (
        volunteer_texts.ASK_AVAILABILITY
        if state == CHOOSING_TIMES
        else volunteer_texts.ASK_MAX_TASKS
    )


def saved_text(statuses: dict[str, str], draft: OfferDraft) -> str:
    """Per neighbourhood, approved or waiting; and whether the directory gained entries."""
    if not statuses:
        return volunteer_texts.NOT_IN_NEIGHBOURHOOD
    templates = {
        "approved": volunteer_texts.STATUS_APPROVED,
        "suspended": volunteer_texts.STATUS_SUSPENDED,
    }
    lines = [volunteer_texts.SAVED]
    for name, status in statuses.items():
        template = templates.get(status, volunteer_texts.STATUS_PENDING)
        lines.append(template.format(neighbourhood=html.escape(name)))
    if draft.languages or draft.skills:
        names = joined([html.escape(name) for name in statuses])
        lines.append(volunteer_texts.ADDED_TO_DIRECTORY.format(neighbourhoods=names))
    return "\n".join([*lines, volunteer_texts.SAVED_FOOTER])
