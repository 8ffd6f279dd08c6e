"""Small reply helpers shared by handlers."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message
from telegram.error import BadRequest

log = logging.getLogger(__name__)


async def remove_buttons(query: CallbackQuery) -> None:
    """Take the buttons off the message a press came from, if it still has any."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as error:
        # Already removed by an earlier press, or the message is too old to edit.
        log.info("could not remove buttons: %s", error)


def media_of(message: Message) -> tuple[str, str] | None:
    """The (kind, file_id) of a photo (its largest size) or voice note in a message."""
    if message.photo:
        return "photo", message.photo[-1].file_id
    if message.voice is not None:
        return "voice", message.voice.file_id
    return None
