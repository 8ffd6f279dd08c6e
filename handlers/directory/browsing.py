"""/directory and the menu's directory button: browse by kind or search, page by page."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callback_data import exact, int_arg, pack, pattern, unpack
from bot.directory.assets import PAGE_SIZE, Page
from bot.directory.views import directory_item, kind_label
from bot.model.assets import VOLUNTEER_OFFER, words_of
from config import asset_texts
from handlers.context import AidApplication, AidContext

KIND = (
    "adir"  # v1|adir|k|<kind>|<page> (browse a kind), v1|adir|s|<page> (last search), v1|adir|home
)
WORDS_KEY = "asset_directory.words"  # the person's last search, for its page buttons
PRIVATE = filters.ChatType.PRIVATE


def _kinds_markup(counts: dict[str, int]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(f"{label} ({counts[kind]})", callback_data=pack(KIND, "k", kind, 0))]
        for kind, label in asset_texts.KIND_LABELS.items()
        if counts.get(kind)
    ]
    return InlineKeyboardMarkup(rows)


async def _kinds(user_id: int, context: AidContext) -> tuple[str, InlineKeyboardMarkup | None]:
    counts = await context.services.assets.kind_counts(user_id)
    if not any(counts.values()):
        return asset_texts.DIRECTORY_EMPTY, None
    return asset_texts.DIRECTORY_BROWSE, _kinds_markup(counts)


def _manage_buttons(page: Page, user_id: int) -> list[InlineKeyboardButton]:
    """Edit, withdraw and verify buttons for the entries this person may manage."""
    buttons = []
    for index, asset in enumerate(page.items):
        number = page.page * PAGE_SIZE + index + 1
        organiser = page.scope.organises(asset.neighbourhood_id)
        if asset.source == VOLUNTEER_OFFER or not (organiser or asset.owner_telegram_id == user_id):
            continue
        buttons.append(
            InlineKeyboardButton(
                asset_texts.BUTTON_EDIT.format(number=number),
                callback_data=pack("asset", "edit", asset.id),
            )
        )
        buttons.append(
            InlineKeyboardButton(
                asset_texts.BUTTON_WITHDRAW.format(number=number),
                callback_data=pack("asset", "withdraw", asset.id),
            )
        )
        if organiser and asset.verified_at is None:
            buttons.append(
                InlineKeyboardButton(
                    asset_texts.BUTTON_VERIFY.format(number=number),
                    callback_data=pack("asset", "verify", asset.id),
                )
            )
    return buttons


def render_page(
    page: Page, user_id: int, heading: str, nav: tuple[str, ...]
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of entries with manage buttons, Previous/Next and a way back to the kinds."""
    items = "\n\n".join(
        directory_item(asset, page.page * PAGE_SIZE + i + 1, page.scope)
        for i, asset in enumerate(page.items)
    )
    text = asset_texts.DIRECTORY_PAGE.format(heading=heading, page=page.page + 1, items=items)
    manage = _manage_buttons(page, user_id)
    rows = [manage[i : i + 3] for i in range(0, len(manage), 3)]
    navigation = []
    if page.page > 0:
        navigation.append(
            InlineKeyboardButton(
                asset_texts.BUTTON_PREVIOUS, callback_data=pack(KIND, *nav, page.page - 1)
            )
        )
    if page.has_more:
        navigation.append(
            InlineKeyboardButton(
                asset_texts.BUTTON_NEXT, callback_data=pack(KIND, *nav, page.page + 1)
            )
        )
    navigation.append(
        InlineKeyboardButton(asset_texts.BUTTON_KINDS, callback_data=pack(KIND, "home"))
    )
    return text, InlineKeyboardMarkup([*rows, navigation])


async def directory(update: Update, context: AidContext) -> None:
    """/directory [words]: search the visible assets, or browse them by kind."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    words = words_of(" ".join(context.args or []))
    if not words:
        text, markup = await _kinds(user.id, context)
        await message.reply_text(text, reply_markup=markup)
        return
    if context.user_data is not None:
        context.user_data[WORDS_KEY] = words
    page = await context.services.assets.directory(user.id, words, None, 0)
    if not page.items:
        await message.reply_text(
            asset_texts.DIRECTORY_NO_MATCH.format(words=html.escape(" ".join(words)))
        )
        return
    heading = asset_texts.DIRECTORY_SEARCH_HEADING.format(words=html.escape(" ".join(words)))
    text, markup = render_page(page, user.id, heading, ("s",))
    await message.reply_text(text, reply_markup=markup)


async def open_from_menu(update: Update, context: AidContext) -> None:
    """The main menu's directory button: browse by kind."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    await query.answer()
    text, markup = await _kinds(user.id, context)
    await query.message.reply_text(text, reply_markup=markup)


async def on_page(update: Update, context: AidContext) -> None:
    """A kind, page or back-to-kinds press: show it in place of the pressed message."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    parsed = unpack(query.data)
    args = parsed[1] if parsed else []
    page_number = int_arg(args[-1]) if args else None
    if args == ["home"]:
        text, markup = await _kinds(user.id, context)
    elif (
        len(args) == 3
        and args[0] == "k"
        and args[1] in asset_texts.KIND_LABELS
        and page_number is not None
    ):
        page = await context.services.assets.directory(user.id, [], args[1], page_number)
        if not page.items:
            await query.answer(asset_texts.DIRECTORY_NO_KIND, show_alert=True)
            return
        text, markup = render_page(page, user.id, kind_label(args[1]), ("k", args[1]))
    elif len(args) == 2 and args[0] == "s" and int_arg(args[1]) is not None:
        words = (context.user_data or {}).get(WORDS_KEY) or []
        page = await context.services.assets.directory(user.id, words, None, int(args[1]))
        if not words or not page.items:
            await query.answer(asset_texts.STALE_SEARCH, show_alert=True)
            return
        heading = asset_texts.DIRECTORY_SEARCH_HEADING.format(words=html.escape(" ".join(words)))
        text, markup = render_page(page, user.id, heading, ("s",))
    else:
        await query.answer(asset_texts.STALE_SEARCH, show_alert=True)
        return
    await query.answer()
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest:  # the message is too old to edit, or unchanged: send it afresh
        if isinstance(query.message, Message):
            await query.message.reply_text(text, reply_markup=markup)


def register(application: AidApplication) -> None:
    """Register /directory, its page buttons and the menu's directory button."""
    application.add_handler(CommandHandler("directory", directory, PRIVATE))
    application.add_handler(CallbackQueryHandler(on_page, pattern=pattern(KIND)))
    application.add_handler(
        CallbackQueryHandler(open_from_menu, pattern=exact("menu", "directory"))
    )
