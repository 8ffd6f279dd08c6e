"""Conversation state on the database: a person half-way through a flow continues after restart."""

from __future__ import annotations

import pytest
from telegram.ext import ConversationHandler

from bot.callback_data import pack
from config import request_flow_texts
from handlers.requests import flow as request_flow
from handlers.requests import prompts
from handlers.requests.steps import Step
from tests.conftest import RESIDENT, BotHarness
from tests.flows import agree, neighbourhood_with_invite
from tests.flows_inbox import InboxFeeder


def _step(token: Step, value: str) -> str:
    return pack(request_flow.KIND, token.token, value)


async def _crash(harness: BotHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop as SIGKILL would: nothing PTB still buffers reaches the database."""
    assert harness.app is not None and harness.app.persistence is not None

    async def lost() -> None:
        return None

    monkeypatch.setattr(harness.app.persistence, "flush", lost)
    await harness.stop()
    monkeypatch.undo()
    await harness.start()


async def _finish_request(harness: BotHarness, feeder: InboxFeeder) -> list[str]:
    """The remaining steps after the description; returns the stored descriptions."""
    b = harness.build
    await feeder.feed(b.callback(RESIDENT, _step(Step.WHEN, "today")))
    await feeder.feed(b.text(RESIDENT, "07700 100123"))
    await feeder.feed(b.text(RESIDENT, "1 Elm Road"))
    await feeder.feed(b.callback(RESIDENT, _step(Step.PAYMENT, "doorstep")))
    await feeder.feed(b.callback(RESIDENT, _step(Step.FOR_WHOM, "me")))
    await feeder.feed(b.callback(RESIDENT, _step(Step.SUMMARY, "confirm")))
    async with harness.services.db.read() as conn:
        return [
            row["description"]
            for row in await conn.fetch("SELECT description FROM help_requests ORDER BY id")
        ]


@pytest.fixture
async def joined(harness: BotHarness) -> BotHarness:
    """A neighbourhood the resident has joined."""
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    return harness


async def test_a_request_half_way_continues_after_a_crash(
    joined: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeder = InboxFeeder(joined)
    b = joined.build
    await feeder.feed(b.command(RESIDENT, "request"))
    await feeder.feed(b.callback(RESIDENT, _step(Step.CATEGORY, "shopping")))
    await feeder.feed(b.text(RESIDENT, "Oat milk and bread"))
    await _crash(joined, monkeypatch)
    assert await _finish_request(joined, feeder) == ["Oat milk and bread"]
    assert "R-" in joined.fake.last_text_to(RESIDENT.id)


async def test_a_request_half_way_continues_after_a_clean_restart(joined: BotHarness) -> None:
    """Without the poller (harness.send), PTB's flush at shutdown stores the state."""
    b = joined.build
    await joined.send(b.command(RESIDENT, "request"))
    await joined.send(b.callback(RESIDENT, _step(Step.CATEGORY, "shopping")))
    await joined.send(b.text(RESIDENT, "Tea bags"))
    await joined.restart()
    assert await _finish_request(joined, InboxFeeder(joined)) == ["Tea bags"]


async def test_a_finished_conversation_is_forgotten(
    joined: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeder = InboxFeeder(joined)
    b = joined.build
    await feeder.feed(b.command(RESIDENT, "request"))
    await feeder.feed(b.callback(RESIDENT, prompts.CANCEL_DATA))
    await _crash(joined, monkeypatch)
    async with joined.services.db.read() as conn:
        row = await conn.fetchrow("SELECT COUNT(*) FROM conversation_states")
    assert row is not None and row[0] == 0
    await feeder.feed(b.text(RESIDENT, "Oat milk"))
    assert joined.fake.last_text_to(RESIDENT.id) != request_flow_texts.ASK_WHEN


async def test_an_unreadable_stored_state_is_dropped_not_fatal(
    joined: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    async with joined.services.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO conversation_states (name, conversation_key, state) "
            "VALUES (?, '[1002, 1002]', ?)",
            request_flow.NAME,
            b"\x00\xff",
        )
        await conn.execute(
            "INSERT INTO persisted_data (scope, owner_id, data) VALUES ('user', 1002, ?)", b"\x00"
        )
    await joined.restart()
    assert "unreadable" in caplog.text
    await joined.send(joined.build.command(RESIDENT, "request"))
    assert "What kind of help" in joined.fake.last_text_to(RESIDENT.id)


async def test_every_guided_flow_keeps_its_state_in_the_database(harness: BotHarness) -> None:
    assert harness.app is not None
    flows = [
        handler
        for group in harness.app.handlers.values()
        for handler in group
        if isinstance(handler, ConversationHandler)
    ]
    assert len(flows) >= 11
    assert [flow.name for flow in flows if not flow.persistent] == []
    assert len({flow.name for flow in flows}) == len(flows)
