"""Buttons on alerts and tasks, the resident's confirmation, /myrequests and /tasks."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import exact, int_arg, pack, pattern, unpack
from bot.model.requests import HelpRequest
from bot.requests.alerting import category_text
from bot.requests.corrections import UNDO_DONE_WINDOW
from bot.requests.labels import with_request, your_request
from bot.requests.request_types import Outcome, Result
from config import i18n, request_texts, texts
from handlers.context import AidApplication, AidContext
from handlers.replies import remove_buttons

AMOUNT = 1
UNDO_MINUTES = int(UNDO_DONE_WINDOW.total_seconds() // 60)
AMOUNT_PATTERN = re.compile(r"^£?\s*(\d{1,4}(?:[.,]\d{1,2})?)$")
MAX_AMOUNT_PENCE = 100_000

REFUSALS: dict[Outcome, str] = {
    Outcome.TAKEN: request_texts.ACCEPT_TAKEN,
    Outcome.CANCELLED: request_texts.ACCEPT_CANCELLED,
    Outcome.NOT_ELIGIBLE: request_texts.ACCEPT_NOT_ELIGIBLE,
    Outcome.AT_LIMIT: request_texts.ACCEPT_AT_LIMIT,
    Outcome.OWN_REQUEST: request_texts.ACCEPT_OWN,
    Outcome.NOT_YOURS: request_texts.NOT_YOURS,
    Outcome.UNKNOWN: texts.STALE_BUTTON,
}


def _request_id(data: str | None) -> tuple[int | None, list[str]]:
    """The request id in button data, and any further arguments; None if malformed."""
    parsed = unpack(data)
    request_id = int_arg(parsed[1][0]) if parsed and parsed[1] else None
    if parsed is None or request_id is None:
        return None, []
    return request_id, parsed[1][1:]


async def _refuse(update: Update, result: Result) -> None:
    """Answer a press that changed nothing, kindly and briefly."""
    query = update.callback_query
    assert query is not None
    if result.outcome is Outcome.NO_LONGER_POSSIBLE and result.request is not None:
        status = request_texts.STATUS_LABELS.get(result.request.status, result.request.status)
        text = request_texts.NO_LONGER_POSSIBLE.format(ref=result.request.ref, status=status)
    elif result.outcome is Outcome.TOO_LATE:
        text = request_texts.UNDO_TOO_LATE.format(minutes=UNDO_MINUTES)
    else:
        text = i18n.gettext(REFUSALS.get(result.outcome, texts.STALE_BUTTON))
    await query.answer(text, show_alert=True)


async def accept(update: Update, context: AidContext) -> None:
    """Accept: the first eligible presser gets the task; everyone else is told kindly."""
    query, user = update.callback_query, update.effective_user
    request_id, _ = _request_id(query.data if query else None)
    if query is None or user is None or request_id is None:
        return
    result = await context.services.requests.accept(user.id, request_id)
    if result.outcome is Outcome.OK:
        await query.answer()
    else:
        await _refuse(update, result)


async def decline(update: Update, context: AidContext) -> None:
    """Not for me: this volunteer hears no more about the request."""
    query, user = update.callback_query, update.effective_user
    request_id, _ = _request_id(query.data if query else None)
    if query is None or user is None or request_id is None:
        return
    result = await context.services.requests.decline(user.id, request_id)
    if result.outcome is Outcome.OK:
        await query.answer(request_texts.DECLINED_OK)
    else:
        await _refuse(update, result)


async def done(update: Update, context: AidContext) -> int:
    """Done: mark the task done; for shopping, offer to record the amount spent."""
    query, user = update.callback_query, update.effective_user
    request_id, _ = _request_id(query.data if query else None)
    if query is None or user is None or request_id is None:
        return ConversationHandler.END
    result = await context.services.requests.mark_done(user.id, request_id)
    if result.outcome is not Outcome.OK or result.request is None:
        await _refuse(update, result)
        return ConversationHandler.END
    await query.answer()
    await remove_buttons(query)
    message = query.message
    if not isinstance(message, Message):
        return ConversationHandler.END
    undo = InlineKeyboardButton(
        request_texts.BUTTON_UNDO_DONE, callback_data=pack("undodone", request_id)
    )
    await message.reply_text(
        request_texts.VOLUNTEER_DONE.format(ref=result.request.ref, minutes=UNDO_MINUTES),
        reply_markup=InlineKeyboardMarkup([[undo]]),
    )
    if result.request.category != "shopping":
        return ConversationHandler.END
    context.chat_data["amount_request"] = request_id  # type: ignore[index]
    await message.reply_text(
        request_texts.ASK_AMOUNT,
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        request_texts.BUTTON_SKIP, callback_data=pack("skipamount", request_id)
                    )
                ]
            ]
        ),
    )
    return AMOUNT


def parse_amount(text: str) -> int | None:
    """Pence from '12.50', '£12', '12,5'; None if unreadable or over £1,000."""
    match = AMOUNT_PATTERN.match(text.strip())
    if match is None:
        return None
    try:
        pence = int(Decimal(match.group(1).replace(",", ".")) * 100)
    except InvalidOperation:
        return None
    return pence if 0 <= pence <= MAX_AMOUNT_PENCE else None


async def amount_typed(update: Update, context: AidContext) -> int:
    """Record the amount the volunteer typed, or ask again."""
    message, user = update.effective_message, update.effective_user
    request_id = (context.chat_data or {}).get("amount_request")
    if message is None or user is None or not isinstance(request_id, int):
        return ConversationHandler.END
    pence = parse_amount(message.text or "")
    if pence is None:
        await message.reply_text(request_texts.AMOUNT_INVALID)
        return AMOUNT
    result = await context.services.requests.record_amount(user.id, request_id, pence)
    if result.outcome is Outcome.OK and result.request is not None:
        await message.reply_text(
            request_texts.AMOUNT_RECORDED.format(
                amount=f"{pence / 100:.2f}", ref=result.request.ref
            )
        )
    else:
        await message.reply_text(texts.CANCELLED)
    return ConversationHandler.END


async def amount_skipped(update: Update, context: AidContext) -> int:
    """Skip recording an amount."""
    if update.callback_query is not None:
        await update.callback_query.answer()
        await remove_buttons(update.callback_query)
    return ConversationHandler.END


async def undo_done(update: Update, context: AidContext) -> None:
    """Undo Done, pressed on the thank-you for Done within its window."""
    query, user = update.callback_query, update.effective_user
    request_id, _ = _request_id(query.data if query else None)
    if query is None or user is None or request_id is None:
        return
    result = await context.services.requests.undo_done(user.id, request_id)
    if result.outcome is not Outcome.OK or result.request is None:
        await _refuse(update, result)
        if result.outcome in (Outcome.TOO_LATE, Outcome.NO_LONGER_POSSIBLE):
            await remove_buttons(query)
        return
    await query.answer()
    await remove_buttons(query)
    if isinstance(query.message, Message):
        await query.message.reply_text(request_texts.UNDONE_OK.format(ref=result.request.ref))


async def undo_done_in_flow(update: Update, context: AidContext) -> int:
    """Undo Done while the amount question is open: the question is dropped too."""
    await undo_done(update, context)
    if context.chat_data is not None:
        context.chat_data.pop("amount_request", None)
    return ConversationHandler.END


async def amount_cancelled(update: Update, context: AidContext) -> int:
    """/cancel while asked for an amount."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.CANCELLED)
    return ConversationHandler.END


async def _settle_press(
    update: Update,
    context: AidContext,
    action: Callable[[int, int, list[str]], Awaitable[Result]],
    reply: Callable[[list[str], HelpRequest], str],
) -> None:
    """Run a task or request action for a press; on success drop the buttons and reply."""
    query, user = update.callback_query, update.effective_user
    request_id, args = _request_id(query.data if query else None)
    if query is None or user is None or request_id is None:
        return
    result = await action(user.id, request_id, args)
    if result.outcome is not Outcome.OK or result.request is None:
        await _refuse(update, result)
        return
    await query.answer()
    await remove_buttons(query)
    if isinstance(query.message, Message):
        await query.message.reply_text(reply(args, result.request))


async def release(update: Update, context: AidContext) -> None:
    """Can't do it after all: hand the task back."""
    requests = context.services.requests
    await _settle_press(
        update,
        context,
        lambda user_id, request_id, _: requests.release(user_id, request_id),
        lambda _, request: request_texts.VOLUNTEER_RELEASED.format(ref=request.ref),
    )


async def confirm(update: Update, context: AidContext) -> None:
    """The resident's answer to "did you get the help you needed?"."""
    requests, zone = context.services.requests, context.services.settings.timezone

    def reply(args: list[str], request: HelpRequest) -> str:
        if args[:1] == ["yes"]:
            return request_texts.RESIDENT_CLOSED
        return request_texts.RESIDENT_NOT_YET.format(request=your_request(request, zone))

    await _settle_press(
        update,
        context,
        lambda user_id, request_id, args: requests.confirm(
            user_id, request_id, args[:1] == ["yes"]
        ),
        reply,
    )


async def cancel_request(update: Update, context: AidContext) -> None:
    """The resident cancels one of their requests."""
    requests, zone = context.services.requests, context.services.settings.timezone
    await _settle_press(
        update,
        context,
        lambda user_id, request_id, _: requests.cancel(user_id, request_id),
        lambda _, request: with_request(
            request_texts.REQUEST_CANCELLED_OK, your_request(request, zone)
        ),
    )


async def contact_organiser(update: Update, context: AidContext) -> None:
    """Contact organiser: ask the neighbourhood's organisers to get in touch."""
    query, user = update.callback_query, update.effective_user
    request_id, _ = _request_id(query.data if query else None)
    if query is None or user is None or request_id is None:
        return
    result = await context.services.requests.contact_organiser(user.id, request_id)
    if result.outcome is Outcome.OK:
        await query.answer(request_texts.CONTACT_SENT, show_alert=True)
    elif result.outcome is Outcome.NO_LONGER_POSSIBLE:
        await query.answer(request_texts.NO_ORGANISERS, show_alert=True)
    else:
        await _refuse(update, result)


async def my_requests(update: Update, context: AidContext) -> None:
    """/myrequests: open and recent requests, with the buttons that still apply."""
    user, message = update.effective_user, update.effective_message
    if update.callback_query is not None:
        await update.callback_query.answer()
    if user is None or message is None:
        return
    service = context.services.requests
    items = await service.for_requester(user.id)
    if not items:
        await message.reply_text(request_texts.MY_REQUESTS_NONE)
        return
    for item in items:
        text = request_texts.MY_REQUESTS_ITEM.format(
            ref=item.ref,
            category=category_text(item.category),
            when=service.when_text(item),
            status=request_texts.STATUS_LABELS.get(item.status, item.status),
        )
        rows: list[list[InlineKeyboardButton]] = []
        if item.status in ("open", "assigned"):
            rows.append(
                [
                    InlineKeyboardButton(
                        request_texts.BUTTON_CANCEL_REQUEST,
                        callback_data=pack("cancelreq", item.id),
                    )
                ]
            )
        elif item.status == "done":
            rows.append(
                [
                    InlineKeyboardButton(
                        request_texts.BUTTON_YES_THANKS,
                        callback_data=pack("confirm", item.id, "yes"),
                    ),
                    InlineKeyboardButton(
                        request_texts.BUTTON_NOT_YET, callback_data=pack("confirm", item.id, "no")
                    ),
                ]
            )
        await message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def my_tasks(update: Update, context: AidContext) -> None:
    """/tasks: the volunteer's current and recent tasks, with the buttons that still apply."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    service = context.services.requests
    items = await service.for_assignee(user.id)
    if not items:
        await message.reply_text(request_texts.TASKS_NONE)
        return
    for item in items:
        text = request_texts.TASKS_ITEM.format(
            ref=item.ref,
            category=category_text(item.category),
            neighbourhood=html.escape(await service.neighbourhood_name(item.neighbourhood_id)),
            when=service.when_text(item),
            status=request_texts.TASK_STATUS_LABELS.get(item.status)
            or request_texts.STATUS_LABELS.get(item.status, item.status),
        )
        markup = None
        if item.status == "assigned":
            markup = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            request_texts.BUTTON_DONE, callback_data=pack("done", item.id)
                        ),
                        InlineKeyboardButton(
                            request_texts.BUTTON_CANT_DO, callback_data=pack("release", item.id)
                        ),
                    ]
                ]
            )
        await message.reply_text(text, reply_markup=markup)


def build_amount_conversation() -> ConversationHandler[AidContext]:
    """Done, then (for shopping) the amount spent: a one-question conversation."""
    private = filters.ChatType.PRIVATE
    return ConversationHandler(
        entry_points=[CallbackQueryHandler(done, pattern=pattern("done"))],
        states={
            AMOUNT: [
                MessageHandler(private & filters.TEXT & ~filters.COMMAND, amount_typed),
                CallbackQueryHandler(amount_skipped, pattern=pattern("skipamount")),
                CallbackQueryHandler(undo_done_in_flow, pattern=pattern("undodone")),
            ]
        },
        fallbacks=[CommandHandler("cancel", amount_cancelled)],
        name="done_amount",
        persistent=True,  # the amount question survives a restart
        allow_reentry=True,
    )


def register(application: AidApplication) -> None:
    """Add the task and request-tracking handlers."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CallbackQueryHandler(accept, pattern=pattern("accept")))
    application.add_handler(CallbackQueryHandler(decline, pattern=pattern("decline")))
    application.add_handler(CallbackQueryHandler(release, pattern=pattern("release")))
    application.add_handler(CallbackQueryHandler(undo_done, pattern=pattern("undodone")))
    application.add_handler(CallbackQueryHandler(contact_organiser, pattern=pattern("contact")))
    application.add_handler(CallbackQueryHandler(confirm, pattern=pattern("confirm")))
    application.add_handler(CallbackQueryHandler(cancel_request, pattern=pattern("cancelreq")))
    application.add_handler(CallbackQueryHandler(my_requests, pattern=exact("menu", "mine")))
    application.add_handler(CommandHandler("myrequests", my_requests, private))
    application.add_handler(CommandHandler("tasks", my_tasks, private))
