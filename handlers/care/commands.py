"""Reminders and welfare check-ins: /checkin, /checkins and the check-in buttons."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, filters

from bot.callback_data import pattern
from handlers.care import buttons as checkin_buttons
from handlers.care import flow as checkin_flow
from handlers.care import organisers as checkin_organisers
from handlers.context import AidApplication, AidContext


def conversations() -> list[ConversationHandler[AidContext]]:
    """The feature's guided flows (registered first, guarded by the flow switch)."""
    return [checkin_flow.build_conversation()]


async def _start_care(context: AidContext) -> None:
    """Once running: arm the daily digest if it is not armed yet."""
    await context.services.care.start()


def register(application: AidApplication) -> None:
    """Register this feature's commands and buttons."""
    private = filters.ChatType.PRIVATE
    application.add_handler(
        CallbackQueryHandler(checkin_buttons.checkin_answer, pattern=pattern("ci"))
    )
    application.add_handler(
        CallbackQueryHandler(checkin_buttons.escalation_button, pattern=pattern("esc"))
    )
    application.add_handler(
        CommandHandler("checkins", checkin_organisers.checkins_overview, private)
    )
    application.add_handler(
        CommandHandler("checkinbuddy", checkin_organisers.checkin_buddy, private)
    )
    application.add_handler(
        CallbackQueryHandler(
            checkin_organisers.buddy_pressed, pattern=pattern(checkin_organisers.BUDDY_KIND)
        )
    )
    if application.job_queue is not None:
        application.job_queue.run_once(_start_care, when=0, name="care-start")
