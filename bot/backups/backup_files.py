"""Scheduled online backups to Tunables.backup_dir, keeping the newest backup_keep copies.

The job fires from the scheduler store inside a transaction, which holds the database lock,
so it only stores the next run and marks a backup as due; the copy is made right after the
transaction commits (sqlite3's backup API, via Database.backup_to). With BACKUP_KEY set, every
backup, scheduled or made with `mutual-aid-bot backup`, is encrypted (bot.backups.crypto): the
plain copy is made beside the live database, never in the backup folder, and removed after.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from bot.backups.crypto import encrypt_file
from bot.core import Core
from config.settings import Secret
from storage import jobs
from storage.backups import check_file
from storage.database import Database, Tx
from storage.jobs import ScheduledJob

log = logging.getLogger(__name__)

BACKUP_JOB = "privacy.backup"
JOB_TARGET = "interval"
PREFIX = "mutual-aid-"
SUFFIX = ".sqlite3"
DUMP_SUFFIX = ".dump"  # PostgreSQL: a pg_dump custom-format archive (pg_restore reads it)
ENCRYPTED = ".enc"  # added to the name of an encrypted backup


class BackupError(RuntimeError):
    """A backup could not be made (it failed its integrity check)."""


async def write_backup(db: Database, live: Path, target: Path, key: Secret | None) -> int:
    """Write a checked copy of the open database to target, encrypted with the key if any.

    live is the database file: with a key, the plain copy is made beside it. Target gets its
    name only once complete. Returns the schema version the copy holds.
    """
    if key is None:
        plain = target.with_name(target.name + ".partial")
    elif db.dialect == "postgres":  # no live file: the plain dump waits beside its target
        plain = target.parent / f".{target.name}.plain.partial"
    else:
        plain = live.parent / f".{target.name}.partial"
    sealed = target.with_name(target.name + ".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    plain.unlink(missing_ok=True)
    try:
        await db.backup_to(plain)
        if db.dialect == "postgres":  # pg_dump checked what it read; the copy is its archive
            ok, version = plain.stat().st_size > 0, await db.schema_version()
        else:
            ok, version = await asyncio.to_thread(check_file, plain)
        if not ok:
            raise BackupError(f"backup {target.name} failed its integrity check")
        if key is not None:
            sealed.unlink(missing_ok=True)
            await asyncio.to_thread(encrypt_file, plain, sealed, key.reveal())
        os.replace(sealed, target)  # only a checked, complete copy gets a backup's name
    finally:
        plain.unlink(missing_ok=True)
        sealed.unlink(missing_ok=True)
    return version


class Backups:
    """Makes, rotates and checks backups of the live database."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._due: list[str] = []  # names of backups decided but not made yet
        core.scheduler.register(BACKUP_JOB, self.run)
        core.scheduler.after_commit(self.make_due_backups)

    @property
    def folder(self) -> Path | None:
        """Where backups go; None when backups are off."""
        return self._core.settings.tunables.backup_dir

    async def ensure_scheduled(self, tx: Tx) -> bool:
        """Store the first backup (now) if backups are on and none is pending; True if stored."""
        if self.folder is None or await jobs.pending_for(tx, BACKUP_JOB, JOB_TARGET):
            return False
        await self._core.scheduler.schedule(tx, kind=BACKUP_JOB, due_at=tx.now, target=JOB_TARGET)
        return True

    async def run(self, tx: Tx, job: ScheduledJob) -> None:
        """Mark a backup as due and store the next run (stops when backups were turned off)."""
        if self.folder is None:
            return
        self._due.append(f"{PREFIX}{tx.now:%Y%m%dT%H%M%S}Z-{job.id:09d}{self._suffix}")
        interval = self._core.settings.tunables.backup_interval
        due = job.due_at + interval
        if due <= tx.now:  # missed runs while the bot was down are not made up one by one
            due = tx.now + interval
        await self._core.scheduler.schedule(tx, kind=BACKUP_JOB, due_at=due, target=JOB_TARGET)

    async def make_due_backups(self) -> None:
        """Make the backups marked due (after the job's transaction committed)."""
        while self._due:
            name = self._due.pop(0)
            try:
                await self.backup_now(name)
            except Exception:
                log.exception("backup %s failed", name)

    async def backup_now(self, name: str | None = None) -> Path:
        """Copy the live database into the backup folder, check it, and drop old copies."""
        folder = self.folder
        if folder is None:
            raise RuntimeError("no backup folder is configured (Tunables.backup_dir)")
        settings = self._core.settings
        name = name or f"{PREFIX}{self._core.clock.now():%Y%m%dT%H%M%S}Z-manual{self._suffix}"
        if settings.backup_key is not None:
            name += ENCRYPTED
        target = folder / name
        version = await write_backup(
            self._core.db, settings.database_path, target, settings.backup_key
        )
        encrypted = "encrypted" if settings.backup_key else "not encrypted"
        log.info("backup %s written (schema version %s, %s)", target, version, encrypted)
        self.rotate()
        return target

    @property
    def _suffix(self) -> str:
        return DUMP_SUFFIX if self._core.db.dialect == "postgres" else SUFFIX

    def existing(self) -> list[Path]:
        """The backups in the folder, oldest first."""
        folder = self.folder
        if folder is None or not folder.is_dir():
            return []
        suffix = self._suffix
        made = [*folder.glob(f"{PREFIX}*{suffix}"), *folder.glob(f"{PREFIX}*{suffix}{ENCRYPTED}")]
        return sorted(made, key=lambda path: path.name)

    def rotate(self) -> list[Path]:
        """Delete all but the newest backup_keep backups; returns the deleted ones."""
        keep = max(self._core.settings.tunables.backup_keep, 1)
        old = self.existing()[:-keep]
        for path in old:
            path.unlink(missing_ok=True)
        return old
