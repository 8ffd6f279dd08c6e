"""Scheduled online backups to Tunables.backup_dir, keeping the newest backup_keep copies.

The job fires from the scheduler store inside a transaction, which holds the database lock,
so it only stores the next run and marks a backup as due; the copy is made right after the
transaction commits (sqlite3's backup API, via Database.backup_to).
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime
from pathlib import Path

from bot.core import Core
from storage import jobs
from storage.backups import check_file
from storage.database import Connection
from storage.jobs import ScheduledJob

log = logging.getLogger(__name__)

BACKUP_JOB = "privacy.backup"
JOB_TARGET = "interval"
PREFIX = "mutual-aid-"
SUFFIX = ".sqlite3"


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

    async def ensure_scheduled(self, conn: Connection, now: datetime) -> bool:
        """Store the first backup (now) if backups are on and none is pending; True if stored."""
        if self.folder is None or await jobs.pending_for(conn, BACKUP_JOB, JOB_TARGET):
            return False
        await self._core.scheduler.schedule(conn, kind=BACKUP_JOB, due_at=now, target=JOB_TARGET)
        return True

    async def run(self, conn: Connection, job: ScheduledJob, now: datetime) -> None:
        """Mark a backup as due and store the next run (stops when backups were turned off)."""
        if self.folder is None:
            return
        self._due.append(f"{PREFIX}{now:%Y%m%dT%H%M%S}Z-{job.id:09d}{SUFFIX}")
        interval = self._core.settings.tunables.backup_interval
        due = job.due_at + interval
        if due <= now:  # missed runs while the bot was down are not made up one by one
            due = now + interval
        await self._core.scheduler.schedule(conn, kind=BACKUP_JOB, due_at=due, target=JOB_TARGET)

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
        name = name or f"{PREFIX}{self._core.clock.now():%Y%m%dT%H%M%S}Z-manual{SUFFIX}"
        target = folder / name
        partial = folder / (name + ".partial")
        await self._core.db.backup_to(partial)
        ok, version = await asyncio.to_thread(check_file, partial)
        if not ok:
            partial.unlink(missing_ok=True)
            raise RuntimeError(f"backup {name} failed its integrity check")
        os.replace(partial, target)  # only a checked, complete copy gets a backup's name
        log.info("backup %s written (schema version %s)", target, version)
        self.rotate()
        return target

    def existing(self) -> list[Path]:
        """The backups in the folder, oldest first."""
        folder = self.folder
        if folder is None or not folder.is_dir():
            return []
        return sorted(folder.glob(f"{PREFIX}*{SUFFIX}"))

    def rotate(self) -> list[Path]:
        """Delete all but the newest backup_keep backups; returns the deleted ones."""
        keep = max(self._core.settings.tunables.backup_keep, 1)
        old = self.existing()[:-keep]
        for path in old:
            path.unlink(missing_ok=True)
        return old
