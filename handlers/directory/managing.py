"""/myassets and the asset buttons: approve, reject, withdraw, verify (checked every press)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callback_data import int_arg, pack, unpack
from bot.directory.assets import AssetOutcome, Done
from bot.directory.views import NAME_SHOWN, TITLE_SHOWN, escape_within, shown_title
from bot.model.assets import VOLUNTEER_OFFER
from config import asset_texts
from handlers.context import AidApplication, AidContext
from handlers.replies import remove_buttons

PRIVATE = filters.ChatType.PRIVATE
ACTIONS = ("approve", "reject", "withdraw", "verify")  # "edit" starts the edit conversation
MY_ASSETS_ROOM = 3_800  # of Telegram's 4,096 characters, leaving room for the heading


async def my_assets(update: Update, context: AidContext) -> None:
    """/myassets: the person's assets, with edit and withdraw buttons."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    mine = await context.services.assets.mine(user.id)
    if not mine:
        await message.reply_text(asset_texts.MY_ASSETS_NONE)
        return
    lines: list[str] = []
    rows = []
    for number, asset in enumerate(mine, start=1):
        from_offer = asset.source == VOLUNTEER_OFFER
        line = asset_texts.MY_ASSET_LINE.format(
            number=number,
            title=escape_within(shown_title(asset), TITLE_SHOWN),
            audience=asset_texts.AUDIENCE.get(asset.visibility, "").format(
                neighbourhood=escape_within(asset.neighbourhood_name, NAME_SHOWN)
            ),
            status=asset_texts.STATUS_LABELS.get(asset.status, asset.status),
            note=asset_texts.FROM_OFFER_NOTE if from_offer else "",
        )
        if sum(len(x) + 1 for x in lines) + len(line) > MY_ASSETS_ROOM:
            break  # one message: the newest first, which is what people edit
        lines.append(line)
        if not from_offer:
            rows.append(
                [
                    InlineKeyboardButton(
                        asset_texts.BUTTON_EDIT.format(number=number),
                        callback_data=pack("asset", "edit", asset.id),
                    ),
                    InlineKeyboardButton(
                        asset_texts.BUTTON_WITHDRAW.format(number=number),
                        callback_data=pack("asset", "withdraw", asset.id),
                    ),
                ]
            )
    markup = InlineKeyboardMarkup(rows) if rows else None
    await message.reply_text(
        asset_texts.MY_ASSETS.format(items="\n".join(lines)), reply_markup=markup
    )


def refusal(done: Done) -> str:
    """The answer to a press that changed nothing."""
    if done.outcome is AssetOutcome.NOT_ALLOWED:
        return asset_texts.NOT_ALLOWED
    if done.outcome is AssetOutcome.READ_ONLY:
        return asset_texts.OFFER_ASSET_READ_ONLY
    if done.outcome is AssetOutcome.ALREADY and done.asset is not None:
        return asset_texts.ALREADY_DECIDED.format(
            status=asset_texts.STATUS_LABELS.get(done.asset.status, "")
        )
    return asset_texts.NO_LONGER_AVAILABLE


async def on_asset_button(update: Update, context: AidContext) -> None:
    """Approve, reject, withdraw or verify an asset, re-checking who may do it."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    parsed = unpack(query.data)
    args = parsed[1] if parsed else []
    if len(args) != 2 or args[0] not in ACTIONS or int_arg(args[1]) is None:
        await query.answer(asset_texts.NO_LONGER_AVAILABLE, show_alert=True)
        return
    action, asset_id = args[0], int(args[1])
    register = context.services.assets
    if action in ("approve", "reject"):
        done = await register.decide(user.id, asset_id, approve=action == "approve")
        text = asset_texts.APPROVED if action == "approve" else asset_texts.REJECTED
    elif action == "withdraw":
        done = await register.withdraw(user.id, asset_id)
        owner = done.asset is not None and done.asset.owner_telegram_id == user.id
        text = asset_texts.WITHDRAWN if owner else asset_texts.REMOVED
    else:
        done = await register.verify(user.id, asset_id)
        text = asset_texts.VERIFIED
    if done.outcome is not AssetOutcome.OK or done.asset is None:
        await query.answer(refusal(done), show_alert=True)
        return
    await query.answer()
    if action in ("approve", "reject"):
        await remove_buttons(query)
    if isinstance(query.message, Message):
        await query.message.reply_text(text.format(title=html.escape(done.asset.title)))


def register(application: AidApplication) -> None:
    """Register /myassets and the asset action buttons."""
    application.add_handler(CommandHandler("myassets", my_assets, PRIVATE))
    actions = "|".join(ACTIONS)
    application.add_handler(
        CallbackQueryHandler(on_asset_button, pattern=rf"^v1\|asset\|({actions})\|")
    )
