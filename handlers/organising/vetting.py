"""Organiser roles and vetting: /organisers, /promote, /demote, /pending, /suspend, /settings."""

from __future__ import annotations

from telegram.ext import ConversationHandler

from handlers.context import AidApplication, AidContext
from handlers.organising import checks as vetting_checks
from handlers.organising import pending as vetting_pending
from handlers.organising import picking as vetting_common
from handlers.organising import roles as vetting_roles
from handlers.organising import settings_menu
from handlers.organising import suspending as vetting_suspend


def conversations() -> list[ConversationHandler[AidContext]]:
    """The feature's guided flows (registered first, guarded by the flow switch)."""
    return [vetting_pending.build_conversation(), vetting_checks.build_conversation()]


def register(application: AidApplication) -> None:
    """Register this feature's commands and buttons."""
    vetting_common.register(
        application,
        {
            **vetting_roles.ACTIONS,
            **vetting_pending.ACTIONS,
            **vetting_checks.ACTIONS,
            **vetting_suspend.ACTIONS,
            **settings_menu.ACTIONS,
        },
    )
    vetting_roles.register(application)
    vetting_pending.register(application)
    vetting_checks.register(application)
    vetting_suspend.register(application)
    settings_menu.register(application)
