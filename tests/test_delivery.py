"""Outbox safeguards: back-off, a blocked assignee reported, groups that moved, refused calls."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.delivery import notify
from bot.delivery.dispatch import ChatMovedError, OutboxDispatcher, PermanentSendError, retry_delay
from storage import people
from storage.database import Database
from storage.organising import neighbourhoods
from tests.conftest import ORGANISER, VOLUNTEERS_CHAT, BotHarness
from tests.flows import neighbourhood_with_invite
from tests.test_dispatch import GROUP, FakeSender, enqueue, states

ORGANISER_ID = 50
ASSIGNEE_ID = 51
SUPERGROUP = -1009999999999


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def dispatcher(db: Database, sender: FakeSender, clock: FakeClock) -> OutboxDispatcher:
    return OutboxDispatcher(db, clock, sender, max_lanes=4, max_buffered=20)


async def _neighbourhood_with(db: Database, clock: FakeClock) -> int:
    """A neighbourhood with an organiser and a volunteer who joined it; returns its id."""
    now = clock.now()
    async with db.transaction() as conn:
        ids = {}
        for telegram_id, name in ((ORGANISER_ID, "Olive"), (ASSIGNEE_ID, "Val <b>")):
            await people.record_consent(
                conn,
                telegram_id=telegram_id,
                display_name=name,
                language=None,
                notice_version="test",
                now=now,
            )
            person = await people.by_telegram_id(conn, telegram_id)
            assert person is not None
            ids[telegram_id] = person.id
        place = await neighbourhoods.create(conn, name="Elm Park", created_by=None, now=now)
        assert place is not None
        for telegram_id, role in ((ORGANISER_ID, "organiser"), (ASSIGNEE_ID, "member")):
            await neighbourhoods.add_member(
                conn, person_id=ids[telegram_id], neighbourhood_id=place.id, role=role, now=now
            )
        await neighbourhoods.link_volunteers_chat(conn, place.id, GROUP)
    return place.id


def test_retry_delay_doubles_up_to_a_cap_and_honours_retry_after() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(40) == timedelta(minutes=5)
    assert retry_delay(1, retry_after=30) == timedelta(seconds=30)


async def test_a_blocked_assignee_is_marked_and_their_organisers_told(
    db: Database,
    sender: FakeSender,
    dispatcher: OutboxDispatcher,
    clock: FakeClock,
) -> None:
    await _neighbourhood_with(db, clock)
    sender.errors[ASSIGNEE_ID].append(
        PermanentSendError("Forbidden: bot was blocked by the user", unreachable=True)
    )
    async with db.transaction() as conn:
        await notify.send(conn, ASSIGNEE_ID, "Task R-ABCD: 1 Elm Road", purpose="task")
    await dispatcher.drain()
    async with db.read() as conn:
        blocked = await people.by_telegram_id(conn, ASSIGNEE_ID)
    assert blocked is not None and blocked.unreachable
    [told] = sender.texts_to(ORGANISER_ID)
    assert "Val &lt;b&gt;" in told and "the details of a task" in told


async def test_a_blocked_person_missing_an_ordinary_message_is_not_reported(
    db: Database,
    sender: FakeSender,
    dispatcher: OutboxDispatcher,
    clock: FakeClock,
) -> None:
    await _neighbourhood_with(db, clock)
    sender.errors[ASSIGNEE_ID].append(PermanentSendError("Forbidden", unreachable=True))
    async with db.transaction() as conn:
        await notify.send(conn, ASSIGNEE_ID, "New request nearby", purpose="alert")
    await dispatcher.drain()
    assert sender.texts_to(ORGANISER_ID) == []


async def test_a_group_that_became_a_supergroup_is_followed(
    db: Database,
    sender: FakeSender,
    dispatcher: OutboxDispatcher,
    clock: FakeClock,
) -> None:
    place = await _neighbourhood_with(db, clock)
    sender.errors[GROUP].append(ChatMovedError(SUPERGROUP))
    await enqueue(db, (GROUP, "first"), (GROUP, "second"), (30, "elsewhere"))
    assert await dispatcher.drain() == 1  # the group's calls moved, and wait for the next drain
    assert await dispatcher.drain() == 2
    assert sender.texts_to(SUPERGROUP) == ["first", "second"]
    async with db.read() as conn:
        neighbourhood = await neighbourhoods.by_id(conn, place)
        rows = [
            (r["chat_id"], json.loads(r["params"])["chat_id"])
            for r in await conn.fetch("SELECT chat_id, params FROM outbox ORDER BY id")
        ]
    assert neighbourhood is not None and neighbourhood.volunteers_chat_id == SUPERGROUP
    assert rows[:2] == [(SUPERGROUP, SUPERGROUP)] * 2


async def test_a_migrate_message_moves_the_chat(
    db: Database,
    dispatcher: OutboxDispatcher,
    clock: FakeClock,
) -> None:
    place = await _neighbourhood_with(db, clock)
    await enqueue(db, (GROUP, "queued before the move"))
    assert await dispatcher.move_chat(GROUP, SUPERGROUP) == 1
    async with db.read() as conn:
        neighbourhood = await neighbourhoods.by_id(conn, place)
    assert neighbourhood is not None and neighbourhood.volunteers_chat_id == SUPERGROUP


async def test_a_refused_call_is_logged_with_its_texts_as_lengths(
    db: Database,
    sender: FakeSender,
    dispatcher: OutboxDispatcher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sender.errors[41].append(PermanentSendError("Bad Request: can't parse entities"))
    private = "<b>1 Elm Road, +447700100123"
    [item] = await enqueue(db, (41, private))
    with caplog.at_level(logging.WARNING, logger="bot.delivery.dispatch"):
        await dispatcher.drain()
    assert (await states(db))[item] == ("failed", 1)
    assert "can't parse entities" in caplog.text
    assert f'"text": "<{len(private)} chars>"' in caplog.text and '"chat_id": 41' in caplog.text
    assert "Elm Road" not in caplog.text and "7700100123" not in caplog.text


async def test_the_migrate_message_in_a_group_is_followed(harness: BotHarness) -> None:
    """Telegram's service message in the old group moves the neighbourhood to the new id."""
    place, _ = await neighbourhood_with_invite(harness)
    await harness.services.community.link_volunteers_chat(ORGANISER.id, place, VOLUNTEERS_CHAT)
    old_group = {"id": VOLUNTEERS_CHAT, "type": "group", "title": "Elm Park volunteers"}
    await harness.send(
        harness.build.raw(
            {
                "message": {
                    "message_id": 9,
                    "date": 1,
                    "chat": old_group,
                    "from": ORGANISER.to_dict(),
                    "migrate_to_chat_id": SUPERGROUP,
                }
            }
        )
    )
    async with harness.services.db.read() as conn:
        neighbourhood = await neighbourhoods.by_id(conn, place)
    assert neighbourhood is not None and neighbourhood.volunteers_chat_id == SUPERGROUP


async def test_organisers_hear_of_undelivered_messages_in_plain_words_once_an_hour(
    harness: BotHarness,
) -> None:
    from tests.conftest import RESIDENT
    from tests.flows import agree

    await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT)
    reports = harness.services.delivery_reports
    assert not await reports.report_if_due()  # nothing went wrong: nothing to say
    # Telegram refuses three answers for good (a 400 that no retry can fix).
    harness.fake.fail_next("sendMessage", "400", times=3, chat_id=RESIDENT.id)
    for _ in range(3):
        await harness.send(harness.build.command(RESIDENT, "help"))
    assert await reports.report_if_due()
    await harness.settle()
    await harness.services.dispatcher.drain()
    [told] = [t for t in harness.fake.texts_to(ORGANISER.id) if "had trouble sending" in t]
    assert "3 could not be delivered" in told and "Bad Request" not in told
    # More failures within the hour: no second message yet; an hour on, one more.
    harness.fake.fail_next("sendMessage", "400", times=1, chat_id=RESIDENT.id)
    await harness.send(harness.build.command(RESIDENT, "help"))
    assert not await reports.report_if_due()
    harness.clock.advance(timedelta(minutes=61))  # type: ignore[attr-defined]
    assert await reports.report_if_due()
    await harness.services.dispatcher.drain()
    told_all = [t for t in harness.fake.texts_to(ORGANISER.id) if "had trouble sending" in t]
    assert len(told_all) == 2 and "1 could not be delivered" in told_all[1]
