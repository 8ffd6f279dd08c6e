"""Encrypted backups: made by the real Application with BACKUP_KEY, restored by the command."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.backups.backup_files import ENCRYPTED
from bot.backups.crypto import CHUNK, MAGIC, BackupKeyError, decrypt_file, encrypt_file, new_key
from bot.clock import FakeClock
from config.settings import ConfigError, Settings
from storage.backups import check_file
from storage.migrations import MIGRATIONS
from tests.conftest import RESIDENT, BotHarness, make_settings
from tests.flows import agree, ask_for_shopping, neighbourhood_with_invite
from tests.flows_privacy import ADDRESS, DESCRIPTION, PHONE, request_row, with_tunables
from tests.flows_reliability import BOT_VARIABLES

KEY = new_key()
OTHER_KEY = new_key()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Daily backups into tmp_path/backups, encrypted with KEY."""
    return with_tunables(make_settings(tmp_path, BACKUP_KEY=KEY), backup_dir=tmp_path / "backups")


def cli(
    *args: str, database: Path, key: str | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `mutual-aid-bot ARGS` on this database, with this BACKUP_KEY (None: unset)."""
    environ = {k: v for k, v in os.environ.items() if k not in BOT_VARIABLES}
    environ["DATABASE_PATH"] = str(database)
    if key is not None:
        environ["BACKUP_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def first_backup(bot: BotHarness) -> Path:
    """The backup made at start-up (its job is due at once)."""
    folder = bot.settings.tunables.backup_dir
    assert folder is not None
    for _ in range(200):
        made = sorted(folder.glob(f"mutual-aid-*{ENCRYPTED}"))
        if made:
            return made[0]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no encrypted backup in {sorted(folder.iterdir())}")


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


async def test_an_encrypted_backup_round_trips_through_restore(
    harness: BotHarness, clock: FakeClock, tmp_path: Path
) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    rid, ref = await ask_for_shopping(
        harness, RESIDENT, description=DESCRIPTION, address=ADDRESS, phone=PHONE
    )
    backup = await harness.services.privacy.backups.backup_now()
    assert backup.name.endswith(".sqlite3" + ENCRYPTED)
    sealed = backup.read_bytes()
    assert sealed.startswith(MAGIC) and b"SQLite format 3" not in sealed
    assert PHONE.encode() not in sealed and b"Test Street" not in sealed
    # No plain copy is left anywhere: not in the backup folder, not beside the database.
    assert {p.name for p in backup.parent.iterdir()} == {
        p.name for p in backup.parent.glob(f"mutual-aid-*{ENCRYPTED}")
    }
    assert not list(harness.settings.database_path.parent.glob("*.partial"))
    await harness.stop()

    # Restore over an existing database: it is kept aside, the backup takes its place.
    target = make_settings(tmp_path / "restored").database_path
    target.parent.mkdir(parents=True)
    target.write_bytes(b"an older database")
    restored = cli("restore", str(backup), "--yes", database=target, key=KEY)
    assert restored.returncode == 0, restored.stderr
    assert f"schema version {len(MIGRATIONS)}" in restored.stdout
    assert check_file(target) == (True, len(MIGRATIONS))
    [aside] = target.parent.glob("*.before-restore-*")
    assert aside.read_bytes() == b"an older database"

    bot = BotHarness(settings=make_settings(tmp_path / "restored"), clock=clock)
    await bot.start()
    try:
        row = await request_row(bot, rid)
        assert (row.ref, row.address, row.description) == (ref, ADDRESS, DESCRIPTION)
        await bot.send(bot.build.command(RESIDENT, "myrequests"))
        assert ref in "\n".join(bot.fake.texts_to(RESIDENT.id))
    finally:
        await bot.stop()
    assert not bot.errors


async def test_a_wrong_key_gives_a_clear_error_and_writes_nothing(
    harness: BotHarness, tmp_path: Path
) -> None:
    backup = await first_backup(harness)
    target = tmp_path / "elsewhere" / "bot.sqlite3"
    target.parent.mkdir()
    target.write_bytes(b"the live database")
    before = listing(target.parent)

    wrong = cli("restore", str(backup), "--yes", database=target, key=OTHER_KEY)
    assert wrong.returncode == 1
    assert "BACKUP_KEY does not open this backup" in wrong.stderr
    assert "Nothing was changed" in wrong.stderr and "Traceback" not in wrong.stderr
    assert listing(target.parent) == before

    missing = cli("restore", str(backup), "--yes", database=target)
    assert missing.returncode == 1 and "set BACKUP_KEY" in missing.stderr
    assert listing(target.parent) == before

    fresh = tmp_path / "fresh" / "bot.sqlite3"  # not even its folder is made
    assert cli("restore", str(backup), "--yes", database=fresh, key=OTHER_KEY).returncode == 1
    assert not fresh.parent.exists()


async def test_restore_asks_before_it_changes_anything(harness: BotHarness, tmp_path: Path) -> None:
    backup = await first_backup(harness)
    target = tmp_path / "asked" / "bot.sqlite3"
    target.parent.mkdir()
    target.write_bytes(b"keep me")

    said_no = cli("restore", str(backup), database=target, key=KEY, stdin="no\n")
    assert said_no.returncode == 1 and "Type yes to restore" in said_no.stdout
    assert "cancelled" in said_no.stderr
    assert listing(target.parent) == {"bot.sqlite3": b"keep me"}
    no_answer = cli("restore", str(backup), database=target, key=KEY)  # end of input: no
    assert no_answer.returncode == 1 and listing(target.parent) == {"bot.sqlite3": b"keep me"}

    said_yes = cli("restore", str(backup), database=target, key=KEY, stdin="yes\n")
    assert said_yes.returncode == 0, said_yes.stderr
    assert check_file(target) == (True, len(MIGRATIONS))


async def test_manual_backups_are_encrypted_and_check_config_warns_without_a_key(
    harness: BotHarness, tmp_path: Path
) -> None:
    await first_backup(harness)
    database = harness.settings.database_path
    sealed = tmp_path / "manual.sqlite3.enc"
    made = cli("backup", str(sealed), database=database, key=KEY)
    assert made.returncode == 0 and "encrypted with BACKUP_KEY" in made.stdout
    assert sealed.read_bytes().startswith(MAGIC)
    plain = tmp_path / "manual.sqlite3"
    made = cli("backup", str(plain), database=database)
    assert made.returncode == 0 and "not encrypted" in made.stdout
    assert check_file(plain)[0]

    unencrypted = cli("check-config", database=database)
    assert "warning: BACKUP_KEY is not set" in unencrypted.stderr
    assert "BACKUP_KEY" in unencrypted.stdout and "not encrypted" in unencrypted.stdout
    encrypted = cli("check-config", database=database, key=KEY)
    assert "warning" not in encrypted.stderr and KEY not in encrypted.stdout
    assert re.search(r"^BACKUP_KEY +\*\*\*\*$", encrypted.stdout, re.MULTILINE)

    bad = cli("check-config", database=database, key="not-a-key")
    assert bad.returncode == 2 and "BACKUP_KEY: is not a key" in bad.stderr
    key = cli("backup", "--new-key", database=database)
    assert key.returncode == 0 and make_settings(tmp_path, BACKUP_KEY=key.stdout.strip())


def test_the_file_format_refuses_a_changed_or_shortened_file(tmp_path: Path) -> None:
    for size in (0, 10, CHUNK, 2 * CHUNK + 5):
        source = tmp_path / f"plain-{size}"
        source.write_bytes(os.urandom(size))
        sealed = tmp_path / f"sealed-{size}"
        encrypt_file(source, sealed, KEY)
        back = tmp_path / f"back-{size}"
        decrypt_file(sealed, back, KEY)
        assert back.read_bytes() == source.read_bytes()
    data = (tmp_path / f"sealed-{2 * CHUNK + 5}").read_bytes()
    header = len(MAGIC) + 16
    for name, changed in {
        "cut at a chunk": data[: header + CHUNK + 16],
        "last chunk dropped": data[: header + 2 * (CHUNK + 16)],
        "a bit flipped": data[:-1] + bytes([data[-1] ^ 1]),
    }.items():
        broken = tmp_path / f"broken-{name}"
        broken.write_bytes(changed)
        with pytest.raises(BackupKeyError):
            decrypt_file(broken, tmp_path / f"out-{name}", KEY)
        assert not (tmp_path / f"out-{name}").exists(), name
    with pytest.raises(ConfigError, match="BACKUP_KEY"):
        make_settings(tmp_path, BACKUP_KEY=KEY[:-4])
