"""Restoring a backup (encrypted or not) in place of the database, for `mutual-aid-bot restore`.

Two steps, so the command can ask before anything changes: prepare() decrypts or copies the
backup beside the database and checks it (a wrong key writes nothing at all); put_in_place()
then moves the current database, with its -wal and -shm files, aside and the backup in.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.backups.crypto import SQLITE_MAGIC, decrypt_file, is_encrypted
from storage.backups import check_file

SIDE_FILES = ("-wal", "-shm")


class RestoreError(Exception):
    """The backup cannot be restored; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class Prepared:
    """A checked copy of the backup beside the database, ready to take its place."""

    copy: Path
    schema_version: int
    encrypted: bool


def _copy_path(database: Path) -> Path:
    return database.with_name(f".{database.name}.restoring")


def prepare(backup: Path, database: Path, key: str | None) -> Prepared:
    """Decrypt (with the key) or copy the backup beside the database and check it.

    Raises RestoreError, or backup_crypto.BackupKeyError for a wrong key, having written
    nothing.
    """
    if not backup.is_file():
        raise RestoreError(f"{backup} is not a file")
    copy = _copy_path(database)
    copy.unlink(missing_ok=True)
    encrypted = is_encrypted(backup)
    if encrypted:
        if key is None:
            raise RestoreError(f"{backup} is encrypted; set BACKUP_KEY to the key it was made with")
        decrypt_file(backup, copy, key)
    else:
        with backup.open("rb") as file:
            if file.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                raise RestoreError(f"{backup} is neither a backup of this bot nor a database")
        database.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(backup, copy)
    ok, version = check_file(copy)
    if not ok:
        copy.unlink(missing_ok=True)
        raise RestoreError(f"{backup} failed SQLite's integrity check")
    return Prepared(copy, version, encrypted)


def discard(prepared: Prepared) -> None:
    """Remove the prepared copy (the person said no)."""
    prepared.copy.unlink(missing_ok=True)


def put_in_place(prepared: Prepared, database: Path, now: datetime) -> Path | None:
    """Move the current database aside and the prepared copy in; returns where it went."""
    aside = None
    if database.exists():
        aside = database.with_name(f"{database.name}.before-restore-{now:%Y%m%dT%H%M%S}Z")
        os.replace(database, aside)
    for suffix in SIDE_FILES:  # a stale write-ahead log must not be replayed on the backup
        side = Path(f"{database}{suffix}")
        if side.exists():
            if aside is None:
                side.unlink()
            else:
                os.replace(side, Path(f"{aside}{suffix}"))
    os.replace(prepared.copy, database)
    return aside
