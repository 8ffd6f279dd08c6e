"""Organisers' /settings: see and change a neighbourhood's tunables with buttons."""

from __future__ import annotations

import html
from collections.abc import Mapping
from types import MappingProxyType

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callback_data import pack, pattern
from bot.model.volunteers import CHECK_KINDS
from bot.organising.community import NotAllowedError
from bot.organising.neighbourhood_settings import CHOICES, DEFAULT, NO_QUIET_HOURS, SettingsView
from bot.requests.alerting import category_text
from bot.volunteers.volunteering import CATEGORIES
from config import care_texts, texts, vetting_texts
from config.settings import Tunables
from handlers.context import AidApplication, AidContext
from handlers.organising.picking import (
    NeighbourhoodAction,
    button_values,
    checked_ids,
    edit_screen,
    ids,
    keyboard,
    refuse_press,
    result_or_refuse,
    start_for_neighbourhood,
)

SETTINGS_KIND = "vset"
MAIN, CHECKS = "main", "rc"
Rows = list[list[tuple[str, str]]]


async def settings_command(update: Update, context: AidContext) -> None:
    """/settings: show a neighbourhood's settings with buttons to change them."""
    await start_for_neighbourhood(update, context, "settings", ACTIONS["settings"])


async def _show(
    message: Message, user_id: int, neighbourhood_id: int, context: AidContext, _: list[str]
) -> None:
    view = await result_or_refuse(
        message, context.services.vetting.settings.view(user_id, neighbourhood_id)
    )
    if view is None:
        return
    text, rows = main_screen(view, context.services.settings.tunables)
    await message.reply_text(text, reply_markup=keyboard(rows))


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _quiet(start: str | None, end: str | None, tunables: Tunables) -> str:
    if start is None or end is None:
        default = f"{tunables.quiet_hours_start:%H:%M}–{tunables.quiet_hours_end:%H:%M}"
        return default + vetting_texts.DEFAULT_SUFFIX
    return vetting_texts.NO_QUIET_HOURS if (start, end) == NO_QUIET_HOURS else f"{start}–{end}"


def _or_default(value: object | None, default: object) -> str:
    return str(value) if value is not None else f"{default}{vetting_texts.DEFAULT_SUFFIX}"


def value_text(view: SettingsView, key: str, tunables: Tunables) -> str:
    """A setting's current value in words."""
    local = view.settings
    if key == "batch":
        return _or_default(local.alert_batch_size, tunables.alert_batch_size)
    if key == "widen":
        seconds = local.alert_widening_delay_s
        default = _duration(tunables.alert_widening_delay.total_seconds())
        return _duration(seconds) if seconds else default + vetting_texts.DEFAULT_SUFFIX
    if key == "escalate":
        seconds = local.escalation_delay_s
        default = _duration(tunables.escalation_delay.total_seconds())
        return _duration(seconds) if seconds else default + vetting_texts.DEFAULT_SUFFIX
    if key == "buddyack":
        seconds = local.buddy_ack_delay_s
        default = _duration(tunables.buddy_ack_delay.total_seconds())
        return _duration(seconds) if seconds else default + vetting_texts.DEFAULT_SUFFIX
    if key == "cap":
        return f"£{local.spending_cap_pence / 100:.2f}"
    return _quiet(local.quiet_hours_start, local.quiet_hours_end, tunables)


def _checks_text(required: dict[str, frozenset[str]]) -> str:
    parts = [
        f"{category_text(category)}: "
        + ", ".join(vetting_texts.CHECK_LABELS[k] for k in CHECK_KINDS if k in kinds)
        for category, kinds in sorted(required.items())
        if kinds
    ]
    return "; ".join(parts) if parts else vetting_texts.NO_CHECKS_REQUIRED


def main_screen(view: SettingsView, tunables: Tunables) -> tuple[str, Rows]:
    """The settings summary and its buttons."""
    local, nid = view.settings, view.neighbourhood.id
    approval = vetting_texts.YES if local.volunteers_need_approval else vetting_texts.NO
    assets = vetting_texts.YES if local.assets_self_publish else vetting_texts.NO
    text = vetting_texts.SETTINGS_VIEW.format(
        neighbourhood=html.escape(view.neighbourhood.name),
        batch=value_text(view, "batch", tunables),
        widen=value_text(view, "widen", tunables),
        escalate=value_text(view, "escalate", tunables),
        approval=approval,
        checks=_checks_text(view.required_checks),
        cap=f"{local.spending_cap_pence / 100:.2f}",
        quiet=value_text(view, "quiet", tunables),
        assets=assets,
    )
    # The check-in volunteer's time goes with the other delays, before the closing line.
    head, _, tail = text.rpartition("\n\n")
    buddy_ack = care_texts.SETTINGS_BUDDY_ACK.format(value=value_text(view, "buddyack", tunables))
    text = f"{head}\n{buddy_ack}\n\n{tail}" if head else f"{text}\n{buddy_ack}"
    flip_approval = "0" if local.volunteers_need_approval else "1"
    flip_assets = "0" if local.assets_self_publish else "1"
    rows: Rows = [
        [(vetting_texts.BUTTON_BATCH, pack(SETTINGS_KIND, nid, "batch"))],
        [
            (vetting_texts.BUTTON_WIDEN, pack(SETTINGS_KIND, nid, "widen")),
            (vetting_texts.BUTTON_ESCALATE, pack(SETTINGS_KIND, nid, "escalate")),
        ],
        [(care_texts.BUTTON_BUDDY_ACK, pack(SETTINGS_KIND, nid, "buddyack"))],
        [
            (
                vetting_texts.BUTTON_APPROVAL.format(value=approval),
                pack(SETTINGS_KIND, nid, "approval", flip_approval),
            )
        ],
        [(vetting_texts.BUTTON_CHECKS, pack(SETTINGS_KIND, nid, CHECKS))],
        [
            (vetting_texts.BUTTON_CAP, pack(SETTINGS_KIND, nid, "cap")),
            (vetting_texts.BUTTON_QUIET, pack(SETTINGS_KIND, nid, "quiet")),
        ],
        [
            (
                vetting_texts.BUTTON_ASSETS.format(value=assets),
                pack(SETTINGS_KIND, nid, "assets", flip_assets),
            )
        ],
    ]
    return text, rows


def _choice_label(key: str, value: str, tunables: Tunables) -> str:
    if key == "batch":
        return (
            vetting_texts.BUTTON_DEFAULT.format(value=tunables.alert_batch_size)
            if value == DEFAULT
            else value
        )
    if key in ("widen", "escalate", "buddyack"):
        defaults = {
            "widen": tunables.alert_widening_delay,
            "escalate": tunables.escalation_delay,
            "buddyack": tunables.buddy_ack_delay,
        }
        default = defaults[key]
        seconds = default.total_seconds() if value == DEFAULT else int(value)
        label = _duration(seconds)
        return vetting_texts.BUTTON_DEFAULT.format(value=label) if value == DEFAULT else label
    if key == "cap":
        return f"£{int(value) / 100:.0f}"
    if value == DEFAULT:
        return vetting_texts.BUTTON_DEFAULT.format(value=_quiet(None, None, tunables).split(" ")[0])
    start, end = value.split("-")
    return _quiet(start, end, tunables)


def choice_screen(view: SettingsView, key: str, tunables: Tunables) -> tuple[str, Rows]:
    """The values one setting can take."""
    nid = view.neighbourhood.id
    text = vetting_texts.CHOOSE_VALUE.format(
        setting=vetting_texts.SETTING_NAMES.get(key) or care_texts.SETTING_BUDDY_ACK,
        neighbourhood=html.escape(view.neighbourhood.name),
        value=value_text(view, key, tunables),
    )
    rows: Rows = [
        [(_choice_label(key, value, tunables), pack(SETTINGS_KIND, nid, key, value))]
        for value in CHOICES[key]
    ]
    rows.append([(vetting_texts.BUTTON_BACK, pack(SETTINGS_KIND, nid, MAIN))])
    return text, rows


def categories_screen(view: SettingsView) -> tuple[str, Rows]:
    """Pick a category to set its required checks."""
    nid = view.neighbourhood.id
    rows: Rows = [[(category_text(c), pack(SETTINGS_KIND, nid, CHECKS, c))] for c in CATEGORIES]
    rows.append([(vetting_texts.BUTTON_BACK, pack(SETTINGS_KIND, nid, MAIN))])
    return vetting_texts.CHOOSE_CATEGORY.format(
        neighbourhood=html.escape(view.neighbourhood.name)
    ), rows


def category_checks_screen(view: SettingsView, category: str) -> tuple[str, Rows]:
    """Toggle the checks required for one category."""
    nid = view.neighbourhood.id
    required = view.required_checks.get(category, frozenset())
    checks = ", ".join(vetting_texts.CHECK_LABELS[k] for k in CHECK_KINDS if k in required)
    text = vetting_texts.CATEGORY_CHECKS.format(
        category=category_text(category),
        neighbourhood=html.escape(view.neighbourhood.name),
        checks=checks or vetting_texts.NO_CHECKS_REQUIRED,
    )
    rows: Rows = [
        [
            (
                ("✅ " if kind in required else "▫️ ") + vetting_texts.CHECK_LABELS[kind],
                pack(SETTINGS_KIND, nid, CHECKS, category, kind),
            )
        ]
        for kind in CHECK_KINDS
    ]
    rows.append([(vetting_texts.BUTTON_BACK, pack(SETTINGS_KIND, nid, CHECKS))])
    return text, rows


async def setting_pressed(update: Update, context: AidContext) -> None:
    """Any /settings button: re-check the presser, apply a change if any, show the screen."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    values = button_values(query.data)
    key, rest = (values[1], values[2:]) if len(values) > 1 else ("", [])
    known = key in CHOICES or key in (MAIN, CHECKS)
    valid = known and not (key == CHECKS and rest[:1] and rest[0] not in CATEGORIES)
    numbers = await checked_ids(update, context, ids(values, 1), valid=valid)
    if numbers is None:
        return
    nid = numbers[0]
    service, tunables = context.services.vetting.settings, context.services.settings.tunables
    try:
        if key == CHECKS and len(rest) == 2:
            if rest[1] not in CHECK_KINDS:
                await query.answer(texts.STALE_BUTTON, show_alert=True)
                return
            view = await service.toggle_required_check(user.id, nid, rest[0], rest[1])
        elif key in CHOICES and rest:
            if rest[0] not in CHOICES[key]:
                await query.answer(texts.STALE_BUTTON, show_alert=True)
                return
            await service.change(user.id, nid, key, rest[0])
            view = await service.view(user.id, nid)
            key = MAIN
        else:
            view = await service.view(user.id, nid)
    except NotAllowedError:
        await refuse_press(update)
        return
    await query.answer()
    if key == CHECKS:
        text, rows = category_checks_screen(view, rest[0]) if rest else categories_screen(view)
    elif key in CHOICES and key not in ("approval", "assets"):
        text, rows = choice_screen(view, key, tunables)
    else:
        text, rows = main_screen(view, tunables)
    await edit_screen(query, text, rows)


def register(application: AidApplication) -> None:
    """Add /settings and its buttons."""
    application.add_handler(CommandHandler("settings", settings_command, filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(setting_pressed, pattern=pattern(SETTINGS_KIND)))


# The actions this module runs once a neighbourhood is known (the picker's buttons name them).
ACTIONS: Mapping[str, NeighbourhoodAction] = MappingProxyType(
    {
        "settings": _show,
    }
)
