"""Check-in answers (I'm OK / chat / help) and the escalation buttons (acknowledge, outcome)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.callback_data import int_arg, unpack
from bot.care.escalations import outcome_buttons
from bot.care.outcomes import CareOutcome
from config import care_texts, texts
from handlers.context import AidContext
from handlers.replies import remove_buttons


def _args(update: Update) -> list[str]:
    query = update.callback_query
    parsed = unpack(query.data if query else None)
    return parsed[1] if parsed else []


def _markup(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def checkin_answer(update: Update, context: AidContext) -> None:
    """The resident's answer to the check-in question."""
    query, user = update.callback_query, update.effective_user
    args = _args(update)
    if query is None or user is None or len(args) != 2 or int_arg(args[0]) is None:
        return
    result = await context.services.care.checkins.answer(user.id, int(args[0]), args[1])
    if result.outcome is CareOutcome.ALREADY:
        await query.answer(care_texts.REPLY_ALREADY, show_alert=True)
        await remove_buttons(query)
        return
    if result.outcome is not CareOutcome.OK:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if args[1] == "chat":
        await query.message.reply_text(care_texts.REPLY_CHAT.format(ref=result.request_ref))
    elif args[1] == "help":
        await query.message.reply_text(care_texts.REPLY_HELP.format(ref=result.request_ref))
    else:
        await query.message.reply_text(care_texts.REPLY_OK)


async def escalation_button(update: Update, context: AidContext) -> None:
    """Acknowledge an escalation, or record its outcome."""
    query, user = update.callback_query, update.effective_user
    args = _args(update)
    if query is None or user is None or not args or int_arg(args[0]) is None:
        return
    escalation_id = int(args[0])
    service = context.services.care.escalations
    if args[1:2] == ["ack"]:
        outcome = await service.acknowledge(user.id, escalation_id)
        if outcome in (CareOutcome.OK, CareOutcome.ALREADY):
            await query.answer(
                care_texts.ALREADY_ACKNOWLEDGED if outcome is CareOutcome.ALREADY else None
            )
            if isinstance(query.message, Message):
                await query.message.reply_text(
                    care_texts.ACKNOWLEDGED, reply_markup=_markup(outcome_buttons(escalation_id))
                )
            await remove_buttons(query)
            return
    elif (args[1:2] == ["out"] and len(args) == 3) or args[1:] == ["answered"]:
        chosen = args[2] if len(args) == 3 else "answered"
        if args[1:] == ["answered"]:
            outcome, name = await service.close_answered(user.id, escalation_id)
        else:
            outcome, name = await service.record_outcome(user.id, escalation_id, chosen)
        if outcome is CareOutcome.OK:
            await query.answer()
            await remove_buttons(query)
            if isinstance(query.message, Message):
                label = care_texts.OUTCOME_LABELS[chosen]
                await query.message.reply_text(
                    care_texts.OUTCOME_RECORDED.format(outcome=label, name=name)
                )
            return
    else:
        outcome = CareOutcome.UNKNOWN
    answers = {
        CareOutcome.NOT_ALLOWED: care_texts.ESCALATION_NOT_YOURS,
        CareOutcome.CLOSED: care_texts.OUTCOME_ALREADY,
        CareOutcome.NEEDS_ACK: care_texts.OUTCOME_NEEDS_ACK,
    }
    await query.answer(answers.get(outcome, texts.STALE_BUTTON), show_alert=True)
