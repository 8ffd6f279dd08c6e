"""Organiser oversight of requests: /open, /assign REF, /reassign REF and /audit REF.

Every command and press is checked against the database (bot.organising.oversight,
bot.requests.assignment):
button data only says which request and volunteer were picked, never who may pick.
"""

from __future__ import annotations

import html
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callback_data import exact, int_arg, pack, pattern, unpack
from bot.delivery.notify import split_text
from bot.durations import duration_words
from bot.model.requests import HelpRequest
from bot.organising.oversight import Access
from bot.requests.alerting import category_text
from bot.requests.assignment import Choice
from bot.requests.request_types import Outcome
from config import i18n, oversight_texts
from handlers.context import AidApplication, AidContext
from handlers.replies import remove_buttons

ASSIGN_KIND = "ovassign"  # v1|ovassign|<request id>|<person id>
REASSIGN_KIND = "ovreassign"  # v1|ovreassign|<request id>|<from person id>|<to person id>
CANCEL_KIND = "ovcancel"
CANCEL_DATA = pack(CANCEL_KIND)
REF_ECHO_MAX = 32  # a typed reference is echoed back at most this long (a reply is 4096 max)


async def _refuse_unless_organiser(message: Message, context: AidContext, user_id: int) -> bool:
    """Answer a non-organiser (True) or let an organiser through (False)."""
    if await context.services.community.is_organiser(user_id):
        return False
    await message.reply_text(oversight_texts.NOT_ORGANISER)
    return True


async def _private_only(message: Message) -> bool:
    """Answer a command sent outside a private chat (True), else False."""
    if message.chat.type == ChatType.PRIVATE:
        return False
    await message.reply_text(oversight_texts.PRIVATE_ONLY)
    return True


async def _reply_long(message: Message, text: str) -> None:
    """Reply with a text that may exceed Telegram's 4096 characters, split at line breaks."""
    for part in split_text(text):
        await message.reply_text(part)


async def open_requests(update: Update, context: AidContext) -> None:
    """/open: unassigned requests, oldest first, with waiting time and how many were alerted."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    waiting = await context.services.oversight.waiting(user.id)
    if waiting.access is not Access.OK:
        await message.reply_text(oversight_texts.NOT_ORGANISER)
        return
    if not waiting.requests:
        await message.reply_text(oversight_texts.OPEN_NONE)
        return
    now = context.services.clock.now()
    names = waiting.neighbourhood_names or {}
    lines = [
        oversight_texts.OPEN_LINE.format(
            ref=r.ref,
            category=category_text(r.category),
            neighbourhood=html.escape(names.get(r.neighbourhood_id, "?")),
            waited=duration_words((now - r.created_at).total_seconds()),
            alerted=r.alerted,
            flag=(oversight_texts.OPEN_ESCALATED if r.escalated else "")
            + (oversight_texts.OPEN_PHONE_IN if r.phone_in else ""),
        )
        for r in waiting.requests
    ]
    text = oversight_texts.OPEN_HEAD + "\n".join(lines)
    if waiting.total > len(waiting.requests):
        text += oversight_texts.OPEN_MORE.format(more=waiting.total - len(waiting.requests))
    await _reply_long(message, text + oversight_texts.OPEN_FOOTER)


async def _choices(update: Update, context: AidContext, *, reassign: bool) -> None:
    """Shared by /assign and /reassign: check, then show the ranked volunteers as buttons."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or await _private_only(message):
        return
    if await _refuse_unless_organiser(message, context, user.id):
        return
    if not context.args:
        await message.reply_text(
            oversight_texts.REASSIGN_USAGE if reassign else oversight_texts.ASSIGN_USAGE
        )
        return
    ref = context.args[0].upper()
    choice = await context.services.oversight.assignment.choices(user.id, ref, reassign=reassign)
    where = ""
    if choice.request is not None:
        where = await context.services.oversight.neighbourhood_name(choice.request.neighbourhood_id)
    text, markup = _choice_reply(choice, ref, reassign, where)
    await message.reply_text(text, reply_markup=markup)


def _choice_reply(
    choice: Choice, ref: str, reassign: bool, neighbourhood: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The answer to /assign or /reassign: a refusal, or the volunteers to pick from."""
    request = choice.request
    if choice.outcome is Outcome.UNKNOWN or request is None:
        return oversight_texts.UNKNOWN_REF.format(ref=html.escape(ref[:REF_ECHO_MAX])), None
    if choice.outcome is Outcome.NOT_YOURS:
        return oversight_texts.NOT_ORGANISER_HERE, None
    if choice.outcome is Outcome.NO_LONGER_POSSIBLE:
        refusal = (
            oversight_texts.REASSIGN_NOT_ASSIGNED if reassign else oversight_texts.ASSIGN_NOT_OPEN
        )
        status = oversight_texts.REQUEST_STATUS_WORDS.get(request.status, request.status)
        return refusal.format(ref=request.ref, status=status), None
    if not choice.candidates:
        return oversight_texts.ASSIGN_NOBODY.format(ref=request.ref), None
    rows = []
    for candidate in choice.candidates:
        label = oversight_texts.CANDIDATE_LABEL.format(
            name=candidate.name, recent=candidate.recent_tasks, open=candidate.open_tasks
        )
        if reassign and choice.current is not None:
            data = pack(REASSIGN_KIND, request.id, choice.current.id, candidate.person_id)
        else:
            data = pack(ASSIGN_KIND, request.id, candidate.person_id)
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    rows.append([InlineKeyboardButton(oversight_texts.BUTTON_CANCEL, callback_data=CANCEL_DATA)])
    category = category_text(request.category)
    if reassign:
        current = choice.current.display_name if choice.current else None
        text = oversight_texts.REASSIGN_CHOOSE.format(
            ref=request.ref, category=category, current=html.escape(current or "?")
        )
    else:
        text = oversight_texts.ASSIGN_CHOOSE.format(
            ref=request.ref, category=category, neighbourhood=html.escape(neighbourhood)
        )
    return text, InlineKeyboardMarkup(rows)


async def assign_command(update: Update, context: AidContext) -> None:
    """/assign REF: the eligible volunteers for an open request, best match first."""
    await _choices(update, context, reassign=False)


async def reassign_command(update: Update, context: AidContext) -> None:
    """/reassign REF: the volunteers a task could move to, best match first."""
    await _choices(update, context, reassign=True)


async def _volunteer_name(context: AidContext, person_id: int) -> str:
    """A volunteer's name, escaped, for the organiser's confirmation."""
    return html.escape(await context.services.oversight.person_name(person_id))


async def on_assign(update: Update, context: AidContext) -> None:
    """A volunteer picked for /assign: give them the request, if still allowed and open."""
    query, user = update.callback_query, update.effective_user
    parsed = unpack(query.data if query else None)
    if query is None or user is None or parsed is None or len(parsed[1]) != 2:
        return
    numbers = [int_arg(a) for a in parsed[1]]
    if None in numbers:
        await query.answer(oversight_texts.STALE_BUTTON)
        return
    request_id, person_id = (n for n in numbers if n is not None)
    result = await context.services.oversight.assignment.assign(user.id, request_id, person_id)
    await _after_pick(query.message, context, result.outcome, result.request, person_id)
    await query.answer()
    if result.outcome is not Outcome.NOT_YOURS:
        await remove_buttons(query)


async def on_reassign(update: Update, context: AidContext) -> None:
    """A volunteer picked for /reassign: move the task, telling both volunteers."""
    query, user = update.callback_query, update.effective_user
    parsed = unpack(query.data if query else None)
    if query is None or user is None or parsed is None or len(parsed[1]) != 3:
        return
    numbers = [int_arg(a) for a in parsed[1]]
    if None in numbers:
        await query.answer(oversight_texts.STALE_BUTTON)
        return
    request_id, from_id, to_id = (n for n in numbers if n is not None)
    service = context.services.oversight.assignment
    result = await service.reassign(user.id, request_id, from_id, to_id)
    await _after_pick(query.message, context, result.outcome, result.request, to_id, from_id)
    await query.answer()
    if result.outcome is not Outcome.NOT_YOURS:
        await remove_buttons(query)


async def _after_pick(
    message: object,
    context: AidContext,
    outcome: Outcome,
    request: HelpRequest | None,
    person_id: int,
    from_person_id: int | None = None,
) -> None:
    """Tell the organiser how an assign or reassign press ended."""
    if not isinstance(message, Message):
        return
    ref = request.ref if request else "?"
    name = await _volunteer_name(context, person_id)
    if outcome is Outcome.OK and from_person_id is not None:
        old = await _volunteer_name(context, from_person_id)
        text = oversight_texts.REASSIGNED.format(ref=ref, old=old, new=name)
    elif outcome is Outcome.OK:
        text = oversight_texts.ASSIGNED.format(ref=ref, volunteer=name)
    elif outcome is Outcome.NOT_YOURS:
        text = oversight_texts.NOT_ORGANISER_HERE
    elif outcome is Outcome.UNKNOWN:
        text = oversight_texts.STALE_BUTTON
    elif outcome is Outcome.NOT_ELIGIBLE:
        text = oversight_texts.ASSIGN_NOT_ELIGIBLE.format(volunteer=name, ref=ref)
    else:
        text = oversight_texts.ASSIGN_CHANGED.format(ref=ref)
    await message.reply_text(text)


async def on_cancel(update: Update, context: AidContext) -> None:
    """Cancel on a list of volunteers: take the buttons away, change nothing."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await remove_buttons(query)
    if isinstance(query.message, Message):
        await query.message.reply_text(oversight_texts.ASSIGN_CANCELLED)


def _local(moment: datetime, context: AidContext) -> str:
    """A stored UTC time in the configured zone."""
    return i18n.day_at_time(moment.astimezone(context.services.settings.timezone))


def _state_words(state: dict[str, object] | None) -> str:
    """A before or after state in short words."""
    if not state:
        return "–"
    return ", ".join(f"{key} {value}" for key, value in state.items() if value is not None)


async def audit_command(update: Update, context: AidContext) -> None:
    """/audit REF: the request's history (who did what, when, from which state to which)."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or await _private_only(message):
        return
    if await _refuse_unless_organiser(message, context, user.id):
        return
    if not context.args:
        await message.reply_text(oversight_texts.AUDIT_USAGE)
        return
    ref = context.args[0].upper()
    history = await context.services.oversight.history(user.id, ref)
    if history.access is Access.UNKNOWN or history.request is None:
        await message.reply_text(
            oversight_texts.UNKNOWN_REF.format(ref=html.escape(ref[:REF_ECHO_MAX]))
        )
        return
    if history.access is not Access.OK:
        await message.reply_text(oversight_texts.NOT_ORGANISER_HERE)
        return
    names = history.names or {}
    lines = []
    for entry in history.entries:
        actor = oversight_texts.AUDIT_BOT
        if entry.actor_telegram_id is not None:
            actor = html.escape(names.get(entry.actor_telegram_id, str(entry.actor_telegram_id)))
        change = ""
        if entry.before is not None or entry.after is not None:
            before = _state_words(entry.before) if entry.before is not None else "–"
            change = oversight_texts.AUDIT_CHANGE.format(
                before=before, after=_state_words(entry.after)
            )
        lines.append(
            oversight_texts.AUDIT_LINE.format(
                at=_local(entry.at, context),
                action=oversight_texts.AUDIT_ACTIONS.get(entry.action, html.escape(entry.action)),
                actor=actor,
                change=html.escape(change),
            )
        )
    status = oversight_texts.REQUEST_STATUS_WORDS.get(
        history.request.status, history.request.status
    )
    head = oversight_texts.AUDIT_HEAD.format(ref=history.request.ref, status=status)
    await _reply_long(message, head + "\n".join(lines))


def register(application: AidApplication) -> None:
    """Register /open, /assign, /reassign, /audit and the assignment buttons."""
    application.add_handler(CommandHandler("open", open_requests))
    application.add_handler(CommandHandler("assign", assign_command))
    application.add_handler(CommandHandler("reassign", reassign_command))
    application.add_handler(CommandHandler("audit", audit_command))
    application.add_handler(CallbackQueryHandler(on_assign, pattern=pattern(ASSIGN_KIND)))
    application.add_handler(CallbackQueryHandler(on_reassign, pattern=pattern(REASSIGN_KIND)))
    application.add_handler(CallbackQueryHandler(on_cancel, pattern=exact(CANCEL_KIND)))
