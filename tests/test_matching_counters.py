"""Matching's copies stay right through every path that changes what they count.

Each step goes through the real Application (buttons, commands, jobs) and is followed by a
check that match_pool and the volunteers' counters equal a recount from the source tables,
besides the expected values of the volunteer the step concerns.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.callback_data import pack
from bot.clock import FakeClock
from bot.volunteers.volunteering import Offer
from handlers.organising.assigning import ASSIGN_KIND, REASSIGN_KIND
from handlers.privacy import FORGET_KIND
from storage.migrations import MIGRATIONS
from storage.schema_scale import MIGRATION_11_SCALE
from storage.sqlite_database import SqliteDatabase
from storage.timefmt import to_db
from tests.conftest import ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_matching import assert_copies_match_recount, counters_of, pool_of
from tests.flows_oversight import (
    ELM_ORGANISER,
    SECOND_VOLUNTEER,
    VOLUNTEER,
    request_row,
    resident_request,
    two_neighbourhoods,
)
from tests.flows_privacy import accept, buttons_to, finish

DAY = timedelta(days=1)


async def shopping(bot: BotHarness, what: str = "Milk") -> int:
    """The resident asks for shopping; returns the request id."""
    rid, _ = await ask_for_shopping(
        bot, RESIDENT, description=what, address="1 Elm Road", phone="07700 100456"
    )
    return rid


async def accepted_at(bot: BotHarness, rid: int) -> str:
    row = await request_row(bot, rid)
    assert row.accepted_at is not None
    return to_db(row.accepted_at)


async def test_accept_hand_back_done_and_cancel(harness: BotHarness, clock: FakeClock) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    vera = await make_volunteer(harness, VOLUNTEER, code)
    walt = await make_volunteer(harness, SECOND_VOLUNTEER, code)
    await agree(harness, RESIDENT, code)
    assert await pool_of(harness.services.db, vera) == {(nid, "shopping")}
    assert await counters_of(harness.services.db, vera) == (0, [])
    await assert_copies_match_recount(harness.services.db)

    first = await shopping(harness)  # alerts both: last_alerted_at copied into the pool
    await assert_copies_match_recount(harness.services.db)
    await accept(harness, VOLUNTEER, first)
    taken = await accepted_at(harness, first)
    assert await counters_of(harness.services.db, vera) == (1, [taken])
    await assert_copies_match_recount(harness.services.db)

    clock.advance(timedelta(hours=1))
    await harness.press(VOLUNTEER, pack("release", first))  # handed back: not hers any more
    assert (await request_row(harness, first)).status == "open"
    assert await counters_of(harness.services.db, vera) == (0, [])
    await assert_copies_match_recount(harness.services.db)

    await accept(harness, SECOND_VOLUNTEER, first)  # re-alerted to Walt
    walt_took = await accepted_at(harness, first)
    assert await counters_of(harness.services.db, walt) == (1, [walt_took])
    await finish(harness, SECOND_VOLUNTEER, RESIDENT, first)  # done, then closed with thanks
    assert (await request_row(harness, first)).status == "closed"
    assert await counters_of(harness.services.db, walt) == (0, [walt_took])
    await assert_copies_match_recount(harness.services.db)

    clock.advance(DAY)
    second = await shopping(harness, "Eggs")
    await accept(harness, SECOND_VOLUNTEER, second)
    await harness.send(harness.build.command(RESIDENT, "myrequests"))
    await harness.press(RESIDENT, pack("cancelreq", second))
    assert (await request_row(harness, second)).status == "cancelled"
    # Cancelled, it no longer holds Walt; it still counts as taken in his fairness window.
    walt_again = await accepted_at(harness, second)
    assert await counters_of(harness.services.db, walt) == (0, [walt_again, walt_took])
    await assert_copies_match_recount(harness.services.db)


async def test_organisers_reassign_and_suspend(harness: BotHarness) -> None:
    c = await two_neighbourhoods(harness)
    rid, ref = await resident_request(harness)
    await harness.send(harness.build.command(ELM_ORGANISER, "assign", ref))
    await harness.press(ELM_ORGANISER, pack(ASSIGN_KIND, rid, c.second_volunteer_person))
    taken = await accepted_at(harness, rid)
    assert await counters_of(harness.services.db, c.second_volunteer_person) == (1, [taken])
    await assert_copies_match_recount(harness.services.db)

    await harness.send(harness.build.command(ELM_ORGANISER, "reassign", ref))
    move = pack(REASSIGN_KIND, rid, c.second_volunteer_person, c.volunteer_person)
    await harness.press(ELM_ORGANISER, move)
    assert (await request_row(harness, rid)).assignee_person_id == c.volunteer_person
    assert await counters_of(harness.services.db, c.second_volunteer_person) == (0, [])
    assert await counters_of(harness.services.db, c.volunteer_person) == (1, [taken])
    await assert_copies_match_recount(harness.services.db)

    result = await harness.services.vetting.suspend(ORGANISER.id, c.elm, c.volunteer_person)
    assert result.outcome == "done"
    row = await request_row(harness, rid)  # taken back and offered again
    assert (row.status, row.assignee_person_id) == ("open", None)
    assert await pool_of(harness.services.db, c.volunteer_person) == set()
    assert await counters_of(harness.services.db, c.volunteer_person) == (0, [])
    await assert_copies_match_recount(harness.services.db)

    await harness.services.vetting.unsuspend(ORGANISER.id, c.elm, c.volunteer_person)
    assert await pool_of(harness.services.db, c.volunteer_person) == {(c.elm, "shopping")}
    await assert_copies_match_recount(harness.services.db)


async def test_erasure_and_retention(harness: BotHarness, clock: FakeClock) -> None:
    _, code = await neighbourhood_with_invite(harness)
    vera = await make_volunteer(harness, VOLUNTEER, code)
    walt = await make_volunteer(harness, SECOND_VOLUNTEER, code)
    await agree(harness, RESIDENT, code)
    done = await shopping(harness)
    await accept(harness, SECOND_VOLUNTEER, done)
    walt_took = await accepted_at(harness, done)
    await finish(harness, SECOND_VOLUNTEER, RESIDENT, done)
    held = await shopping(harness, "Bread")
    await accept(harness, VOLUNTEER, held)
    assert (await counters_of(harness.services.db, vera))[0] == 1

    await harness.send(harness.build.command(VOLUNTEER, "forgetme"))
    [yes] = [d for d in buttons_to(harness, VOLUNTEER.id) if d.startswith(f"v1|{FORGET_KIND}|yes|")]
    await harness.press(VOLUNTEER, yes)
    assert await harness.services.community.person(VOLUNTEER.id) is None
    assert await pool_of(harness.services.db, vera) == set()
    assert (await request_row(harness, held)).status == "open"  # offered again
    await assert_copies_match_recount(harness.services.db)

    # Retention clears the finished request's details; what matching counts stays.
    clock.advance(harness.settings.tunables.retention + 2 * DAY)
    await harness.services.scheduler.run_due()
    assert (await request_row(harness, done)).address is None
    assert await counters_of(harness.services.db, walt) == (0, [walt_took])
    await assert_copies_match_recount(harness.services.db)


async def test_offers_pauses_approval_and_reachability(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    other_nid, other_code = await neighbourhood_with_invite(harness, "Oak Row")
    vera = await make_volunteer(harness, VOLUNTEER, code, approve=False)
    assert await pool_of(harness.services.db, vera) == set()  # pending: not matched yet
    await harness.services.volunteering.approve(ORGANISER.id, vera, nid)
    assert await pool_of(harness.services.db, vera) == {(nid, "shopping")}

    offer = Offer(categories=frozenset({"lift", "dog_walking"}), availability=3, max_open_tasks=1)
    await harness.services.volunteering.save_offer(VOLUNTEER.id, offer)
    assert await pool_of(harness.services.db, vera) == {(nid, "lift"), (nid, "dog_walking")}
    await assert_copies_match_recount(harness.services.db)

    await agree(harness, VOLUNTEER, other_code)  # joins a second neighbourhood, offers there
    await harness.services.volunteering.save_offer(VOLUNTEER.id, offer)
    assert {n for n, _ in await pool_of(harness.services.db, vera)} == {nid}  # pending there
    await harness.services.volunteering.approve(ORGANISER.id, vera, other_nid)
    assert {n for n, _ in await pool_of(harness.services.db, vera)} == {nid, other_nid}
    await assert_copies_match_recount(harness.services.db)

    assert await harness.services.volunteering.pause(VOLUNTEER.id, 3) is not None
    await assert_copies_match_recount(harness.services.db)
    assert await harness.services.volunteering.resume(VOLUNTEER.id)
    await assert_copies_match_recount(harness.services.db)

    # A volunteer who blocked the bot is marked unreachable by the failed alert: copied too.
    harness.fake.block(VOLUNTEER.id)
    await agree(harness, RESIDENT, code)
    await harness.services.volunteering.save_offer(
        VOLUNTEER.id, Offer(categories=frozenset({"shopping"}), availability=7, max_open_tasks=1)
    )
    await shopping(harness)
    assert (await harness.services.community.person(VOLUNTEER.id)).unreachable  # type: ignore[union-attr]
    await assert_copies_match_recount(harness.services.db)


async def test_the_migration_fills_the_pool_and_counters_of_an_existing_database(
    tmp_path: Path,
) -> None:
    path = tmp_path / "before.sqlite3"
    with sqlite3.connect(path) as raw:  # a database as the previous release left it
        raw.execute("PRAGMA foreign_keys=ON")
        before = MIGRATIONS.index(MIGRATION_11_SCALE)
        for statement in (s for migration in MIGRATIONS[:before] for s in migration):
            raw.execute(statement)
        raw.execute(f"PRAGMA user_version={before}")
        stamp = "2025-03-01T10:00:00.000000Z"
        raw.execute(
            "INSERT INTO neighbourhoods (id, name, created_at) VALUES (1, 'Elm', ?)", (stamp,)
        )
        for person in (1, 2, 3):
            raw.execute(
                "INSERT INTO people (id, telegram_id, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (person, 1000 + person, stamp, stamp),
            )
            raw.execute(
                "INSERT INTO memberships (person_id, neighbourhood_id, role, joined_at, "
                "volunteer_status) VALUES (?, 1, 'member', ?, ?)",
                (person, stamp, "pending" if person == 3 else "approved"),
            )
            raw.execute(
                "INSERT INTO volunteers (person_id, created_at, updated_at) VALUES (?, ?, ?)",
                (person, stamp, stamp),
            )
            raw.execute(
                "INSERT INTO volunteer_categories (person_id, category) VALUES (?, 'shopping')",
                (person,),
            )
        for n, (status, accepted) in enumerate(
            [("assigned", "2025-03-02T09:00:00.000000Z"), ("closed", "2025-03-01T09:00:00.000000Z")]
        ):
            raw.execute(
                "INSERT INTO help_requests (ref, neighbourhood_id, category, when_kind, starts_at, "
                "ends_at, status, assignee_person_id, created_at, updated_at, accepted_at) "
                "VALUES (?, 1, 'shopping', 'today', ?, ?, ?, 1, ?, ?, ?)",
                (f"R-{n}", stamp, stamp, status, stamp, stamp, accepted),
            )
    db = SqliteDatabase(path)
    await db.open()
    try:
        await db.migrate()
        assert await assert_copies_match_recount(db) == (3, 2)  # 3 volunteers, 2 approved
        assert await counters_of(db, 1) == (
            1,
            ["2025-03-02T09:00:00.000000Z", "2025-03-01T09:00:00.000000Z"],
        )
        assert await pool_of(db, 3) == set()
    finally:
        await db.close()
