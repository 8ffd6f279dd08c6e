"""Which language to speak to whom: a person's choice (/language), else their Telegram app's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from config import i18n
from storage import people
from storage.database import Connection


def shipped(code: str | None) -> str:
    """The shipped language for a stored or Telegram language code (English when none fits)."""
    return i18n.supported(code) or i18n.SOURCE_LANGUAGE


async def of_chat(conn: Connection, chat_id: int) -> str:
    """The language of a private chat's person; groups and strangers get the source language."""
    return shipped(await people.language_of(conn, chat_id))


@asynccontextmanager
async def speaking_to(conn: Connection, chat_id: int) -> AsyncIterator[str]:
    """Compose texts inside the block in the language of the chat they are for."""
    language = await of_chat(conn, chat_id)
    with i18n.speaking(language):
        yield language
