"""The questions of the "ask for help" flow: each step's text and buttons.

handlers.requests.flow asks them and handles the answers; the steps themselves are in
handlers.requests.steps and the summary's words in handlers.requests.summary.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.callback_data import pack
from bot.runtime.services import Services
from config import request_flow_texts, request_texts
from handlers.requests import steps, summary
from handlers.requests.steps import Draft, Step

KIND = "reqflow"  # button data: v1|reqflow|<step>|<value>, or v1|reqflow|cancel at any step
BACK = "back"
CONFIRM = "confirm"
CANCEL_DATA = pack(KIND, "cancel")


@dataclass(frozen=True)
class Prompt:
    """One step's message: its text and its buttons."""

    text: str
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup


def button(step: Step, label: str, value: str | int) -> InlineKeyboardButton:
    """A choice at a step."""
    return InlineKeyboardButton(label, callback_data=pack(KIND, step.token, value))


def keyboard(step: Step, *rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """The step's choices, one row each as given, then Back and Cancel."""
    navigation = [
        button(step, request_flow_texts.BUTTON_BACK, BACK),
        InlineKeyboardButton(request_flow_texts.BUTTON_CANCEL, callback_data=CANCEL_DATA),
    ]
    return InlineKeyboardMarkup([*rows, navigation])


def _phonekeyboard() -> ReplyKeyboardMarkup:
    """Share the number, Telegram only, then Back and Cancel as reply buttons."""
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(request_flow_texts.BUTTON_SHARE_PHONE, request_contact=True)],
            [KeyboardButton(request_flow_texts.BUTTON_TELEGRAM_ONLY)],
            [
                KeyboardButton(request_flow_texts.BUTTON_BACK),
                KeyboardButton(request_flow_texts.BUTTON_CANCEL),
            ],
        ],
        one_time_keyboard=True,
        resize_keyboard=True,
    )


async def render(step: Step, draft: Draft, services: Services) -> Prompt:
    """The question and buttons of a step."""
    match step:
        case Step.NEIGHBOURHOOD:
            rows = [[button(step, label, nid)] for nid, label in draft.neighbourhoods]
            return Prompt(request_flow_texts.CHOOSE_NEIGHBOURHOOD, keyboard(step, *rows))
        case Step.CATEGORY:
            rows = [
                [button(step, label, key)] for key, label in request_texts.CATEGORY_LABELS.items()
            ]
            text = request_flow_texts.CHOOSE_CATEGORY.format(
                neighbourhood=html.escape(draft.neighbourhood_name)
            )
            return Prompt(text, keyboard(step, *rows))
        case Step.WHAT:
            limit = services.settings.tunables.max_text_length
            return Prompt(request_flow_texts.ASK_WHAT.format(limit=limit), keyboard(step))
        case Step.WHEN:
            quick = [
                button(step, request_flow_texts.BUTTON_TODAY, "today"),
                button(step, request_flow_texts.BUTTON_TOMORROW, "tomorrow"),
                button(step, request_flow_texts.BUTTON_THIS_WEEK, "week"),
            ]
            typed = [button(step, request_flow_texts.BUTTON_TYPE_WHEN, "type")]
            return Prompt(request_flow_texts.ASK_WHEN, keyboard(step, quick, typed))
        case Step.WHEN_TYPED:
            return Prompt(request_flow_texts.ASK_WHEN_TYPED, keyboard(step))
        case Step.WHEN_AMPM if draft.pending_when is not None:
            zone = services.settings.timezone
            morning, afternoon = (w.describe(zone) for w in draft.pending_when)
            rows = [
                [button(step, request_flow_texts.BUTTON_AM.format(when=morning), "am")],
                [button(step, request_flow_texts.BUTTON_PM.format(when=afternoon), "pm")],
            ]
            return Prompt(request_flow_texts.ASK_AM_PM, keyboard(step, *rows))
        case Step.WHEN_AMPM:  # the choices were lost: ask for the time again
            return Prompt(request_flow_texts.ASK_WHEN_TYPED, keyboard(step))
        case _:
            return await render_details(step, draft, services)


async def render_details(step: Step, draft: Draft, services: Services) -> Prompt:
    """The question and buttons of a step after the time: contact, payment, whom, summary."""
    name = html.escape(draft.for_name or "")
    match step:
        case Step.PHONE:
            return Prompt(request_flow_texts.ASK_PHONE, _phonekeyboard())
        case Step.ADDRESS:
            return Prompt(
                request_flow_texts.ASK_ADDRESS.format(limit=steps.ADDRESS_MAX_LENGTH),
                keyboard(step),
            )
        case Step.PAYMENT:
            pence = await services.requests.spending_cap_pence(draft.neighbourhood_id or 0)
            rows = [
                [button(step, label, key)] for key, label in request_texts.PAYMENT_LABELS.items()
            ]
            text = request_flow_texts.ASK_PAYMENT.format(
                neighbourhood=html.escape(draft.neighbourhood_name), cap=f"{pence / 100:.2f}"
            )
            return Prompt(text, keyboard(step, *rows))
        case Step.PHARMACY:
            return Prompt(
                request_flow_texts.ASK_PHARMACY.format(limit=steps.PHARMACY_MAX_LENGTH),
                keyboard(step),
            )
        case Step.FOR_WHOM:
            row = [button(step, request_flow_texts.BUTTON_FOR_ME, "me")]
            row.append(button(step, request_flow_texts.BUTTON_FOR_SOMEONE_ELSE, "other"))
            return Prompt(request_flow_texts.ASK_FOR_WHOM, keyboard(step, row))
        case Step.FOR_NAME:
            return Prompt(
                request_flow_texts.ASK_FOR_NAME.format(limit=steps.NAME_MAX_LENGTH), keyboard(step)
            )
        case Step.FOR_PHONE:
            return Prompt(request_flow_texts.ASK_FOR_PHONE.format(name=name), keyboard(step))
        case Step.FOR_AGREED:
            agreed = [button(step, request_flow_texts.BUTTON_THEY_AGREED, "yes")]
            return Prompt(
                request_flow_texts.ASK_FOR_AGREED.format(name=name), keyboard(step, agreed)
            )
        case Step.SUMMARY:
            rows = [
                [button(step, request_flow_texts.BUTTON_CONFIRM, CONFIRM)],
                [button(step, request_flow_texts.BUTTON_EDIT, "edit")],
            ]
            return Prompt(summary.summary_text(draft, services), keyboard(step, *rows))
        case Step.EDIT:
            rows = [
                [button(step, request_flow_texts.EDIT_LABELS[s.token], s.token)]
                for s in steps.editable(draft)
            ]
            return Prompt(request_flow_texts.ASK_EDIT, keyboard(step, *rows))
    raise ValueError(f"no prompt for {step!r}")
