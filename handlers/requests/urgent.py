"""It's urgent – alert now: the resident's answer to alerts held for the end of quiet hours."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from bot.callback_data import int_arg, pattern, unpack
from bot.requests.labels import your_request
from bot.requests.request_types import Outcome
from config import request_flow_texts, request_texts, texts
from handlers.context import AidApplication, AidContext
from handlers.replies import remove_buttons

ANSWERS = {
    Outcome.ALREADY: request_flow_texts.URGENT_ALREADY,
    Outcome.TOO_LATE: request_flow_texts.URGENT_ALERTS_SENT,
    Outcome.NOT_YOURS: request_texts.NOT_YOURS,
}


async def urgent(update: Update, context: AidContext) -> None:
    """Treat the request as urgent: its alerts go now and the organisers are told."""
    query, user = update.callback_query, update.effective_user
    parsed = unpack(query.data if query else None)
    request_id = int_arg(parsed[1][0]) if parsed and parsed[1] else None
    if query is None or user is None or request_id is None:
        return
    result = await context.services.requests.make_urgent(user.id, request_id)
    if result.outcome is not Outcome.OK or result.request is None:
        if result.outcome is Outcome.NO_LONGER_POSSIBLE and result.request is not None:
            status = request_texts.STATUS_LABELS.get(result.request.status, result.request.status)
            text = request_texts.NO_LONGER_POSSIBLE.format(ref=result.request.ref, status=status)
        else:
            text = ANSWERS.get(result.outcome, texts.STALE_BUTTON)
        await query.answer(text, show_alert=True)
        if result.outcome is not Outcome.NOT_YOURS:
            await remove_buttons(query)
        return
    await query.answer()
    await remove_buttons(query)
    if isinstance(query.message, Message):
        zone = context.services.settings.timezone
        label = your_request(result.request, zone)
        await query.message.reply_text(request_flow_texts.URGENT_OK.format(request=label))


def register(application: AidApplication) -> None:
    """Add the It's-urgent button."""
    application.add_handler(CallbackQueryHandler(urgent, pattern=pattern("urgent")))
