"""Asset register: /offer, /myassets, /directory, /gaps, /import assets."""

from __future__ import annotations

from telegram.ext import ConversationHandler

from handlers.context import AidApplication, AidContext


def conversations() -> list[ConversationHandler[AidContext]]:
    """The feature's guided flows (registered first, guarded by the flow switch)."""
    return []


def register(application: AidApplication) -> None:
    """Register this feature's commands and buttons."""
