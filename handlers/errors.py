"""The error handler: log it, reassure the person, tell the bootstrap organisers briefly."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import TelegramError

from config import texts
from handlers.context import AidContext

log = logging.getLogger(__name__)

REPORT_ERROR_LIMIT = 1500


def _describe(update: object) -> str:
    """A short, non-identifying description of the update being handled."""
    if not isinstance(update, Update):
        return "a background job"
    kind = "button press" if update.callback_query else "message"
    user = update.effective_user
    return f"update {update.update_id} ({kind} from user {user.id if user else 'unknown'})"


async def on_error(update: object, context: AidContext) -> None:
    """Log the failure with its traceback, tell the person, and report to organisers."""
    log.error("error while handling %s", _describe(update), exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
            if update.effective_chat.type == "private":
                await context.bot.send_message(update.effective_chat.id, texts.ERROR_FOR_PERSON)
        except TelegramError:
            log.warning("could not tell the person about the error", exc_info=True)
    error_text = f"{type(context.error).__name__}: {context.error}"
    if len(error_text) > REPORT_ERROR_LIMIT:
        error_text = error_text[:REPORT_ERROR_LIMIT] + "…"
    report = texts.ERROR_REPORT.format(
        error=html.escape(error_text), update=html.escape(_describe(update))
    )
    for organiser_id in sorted(context.services.settings.organiser_ids):
        try:
            await context.bot.send_message(organiser_id, report)
        except TelegramError:
            log.warning("could not report the error to organiser %s", organiser_id)
