"""/offer: adding an asset to the directory, one question per message, with /cancel."""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callback_data import pack, pattern, unpack
from bot.directory.rules import (
    AVAILABILITY_MAX,
    CONTACT_KINDS,
    DESCRIPTION_MAX,
    TITLE_MAX,
    InvalidAssetError,
    clean_tags,
    clean_text,
    clean_title,
    split_contact,
)
from bot.directory.views import summary
from bot.model.assets import AssetFields
from config import asset_texts
from handlers.context import AidContext
from handlers.flow_switch import switch_fallbacks
from handlers.replies import remove_buttons

NAME = "asset_offer"
KIND = "aoffer"  # button data: v1|aoffer|<step>|<value>, or v1|aoffer|cancel
DRAFT_KEY = "asset_offer.draft"
END = ConversationHandler.END
PRIVATE = filters.ChatType.PRIVATE
ANSWERS = PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND
SKIP = "skip"
CONFIRM = "yes"


class Step(StrEnum):
    """The questions, in order (contact only for organisations and places)."""

    NEIGHBOURHOOD = "nb"
    KIND = "kind"
    TITLE = "title"
    DESCRIPTION = "desc"
    TAGS = "tags"
    AVAILABILITY = "avail"
    VISIBILITY = "vis"
    CONTACT = "contact"
    CONFIRM = "confirm"


ORDER = tuple(Step)
TYPED = frozenset({Step.TITLE, Step.DESCRIPTION, Step.TAGS, Step.AVAILABILITY, Step.CONTACT})
SKIPPABLE = frozenset({Step.TAGS, Step.AVAILABILITY})


@dataclass
class OfferDraft:
    """What the /offer conversation has collected so far."""

    neighbourhoods: list[tuple[int, str]]
    step: Step = Step.KIND
    neighbourhood_id: int = 0
    neighbourhood_name: str = ""
    kind: str = ""
    title: str = ""
    description: str = ""
    tags: str = ""
    availability: str = ""
    visibility: str = "members"
    contact_name: str = ""
    contact_details: str = ""

    def values(self) -> AssetFields:
        """The asset's fields as chosen."""
        return AssetFields(
            kind=self.kind,
            title=self.title,
            description=self.description,
            tags=self.tags,
            availability=self.availability,
            visibility=self.visibility,
            contact_name=self.contact_name,
            contact_details=self.contact_details,
        )


def _next(step: Step, draft: OfferDraft) -> Step:
    following = ORDER[ORDER.index(step) + 1]
    if following is Step.CONTACT and draft.kind not in CONTACT_KINDS:
        return Step.CONFIRM
    return following


def _button(step: Step, label: str, value: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=pack(KIND, step.value, value))


def _markup(step: Step, draft: OfferDraft) -> InlineKeyboardMarkup:
    """The step's choices, then Cancel."""
    match step:
        case Step.NEIGHBOURHOOD:
            rows = [[_button(step, name, nid)] for nid, name in draft.neighbourhoods]
        case Step.KIND:
            rows = [[_button(step, label, kind)] for kind, label in asset_texts.KIND_LABELS.items()]
        case Step.VISIBILITY:
            rows = [[_button(step, label, v)] for v, label in asset_texts.VISIBILITY_LABELS.items()]
        case Step.CONFIRM:
            rows = [[_button(step, asset_texts.BUTTON_CONFIRM, CONFIRM)]]
        case _ if step in SKIPPABLE:
            rows = [[_button(step, asset_texts.BUTTON_SKIP, SKIP)]]
        case _:
            rows = []
    cancel = InlineKeyboardButton(asset_texts.BUTTON_CANCEL, callback_data=pack(KIND, "cancel"))
    return InlineKeyboardMarkup([*rows, [cancel]])


def _question(step: Step, draft: OfferDraft) -> str:
    match step:
        case Step.NEIGHBOURHOOD:
            return asset_texts.OFFER_NEIGHBOURHOOD
        case Step.KIND:
            return asset_texts.OFFER_KIND
        case Step.TITLE:
            return asset_texts.OFFER_TITLE.format(limit=TITLE_MAX)
        case Step.DESCRIPTION:
            return asset_texts.OFFER_DESCRIPTION.format(limit=DESCRIPTION_MAX)
        case Step.TAGS:
            return asset_texts.OFFER_TAGS
        case Step.AVAILABILITY:
            return asset_texts.OFFER_AVAILABILITY
        case Step.VISIBILITY:
            return asset_texts.OFFER_VISIBILITY
        case Step.CONTACT:
            return asset_texts.OFFER_CONTACT
    return asset_texts.OFFER_SUMMARY.format(asset=summary(draft.values(), draft.neighbourhood_name))


async def _ask(chat_id: int, step: Step, draft: OfferDraft, context: AidContext) -> Step:
    await context.bot.send_message(
        chat_id, _question(step, draft), reply_markup=_markup(step, draft)
    )
    return step


def _draft(context: AidContext) -> OfferDraft | None:
    draft = (context.user_data or {}).get(DRAFT_KEY)
    return draft if isinstance(draft, OfferDraft) else None


def _forget(context: AidContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


async def start(update: Update, context: AidContext) -> Step | int:
    """/offer: start a fresh draft in the person's neighbourhood (or ask which)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or context.user_data is None:
        return END
    if update.callback_query is not None:
        await update.callback_query.answer()
    options = await context.services.assets.offer_neighbourhoods(user.id)
    if not options:
        await context.bot.send_message(chat.id, asset_texts.OFFER_NOT_MEMBER)
        return END
    draft = OfferDraft(neighbourhoods=options)
    context.user_data[DRAFT_KEY] = draft
    if len(options) == 1:
        draft.neighbourhood_id, draft.neighbourhood_name = options[0]
        return await _go(chat.id, Step.KIND, draft, context)
    return await _go(chat.id, Step.NEIGHBOURHOOD, draft, context)


def _typed(step: Step, text: str, draft: OfferDraft) -> None:
    """Store a typed answer; raises InvalidAssetError with a friendly text."""
    match step:
        case Step.TITLE:
            draft.title = clean_title(text)
        case Step.DESCRIPTION:
            draft.description = clean_text(text, DESCRIPTION_MAX, 3)
        case Step.TAGS:
            draft.tags = clean_tags(text)
        case Step.AVAILABILITY:
            draft.availability = clean_text(text, AVAILABILITY_MAX)
        case Step.CONTACT:
            draft.contact_name, draft.contact_details = split_contact(text)


async def on_message(update: Update, context: AidContext) -> Step | int:
    """Take a typed answer at a typed step; point to the buttons at the others."""
    message = update.effective_message
    if message is None:
        return END
    draft = _draft(context)
    if draft is None:
        await message.reply_text(asset_texts.OFFER_EXPIRED)
        return END
    step = draft.step
    if step not in TYPED:
        await message.reply_text(asset_texts.OFFER_USE_BUTTONS)
        return step
    try:
        _typed(step, message.text or "", draft)
    except InvalidAssetError as error:
        await message.reply_text(str(error))
        return step
    return await _go(message.chat_id, _next(step, draft), draft, context)


async def _go(chat_id: int, step: Step, draft: OfferDraft, context: AidContext) -> Step:
    draft.step = step
    return await _ask(chat_id, step, draft, context)


async def on_button(update: Update, context: AidContext) -> Step | int:
    """Take a press: a choice at the current step, Skip, Confirm or Cancel."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return END
    parsed = unpack(query.data)
    args = parsed[1] if parsed else []
    draft = _draft(context)
    await query.answer()
    await remove_buttons(query)
    if args == ["cancel"] or draft is None:
        _forget(context)
        await context.bot.send_message(
            chat.id, asset_texts.OFFER_CANCELLED if draft else asset_texts.OFFER_EXPIRED
        )
        return END
    current = draft.step
    if len(args) != 2 or args[0] != current.value:
        return await _ask(chat.id, current, draft, context)  # a button of an earlier step
    value = args[1]
    match current:
        case Step.NEIGHBOURHOOD:
            chosen = [n for n in draft.neighbourhoods if str(n[0]) == value]
            if not chosen:
                return await _ask(chat.id, current, draft, context)
            draft.neighbourhood_id, draft.neighbourhood_name = chosen[0]
        case Step.KIND if value in asset_texts.KIND_LABELS:
            draft.kind = value
        case Step.VISIBILITY if value in asset_texts.VISIBILITY_LABELS:
            draft.visibility = value
        case Step.CONFIRM if value == CONFIRM:
            return await _confirm(chat.id, user.id, draft, context)
        case _ if current in SKIPPABLE and value == SKIP:
            pass
        case _:
            return await _ask(chat.id, current, draft, context)
    return await _go(chat.id, _next(current, draft), draft, context)


async def _confirm(chat_id: int, user_id: int, draft: OfferDraft, context: AidContext) -> int:
    _forget(context)
    try:
        asset = await context.services.assets.propose(
            user_id, draft.neighbourhood_id, draft.values()
        )
    except PermissionError:
        await context.bot.send_message(chat_id, asset_texts.OFFER_NOT_MEMBER)
        return END
    text = (
        asset_texts.OFFER_PUBLISHED if asset.status == "published" else asset_texts.OFFER_PROPOSED
    )
    title, neighbourhood = html.escape(asset.title), html.escape(asset.neighbourhood_name)
    audience = asset_texts.AUDIENCE.get(asset.visibility, "").format(neighbourhood=neighbourhood)
    await context.bot.send_message(
        chat_id, text.format(title=title, neighbourhood=neighbourhood, audience=audience)
    )
    return END


async def cancel(update: Update, context: AidContext) -> int:
    """/cancel: drop the draft."""
    _forget(context)
    if update.effective_message is not None:
        await update.effective_message.reply_text(asset_texts.OFFER_CANCELLED)
    return END


def build_conversation() -> ConversationHandler[AidContext]:
    """The /offer conversation: every step takes presses and typed answers."""
    handlers = [
        CallbackQueryHandler(on_button, pattern=pattern(KIND)),
        MessageHandler(ANSWERS, on_message),
    ]
    return ConversationHandler(
        entry_points=[CommandHandler("offer", start, PRIVATE)],
        states={step: list(handlers) for step in Step},
        fallbacks=[*switch_fallbacks("offer"), CommandHandler("cancel", cancel, PRIVATE)],
        name=NAME,
        persistent=True,
        allow_reentry=True,
    )
