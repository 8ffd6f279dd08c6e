"""Scheduled online backups: made by the real Application's scheduler, rotated, restored.

On SQLite a backup is a database file (checked, and restored by copying it); on PostgreSQL it
is a pg_dump archive (checked with pg_restore --list, restored with pg_restore).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from bot.backups.backup_files import BACKUP_JOB
from bot.clock import FakeClock
from config import request_texts
from config.settings import Settings
from storage import jobs
from storage.backups import check_file
from storage.migrations import MIGRATIONS
from storage.postgres_tools import find_tool
from tests.backends import PostgresDatabases
from tests.conftest import RESIDENT, BotHarness, make_settings
from tests.flows import agree, ask_for_shopping, neighbourhood_with_invite
from tests.flows_privacy import ADDRESS, DESCRIPTION, PHONE, request_row, with_tunables

EVERY = timedelta(hours=6)
KEEP = 3


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    """Backups every six hours into tmp_path/backups, keeping three."""
    return with_tunables(
        make_settings(tmp_path, **({"DATABASE_URL": database_url} if database_url else {})),
        backup_dir=tmp_path / "backups",
        backup_keep=KEEP,
        backup_interval=EVERY,
    )


async def backup_job(bot: BotHarness) -> jobs.ScheduledJob:
    """The pending backup job, once start-up has stored it."""
    for _ in range(100):
        async with bot.services.db.read() as conn:
            pending = await jobs.pending_for(conn, BACKUP_JOB, "interval")
        if pending:
            [job] = pending
            return job
        await asyncio.sleep(0.02)
    raise AssertionError("no backup job was stored")


def backups(settings: Settings) -> list[Path]:
    folder = settings.tunables.backup_dir
    assert folder is not None
    return sorted([*folder.glob("mutual-aid-*.sqlite3"), *folder.glob("mutual-aid-*.dump")])


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program (the test cluster's install has them)."""
    found = find_tool(name)
    assert found is not None, f"{name} is not installed"
    return found


def is_whole_backup(backend: str, path: Path) -> bool:
    """Whether the backup is complete and readable: a checked SQLite file, a pg_dump archive."""
    if backend == "sqlite":
        return check_file(path) == (True, len(MIGRATIONS))
    listed = subprocess.run(
        [pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False
    )
    return listed.returncode == 0 and "TABLE DATA public help_requests" in listed.stdout


async def restored_settings(
    backend: str, backup: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Settings:
    """Settings for a fresh database holding the backup (copied, or pg_restore'd)."""
    if backend == "sqlite":
        restored = make_settings(tmp_path / "restored")
        restored.database_path.parent.mkdir(parents=True)
        shutil.copyfile(backup, restored.database_path)
        assert check_file(restored.database_path) == (True, len(MIGRATIONS))
        return restored
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = await databases.fresh(migrated=False)
    request.addfinalizer(lambda: asyncio.run(databases.drop(url)))
    loaded = await asyncio.create_subprocess_exec(
        pg_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={url}", str(backup)
    )
    assert await loaded.wait() == 0
    return make_settings(tmp_path / "restored", DATABASE_URL=url)


async def test_backups_are_made_on_schedule_and_only_the_newest_kept(
    harness: BotHarness, clock: FakeClock, backend: str
) -> None:
    # The first backup is due at start-up: its timer fires at once, as in production.
    start = clock.now()
    for _ in range(100):
        if backups(harness.settings):
            break
        await asyncio.sleep(0.02)
    made = backups(harness.settings)
    assert len(made) == 1
    assert is_whole_backup(backend, made[0])
    assert (await backup_job(harness)).due_at == start + EVERY
    names = [p.name for p in made]
    for _ in range(5):
        clock.advance(EVERY)
        await harness.services.scheduler.run_due()
        names.append(backups(harness.settings)[-1].name)
    assert len(set(names)) == 6
    assert [p.name for p in backups(harness.settings)] == names[-KEEP:]
    assert not list(harness.settings.tunables.backup_dir.glob("*.partial"))  # type: ignore[union-attr]
    # One pending job, due one interval after the last.
    assert (await backup_job(harness)).due_at == clock.now() + EVERY


async def test_a_backup_restores_into_a_fresh_database_that_works(
    harness: BotHarness,
    clock: FakeClock,
    tmp_path: Path,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    await backup_job(harness)
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    rid, ref = await ask_for_shopping(
        harness, RESIDENT, description=DESCRIPTION, address=ADDRESS, phone=PHONE
    )
    clock.advance(EVERY)
    await harness.services.scheduler.run_due()  # the next backup, taken while the bot runs
    later_rid, later_ref = await ask_for_shopping(
        harness, RESIDENT, description="After the backup", address=ADDRESS, phone=PHONE
    )
    await harness.stop()

    backup = backups(harness.settings)[-1]
    restored = BotHarness(
        settings=await restored_settings(backend, backup, tmp_path, request), clock=clock
    )
    await restored.start()
    try:
        assert await restored.services.db.pending_migrations() == 0
        row = await request_row(restored, rid)
        assert (row.ref, row.address, row.description, row.status) == (
            ref,
            ADDRESS,
            DESCRIPTION,
            "open",
        )
        person = await restored.services.community.person(RESIDENT.id)
        assert person is not None and person.has_consented
        await restored.send(restored.build.command(RESIDENT, "myrequests"))
        listed = "\n".join(restored.fake.texts_to(RESIDENT.id))
        assert ref in listed and later_ref not in listed
        assert request_texts.MY_REQUESTS_NONE not in listed
        async with restored.services.db.read() as conn:
            assert (
                await conn.fetchval("SELECT COUNT(*) FROM help_requests WHERE id = ?", later_rid)
                == 0
            )
    finally:
        await restored.stop()
    assert not restored.errors


async def test_no_backup_job_without_a_backup_folder(tmp_path: Path, clock: FakeClock) -> None:
    bot = BotHarness(settings=make_settings(tmp_path), clock=clock)
    await bot.start()
    try:
        await bot.services.privacy.ensure_scheduled()
        async with bot.services.db.read() as conn:
            assert await jobs.pending_for(conn, BACKUP_JOB, "interval") == []
        with pytest.raises(RuntimeError, match="backup_dir"):
            await bot.services.privacy.backups.backup_now()
    finally:
        await bot.stop()
