"""Offering help in a private chat: the /volunteer conversation, one step per message.

The draft lives in user_data as one `OfferDraft` (handlers.volunteers.steps, which also builds
each step's buttons and words), and nothing is stored until the person presses Confirm.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import CallbackQuery, Message, ReplyKeyboardRemove, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.callback_data import exact
from bot.phones import parse_phone, parse_shared_contact
from bot.volunteers import volunteering as vol
from bot.when import ANY_TIME
from config import i18n, request_texts, texts, volunteer_texts
from handlers.context import AidContext
from handlers.flow_switch import switch_fallbacks
from handlers.onboarding import menu_keyboard
from handlers.replies import remove_buttons
from handlers.volunteers.steps import (
    CHOOSING_CATEGORIES,
    CHOOSING_MAX_TASKS,
    CHOOSING_TIMES,
    CONFIRMING,
    KIND,
    LISTS,
    ORDER,
    SHARING_PHONE,
    STATES,
    STEP_NAMES,
    TYPING_LANGUAGES,
    TYPING_SKILLS,
    OfferDraft,
    button_args,
    button_data,
    language_name,
    phone_keyboard,
    prompt_text,
    saved_text,
    split_list,
    step_keyboard,
)

END = ConversationHandler.END
Callback = Callable[[Update, AidContext], Awaitable[object]]

DRAFT_KEY = "volunteer_draft"
CONVERSATION_TIMEOUT = timedelta(hours=2)
_SLOTS = {str(bit): bit for bit, _ in request_texts.AVAILABILITY_LABELS}


def _draft(context: AidContext) -> OfferDraft:
    data = context.user_data if context.user_data is not None else {}
    draft = data.get(DRAFT_KEY)
    if not isinstance(draft, OfferDraft):
        draft = data[DRAFT_KEY] = OfferDraft()
    return draft


def _forget(context: AidContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


def _args(update: Update) -> list[str]:
    """The pressed button's data after the kind, padded so [action, step, value] unpack."""
    return button_args(update.callback_query.data if update.callback_query else None)


def _query(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise TypeError("registered for button presses only")
    return update.callback_query


def _message(update: Update) -> Message:
    if update.effective_message is None:
        raise TypeError("registered for updates with a message only")
    return update.effective_message


async def _clear_prompt(context: AidContext, chat_id: int) -> None:
    """Take the buttons off the flow's previous message, so only the current step has them."""
    draft = _draft(context)
    if draft.prompt_id is not None:
        with contextlib.suppress(BadRequest):  # already without buttons, or too old to edit
            await context.bot.edit_message_reply_markup(chat_id, draft.prompt_id)
        draft.prompt_id = None


async def ask(update: Update, context: AidContext, state: int, edit: bool = True) -> int:
    """Show a step: turn the pressed message into it, or send it as a new message."""
    draft, query, message = _draft(context), update.callback_query, _message(update)
    if state == SHARING_PHONE:
        await _clear_prompt(context, message.chat_id)
        await message.reply_text(volunteer_texts.ASK_PHONE, reply_markup=phone_keyboard())
        return state
    text, keyboard = prompt_text(state, draft), step_keyboard(state, draft)
    if edit and query is not None and isinstance(query.message, Message):
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
        except BadRequest as error:
            if "not modified" not in str(error):
                raise
        draft.prompt_id = query.message.message_id
        return state
    await _clear_prompt(context, message.chat_id)
    draft.prompt_id = (await message.reply_text(text, reply_markup=keyboard)).message_id
    return state


async def start_offer(update: Update, context: AidContext) -> int:
    """/volunteer or the menu's Offer help: begin, starting from the current offer if any."""
    user, message = update.effective_user, update.effective_message
    if update.callback_query is not None:
        await update.callback_query.answer()
    if user is None or message is None or message.chat.type != ChatType.PRIVATE:
        return END
    await _clear_prompt(context, message.chat_id)
    _forget(context)
    if not await context.services.community.memberships(user.id):
        await message.reply_text(volunteer_texts.NOT_IN_NEIGHBOURHOOD)
        return END
    draft = _draft(context)
    profile = await context.services.volunteering.profile(user.id)
    if profile is not None:
        draft.categories, draft.availability = set(profile.categories), profile.availability
        draft.max_tasks, draft.share_phone = profile.max_open_tasks, profile.share_phone
        draft.languages = [language_name(code) for code in profile.languages]
        draft.skills = list(profile.skills)
        draft.is_change = True
    return await ask(update, context, CHOOSING_CATEGORIES, edit=False)


async def pick(update: Update, context: AidContext) -> int:
    """Toggle a kind of help or a time (Any time selects all), or choose the most tasks."""
    query, draft = _query(update), _draft(context)
    _, name, value = _args(update)[:3]
    state = STATES[name]
    await query.answer()
    if state == CHOOSING_CATEGORIES and value in vol.CATEGORIES:
        draft.categories ^= {value}
    elif state == CHOOSING_TIMES and value in _SLOTS:
        draft.availability ^= _SLOTS[value]
    elif state == CHOOSING_TIMES and value == str(ANY_TIME):
        draft.availability = ANY_TIME
    elif state == CHOOSING_MAX_TASKS and value in {str(n) for n in vol.MAX_TASKS_CHOICES}:
        draft.max_tasks = int(value)
        return await ask(update, context, TYPING_LANGUAGES)
    return await ask(update, context, state)


async def next_step(update: Update, context: AidContext) -> int:
    """Next (refused with nothing chosen), or Skip, Keep or None on languages and skills."""
    query, draft = _query(update), _draft(context)
    action, name = _args(update)[:2]
    state = STATES[name]
    if state == CHOOSING_CATEGORIES and not draft.categories:
        await query.answer(volunteer_texts.NEED_CATEGORY, show_alert=True)
        return state
    if state == CHOOSING_TIMES and not draft.availability:
        await query.answer(volunteer_texts.NEED_AVAILABILITY, show_alert=True)
        return state
    await query.answer()
    if action == "clear" and state in LISTS:
        setattr(draft, LISTS[state].field, [])
    return await ask(update, context, ORDER[ORDER.index(state) + 1])


async def go_back(update: Update, context: AidContext) -> int:
    """Back one step (from the first, to the main menu); Edit goes to the first step."""
    query = _query(update)
    action, name = _args(update)[:2]
    await query.answer()
    if action == "edit":
        return await ask(update, context, CHOOSING_CATEGORIES)
    state = STATES[name]
    if state != CHOOSING_CATEGORIES:
        return await ask(update, context, ORDER[ORDER.index(state) - 1])
    _forget(context)
    await query.edit_message_text(texts.MENU, reply_markup=menu_keyboard())
    return END


def list_typed(state: int) -> MessageHandler:
    """The handler for typed languages or skills."""
    step = LISTS[state]

    async def typed(update: Update, context: AidContext) -> int:
        """Take a typed comma-separated list, or re-ask with the limits."""
        message = _message(update)
        items = split_list(message.text or "", step.most, step.longest)
        if items is None:
            await message.reply_text(
                i18n.gettext(step.invalid).format(count=step.most, length=step.longest)
            )
            return state
        setattr(_draft(context), step.field, items)
        return await ask(update, context, ORDER[ORDER.index(state) + 1])

    return MessageHandler(filters.TEXT & ~filters.COMMAND, typed)


async def _leave_phone(update: Update, context: AidContext, note: str, state: int) -> int:
    """Remove the reply keyboard, then show the summary (or, going back, the skills step)."""
    await _message(update).reply_text(note, reply_markup=ReplyKeyboardRemove())
    return await ask(update, context, state)


async def phone_given(update: Update, context: AidContext) -> int:
    """A shared contact (only the sender's own) or a typed number; bad ones are asked again."""
    message, user = _message(update), update.effective_user
    region = context.services.settings.default_region
    if message.contact is not None:
        if user is None or message.contact.user_id != user.id:
            await message.reply_text(volunteer_texts.PHONE_NOT_YOURS, reply_markup=phone_keyboard())
            return SHARING_PHONE
        result = parse_shared_contact(message.contact.phone_number, region)
    else:
        result = parse_phone(message.text or "", region)
    if result.e164 is None:
        reason = volunteer_texts.PHONE_REASONS.get(
            result.problem or "", volunteer_texts.PHONE_REASONS["not_a_number"]
        )
        await message.reply_text(
            volunteer_texts.PHONE_BAD.format(reason=reason), reply_markup=phone_keyboard()
        )
        return SHARING_PHONE
    draft = _draft(context)
    draft.share_phone, draft.phone_e164 = True, result.e164
    return await _leave_phone(update, context, volunteer_texts.PHONE_SAVED, CONFIRMING)


async def phone_choice(update: Update, context: AidContext) -> int:
    """Don't share, Back or Cancel, pressed on the phone step's reply keyboard."""
    choice = _message(update).text
    if choice == volunteer_texts.BUTTON_CANCEL:
        return await cancel(update, context)
    if choice == volunteer_texts.BUTTON_BACK:
        return await _leave_phone(update, context, volunteer_texts.GOING_BACK, TYPING_SKILLS)
    draft = _draft(context)
    draft.share_phone, draft.phone_e164 = False, None
    return await _leave_phone(update, context, volunteer_texts.PHONE_NOT_SHARED, CONFIRMING)


async def confirm(update: Update, context: AidContext) -> int:
    """Save the offer and say, per neighbourhood, whether they are approved or waiting."""
    query, user, draft = _query(update), update.effective_user, _draft(context)
    await query.answer()
    if user is None or not draft.categories or not draft.availability:
        return await ask(update, context, CHOOSING_CATEGORIES)
    await remove_buttons(query)
    _forget(context)
    try:
        statuses = await context.services.volunteering.save_offer(user.id, draft.offer())
    except (PermissionError, ValueError):
        await _message(update).reply_text(volunteer_texts.SAVE_REFUSED)
        return END
    await _message(update).reply_text(saved_text(statuses, draft))
    return END


async def cancel(update: Update, context: AidContext) -> int:
    """Stop the conversation; nothing is stored."""
    query = update.callback_query
    if query is not None:
        await query.answer()
        await query.edit_message_text(texts.CANCELLED)
    else:
        await _clear_prompt(context, _message(update).chat_id)
        await _message(update).reply_text(texts.CANCELLED, reply_markup=ReplyKeyboardRemove())
    _forget(context)
    return END


async def use_buttons(update: Update, context: AidContext) -> None:
    """Typed text on a step that needs a button: point at the buttons, stay on the step."""
    await _message(update).reply_text(volunteer_texts.USE_BUTTONS)


async def timed_out(update: Update, context: AidContext) -> None:
    """Drop an abandoned draft."""
    _forget(context)


def build_conversation() -> ConversationHandler[AidContext]:
    """The offer-help conversation, entered with /volunteer or the menu's Offer help."""

    def press(callback: Callback, regex: str) -> CallbackQueryHandler[AidContext, object]:
        return CallbackQueryHandler(callback, pattern=regex)

    def button(state: int, actions: str, value: str = "") -> str:
        return rf"^{re.escape(button_data(''))}({actions})\|{STEP_NAMES[state]}{value}$"

    states: dict[object, list[BaseHandler[Update, AidContext, object]]] = {
        state: [press(go_back, button(state, "back"))] for state in ORDER if state != SHARING_PHONE
    }
    for state in (CHOOSING_CATEGORIES, CHOOSING_TIMES, CHOOSING_MAX_TASKS):
        states[state].append(press(pick, button(state, "pick", r"\|[a-z_0-9]+")))
    for state in (CHOOSING_CATEGORIES, CHOOSING_TIMES, TYPING_LANGUAGES, TYPING_SKILLS):
        states[state].append(press(next_step, button(state, "next|clear")))
    for state in LISTS:
        states[state].append(list_typed(state))
    states[CONFIRMING] += [
        press(confirm, exact(KIND, "confirm")),
        press(go_back, exact(KIND, "edit")),
    ]
    # A reply button comes back as its label, in whichever language the person reads.
    with i18n.speaking(i18n.SOURCE_LANGUAGE):
        labels = (
            volunteer_texts.BUTTON_NO_PHONE,
            volunteer_texts.BUTTON_BACK,
            volunteer_texts.BUTTON_CANCEL,
        )
    phone_buttons = sorted({word for label in labels for word in i18n.in_every_language(label)})
    states[SHARING_PHONE] = [
        MessageHandler(filters.Text(phone_buttons), phone_choice),
        MessageHandler(filters.CONTACT | (filters.TEXT & ~filters.COMMAND), phone_given),
    ]
    states[ConversationHandler.TIMEOUT] = [TypeHandler(Update, timed_out)]
    # Buttons are tracked per chat and user, not per message, on purpose: every button
    # names its step, so one left on an older message matches nothing here.
    return ConversationHandler(
        entry_points=[
            CommandHandler("volunteer", start_offer, filters.ChatType.PRIVATE),
            press(start_offer, exact("menu", "volunteer")),
        ],
        states=states,
        fallbacks=[
            *switch_fallbacks("volunteer"),
            CommandHandler("cancel", cancel),
            press(cancel, exact(KIND, "cancel")),
            MessageHandler(filters.TEXT & ~filters.COMMAND, use_buttons),
        ],
        name="volunteer_flow",
        persistent=True,  # a person half-way through continues after a restart
        allow_reentry=True,
        conversation_timeout=CONVERSATION_TIMEOUT,
    )
