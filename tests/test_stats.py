"""/stats checked against a seeded history of requests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.model.requests import NewRequest
from bot.organising.stats import describe, percentile
from config import oversight_texts
from storage.requests import help_requests
from storage.timefmt import to_db
from tests.conftest import RESIDENT, BotHarness
from tests.flows_oversight import ELM_ORGANISER, OAK_ORGANISER, two_neighbourhoods

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


async def seed(
    bot: BotHarness,
    nid: int,
    category: str,
    created: datetime,
    *,
    status: str = "open",
    accepted_after: timedelta | None = None,
    assignee: int | None = None,
    thanked: bool = False,
) -> None:
    """Store one request with a past history."""
    async with bot.services.db.transaction() as conn:
        request = await help_requests.insert(
            conn,
            NewRequest(
                neighbourhood_id=nid,
                requester_person_id=None,
                category=category,
                description="seeded",
                when_kind="today",
                starts_at=created,
                ends_at=created + DAY,
                contact_phone=None,
                telegram_only=True,
                address="somewhere",
                payment_method=None,
                pharmacy=None,
                for_name=None,
                for_phone=None,
            ),
            created,
        )
        accepted = created + accepted_after if accepted_after else None
        closed = created + DAY if status == "closed" else None
        await conn.execute(
            "UPDATE help_requests SET status = ?, accepted_at = ?, assignee_person_id = ?, "
            "thanked = ?, closed_at = ? WHERE id = ?",
            status,
            to_db(accepted) if accepted else None,
            assignee,
            int(thanked),
            to_db(closed) if closed else None,
            request.id,
        )


async def seed_checkins(bot: BotHarness, nid: int, states: list[str]) -> None:
    """A resident's daily check-in with one occurrence per state (and one too old to count)."""
    now = bot.clock.now()
    resident = await bot.services.community.person(RESIDENT.id)
    assert resident is not None
    async with bot.services.db.transaction() as conn:
        checkin_id = await conn.fetchval(
            "INSERT INTO checkins (person_id, neighbourhood_id, days, at_time, created_at, "
            "updated_at) VALUES (?, ?, 127, '10:00', ?, ?) RETURNING id",
            resident.id,
            nid,
            to_db(now),
            to_db(now),
        )
        for age, state in enumerate([*states, "answered"], start=1):
            due = now - age * DAY if age <= len(states) else now - 45 * DAY
            await conn.execute(
                "INSERT INTO checkin_occurrences (checkin_id, local_date, due_at, state, "
                "asked_at) VALUES (?, ?, ?, ?, ?)",
                checkin_id,
                due.date().isoformat(),
                to_db(due),
                state,
                to_db(due),
            )


async def test_stats_match_the_seeded_history(harness: BotHarness) -> None:
    c = await two_neighbourhoods(harness)
    now = harness.clock.now()
    vera, walt = c.volunteer_person, c.second_volunteer_person
    elm = c.elm
    await seed(harness, elm, "shopping", now - 2 * DAY, status="closed",
               accepted_after=10 * MINUTE, assignee=vera, thanked=True)  # fmt: skip
    await seed(harness, elm, "shopping", now - 3 * DAY - 60 * MINUTE, status="done",
               accepted_after=30 * MINUTE, assignee=vera)  # fmt: skip
    await seed(harness, elm, "prescription", now - DAY, status="assigned",
               accepted_after=50 * MINUTE, assignee=vera)  # fmt: skip
    await seed(harness, elm, "dog_walking", now - 5 * DAY, status="closed",
               accepted_after=120 * MINUTE, assignee=walt, thanked=True)  # fmt: skip
    await seed(harness, elm, "shopping", now - 6 * DAY, status="closed",
               accepted_after=300 * MINUTE, assignee=walt)  # fmt: skip
    await seed(harness, elm, "shopping", now - DAY)  # still waiting
    await seed(harness, elm, "other", now - 4 * DAY, status="cancelled")
    # Outside the 30 days, and in another neighbourhood: not counted.
    await seed(harness, elm, "shopping", now - 40 * DAY, status="closed",
               accepted_after=MINUTE, assignee=vera, thanked=True)  # fmt: skip
    await seed(harness, c.oak, "shopping", now - DAY, status="closed",
               accepted_after=MINUTE, assignee=walt, thanked=True)  # fmt: skip

    await seed_checkins(harness, elm, ["answered", "answered", "missed", "asked"])

    report = await harness.services.oversight.stats.report(ELM_ORGANISER.id, 30)
    assert report is not None
    assert report.by_category == {"shopping": 4, "prescription": 1, "dog_walking": 1, "other": 1}
    assert report.by_outcome == {"helped": 4, "in_progress": 1, "waiting": 1, "cancelled": 1}
    assert report.median_accept_seconds == 50 * 60
    assert report.p90_accept_seconds == 300 * 60
    assert report.accepted_within_hour_share == pytest.approx(3 / 7)
    assert report.tasks_per_volunteer == (3, 2)
    assert report.volunteers_doing_most == 1
    assert report.approved_volunteers == 2
    assert report.thanks == 2
    assert (report.checkins_kept, report.checkins_due) == (2, 3)

    await harness.send(harness.build.command(ELM_ORGANISER, "stats"))
    text = harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    assert text == describe(report)
    assert "The last 30 days in Elm Park" in text and "<b>7 requests</b>" in text
    assert (
        "🎉 4 helped" in text
        and "taken on within 50 minutes" in text
        and "nine in ten within 5 hours" in text
    )
    assert "43% of requests were accepted within an hour" in text
    assert "<b>2 volunteers</b> took on 5 tasks (of 2 approved). 1 of them" in text
    assert "Busiest: 3 tasks, 2 tasks." in text and "<b>2 thank-yous</b>" in text
    assert "<b>Check-ins kept</b>: 2 of 3 answered" in text

    await harness.send(harness.build.command(ELM_ORGANISER, "stats", "3"))
    assert "<b>3 requests</b>" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    # Oak Row's organiser sees only Oak Row's one request.
    await harness.send(harness.build.command(OAK_ORGANISER, "stats"))
    oak = harness.fake.texts_to(OAK_ORGANISER.id)[-1]
    assert "<b>1 request</b>" in oak and oversight_texts.STATS_NO_CHECKINS in oak
    for bad in ("0", "abc", "400"):
        await harness.send(harness.build.command(ELM_ORGANISER, "stats", bad))
        assert harness.fake.texts_to(ELM_ORGANISER.id)[-1] == oversight_texts.STATS_USAGE


def test_percentile_is_nearest_rank() -> None:
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert percentile([float(n) for n in range(1, 12)], 0.9) == 10.0
