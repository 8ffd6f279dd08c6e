"""The check-in set-up's keyboards: days, the menu, and offer-or-skip for contact details."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import pack
from bot.care.checkin_schedule import ALL_DAYS, WEEKDAYS
from config import care_texts

KIND = "cif"  # the callback data kind of every button of the flow
BUTTON_LABEL_LENGTH = 32


def days_keyboard(days: int) -> InlineKeyboardMarkup:
    """The weekday toggles, Every day, Weekdays and Done."""
    toggles = [
        InlineKeyboardButton(
            ("✅ " if days & (1 << bit) else "") + name, callback_data=pack(KIND, "day", bit)
        )
        for bit, name in enumerate(care_texts.DAY_NAMES)
    ]
    return InlineKeyboardMarkup(
        [
            toggles[:4],
            toggles[4:],
            [
                InlineKeyboardButton(
                    care_texts.BUTTON_EVERY_DAY, callback_data=pack(KIND, "days", ALL_DAYS)
                ),
                InlineKeyboardButton(
                    care_texts.BUTTON_WEEKDAYS, callback_data=pack(KIND, "days", WEEKDAYS)
                ),
            ],
            [InlineKeyboardButton(care_texts.BUTTON_DAYS_DONE, callback_data=pack(KIND, "next"))],
        ]
    )


def menu_keyboard(paused: bool) -> InlineKeyboardMarkup:
    """Change, Pause (or Resume) and Stop, for a resident who has a check-in."""
    pause = (
        (care_texts.BUTTON_RESUME, pack(KIND, "resume"))
        if paused
        else (care_texts.BUTTON_PAUSE, pack(KIND, "pause"))
    )
    rows = [
        [(care_texts.BUTTON_CHANGE, pack(KIND, "change"))],
        [pause],
        [(care_texts.BUTTON_STOP, pack(KIND, "stop"))],
    ]
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def short(text: str) -> str:
    """A stored value short enough for a button label."""
    return text if len(text) <= BUTTON_LABEL_LENGTH else text[: BUTTON_LABEL_LENGTH - 1] + "…"


def offer_or_skip(label: str | None, offer: str) -> InlineKeyboardMarkup:
    """A button offering a known value (if any), and Skip."""
    rows = [[InlineKeyboardButton(label, callback_data=pack(KIND, offer))]] if label else []
    rows.append([InlineKeyboardButton(care_texts.BUTTON_SKIP, callback_data=pack(KIND, "skip"))])
    return InlineKeyboardMarkup(rows)
