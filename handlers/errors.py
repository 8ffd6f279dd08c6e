"""The error handler: log it with the traceback, and apologise to the person, once.

Organisers are not sent technical reports: a failure is the log's business. What organisers
do hear about is a message a person needed that could not be delivered (bot.delivery.reports).
"""

from __future__ import annotations

import logging

from telegram import Update

from config import texts
from handlers.context import AidContext

log = logging.getLogger(__name__)


def _describe(update: object) -> str:
    """A short, non-identifying description of the update being handled."""
    if not isinstance(update, Update):
        return "a background job"
    kind = "button press" if update.callback_query else "message"
    user = update.effective_user
    return f"update {update.update_id} ({kind} from user {user.id if user else 'unknown'})"


async def on_error(update: object, context: AidContext) -> None:
    """Log the failure with its traceback, and tell the person who acted that it failed."""
    log.error("error while handling %s", _describe(update), exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        await update.callback_query.answer()  # best effort: never raises (update_pipeline)
    if update.effective_chat.type == "private":
        # Inside the update's unit of work this is captured: sent once, with retries.
        await context.bot.send_message(update.effective_chat.id, texts.ERROR_FOR_PERSON)
