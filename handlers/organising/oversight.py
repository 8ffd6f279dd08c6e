"""Organiser oversight: /log, /open, /assign, /reassign, /broadcast, /stats, /export, /audit."""

from __future__ import annotations

from telegram.ext import ConversationHandler

from handlers.context import AidApplication, AidContext
from handlers.organising import assigning as oversight_assign
from handlers.organising import broadcasting as oversight_broadcast
from handlers.organising import phone_in
from handlers.organising import reports as oversight_reports


def conversations() -> list[ConversationHandler[AidContext]]:
    """The feature's guided flows (registered first, guarded by the flow switch)."""
    return [phone_in.build_conversation(), oversight_broadcast.build_conversation()]


def register(application: AidApplication) -> None:
    """Register this feature's commands and buttons."""
    oversight_assign.register(application)
    oversight_reports.register(application)
