"""`mutual-aid-bot restore BACKUP [--yes]`: check the backup, ask, then put it in place."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.backups import restore as restoring
from bot.backups.crypto import BackupKeyError
from bot.clock import SystemClock
from config.settings import Settings

CONFIRM_WORD = "yes"


def _confirmed(prompt: str) -> bool:
    """Whether the person typed yes (end of input counts as no)."""
    try:
        return input(prompt).strip().lower() == CONFIRM_WORD
    except EOFError:
        print()
        return False


def restore(settings: Settings, backup: Path, *, assume_yes: bool) -> int:
    """Restore the backup over DATABASE_PATH after a confirmation; the exit status."""
    if settings.database_url:
        print(
            "restore: DATABASE_URL names a PostgreSQL database; restore its pg_dump backup with "
            "pg_restore (see the README's PostgreSQL section). Nothing was changed.",
            file=sys.stderr,
        )
        return 1
    database = settings.database_path
    key = settings.backup_key.reveal() if settings.backup_key else None
    try:
        prepared = restoring.prepare(backup, database, key)
    except (BackupKeyError, restoring.RestoreError) as error:
        print(f"restore: {error}. Nothing was changed.", file=sys.stderr)
        return 1
    kind = "encrypted" if prepared.encrypted else "unencrypted"
    print(
        f"The backup {backup} ({kind}, schema version {prepared.schema_version}) passed its "
        f"integrity check.\nIt will replace {database}; the current database is kept beside "
        "it. Stop the bot before you go on."
    )
    if not assume_yes and not _confirmed(f"Type {CONFIRM_WORD} to restore: "):
        restoring.discard(prepared)
        print("restore: cancelled. Nothing was changed.", file=sys.stderr)
        return 1
    aside = restoring.put_in_place(prepared, database, SystemClock().now())
    print(f"restored {backup} to {database}")
    if aside is not None:
        print(f"the database it replaced is at {aside}; delete it once all is well")
    return 0
