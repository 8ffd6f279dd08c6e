"""Asset register: /offer, /myassets, /directory, /gaps, /import assets, /export assets."""

from __future__ import annotations

from telegram.ext import ConversationHandler

from handlers import asset_directory, asset_edit, asset_io, asset_manage, asset_offer
from handlers.context import AidApplication, AidContext


def conversations() -> list[ConversationHandler[AidContext]]:
    """The feature's guided flows (registered first, guarded by the flow switch)."""
    return [
        asset_offer.build_conversation(),
        asset_edit.build_conversation(),
        asset_io.build_import_conversation(),
    ]


def register(application: AidApplication) -> None:
    """Register this feature's commands and buttons."""
    # Before the main menu's fallback, so the menu's directory button opens the directory.
    asset_directory.register(application)
    asset_manage.register(application)
    asset_io.register(application)
