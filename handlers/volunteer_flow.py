"""Offering help: the /volunteer conversation, /pause and /resume, and organisers' Approve."""

from __future__ import annotations

import contextlib
import html
import re
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
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
from telegram.warnings import PTBUserWarning

from bot import volunteering as vol
from bot.callback_data import pack, pattern, unpack
from bot.phones import format_for_display, parse_phone, parse_shared_contact
from bot.when import ANY_TIME
from config import request_texts as rt
from config import texts
from config import volunteer_texts as vt
from handlers.context import AidApplication, AidContext
from handlers.flow_switch import switch_fallbacks
from handlers.onboarding import menu_keyboard
from handlers.replies import remove_buttons

# Conversation states, in the order the steps are asked; STEP_NAMES go into button data.
CHOOSING_CATEGORIES, CHOOSING_TIMES, CHOOSING_MAX_TASKS = range(3)
TYPING_LANGUAGES, TYPING_SKILLS, SHARING_PHONE, CONFIRMING = range(3, 7)
ORDER = (
    CHOOSING_CATEGORIES,
    CHOOSING_TIMES,
    CHOOSING_MAX_TASKS,
    TYPING_LANGUAGES,
    TYPING_SKILLS,
    SHARING_PHONE,
    CONFIRMING,
)
_NAMES = ("cat", "when", "tasks", "langs", "skills", "phone", "summary")
STEP_NAMES = dict(zip(ORDER, _NAMES, strict=True))
STATES = {name: state for state, name in STEP_NAMES.items()}
END = ConversationHandler.END
Callback = Callable[[Update, AidContext], Awaitable[object]]

KIND = "vol"  # button data: v1|vol|<action>|<step>|<value>
DRAFT_KEY = "volunteer_draft"
DEFAULT_MAX_TASKS = 2
LANGUAGE_MAX_LENGTH = 40
MAX_PAUSE_DAYS = 365
CONVERSATION_TIMEOUT = timedelta(hours=2)
_SLOTS = {str(bit): bit for bit, _ in rt.AVAILABILITY_LABELS}
# Stored language codes back to a name to show ("cy" -> "Welsh"); the first name listed wins.
_LANGUAGE_NAMES = {code: n for n, code in reversed(vol.LANGUAGE_CODES.items()) if n != code}


class ListStep(NamedTuple):
    """A step where a comma-separated list is typed: the draft field, limits and texts."""

    field: str
    most: int
    longest: int
    ask: str
    invalid: str


LISTS = {
    TYPING_LANGUAGES: ListStep(
        "languages", vol.MAX_LANGUAGES, LANGUAGE_MAX_LENGTH, vt.ASK_LANGUAGES, vt.LANGUAGES_INVALID
    ),
    TYPING_SKILLS: ListStep(
        "skills", vol.MAX_SKILLS, vol.SKILL_MAX_LENGTH, vt.ASK_SKILLS, vt.SKILLS_INVALID
    ),
}


@dataclass
class OfferDraft:
    """The offer being put together, kept in user_data until it is confirmed or dropped."""

    categories: set[str] = field(default_factory=set)
    availability: int = 0
    max_tasks: int = DEFAULT_MAX_TASKS
    languages: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    share_phone: bool = False
    phone_e164: str | None = None
    is_change: bool = False
    prompt_id: int | None = None  # the message now showing this flow's buttons

    def offer(self) -> vol.Offer:
        """The finished offer for the volunteering service."""
        return vol.Offer(
            categories=frozenset(self.categories),
            availability=self.availability,
            max_open_tasks=self.max_tasks,
            languages=tuple(self.languages),
            skills=tuple(self.skills),
            share_phone=self.share_phone,
            phone_e164=self.phone_e164 if self.share_phone else None,
        )


def _draft(context: AidContext) -> OfferDraft:
    data = context.user_data if context.user_data is not None else {}
    draft = data.get(DRAFT_KEY)
    if not isinstance(draft, OfferDraft):
        draft = data[DRAFT_KEY] = OfferDraft()
    return draft


def _forget(context: AidContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


def _data(*parts: str | int) -> str:
    return pack(KIND, *parts)


def _button(label: str, *parts: str | int, chosen: bool = False) -> InlineKeyboardButton:
    text = vt.CHOSEN_MARK + label if chosen else label
    return InlineKeyboardButton(text, callback_data=_data(*parts))


def _args(update: Update) -> list[str]:
    """The pressed button's data after the kind, padded so [action, step, value] unpack."""
    parsed = unpack(update.callback_query.data if update.callback_query else None)
    return [*(parsed[1] if parsed else []), "", "", ""]


def _query(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise TypeError("registered for button presses only")
    return update.callback_query


def _message(update: Update) -> Message:
    if update.effective_message is None:
        raise TypeError("registered for updates with a message only")
    return update.effective_message


def step_keyboard(state: int, draft: OfferDraft) -> InlineKeyboardMarkup:
    """A step's buttons: its choices (chosen ones marked ✓), then Back and Cancel."""
    name = STEP_NAMES[state]
    rows: list[list[InlineKeyboardButton]] = []
    if state == CHOOSING_CATEGORIES:
        for key, label in rt.CATEGORY_LABELS.items():
            rows.append([_button(label, "pick", name, key, chosen=key in draft.categories)])
    elif state == CHOOSING_TIMES:
        for bit, label in (*rt.AVAILABILITY_LABELS, (ANY_TIME, rt.ANY_TIME_LABEL)):
            chosen = (draft.availability & bit) == bit
            rows.append([_button(label, "pick", name, bit, chosen=chosen)])
    elif state == CHOOSING_MAX_TASKS:
        current, choices = draft.max_tasks, vol.MAX_TASKS_CHOICES
        rows.append([_button(str(n), "pick", name, n, chosen=n == current) for n in choices])
    elif state in LISTS and getattr(draft, LISTS[state].field):
        rows.append(
            [_button(vt.BUTTON_KEEP, "next", name), _button(vt.BUTTON_CLEAR, "clear", name)]
        )
    elif state in LISTS:
        rows.append([_button(vt.BUTTON_SKIP, "next", name)])
    elif state == CONFIRMING:
        rows += [[_button(vt.BUTTON_CONFIRM, "confirm")], [_button(vt.BUTTON_EDIT, "edit")]]
    if state in (CHOOSING_CATEGORIES, CHOOSING_TIMES):
        rows.append([_button(vt.BUTTON_NEXT, "next", name)])
    nav = [_button(vt.BUTTON_BACK, "back", name), _button(vt.BUTTON_CANCEL, "cancel")]
    return InlineKeyboardMarkup([*rows, nav])


def phone_keyboard() -> ReplyKeyboardMarkup:
    """Share the Telegram number, keep it private, Back or Cancel: a one-time reply keyboard."""
    rows = [
        [KeyboardButton(vt.BUTTON_SHARE_PHONE, request_contact=True)],
        [KeyboardButton(vt.BUTTON_NO_PHONE)],
        [KeyboardButton(vt.BUTTON_BACK), KeyboardButton(vt.BUTTON_CANCEL)],
    ]
    return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)


def language_name(code: str) -> str:
    """A stored language code as a name to show ("cy" -> "Welsh")."""
    name = _LANGUAGE_NAMES.get(code, code)
    return name.upper() if len(name) <= 3 else name.title()


def split_list(text: str, most: int, longest: int) -> list[str] | None:
    """Comma-separated items, tidied and without repeats; None if empty or over a limit."""
    items = [" ".join(part.split()) for part in re.split(r"[,;\n]", text)]
    unique: dict[str, str] = {}
    for item in filter(None, items):
        unique.setdefault(item.casefold(), item)
    if not unique or len(unique) > most or any(len(item) > longest for item in unique.values()):
        return None
    return list(unique.values())


def summary_text(draft: OfferDraft) -> str:
    """The offer to check, with everything the person typed escaped."""
    times = [label for bit, label in rt.AVAILABILITY_LABELS if draft.availability & bit]
    labels = rt.CATEGORY_LABELS.items()
    phone = vt.PHONE_PRIVATE
    if draft.share_phone and draft.phone_e164:
        phone = vt.PHONE_SHARED.format(phone=html.escape(format_for_display(draft.phone_e164)))
    return vt.SUMMARY.format(
        categories=", ".join(label for c, label in labels if c in draft.categories),
        availability=rt.ANY_TIME_LABEL if draft.availability == ANY_TIME else ", ".join(times),
        max_tasks=draft.max_tasks,
        languages=html.escape(", ".join(draft.languages)) or vt.NOTHING,
        skills=html.escape(", ".join(draft.skills)) or vt.NOTHING,
        phone=phone,
    )


def prompt_text(state: int, draft: OfferDraft) -> str:
    """The question a step asks."""
    if state == CHOOSING_CATEGORIES:
        return vt.ASK_CATEGORIES_EXISTING if draft.is_change else vt.ASK_CATEGORIES
    if state in LISTS:
        items: list[str] = getattr(draft, LISTS[state].field)
        if items:
            return LISTS[state].ask + vt.ASK_LIST_NOW.format(items=html.escape(", ".join(items)))
        replaces = state == TYPING_SKILLS and draft.is_change
        return LISTS[state].ask + (vt.ASK_SKILLS_REPLACE if replaces else "")
    if state == CONFIRMING:
        return summary_text(draft)
    return vt.ASK_AVAILABILITY if state == CHOOSING_TIMES else vt.ASK_MAX_TASKS


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
        await message.reply_text(vt.ASK_PHONE, reply_markup=phone_keyboard())
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
        await message.reply_text(vt.NOT_IN_NEIGHBOURHOOD)
        return END
    draft = _draft(context)
    profile = await context.services.volunteering.profile(user.id)
    if profile is not None:
        draft.categories, draft.availability = set(profile.categories), profile.availability
        draft.max_tasks, draft.share_phone = profile.max_open_tasks, profile.share_phone
        draft.languages = [language_name(code) for code in profile.languages]
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
        await query.answer(vt.NEED_CATEGORY, show_alert=True)
        return state
    if state == CHOOSING_TIMES and not draft.availability:
        await query.answer(vt.NEED_AVAILABILITY, show_alert=True)
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
            await message.reply_text(step.invalid.format(count=step.most, length=step.longest))
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
            await message.reply_text(vt.PHONE_NOT_YOURS, reply_markup=phone_keyboard())
            return SHARING_PHONE
        result = parse_shared_contact(message.contact.phone_number, region)
    else:
        result = parse_phone(message.text or "", region)
    if result.e164 is None:
        reason = vt.PHONE_REASONS.get(result.problem or "", vt.PHONE_REASONS["not_a_number"])
        await message.reply_text(vt.PHONE_BAD.format(reason=reason), reply_markup=phone_keyboard())
        return SHARING_PHONE
    draft = _draft(context)
    draft.share_phone, draft.phone_e164 = True, result.e164
    return await _leave_phone(update, context, vt.PHONE_SAVED, CONFIRMING)


async def phone_choice(update: Update, context: AidContext) -> int:
    """Don't share, Back or Cancel, pressed on the phone step's reply keyboard."""
    choice = _message(update).text
    if choice == vt.BUTTON_CANCEL:
        return await cancel(update, context)
    if choice == vt.BUTTON_BACK:
        return await _leave_phone(update, context, vt.GOING_BACK, TYPING_SKILLS)
    draft = _draft(context)
    draft.share_phone, draft.phone_e164 = False, None
    return await _leave_phone(update, context, vt.PHONE_NOT_SHARED, CONFIRMING)


def saved_text(statuses: dict[str, str], draft: OfferDraft) -> str:
    """Per neighbourhood, approved or waiting; and whether the directory gained entries."""
    if not statuses:
        return vt.NOT_IN_NEIGHBOURHOOD
    templates = {"approved": vt.STATUS_APPROVED, "suspended": vt.STATUS_SUSPENDED}
    lines = [vt.SAVED]
    for name, status in statuses.items():
        template = templates.get(status, vt.STATUS_PENDING)
        lines.append(template.format(neighbourhood=html.escape(name)))
    if draft.languages or draft.skills:
        lines.append(vt.ADDED_TO_DIRECTORY)
    return "\n".join([*lines, vt.SAVED_FOOTER])


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
        await _message(update).reply_text(vt.SAVE_REFUSED)
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
    await _message(update).reply_text(vt.USE_BUTTONS)


async def timed_out(update: Update, context: AidContext) -> None:
    """Drop an abandoned draft."""
    _forget(context)


def build_conversation() -> ConversationHandler[AidContext]:
    """The offer-help conversation, entered with /volunteer or the menu's Offer help."""

    def press(callback: Callback, regex: str) -> CallbackQueryHandler[AidContext, object]:
        return CallbackQueryHandler(callback, pattern=regex)

    def button(state: int, actions: str, value: str = "") -> str:
        return rf"^{re.escape(_data(''))}({actions})\|{STEP_NAMES[state]}{value}$"

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
        press(confirm, "^" + re.escape(_data("confirm")) + "$"),
        press(go_back, "^" + re.escape(_data("edit")) + "$"),
    ]
    phone_buttons = [vt.BUTTON_NO_PHONE, vt.BUTTON_BACK, vt.BUTTON_CANCEL]
    states[SHARING_PHONE] = [
        MessageHandler(filters.Text(phone_buttons), phone_choice),
        MessageHandler(filters.CONTACT | (filters.TEXT & ~filters.COMMAND), phone_given),
    ]
    states[ConversationHandler.TIMEOUT] = [TypeHandler(Update, timed_out)]
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, not per message, on purpose: every button
        # names its step, so one left on an older message matches nothing here.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("volunteer", start_offer, filters.ChatType.PRIVATE),
                press(start_offer, "^" + re.escape(pack("menu", "volunteer")) + "$"),
            ],
            states=states,
            fallbacks=[
                *switch_fallbacks("volunteer"),
                CommandHandler("cancel", cancel),
                press(cancel, "^" + re.escape(_data("cancel")) + "$"),
                MessageHandler(filters.TEXT & ~filters.COMMAND, use_buttons),
            ],
            name="volunteer_flow",
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
        )


async def pause(update: Update, context: AidContext) -> None:
    """/pause [days]: stop alerts until /resume, or for 1 to 365 days."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    args = context.args or []
    days = int(args[0]) if len(args) == 1 and re.fullmatch(r"[0-9]{1,3}", args[0]) else None
    if args and (days is None or not 1 <= days <= MAX_PAUSE_DAYS):
        await message.reply_text(vt.PAUSE_USAGE.format(max_days=MAX_PAUSE_DAYS))
        return
    result = await context.services.volunteering.pause(user.id, days)
    if result is False:
        await message.reply_text(vt.NOT_A_VOLUNTEER)
    elif isinstance(result, datetime):
        local = result.astimezone(context.services.settings.timezone)
        until = local.strftime("%a %d %b %Y at %H:%M")
        await message.reply_text(vt.PAUSED_FOR.format(days=days, until=until))
    else:
        await message.reply_text(vt.PAUSED_UNTIL_RESUME)


async def resume(update: Update, context: AidContext) -> None:
    """/resume: restart alerts after /pause."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    volunteering = context.services.volunteering
    profile = await volunteering.profile(user.id)
    if profile is None:
        await message.reply_text(vt.NOT_A_VOLUNTEER)
    elif profile.paused_until is None or profile.paused_until <= context.services.clock.now():
        await message.reply_text(vt.NOT_PAUSED)
    else:
        resumed = await volunteering.resume(user.id)
        await message.reply_text(vt.RESUMED if resumed else vt.NOT_A_VOLUNTEER)


async def approve(update: Update, context: AidContext) -> None:
    """An organiser's Approve press: re-checked on the server, then their message is updated."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    ids = _args(update)[:2]
    if not all(re.fullmatch(r"[0-9]{1,18}", arg) for arg in ids):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    person_id, neighbourhood_id = int(ids[0]), int(ids[1])
    services = context.services
    try:
        name = await services.volunteering.approve(user.id, person_id, neighbourhood_id)
    except PermissionError:
        await query.answer(vt.APPROVE_REFUSED, show_alert=True)
        return
    if name is None:
        await query.answer(vt.APPROVE_ALREADY, show_alert=True)
        await remove_buttons(query)
        return
    await query.answer()
    organised = await services.community.organised_neighbourhoods(user.id)
    where = next((n.name for n in organised if n.id == neighbourhood_id), "")
    text = rt.APPROVED_OK.format(volunteer=html.escape(name), neighbourhood=html.escape(where))
    await query.edit_message_text(text)


def register(application: AidApplication) -> None:
    """Add /pause, /resume and the Approve button (register_all adds the conversation)."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("pause", pause, private))
    application.add_handler(CommandHandler("resume", resume, private))
    application.add_handler(CallbackQueryHandler(approve, pattern=pattern("approve")))
