"""Texts of the delivery safeguards: what organisers are told when a message cannot arrive."""

from __future__ import annotations

from config.i18n import N_, translate_module

BLOCKED_THE_BOT = N_(
    "⚠️ <b>{name}</b> has blocked the bot, so they did not get {missed}. "
    "Please reach them another way."
)

BLOCKED_HOLDS_TASKS = N_("They hold these tasks: {refs}.")
BLOCKED_HAS_CHECKIN = N_("They have regular welfare check-ins, which cannot reach them now.")
SOMETHING_FROM_THE_BOT = N_("a message from the bot")
DELIVERY_TROUBLE = N_(
    "⚠️ The bot had trouble sending messages in the last hour: {not_delivered} could not be "
    "delivered and {retrying} are still being retried. The details are in the bot's log."
)

# Outbox purposes whose loss an organiser must hear about, by prefix, with what was missed.
MISSED_BY_PURPOSE = {
    "task": N_("the details of a task they accepted"),
    "checkin": N_("a welfare check-in"),
    "check-in": N_("a welfare check-in"),
    "reminder": N_("a reminder about a task"),
}


def missed_purpose(purpose: str) -> str | None:
    """What a blocked person missed, if it is something organisers must know about."""
    for prefix, missed in MISSED_BY_PURPOSE.items():
        if purpose.startswith(prefix):
            return missed
    return None


translate_module(__name__)
