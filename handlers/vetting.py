"""Organiser roles and vetting: /organisers, /promote, /demote, /pending, /suspend, /settings."""

from __future__ import annotations

from telegram.ext import ConversationHandler

from handlers import (
    settings_menu,
    vetting_checks,
    vetting_common,
    vetting_pending,
    vetting_roles,
    vetting_suspend,
)
from handlers.context import AidApplication, AidContext


def conversations() -> list[ConversationHandler[AidContext]]:
    """The feature's guided flows (registered first, guarded by the flow switch)."""
    return [vetting_pending.build_conversation(), vetting_checks.build_conversation()]


def register(application: AidApplication) -> None:
    """Register this feature's commands and buttons."""
    vetting_common.register(application)
    vetting_roles.register(application)
    vetting_pending.register(application)
    vetting_checks.register(application)
    vetting_suspend.register(application)
    settings_menu.register(application)
