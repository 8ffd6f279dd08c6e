"""Organisers' register tools: /gaps [days], /export assets and /import assets (a CSV)."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.callback_data import int_arg
from bot.delivery.notify import split_text
from bot.directory.csv_files import COLUMNS, MAX_BYTES, MalformedCsvError
from bot.directory.gaps import DEFAULT_DAYS, MAX_DAYS, describe
from bot.directory.transfer import ImportReport
from bot.organising import charts
from bot.organising.exports import Refusal
from config import asset_texts, chart_texts, oversight_texts
from handlers.context import AidApplication, AidContext
from handlers.flow_switch import switch_fallbacks
from handlers.organising.reports import refusal_text

NAME = "asset_import"
END = ConversationHandler.END
WAIT_FILE = "wait_file"
PRIVATE = filters.ChatType.PRIVATE
EXPORT_ASSETS = filters.Regex(r"^/export(@\w+)?\s+assets\b")
IMPORT_ASSETS = filters.Regex(r"^/import(@\w+)?\s+assets\b")
MAX_ERRORS_LISTED = 50
MAX_GAP_CHARTS = 5  # a bootstrap organiser of many neighbourhoods gets the first few


async def _reply_long(update: Update, text: str) -> None:
    if update.effective_message is not None:
        for part in split_text(text):
            await update.effective_message.reply_text(part)


async def gaps(update: Update, context: AidContext) -> None:
    """/gaps [days]: per category, needs and what is offered, for each organised neighbourhood."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    if args and not (int_arg(args[0]) is not None and 1 <= int(args[0]) <= MAX_DAYS):
        await message.reply_text(asset_texts.GAPS_BAD_DAYS.format(limit=MAX_DAYS))
        return
    days = int(args[0]) if args else DEFAULT_DAYS
    reports = await context.services.assets.gaps.report(user.id, days)
    if reports is None:
        await message.reply_text(asset_texts.GAPS_NOT_ORGANISER)
        return
    text = "\n\n".join(describe(report) for report in reports)
    if len(reports) > MAX_GAP_CHARTS:
        text += "\n\n" + chart_texts.GAPS_MORE_CHARTS(MAX_GAP_CHARTS)
    await _reply_long(update, text)
    for report in reports[:MAX_GAP_CHARTS]:
        series = charts.gaps_series(report.gaps, report.days)
        if not series.categories:
            continue
        png = await charts.draw(series)
        caption = chart_texts.GAPS_CAPTION.format(
            neighbourhood=html.escape(report.neighbourhood.name)
        )
        await message.reply_photo(photo=png, caption=caption[:1024])


async def export_assets(update: Update, context: AidContext) -> None:
    """/export assets [all]: the organiser's register as a CSV document, in private only."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    if chat.type != "private":
        await message.reply_text(asset_texts.IO_PRIVATE_ONLY)
        return
    if not await context.services.community.is_organiser(user.id):
        await message.reply_text(asset_texts.IO_NOT_ORGANISER)
        return
    args = [a.lower() for a in (context.args or [])[1:]]
    if args not in ([], ["all"]):
        await message.reply_text(oversight_texts.EXPORT_USAGE)
        return
    export = await context.services.assets.transfer.export_csv(user.id, everywhere=bool(args))
    if isinstance(export, Refusal):
        text = refusal_text(export, "assets")
        await message.reply_text(
            asset_texts.IO_NOT_ORGANISER if export is Refusal.NOT_ORGANISER else text
        )
        return
    if export.count == 0:
        await message.reply_text(asset_texts.EXPORT_NOTHING)
        return
    await message.reply_document(
        export.content,
        filename=export.file_name,
        caption=asset_texts.EXPORT_CAPTION(export.count),
    )


async def import_usage(update: Update, context: AidContext) -> None:
    """/import without 'assets': say how to use it."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(asset_texts.IO_USAGE_IMPORT)


async def start_import(update: Update, context: AidContext) -> str | int:
    """/import assets: organisers only; wait for the CSV document."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return END
    if not await context.services.community.is_organiser(user.id):
        await message.reply_text(asset_texts.IO_NOT_ORGANISER)
        return END
    await message.reply_text(asset_texts.IMPORT_ASK.format(columns=", ".join(COLUMNS)))
    return WAIT_FILE


async def on_document(update: Update, context: AidContext) -> str | int:
    """The CSV: download it, import it and report per-row errors by line."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.document is None:
        return END
    document = message.document
    if (document.file_size or 0) > MAX_BYTES:
        await message.reply_text(asset_texts.IMPORT_TOO_BIG.format(limit=MAX_BYTES // 1000))
        return WAIT_FILE
    data = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        report = await context.services.assets.transfer.import_csv(user.id, data)
    except MalformedCsvError as error:
        await message.reply_text(
            asset_texts.IMPORT_MALFORMED.format(reason=html.escape(str(error), quote=False))
        )
        return WAIT_FILE
    except PermissionError:
        await message.reply_text(asset_texts.IO_NOT_ORGANISER)
        return END
    await _reply_long(update, report_text(report))
    return END


def report_text(report: ImportReport) -> str:
    """What an import did, with the skipped rows by line number."""
    text = asset_texts.IMPORT_DONE.format(
        added=report.added, updated=report.updated, unchanged=report.unchanged
    )
    if report.ignored_columns:
        text += "\n" + asset_texts.IMPORT_IGNORED.format(
            columns=html.escape(", ".join(report.ignored_columns))
        )
    if report.errors:
        listed = [
            asset_texts.IMPORT_ERROR_LINE.format(line=line, error=html.escape(error, quote=False))
            for line, error in report.errors[:MAX_ERRORS_LISTED]
        ]
        if len(report.errors) > MAX_ERRORS_LISTED:
            listed.append(
                asset_texts.IMPORT_MORE_ERRORS.format(count=len(report.errors) - MAX_ERRORS_LISTED)
            )
        text += asset_texts.IMPORT_ERRORS(len(report.errors), lines="\n".join(listed))
    return text


async def not_a_file(update: Update, context: AidContext) -> str:
    """Anything but a document while waiting for the CSV."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(asset_texts.IMPORT_NOT_A_FILE)
    return WAIT_FILE


async def cancel_import(update: Update, context: AidContext) -> int:
    """/cancel while waiting for the CSV."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(asset_texts.IMPORT_CANCELLED)
    return END


def build_import_conversation() -> ConversationHandler[AidContext]:
    """/import assets, then the CSV document."""
    return ConversationHandler(
        entry_points=[CommandHandler("import", start_import, PRIVATE & IMPORT_ASSETS)],
        states={
            WAIT_FILE: [
                MessageHandler(PRIVATE & filters.Document.ALL, on_document),
                MessageHandler(PRIVATE & ~filters.COMMAND, not_a_file),
            ]
        },
        fallbacks=[*switch_fallbacks(""), CommandHandler("cancel", cancel_import, PRIVATE)],
        name=NAME,
        persistent=True,
        allow_reentry=True,
    )


def register(application: AidApplication) -> None:
    """Register /gaps, /export assets and the /import usage hint."""
    application.add_handler(CommandHandler("gaps", gaps, PRIVATE))
    application.add_handler(CommandHandler("export", export_assets, filters=EXPORT_ASSETS))
    application.add_handler(CommandHandler("import", import_usage, PRIVATE))
