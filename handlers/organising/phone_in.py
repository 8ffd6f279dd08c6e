"""/log: an organiser enters a request taken by phone, for a neighbour without Telegram.

The questions, their buttons and answers are the resident's request steps (handlers.requests.steps
and handlers.requests.flow.render) on a draft marked phone_in, which skips the resident's own
phone and "for whom" questions and always asks the neighbour's name and phone.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler

from bot.callback_data import pattern, unpack
from bot.phones import format_for_display
from config import oversight_texts
from handlers.context import AidContext
from handlers.flow_switch import switch_fallbacks
from handlers.replies import remove_buttons
from handlers.requests import flow, steps
from handlers.requests.steps import Answer, Draft, Move, Reask, Step

NAME = "phone_in"
DRAFT_KEY = "phone_in.draft"
END = ConversationHandler.END


def _draft(context: AidContext) -> Draft | None:
    """The organiser's phone-in draft, if one is under way."""
    value = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    return value if isinstance(value, Draft) else None


def _forget(context: AidContext) -> None:
    """Drop the draft."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


async def _show(
    chat_id: int, draft: Draft, step: Step, context: AidContext, reason: str | None = None
) -> int:
    """Ask a step's question, worded for a phone-in where it differs; returns the step."""
    if step is Step.SUMMARY:
        draft.editing = None
    prompt = await flow.render(step, draft, context.services)
    text = prompt.text
    if step is Step.NEIGHBOURHOOD:
        text = oversight_texts.LOG_CHOOSE_NEIGHBOURHOOD
    elif step is Step.CATEGORY:
        text = oversight_texts.LOG_CHOOSE_CATEGORY.format(
            neighbourhood=html.escape(draft.neighbourhood_name)
        )
    elif step is Step.SUMMARY:
        text = oversight_texts.LOG_SUMMARY_HEAD + text
    if reason:
        text = f"{reason}\n\n{text}"
    await context.bot.send_message(chat_id, text, reply_markup=prompt.markup)
    return step


async def start(update: Update, context: AidContext) -> int:
    """/log: start a phone-in request in a neighbourhood the sender organises."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None or chat.type != ChatType.PRIVATE:
        return END
    organised = await context.services.community.organised_neighbourhoods(user.id)
    if not organised:
        _forget(context)
        await message.reply_text(oversight_texts.NOT_ORGANISER)
        return END
    draft = Draft(
        neighbourhoods=tuple((n.id, n.name) for n in organised),
        phone_in=True,
        for_someone_else=True,
        agreed=True,  # the neighbour asked by phone themselves
    )
    if len(organised) == 1:
        draft.neighbourhood_id = organised[0].id
    if context.user_data is not None:
        context.user_data[DRAFT_KEY] = draft
    await message.reply_text(oversight_texts.LOG_INTRO)
    first = Step.NEIGHBOURHOOD if steps.applies(Step.NEIGHBOURHOOD, draft) else Step.CATEGORY
    return await _show(chat.id, draft, first, context)


async def cancel(update: Update, context: AidContext) -> int:
    """/cancel during /log: stop, storing nothing."""
    _forget(context)
    if update.effective_message is not None:
        await update.effective_message.reply_text(oversight_texts.LOG_CANCELLED)
    return END


async def _follow(chat_id: int, draft: Draft, step: Step, outcome: Answer, ctx: AidContext) -> int:
    """Act on a step's outcome: go on, go back, stop, or ask again."""
    if outcome is Move.CANCEL:
        _forget(ctx)
        await ctx.bot.send_message(chat_id, oversight_texts.LOG_CANCELLED)
        return END
    if outcome is Move.BACK:
        previous = steps.previous_step(step, draft)
        if previous is None:
            _forget(ctx)
            await ctx.bot.send_message(chat_id, oversight_texts.LOG_CANCELLED)
            return END
        return await _show(chat_id, draft, previous, ctx)
    if isinstance(outcome, Reask):
        if not outcome.repeat:
            await ctx.bot.send_message(chat_id, outcome.reason)
            return step
        return await _show(chat_id, draft, step, ctx, outcome.reason)
    if outcome is None:
        return await _show(chat_id, draft, step, ctx)
    return await _show(chat_id, draft, outcome, ctx)


async def _choose_neighbourhood(value: str, draft: Draft, ctx: AidContext, user_id: int) -> Answer:
    """Pick a neighbourhood the person organises now (re-checked against the database)."""
    organised = await ctx.services.community.organised_neighbourhoods(user_id)
    draft.neighbourhoods = tuple((n.id, n.name) for n in organised) or draft.neighbourhoods
    if not any(str(n.id) == value for n in organised):
        return None
    draft.neighbourhood_id = int(value)
    return steps.next_step(Step.NEIGHBOURHOOD, draft)


async def _confirm(chat_id: int, user_id: int, draft: Draft, ctx: AidContext) -> int:
    """Store the phone-in request and say who will phone the neighbour."""
    missing = draft.missing()
    if missing is not None:
        return await _show(chat_id, draft, missing, ctx)
    _forget(ctx)
    try:
        created = await ctx.services.oversight.phone_in.create(user_id, draft.to_request())
    except PermissionError:
        await ctx.bot.send_message(chat_id, oversight_texts.NOT_ORGANISER_HERE)
        return END
    name = html.escape(draft.for_name or "")
    phone = html.escape(format_for_display(draft.for_phone or ""))
    if created.alerted:
        text = oversight_texts.LOG_CREATED.format(
            ref=created.ref,
            name=name,
            phone=phone,
            alerted=oversight_texts.LOG_ALERTED(created.alerted),
        )
    else:
        text = oversight_texts.LOG_CREATED_NOBODY_FREE.format(ref=created.ref, name=name)
    await ctx.bot.send_message(chat_id, text)
    return END


def _on_button(step: Step) -> flow.StepCallback:
    """The press handler of one step."""

    async def on_button(update: Update, context: AidContext) -> int:
        """Take a press at this step; re-show the step for presses that belong elsewhere."""
        query, user, chat = update.callback_query, update.effective_user, update.effective_chat
        if query is None or user is None or chat is None:
            return step
        parsed = unpack(query.data)
        args = parsed[1] if parsed else []
        draft = _draft(context)
        await query.answer()
        if draft is None:
            await remove_buttons(query)
            await context.bot.send_message(chat.id, oversight_texts.LOG_EXPIRED)
            return END
        if args == ["cancel"]:
            await remove_buttons(query)
            return await _follow(chat.id, draft, step, Move.CANCEL, context)
        if len(args) != 2 or args[0] != step.token:
            return await _show(chat.id, draft, step, context)
        await remove_buttons(query)
        if step is Step.SUMMARY and args[1] == flow.CONFIRM:
            return await _confirm(chat.id, user.id, draft, context)
        if args[1] == flow.BACK:
            outcome: Answer = Move.BACK
        elif step is Step.NEIGHBOURHOOD:
            outcome = await _choose_neighbourhood(args[1], draft, context, user.id)
        else:
            outcome = await steps.choose(step, args[1], draft, context.services, user.id)
        return await _follow(chat.id, draft, step, outcome, context)

    return on_button


def _on_message(step: Step) -> flow.StepCallback:
    """The message handler of one step."""

    async def on_message(update: Update, context: AidContext) -> int:
        """Take a typed answer at this step, or point to the buttons."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return step
        draft = _draft(context)
        if draft is None:
            await message.reply_text(oversight_texts.LOG_EXPIRED)
            return END
        outcome = await steps.answer(step, message, draft, context.services, user.id)
        draft.agreed = True  # the steps reset it on a new name or number; the neighbour asked
        if step is Step.FOR_PHONE and isinstance(outcome, Step):
            # The neighbour's number is the request's contact number too (shown on the summary).
            draft.contact_phone, draft.telegram_only = draft.for_phone, False
        return await _follow(message.chat_id, draft, step, outcome, context)

    return on_message


def build_conversation() -> ConversationHandler[AidContext]:
    """The /log conversation: the request steps, one state per step."""
    states = {
        step: [
            CallbackQueryHandler(_on_button(step), pattern=pattern(flow.KIND)),
            MessageHandler(flow.ANSWERS, _on_message(step)),
        ]
        for step in Step
    }
    return ConversationHandler(
        entry_points=[CommandHandler("log", start, flow.PRIVATE)],
        states=states,
        fallbacks=[*switch_fallbacks("log"), CommandHandler("cancel", cancel, flow.PRIVATE)],
        name=NAME,
        persistent=True,
        allow_reentry=True,
    )
