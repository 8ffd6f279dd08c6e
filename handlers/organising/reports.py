"""Organiser reports: /stats [days] and /export requests|volunteers [days] [all].

`/export assets` belongs to the asset register, whose handler is registered before this one
and claims that argument; this one answers the other kinds and bad arguments.
"""

from __future__ import annotations

import html

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot.callback_data import int_arg
from bot.organising import charts
from bot.organising.exports import ExportKind, Refusal
from bot.organising.stats import CHART_WEEKS, DEFAULT_DAYS, MAX_DAYS, describe
from config import chart_texts, oversight_texts
from handlers.context import AidApplication, AidContext


def _days(args: list[str], default: int | None) -> int | None | str:
    """The optional day count argument: a number of days, the default, or "bad"."""
    if not args:
        return default
    if len(args) > 1 or int_arg(args[0]) is None or not 1 <= int(args[0]) <= MAX_DAYS:
        return "bad"
    return int(args[0])


async def stats_command(update: Update, context: AidContext) -> None:
    """/stats [days]: what the organiser's neighbourhoods asked for and gave lately."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if not await context.services.community.is_organiser(user.id):
        await message.reply_text(oversight_texts.NOT_ORGANISER)
        return
    days = _days(context.args or [], DEFAULT_DAYS)
    if not isinstance(days, int):
        await message.reply_text(oversight_texts.STATS_USAGE)
        return
    await send_stats(message, user.id, days, context)


async def send_stats(message: Message, user_id: int, days: int, context: AidContext) -> None:
    """The stats text, then its chart (when the last weeks hold any request)."""
    report = await context.services.oversight.stats.report(user_id, days)
    if report is None:
        await message.reply_text(oversight_texts.NO_NEIGHBOURHOODS)
        return
    await message.reply_text(describe(report))
    series = charts.stats_series(report)
    if not series.total:
        return
    png = await charts.draw(series)
    await message.reply_photo(
        photo=png, caption=chart_texts.STATS_CAPTION(series.total, weeks=CHART_WEEKS)
    )


def _export_args(args: list[str]) -> tuple[ExportKind, int | None, bool] | None:
    """The kind, the optional day count and whether `all` was asked for; None if unreadable."""
    kinds = {kind.value: kind for kind in ExportKind}
    if not args or args[0].lower() not in kinds:
        return None
    rest = [a for a in args[1:] if a.lower() != "all"]
    everywhere = len(rest) < len(args) - 1
    days = _days(rest, None)
    if days == "bad" or len(args) - 1 - len(rest) > 1:
        return None
    return kinds[args[0].lower()], days if isinstance(days, int) else None, everywhere


def refusal_text(refusal: Refusal, kind: str) -> str:
    """What to tell an organiser whose export was refused."""
    if refusal is Refusal.ALL_NOT_ALLOWED:
        return oversight_texts.EXPORT_ALL_NOT_ALLOWED
    if refusal is Refusal.NONE_OF_YOUR_OWN:
        return oversight_texts.EXPORT_NONE_OF_YOUR_OWN.format(kind=kind)
    return oversight_texts.NOT_ORGANISER


async def export_command(update: Update, context: AidContext) -> None:
    """/export requests|volunteers [days] [all]: a CSV file, in a private chat only."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    if not await context.services.community.is_organiser(user.id):
        await message.reply_text(oversight_texts.NOT_ORGANISER)
        return
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(oversight_texts.PRIVATE_ONLY)
        return
    parsed = _export_args(context.args or [])
    if parsed is None:
        await message.reply_text(oversight_texts.EXPORT_USAGE)
        return
    kind, days, everywhere = parsed
    export = await context.services.oversight.exports.export(user.id, kind, days, everywhere)
    if isinstance(export, Refusal):
        await message.reply_text(refusal_text(export, kind.value))
        return
    scope = (
        oversight_texts.EXPORT_SCOPE_ALL
        if export.everywhere
        else ", ".join(html.escape(name) for name in export.neighbourhoods)
    )
    caption_text = (
        oversight_texts.EXPORT_CAPTION
        if days is not None
        else oversight_texts.EXPORT_CAPTION_ALL_TIME
    )
    caption = caption_text.format(
        kind=oversight_texts.EXPORT_KIND_NAMES.get(kind.value, kind.value),
        rows=oversight_texts.EXPORT_ROWS(export.rows),
        period=oversight_texts.EXPORT_DAYS(days) if isinstance(days, int) else "",
        scope=scope,
    )
    await message.reply_document(
        document=export.content, filename=export.filename, caption=caption[:1024]
    )


def register(application: AidApplication) -> None:
    """Register /stats and /export."""
    application.add_handler(CommandHandler("stats", stats_command))
    application.add_handler(CommandHandler("export", export_command))
