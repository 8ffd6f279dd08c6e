"""A commit that wrote to the outbox runs its hooks (sending starts) without any service asking."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from storage.database import Database
from storage.delivery import outbox
from storage.delivery.outbox import OUTBOX_TABLE


async def _enqueue(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as conn:
        await outbox.enqueue(
            conn, chat_id=1001, method="sendMessage", params={"text": "hi"}, now=clock.now()
        )


async def test_outbox_writes_run_the_hooks_once_committed(db: Database, clock: FakeClock) -> None:
    """After a plain commit (False), after a unit of work (True), never after a rollback."""
    heard: list[bool] = []

    async def hook(in_work: bool) -> None:
        heard.append(in_work)

    db.after_writes_to(OUTBOX_TABLE, hook)
    await _enqueue(db, clock)
    assert heard == [False]

    async with db.transaction() as conn:  # writes elsewhere only
        await conn.execute("DELETE FROM inbox WHERE update_id = -1")
    assert heard == [False]

    async with db.unit_of_work():
        await _enqueue(db, clock)
        await _enqueue(db, clock)
        assert heard == [False]  # not before the work commits
    assert heard == [False, True]

    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await outbox.enqueue(
                conn, chat_id=1001, method="sendMessage", params={"text": "x"}, now=clock.now()
            )
            raise RuntimeError("rolled back")
    assert heard == [False, True]
    await _enqueue(db, clock)  # the writer's mark does not outlive its transaction
    assert heard == [False, True, False]
