"""Exactly-once updates in-process: stored before handling, replays skipped, leftovers run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.callback_data import pack
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from storage import inbox
from storage.database import Connection
from tests.conftest import RESIDENT, BotHarness
from tests.flows import agree, neighbourhood_with_invite
from tests.flows_inbox import InboxFeeder


async def _requests(harness: BotHarness) -> int:
    async with harness.services.db.read() as conn:
        row = await conn.fetchrow("SELECT COUNT(*) FROM help_requests")
    return int(row[0]) if row else 0


async def _handled(harness: BotHarness, update_id: int) -> bool:
    async with harness.services.db.read() as conn:
        return await inbox.is_handled(conn, update_id)


async def _ask_until_summary(harness: BotHarness, feeder: InboxFeeder) -> None:
    """Fill in a shopping request through the inbox, up to its summary."""

    def step(token: Step, value: str) -> str:
        return pack(request_flow.KIND, token.token, value)

    b = harness.build
    await feeder.feed(b.command(RESIDENT, "request"))
    await feeder.feed(b.callback(RESIDENT, step(Step.CATEGORY, "shopping")))
    await feeder.feed(b.text(RESIDENT, "Milk and eggs"))
    await feeder.feed(b.callback(RESIDENT, step(Step.WHEN, "today")))
    await feeder.feed(b.text(RESIDENT, "07700 100123"))
    await feeder.feed(b.text(RESIDENT, "1 Elm Road"))
    await feeder.feed(b.callback(RESIDENT, step(Step.PAYMENT, "doorstep")))
    await feeder.feed(b.callback(RESIDENT, step(Step.FOR_WHOM, "me")))


@pytest.fixture
async def joined(harness: BotHarness) -> BotHarness:
    """A neighbourhood the resident has joined."""
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    return harness


async def test_a_replayed_update_changes_nothing(joined: BotHarness) -> None:
    feeder = InboxFeeder(joined)
    await _ask_until_summary(joined, feeder)
    confirm = pack(request_flow.KIND, Step.SUMMARY.token, "confirm")
    payload = await feeder.feed(joined.build.callback(RESIDENT, confirm))
    assert await _requests(joined) == 1
    answers = len(joined.fake.calls)
    assert not await feeder.replay(payload)
    assert await _requests(joined) == 1
    assert len(joined.fake.calls) == answers  # not even an answer went out again
    assert feeder.inbox.replays_skipped >= 1


async def test_updates_stored_before_a_crash_are_handled_at_start_up(
    joined: BotHarness,
) -> None:
    feeder = InboxFeeder(joined)
    first = await feeder.store(joined.build.command(RESIDENT, "request"))
    shopping = pack(request_flow.KIND, Step.CATEGORY.token, "shopping")
    second = await feeder.store(joined.build.callback(RESIDENT, shopping))
    assert not await _handled(joined, first["update_id"])
    await joined.restart()
    handled = await InboxFeeder(joined).inbox.handle_pending()
    await joined.settle()
    assert handled == 2
    assert await _handled(joined, first["update_id"]) and await _handled(
        joined, second["update_id"]
    )
    # Handled in order: the category press found the conversation /request started.
    assert "What do you need?" in joined.fake.last_text_to(RESIDENT.id)


async def test_effects_answer_state_and_mark_commit_together(
    joined: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update whose last write fails leaves nothing behind: no effects, no answer, not
    marked; handled again (as at the next start), it takes effect and is answered once."""
    feeder = InboxFeeder(joined)
    await _ask_until_summary(joined, feeder)
    persistence = feeder.inbox._persistence  # noqa: SLF001 - the crash point under test
    write_state = persistence.commit

    async def crash(conn: Connection) -> int:
        await write_state(conn)  # the last write of the work, then the process dies
        raise RuntimeError("killed before the commit")

    monkeypatch.setattr(persistence, "commit", crash)
    confirm = pack(request_flow.KIND, Step.SUMMARY.token, "confirm")
    before = len(joined.fake.texts_to(RESIDENT.id))
    payload = await feeder.store(joined.build.callback(RESIDENT, confirm))
    assert await feeder.inbox.handle_pending() == 0  # it failed: logged and kept
    await joined.settle()
    assert not await _handled(joined, payload["update_id"])
    assert await _requests(joined) == 0  # the request rolled back with the rest
    assert len(joined.fake.texts_to(RESIDENT.id)) == before  # and no answer went out
    monkeypatch.undo()
    await joined.restart()  # as the process would after the crash: state reloaded from disk
    assert await InboxFeeder(joined).inbox.handle_pending() == 1
    await joined.settle()
    assert await _handled(joined, payload["update_id"])
    assert await _requests(joined) == 1
    answers = [t for t in joined.fake.texts_to(RESIDENT.id)[before:] if "R-" in t]
    assert len(answers) == 1, answers  # answered once
    assert await InboxFeeder(joined).inbox.handle_pending() == 0  # nothing left to handle
    assert await _requests(joined) == 1


async def test_handled_updates_keep_no_content_and_are_pruned(joined: BotHarness) -> None:
    feeder = InboxFeeder(joined)
    older = await feeder.feed(joined.build.text(RESIDENT, "my address is 1 Elm Road"))
    newer = await feeder.feed(joined.build.text(RESIDENT, "hello"))
    db = joined.services.db
    async with db.read() as conn:
        payloads = [
            row["payload"]
            for row in await conn.fetch("SELECT payload FROM inbox ORDER BY update_id")
        ]
    assert payloads == ["{}", "{}"]
    joined.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    assert await feeder.inbox.prune() == 1
    async with db.read() as conn:
        assert not await inbox.is_handled(conn, older["update_id"])  # forgotten
        assert await inbox.is_handled(conn, newer["update_id"])
        assert await inbox.next_offset(conn) == newer["update_id"] + 1
