"""The main menu's buttons: everyone's, and the organiser's (which lead where commands do)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import pack
from config import texts

ORGANISER_KIND = "omenu"  # v1|omenu|<item>[|neighbourhood id]
# Organiser menu items, each doing what its command does.
OPEN, PENDING, CHECKINS, WEEK, SETTINGS = "open", "pending", "checkins", "week", "settings"
CREATE, INVITE, LINK_GROUP = "create", "invite", "linkgroup"


def organiser_button(label: str, item: str, *extra: int) -> InlineKeyboardButton:
    """One organiser menu button."""
    return InlineKeyboardButton(label, callback_data=pack(ORGANISER_KIND, item, *extra))


def member_rows() -> list[list[InlineKeyboardButton]]:
    """Ask, offer, my requests, directory."""
    return [
        [InlineKeyboardButton(texts.MENU_REQUEST, callback_data=pack("menu", "request"))],
        [InlineKeyboardButton(texts.MENU_VOLUNTEER, callback_data=pack("menu", "volunteer"))],
        [
            InlineKeyboardButton(texts.MENU_MY_REQUESTS, callback_data=pack("menu", "mine")),
            InlineKeyboardButton(texts.MENU_DIRECTORY, callback_data=pack("menu", "directory")),
        ],
    ]


def organiser_rows() -> list[list[InlineKeyboardButton]]:
    """What organisers do most, then setting up: each button does what its command does."""
    return [
        [
            organiser_button(texts.MENU_OPEN, OPEN),
            organiser_button(texts.MENU_PENDING, PENDING),
        ],
        [
            organiser_button(texts.MENU_CHECKINS, CHECKINS),
            organiser_button(texts.MENU_WEEK, WEEK),
        ],
        [
            organiser_button(texts.MENU_INVITE, INVITE),
            organiser_button(texts.MENU_LINK_GROUP, LINK_GROUP),
        ],
        [organiser_button(texts.MENU_SETTINGS, SETTINGS)],
    ]


def menu_keyboard(*, member: bool = True, organiser: bool = False) -> InlineKeyboardMarkup:
    """The main menu for a member, an organiser, or both."""
    rows = member_rows() if member else []
    return InlineKeyboardMarkup([*rows, *(organiser_rows() if organiser else [])])


def first_steps_keyboard() -> InlineKeyboardMarkup:
    """A new organiser's first step: create a neighbourhood."""
    return InlineKeyboardMarkup([[organiser_button(texts.MENU_CREATE, CREATE)]])


def next_steps_keyboard() -> InlineKeyboardMarkup:
    """After creating a neighbourhood: an invite link, and the volunteers' group."""
    return InlineKeyboardMarkup(
        [
            [organiser_button(texts.MENU_INVITE_FIRST, INVITE)],
            [organiser_button(texts.MENU_LINK_GROUP_FIRST, LINK_GROUP)],
        ]
    )
