"""The persistence's spelt-out PTB types still match what BasePersistence declares."""

from __future__ import annotations

import typing

from telegram.ext import BasePersistence

from bot.runtime import persistence


def test_conversation_and_callback_types_match_ptbs_base_persistence() -> None:
    conversations = typing.get_type_hints(BasePersistence.get_conversations)
    update = typing.get_type_hints(BasePersistence.update_conversation)
    callback = typing.get_type_hints(BasePersistence.update_callback_data)
    assert conversations["return"] == persistence.ConversationDict
    assert update["key"] == persistence.ConversationKey
    assert callback["data"] == persistence.CDCData
