"""Asset register: /offer, /myassets, /directory, /gaps, /import assets, /export assets."""

from __future__ import annotations

from telegram.ext import ConversationHandler

from handlers.context import AidApplication, AidContext
from handlers.directory import browsing as asset_directory
from handlers.directory import editing as asset_edit
from handlers.directory import files as asset_io
from handlers.directory import managing as asset_manage
from handlers.directory import offering as asset_offer


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
