"""Organisers' /pending: approve or turn down new volunteers, with an optional note."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import pack, pattern
from bot.language_names import language_list
from bot.organising.roles import name_of
from bot.organising.vetting import NOTE_MAX_LENGTH, VetOutcome, VetResult
from bot.requests.alerting import category_text
from config import vetting_texts
from handlers.context import AidApplication, AidContext
from handlers.flow_switch import switch_fallbacks
from handlers.organising.picking import (
    NeighbourhoodAction,
    keyboard,
    listed_or_answered,
    person_choice,
    result_or_refuse,
    start_for_neighbourhood,
)
from handlers.replies import remove_buttons

DECIDE_KIND = "vet"
NO_NOTE_KIND = "vetnote"
APPROVE, REJECT = "a", "r"
NOTE = 0
END = ConversationHandler.END
NAME = "vetting-note"
PRIVATE = filters.ChatType.PRIVATE


@dataclass(frozen=True)
class PendingDecision:
    """A decision an organiser may add a note to."""

    neighbourhood_id: int
    person_id: int
    approve: bool
    name: str


# Decisions waiting for a note or the no-note button, oldest first: approving several people
# in a row keeps each one's decision, and a typed note goes to the latest prompt.
_DECISIONS_KEY = "vetting_decisions"


def _waiting(context: AidContext) -> list[PendingDecision]:
    """The organiser's decisions waiting for a note (kept in their user_data)."""
    if context.user_data is None:
        return []
    waiting = context.user_data.setdefault(_DECISIONS_KEY, [])
    return waiting if isinstance(waiting, list) else []


def _take(context: AidContext, neighbourhood_id: int, person_id: int) -> None:
    """Forget a waiting decision about this person, if any."""
    waiting = _waiting(context)
    waiting[:] = [
        d for d in waiting if (d.neighbourhood_id, d.person_id) != (neighbourhood_id, person_id)
    ]


async def pending(update: Update, context: AidContext) -> None:
    """/pending: list volunteers waiting for approval, with Approve and Turn down buttons."""
    await start_for_neighbourhood(update, context, "pending", ACTIONS["pending"])


async def _list_pending(
    message: Message, user_id: int, neighbourhood_id: int, context: AidContext, _: list[str]
) -> None:
    listing = context.services.vetting.volunteers(user_id, neighbourhood_id, "pending")
    listed = await listed_or_answered(message, listing, vetting_texts.PENDING_NONE)
    if listed is None:
        return
    where, waiting = listed
    place = html.escape(where.name)
    lines, rows = [vetting_texts.PENDING_HEADER.format(neighbourhood=place)], []
    for volunteer in waiting:
        name = volunteer.display_name or f"#{volunteer.person_id}"
        languages = language_list(volunteer.languages)  # names in the reader's language
        lines.append(
            vetting_texts.PENDING_LINE.format(
                number=volunteer.person_id,
                name=html.escape(name),
                categories=", ".join(category_text(c) for c in volunteer.categories) or "–",
                languages=vetting_texts.PENDING_LANGUAGES.format(languages=languages)
                if languages
                else "",
            )
        )
        data = (where.id, volunteer.person_id)
        rows.append(
            [
                (vetting_texts.BUTTON_APPROVE.format(name=name), pack(DECIDE_KIND, APPROVE, *data)),
                (vetting_texts.BUTTON_REJECT.format(name=name), pack(DECIDE_KIND, REJECT, *data)),
            ]
        )
    await message.reply_text("\n".join(lines), reply_markup=keyboard(rows))


async def decision_pressed(update: Update, context: AidContext) -> int:
    """Approve or Turn down pressed: re-check, then ask for an optional note."""
    chosen = await person_choice(update, context, (APPROVE, REJECT))
    if chosen is None:
        return END
    neighbourhood_id, person_id = chosen.neighbourhood_id, chosen.person_id
    _, member = await context.services.vetting.member(chosen.user_id, neighbourhood_id, person_id)
    if member is None or member.volunteer_status != "pending":
        await chosen.query.answer(vetting_texts.ALREADY_DECIDED, show_alert=True)
        return END
    await chosen.query.answer()
    approve = chosen.choice == APPROVE
    decision = PendingDecision(neighbourhood_id, person_id, approve, name_of(member))
    _take(context, neighbourhood_id, person_id)  # pressed again: the latest choice counts
    _waiting(context).append(decision)
    prompt = vetting_texts.NOTE_PROMPT_APPROVE if approve else vetting_texts.NOTE_PROMPT_REJECT
    no_note_data = pack(NO_NOTE_KIND, chosen.choice, neighbourhood_id, person_id)
    await chosen.message.reply_text(
        prompt.format(name=html.escape(decision.name)),
        reply_markup=keyboard([[(vetting_texts.BUTTON_NO_NOTE, no_note_data)]]),
    )
    return NOTE


async def note_sent(update: Update, context: AidContext) -> int:
    """The organiser's note: it goes with the latest decision still waiting for one."""
    message = update.effective_message
    waiting = _waiting(context)
    if message is None:
        return NOTE
    if not waiting:
        await message.reply_text(vetting_texts.NO_LONGER_POSSIBLE)
        return END
    note = (message.text or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        await message.reply_text(vetting_texts.NOTE_TOO_LONG.format(limit=NOTE_MAX_LENGTH))
        return NOTE
    return await _decide(update, context, message, waiting[-1], note or None)


async def no_note(update: Update, context: AidContext) -> int:
    """Go on without a note: the button says whose decision, so none is ever mixed up."""
    chosen = await person_choice(update, context, (APPROVE, REJECT))
    if chosen is None:
        return NOTE if _waiting(context) else END
    await chosen.query.answer()
    await remove_buttons(chosen.query)
    decision = next(
        (
            d
            for d in _waiting(context)
            if (d.neighbourhood_id, d.person_id) == (chosen.neighbourhood_id, chosen.person_id)
        ),
        None,
    )
    if decision is None:  # e.g. after a restart: the button carries all it needs
        _, member = await context.services.vetting.member(
            chosen.user_id, chosen.neighbourhood_id, chosen.person_id
        )
        name = name_of(member) if member is not None else f"#{chosen.person_id}"
        approve = chosen.choice == APPROVE
        decision = PendingDecision(chosen.neighbourhood_id, chosen.person_id, approve, name)
    return await _decide(update, context, chosen.message, decision, None)


async def _decide(
    update: Update,
    context: AidContext,
    message: Message,
    decision: PendingDecision,
    note: str | None,
) -> int:
    """Make one decision, tell the organiser how it ended, and what still waits for a note."""
    user = update.effective_user
    _take(context, decision.neighbourhood_id, decision.person_id)
    if user is None:
        return END
    result = await result_or_refuse(
        message,
        context.services.vetting.decide(
            user.id,
            decision.neighbourhood_id,
            decision.person_id,
            approve=decision.approve,
            note=note,
        ),
    )
    waiting = _waiting(context)
    if result is None:
        return NOTE if waiting else END
    text = _outcome_text(result, decision.approve)
    if waiting:
        names = ", ".join(html.escape(d.name) for d in waiting)
        text += vetting_texts.NOTE_STILL_WAITING.format(
            names=names, latest=html.escape(waiting[-1].name)
        )
    await message.reply_text(text)
    return NOTE if waiting else END


def _outcome_text(result: VetResult, approve: bool) -> str:
    """What the organiser is told about an approval or a turn-down."""
    place = html.escape(result.neighbourhood.name)
    if result.outcome is VetOutcome.NOT_FOUND or result.member is None:
        return vetting_texts.PERSON_NOT_FOUND.format(neighbourhood=place)
    if result.outcome is VetOutcome.WRONG_STATUS:
        return vetting_texts.ALREADY_DECIDED
    template = vetting_texts.APPROVED_DONE if approve else vetting_texts.REJECTED_DONE
    return template.format(name=html.escape(name_of(result.member)), neighbourhood=place)


async def cancel(update: Update, context: AidContext) -> int:
    """/cancel while adding a note: nothing (still waiting) is decided."""
    (context.user_data or {}).pop(_DECISIONS_KEY, None)
    if update.effective_message is not None:
        await update.effective_message.reply_text(vetting_texts.DONE_CANCELLED)
    return END


def build_conversation() -> ConversationHandler[AidContext]:
    """Approve/Turn down, then an optional note (text or the no-note button)."""
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(decision_pressed, pattern=pattern(DECIDE_KIND)),
            # A prompt's own button works whatever came after it (or after a restart).
            CallbackQueryHandler(no_note, pattern=pattern(NO_NOTE_KIND)),
        ],
        states={
            NOTE: [
                MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, note_sent),
                CallbackQueryHandler(no_note, pattern=pattern(NO_NOTE_KIND)),
            ]
        },
        fallbacks=[*switch_fallbacks("pending"), CommandHandler("cancel", cancel, PRIVATE)],
        name=NAME,
        persistent=True,
        allow_reentry=True,
    )


def register(application: AidApplication) -> None:
    """Add /pending (vetting.conversations adds the decision conversation)."""
    application.add_handler(CommandHandler("pending", pending, PRIVATE))


# The actions this module runs once a neighbourhood is known (the picker's buttons name them).
ACTIONS: Mapping[str, NeighbourhoodAction] = MappingProxyType(
    {
        "pending": _list_pending,
    }
)
