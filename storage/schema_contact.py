"""Schema migration for issue 15 (contact through the bot, honest nights, check-in details).

storage.migrations lists it; the lead numbers it on merge. Never change it once released.
"""

from __future__ import annotations

MIGRATION_CONTACT: tuple[str, ...] = (
    # The resident's "is it done?" message, so an undone Done can take its buttons away.
    "ALTER TABLE help_requests ADD COLUMN done_notice_outbox_id INTEGER",
)
