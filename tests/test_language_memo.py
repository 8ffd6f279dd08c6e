"""The recipient's language is read once per transaction, and never remembered wrongly."""

from __future__ import annotations

from typing import Any

import pytest

from bot import languages
from bot.model.people import Person
from storage import people
from storage.database import Connection, Database
from tests.conftest import FakeClock

RESIDENT_ID = 1005


async def join(conn: Connection, language: str, clock: FakeClock) -> Person:
    """The resident agrees to the notice, with their Telegram app in `language`."""
    return await people.record_consent(
        conn,
        telegram_id=RESIDENT_ID,
        display_name="Rhiannon",
        language=language,
        notice_version="v1",
        now=clock.now(),
    )


def counting_reads(conn: Connection) -> list[str]:
    """Record each fetchrow the connection runs (a spy on the real connection)."""
    seen: list[str] = []
    real = conn.fetchrow

    async def fetchrow(query: str, *args: Any) -> Any:
        seen.append(query)
        return await real(query, *args)

    conn.fetchrow = fetchrow  # type: ignore[method-assign]
    return seen


async def test_a_fan_out_reads_each_recipients_language_once(
    db: Database, clock: FakeClock
) -> None:
    """Speaking to one person five times in a transaction reads their language once."""
    async with db.transaction() as conn:
        await join(conn, "cy", clock)
    async with db.transaction() as conn:
        reads = counting_reads(conn)
        spoken = []
        for _ in range(5):
            async with languages.speaking_to(conn, RESIDENT_ID) as language:
                spoken.append(language)
        assert spoken == ["cy"] * 5
        assert len([q for q in reads if "language" in q]) == 1
        del conn.fetchrow  # type: ignore[attr-defined]


async def test_a_language_changed_or_rolled_back_in_the_transaction_is_read_afresh(
    db: Database, clock: FakeClock
) -> None:
    """/language in the same transaction, a savepoint rolled back, and an erasure."""
    async with db.transaction() as conn:
        person = await join(conn, "en", clock)
        assert await people.language_of(conn, RESIDENT_ID) == "en"
        await people.set_language(conn, RESIDENT_ID, "cy", clock.now())
        assert await people.language_of(conn, RESIDENT_ID) == "cy"
    async with db.unit_of_work():
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await people.set_language(conn, RESIDENT_ID, "en", clock.now())
                assert await people.language_of(conn, RESIDENT_ID) == "en"
                raise RuntimeError("the step failed: its savepoint rolls back")
        async with db.transaction() as conn:
            assert await people.language_of(conn, RESIDENT_ID) == "cy"
            await people.delete(conn, person.id)
            assert await people.language_of(conn, RESIDENT_ID) is None
