"""Asking for help in a private chat: /request or the menu's button, one question per message.

The draft lives in user_data as one typed `Draft` (handlers.requests.steps), and nothing is
stored until the person presses Confirm on the summary. Every step has Back and Cancel, and
/cancel works everywhere. Presses of buttons from other steps re-show the current step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import exact, pack, pattern, unpack
from bot.requests.labels import alerts_when, with_request, your_request
from config import request_flow_texts
from handlers.context import AidContext
from handlers.flow_switch import switch_fallbacks
from handlers.onboarding import menu_keyboard
from handlers.replies import remove_buttons
from handlers.requests import steps, summary
from handlers.requests.prompts import BACK, CONFIRM, KIND, render
from handlers.requests.steps import Answer, Draft, Move, Reask, Step

NAME = "request_flow"
DRAFT_KEY = "request_flow.draft"  # the flow's only user_data entry, holding a Draft
# A stray message kept for "Ask for help with this" (handlers.general): {"text", "media"}.
STRAY_KEY = "stray"
STRAY_KIND = "stray"
END = ConversationHandler.END
ENTRY_DATA = pack("menu", "request")
PRIVATE = filters.ChatType.PRIVATE
ANSWERS = PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND

StepCallback = Callable[[Update, AidContext], Awaitable[int]]


def _draft(context: AidContext) -> Draft | None:
    """The person's draft, if a request is under way."""
    value = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    return value if isinstance(value, Draft) else None


def _forget(context: AidContext) -> None:
    """Drop the draft."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


async def show(
    chat_id: int,
    draft: Draft,
    step: Step,
    context: AidContext,
    *,
    reason: str | None = None,
    note: str | None = None,
) -> int:
    """Ask a step's question (after the reason it is asked again); returns the step as state."""
    if step is Step.SUMMARY:
        draft.editing = None
    if draft.reply_keyboard and step is not Step.PHONE:
        await context.bot.send_message(
            chat_id, note or request_flow_texts.KEYBOARD_CLOSED, reply_markup=ReplyKeyboardRemove()
        )
        draft.reply_keyboard = False
    prompt = await render(step, draft, context.services)
    text = f"{reason}\n\n{prompt.text}" if reason else prompt.text
    await context.bot.send_message(chat_id, text, reply_markup=prompt.markup)
    draft.reply_keyboard = isinstance(prompt.markup, ReplyKeyboardMarkup)
    return step


async def start(update: Update, context: AidContext) -> int:
    """/request or the menu's Ask for help: start a fresh draft, or say to join first."""
    return await _begin(update, context, None)


async def start_from_stray(update: Update, context: AidContext) -> int:
    """Ask for help with this: a draft whose "what is needed" is the stray message."""
    stray = context.user_data.pop(STRAY_KEY, None) if context.user_data is not None else None
    return await _begin(update, context, stray if isinstance(stray, dict) else None)


async def _begin(update: Update, context: AidContext, prefill: dict[str, Any] | None) -> int:
    """Start a fresh draft (with what a stray message said, if any), or say to join first."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is not None:
        await query.answer()
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return END
    memberships = await context.services.community.memberships(user.id)
    if not memberships:
        _forget(context)
        await context.bot.send_message(chat.id, request_flow_texts.NEED_NEIGHBOURHOOD)
        return END
    previous = _draft(context)
    draft = Draft(neighbourhoods=tuple((n.id, n.name) for n, _ in memberships))
    draft.reply_keyboard = previous.reply_keyboard if previous else False
    if len(draft.neighbourhoods) == 1:
        draft.neighbourhood_id = draft.neighbourhoods[0][0]
    note = summary.prefill(draft, prefill, context.services) if prefill else None
    if context.user_data is not None:
        context.user_data[DRAFT_KEY] = draft
    first = Step.NEIGHBOURHOOD if steps.applies(Step.NEIGHBOURHOOD, draft) else Step.CATEGORY
    return await show(chat.id, draft, first, context, reason=note)


async def _stop(chat_id: int, context: AidContext) -> int:
    """Drop the draft and say that nothing was sent."""
    _forget(context)
    await context.bot.send_message(
        chat_id, request_flow_texts.CANCELLED, reply_markup=ReplyKeyboardRemove()
    )
    return END


async def cancel(update: Update, context: AidContext) -> int:
    """/cancel during the request: stop, storing nothing."""
    if update.effective_chat is None:
        return END
    return await _stop(update.effective_chat.id, context)


async def _expired(chat_id: int, context: AidContext) -> int:
    """The conversation outlived its draft: ask to start again."""
    await context.bot.send_message(
        chat_id, request_flow_texts.EXPIRED, reply_markup=ReplyKeyboardRemove()
    )
    return END


async def _go_back(chat_id: int, draft: Draft, step: Step, context: AidContext) -> int:
    """Show the previous question, or the main menu from the first one."""
    previous = steps.previous_step(step, draft)
    if previous is not None:
        return await show(chat_id, draft, previous, context)
    _forget(context)
    await context.bot.send_message(
        chat_id, request_flow_texts.BACK_TO_MENU, reply_markup=menu_keyboard()
    )
    return END


async def _follow(
    chat_id: int,
    draft: Draft,
    step: Step,
    outcome: Answer,
    context: AidContext,
    note: str | None = None,
) -> int:
    """Act on a step's outcome: go on, go back, stop, or ask again."""
    if outcome is Move.CANCEL:
        return await _stop(chat_id, context)
    if outcome is Move.BACK:
        return await _go_back(chat_id, draft, step, context)
    if isinstance(outcome, Reask):
        if not outcome.repeat:
            await context.bot.send_message(chat_id, outcome.reason)
            return step
        return await show(chat_id, draft, step, context, reason=outcome.reason)
    if outcome is None:
        return await show(chat_id, draft, step, context)
    return await show(chat_id, draft, outcome, context, note=note)


async def _confirm(chat_id: int, user_id: int, draft: Draft, context: AidContext) -> int:
    """Store the request, alert volunteers and say how many were told."""
    missing = draft.missing()
    if missing is not None:
        return await show(chat_id, draft, missing, context)
    try:
        created = await context.services.requests.create(user_id, draft.to_request())
    except PermissionError:
        _forget(context)
        await context.bot.send_message(chat_id, request_flow_texts.NOT_A_MEMBER)
        return END
    _forget(context)
    zone = context.services.settings.timezone
    label = your_request(created.request, zone) if created.request else created.ref
    if created.alerts_at is not None:  # quiet hours: say when, and offer to alert now
        when = alerts_when(created.alerts_at, context.services.clock.now(), zone)
        template = (
            request_flow_texts.CREATED_HELD
            if created.alerted
            else request_flow_texts.CREATED_HELD_NOBODY_FREE
        )
        urgent = InlineKeyboardButton(
            request_flow_texts.BUTTON_URGENT, callback_data=pack("urgent", created.request_id)
        )
        await context.bot.send_message(
            chat_id,
            with_request(template, label, when=when),
            reply_markup=InlineKeyboardMarkup([[urgent]]),
        )
        return END
    if created.alerted:
        text = with_request(
            request_flow_texts.CREATED,
            label,
            count=created.alerted,
            volunteers=request_flow_texts.VOLUNTEER_ONE
            if created.alerted == 1
            else request_flow_texts.VOLUNTEER_MANY,
        )
    else:
        text = with_request(request_flow_texts.CREATED_NOBODY_FREE, label)
    await context.bot.send_message(chat_id, text)
    return END


def _on_button(step: Step) -> StepCallback:
    """The press handler of one step."""

    async def on_button(update: Update, context: AidContext) -> int:
        """Take a press at this step; re-show the step for presses that belong elsewhere."""
        query, user, chat = update.callback_query, update.effective_user, update.effective_chat
        if query is None or user is None or chat is None:
            return step
        chat_id = chat.id
        parsed = unpack(query.data)
        args = parsed[1] if parsed else []
        draft = _draft(context)
        if args == ["cancel"] or draft is None:
            await query.answer()
            await remove_buttons(query)
            return await (_stop(chat_id, context) if draft else _expired(chat_id, context))
        if len(args) != 2 or args[0] != step.token:
            await query.answer(request_flow_texts.STALE_STEP)
            return await show(chat_id, draft, step, context)
        if step is Step.SUMMARY and args[1] == CONFIRM:
            await query.answer()
            await remove_buttons(query)
            return await _confirm(chat_id, user.id, draft, context)
        if args[1] == BACK:
            outcome: Answer = Move.BACK
        else:
            outcome = await steps.choose(step, args[1], draft, context.services, user.id)
        if outcome is None:
            await query.answer(request_flow_texts.STALE_STEP)
        else:
            await query.answer()
            await remove_buttons(query)
        return await _follow(chat_id, draft, step, outcome, context)

    return on_button


def _on_message(step: Step) -> StepCallback:
    """The message handler of one step."""

    async def on_message(update: Update, context: AidContext) -> int:
        """Take a typed answer (or a shared contact) at this step, or point to the buttons."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return step
        draft = _draft(context)
        if draft is None:
            return await _expired(message.chat_id, context)
        outcome = await steps.answer(step, message, draft, context.services, user.id)
        accepted_phone = step is Step.PHONE and isinstance(outcome, Step)
        note = summary.phone_note(draft) if accepted_phone else None
        return await _follow(message.chat_id, draft, step, outcome, context, note)

    return on_message


def build_conversation() -> ConversationHandler[AidContext]:
    """The request conversation: entered by /request or the menu button, one state per step."""
    states = {
        step: [
            CallbackQueryHandler(_on_button(step), pattern=pattern(KIND)),
            MessageHandler(ANSWERS, _on_message(step)),
        ]
        for step in Step
    }
    # One form per person and chat, whichever message a button is on (per_message=False).
    return ConversationHandler(
        entry_points=[
            CommandHandler("request", start, PRIVATE),
            CallbackQueryHandler(start, pattern=exact("menu", "request")),
            CallbackQueryHandler(start_from_stray, pattern=exact(STRAY_KIND, "request")),
        ],
        states=states,
        fallbacks=[*switch_fallbacks("request"), CommandHandler("cancel", cancel, PRIVATE)],
        name=NAME,
        persistent=True,  # a person half-way through continues after a restart
        allow_reentry=True,
    )
