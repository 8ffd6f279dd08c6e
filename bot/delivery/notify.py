"""Build outbox entries: messages and edits decided inside a transaction, sent after commit."""

from __future__ import annotations

import html
from typing import Any

from bot.delivery import quiet_hours
from storage.database import Tx
from storage.delivery import outbox

Buttons = list[list[tuple[str, str]]]

MESSAGE_LIMIT = 4096
# Purposes that jump the queue: escalations of missed check-ins and cries for help.
URGENT_PURPOSES = frozenset({"escalation", "buddy"})
BULK_PREFIX = "broadcast"


def priority_for(purpose: str) -> int:
    """The outbox priority of a purpose: urgent first, broadcasts last, the rest between."""
    if purpose in URGENT_PURPOSES:
        return outbox.PRIORITY_REPLY
    if purpose.startswith(BULK_PREFIX):
        return outbox.PRIORITY_BULK
    return outbox.PRIORITY_NORMAL


def inline_keyboard(buttons: Buttons | None) -> dict[str, Any] | None:
    """Bot API inline keyboard markup from rows of (label, callback data)."""
    if not buttons:
        return None
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in buttons
        ]
    }


def escape_within(text: str, limit: int) -> str:
    """The text HTML-escaped, cut (with …) so that the escaped form is at most `limit` long."""
    escaped = html.escape(text)
    if len(escaped) <= limit:
        return escaped
    parts: list[str] = []
    size = 0
    for char in text:
        piece = html.escape(char)
        if size + len(piece) > limit - 1:
            break
        parts.append(piece)
        size += len(piece)
    return "".join(parts).rstrip() + "…"


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a long text at line breaks into parts Telegram accepts (each at most `limit`)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single overlong line: hard cut
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


async def send(
    tx: Tx,
    chat_id: int,
    text: str,
    *,
    buttons: Buttons | None = None,
    purpose: str = "",
    neighbourhood_id: int | None = None,
) -> int:
    """Queue a message (split if long; buttons go on the last part); returns the last outbox id.

    Non-urgent purposes (quiet_hours.HELD_PURPOSES) wait for the end of the recipient's quiet
    hours (those of `neighbourhood_id` when given).
    """
    parts = split_text(text)
    not_before = await quiet_hours.hold_until(tx, chat_id, purpose, neighbourhood_id)
    outbox_id = 0
    for index, part in enumerate(parts):
        params: dict[str, Any] = {"chat_id": chat_id, "text": part}
        markup = inline_keyboard(buttons) if index == len(parts) - 1 else None
        if markup:
            params["reply_markup"] = markup
        outbox_id = await outbox.enqueue(
            tx,
            chat_id=chat_id,
            method="sendMessage",
            params=params,
            now=tx.now,
            purpose=purpose,
            not_before=not_before,
            priority=priority_for(purpose),
        )
    return outbox_id


MEDIA_METHODS = {"photo": "sendPhoto", "voice": "sendVoice"}
CAPTION_LIMIT = 1024


async def send_media(
    tx: Tx,
    chat_id: int,
    kind: str,
    file_id: str,
    caption: str,
    *,
    buttons: Buttons | None = None,
    purpose: str = "",
) -> int:
    """Queue a photo or voice note passed on by its Telegram file_id, with a caption."""
    params: dict[str, Any] = {"chat_id": chat_id, kind: file_id, "caption": caption[:CAPTION_LIMIT]}
    if markup := inline_keyboard(buttons):
        params["reply_markup"] = markup
    not_before = await quiet_hours.hold_until(tx, chat_id, purpose)
    return await outbox.enqueue(
        tx,
        chat_id=chat_id,
        method=MEDIA_METHODS[kind],
        params=params,
        now=tx.now,
        purpose=purpose,
        not_before=not_before,
    )


async def edit(
    tx: Tx,
    chat_id: int,
    sent_outbox_id: int,
    text: str,
    *,
    buttons: Buttons | None = None,
    purpose: str = "",
) -> int:
    """Queue an edit of a message the outbox sent earlier (its id is resolved when sending).

    A message still held for quiet hours is rewritten in place instead: it has not been seen.
    """
    held = await outbox.held_params(tx, sent_outbox_id, tx.now)
    if held is not None:
        held["text"] = text[:MESSAGE_LIMIT]
        held.pop("reply_markup", None)
        if markup := inline_keyboard(buttons):
            held["reply_markup"] = markup
        await outbox.replace_params(tx, sent_outbox_id, held)
        return sent_outbox_id
    params: dict[str, Any] = {"chat_id": chat_id, "text": text[:MESSAGE_LIMIT]}
    params["edit_of_outbox"] = sent_outbox_id
    markup = inline_keyboard(buttons)
    if markup:
        params["reply_markup"] = markup
    return await outbox.enqueue(
        tx,
        chat_id=chat_id,
        method="editMessageText",
        params=params,
        now=tx.now,
        purpose=purpose,
        priority=priority_for(purpose),
    )
