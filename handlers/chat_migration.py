"""Groups that become supergroups: follow the chat to its new id (Telegram's migrate message)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from handlers.context import AidApplication, AidContext

# Before the gatekeepers (groups -2 and -1), so that the move is recorded whoever made it.
MIGRATION_GROUP = -3


async def follow_migration(update: Update, context: AidContext) -> None:
    """Point the neighbourhood and unsent messages at the supergroup's new chat id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await context.services.dispatcher.move_chat(old, new)


def register(application: AidApplication) -> None:
    """Register the migration follower ahead of every other handler."""
    application.add_handler(
        MessageHandler(filters.StatusUpdate.MIGRATE, follow_migration), group=MIGRATION_GROUP
    )
