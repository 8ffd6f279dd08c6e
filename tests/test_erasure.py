"""/forgetme: one transaction that reaches every column able to hold a person, found from the
schema itself; a crash half-way erases nothing, and trying again erases everything."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from config import privacy_texts
from storage import people
from storage.database import Connection, Database
from storage.privacy import personal_data as privacy
from storage.requests import help_requests
from tests.conftest import BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_erasure import (
    PERSON,
    holding,
    naming_in_json,
    person_columns,
    read_schema,
    seed_person_everywhere,
    texts_showing,
    unexplained_integer_columns,
)

ZELDA = FakeUser(987654321, "Zelda", "Quixote")  # the person who asks to be forgotten
KEEPER = FakeUser(987654322, "Kit", "Keeper")  # someone else, whose data must stay
ZELDA_ADDRESS = "5 Windmill Row"


async def ids_of(conn: Connection, user: FakeUser) -> tuple[int, int]:
    person = await people.by_telegram_id(conn, user.id)
    assert person is not None
    return person.id, user.id


async def leftovers(conn: Connection, zelda: tuple[int, int]) -> list[str]:
    """Every column still holding the erased person, and every text still showing them."""
    schema = await read_schema(conn)
    left = []
    for (table, column), kind in sorted(person_columns(schema).items()):
        value = zelda[0] if kind == PERSON else zelda[1]
        if await holding(conn, table, column, value):
            left.append(f"{table}.{column}")
    for table, column in (("audit_log", "before"), ("audit_log", "after")) + (
        ("scheduled_jobs", "payload"),
    ):
        if await naming_in_json(conn, table, column, zelda[0]):
            left.append(f"{table}.{column}: person {zelda[0]}")
    if await holding_text(conn, "audit_log", "subject", f"person:{zelda[0]}"):
        left.append("audit_log.subject")
    needles = [ZELDA.first_name, ZELDA.last_name, str(ZELDA.id), ZELDA_ADDRESS]
    return left + await texts_showing(conn, schema, needles)


async def holding_text(conn: Connection, table: str, column: str, value: str) -> int:
    return int(await conn.fetchval(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", value))


async def forget_me(bot: BotHarness, user: FakeUser) -> None:
    """Send /forgetme and confirm it with the button."""
    await bot.send(bot.build.command(user, "forgetme"))
    issued = int(bot.clock.now().timestamp())
    await bot.press(user, pack("forget", "yes", issued))


async def test_every_integer_column_either_can_hold_a_person_or_is_known_not_to(
    db: Database,
) -> None:
    async with db.read() as conn:
        schema = await read_schema(conn)
    assert unexplained_integer_columns(schema) == [], (
        "Each of these columns may hold a person: give it a foreign key to people, name it "
        "*_person_id, *_telegram_id or *_by so the erasure finds it, or list it in "
        "tests/flows_erasure.NOT_A_PERSON if it holds no person."
    )
    found = person_columns(schema)
    # The rules find what the features store today, by key and by name.
    assert {("volunteer_checks", "recorded_by"), ("assets", "verified_by")} <= set(found)
    assert {("checkin_escalations", "acknowledged_by"), ("request_alerts", "chat_id")} <= set(found)
    assert found[("volunteer_categories", "person_id")] == PERSON  # through volunteers


async def test_erasure_reaches_every_column_that_can_hold_a_person(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    for user in (ZELDA, KEEPER):
        await agree(harness, user, code)
        address = ZELDA_ADDRESS if user is ZELDA else "7 Keeper Close"
        await ask_for_shopping(
            harness, user, description="Bread", address=address, phone="07700 100123"
        )
    async with harness.services.db.transaction() as conn:
        schema = await read_schema(conn)
        ids = {"zelda": await ids_of(conn, ZELDA), "keeper": await ids_of(conn, KEEPER)}
        seeded = await seed_person_everywhere(conn, schema, harness.clock.now(), ids)
    found = person_columns(schema)
    assert len(found) >= 20 and seeded >= 2 * len(found)
    async with harness.services.db.read() as conn:
        before = await leftovers(conn, ids["zelda"])
    assert len(before) >= len(found) + 4  # the check sees the person everywhere before
    assert {"audit_log.after: person", "scheduled_jobs.payload: person"} <= {
        b.rsplit(" ", 1)[0] for b in before
    }

    await forget_me(harness, ZELDA)
    assert harness.fake.texts_to(ZELDA.id)[-1].startswith("Done: your data has been erased.")

    async with harness.services.db.read() as conn:
        assert await leftovers(conn, ids["zelda"]) == []
        kept = {
            f"{table}.{column}"
            for (table, column), kind in found.items()
            if await holding(
                conn, table, column, ids["keeper"][0] if kind == PERSON else ids["keeper"][1]
            )
        }
        assert kept == {f"{table}.{column}" for table, column in found}  # nobody else's
        assert await people.by_telegram_id(conn, KEEPER.id) is not None


async def test_a_column_added_later_is_erased_or_fails_the_check(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("ALTER TABLE broadcasts ADD COLUMN approved_by INTEGER")
        await conn.execute("ALTER TABLE invites ADD COLUMN sponsor INTEGER")
        schema = await read_schema(conn)
    # Named as holding a Telegram id: found, and the erasure reaches it without a change.
    assert ("broadcasts", "approved_by") in person_columns(schema)
    # Named like nothing the rules know: the schema check fails until someone decides.
    assert unexplained_integer_columns(schema) == [("invites", "sponsor")]

    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    async with db.transaction() as conn:
        zelda = await people.record_consent(
            conn, telegram_id=ZELDA.id, display_name="Zelda Quixote", language="en",
            notice_version="1", now=now,
        )  # fmt: skip
        keeper = await people.record_consent(
            conn, telegram_id=KEEPER.id, display_name="Kit", language="en",
            notice_version="1", now=now,
        )  # fmt: skip
        ids = {"zelda": (zelda.id, ZELDA.id), "keeper": (keeper.id, KEEPER.id)}
        await seed_person_everywhere(conn, await read_schema(conn), now, ids)
        assert await holding(conn, "broadcasts", "approved_by", ZELDA.id) == 1
        assert await privacy.erase_person(conn, ZELDA.id, now)
        assert await leftovers(conn, ids["zelda"]) == []


async def test_an_erasure_that_misses_a_column_is_caught(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check can fail: an erasure blind to *_by columns leaves them, and is reported."""
    monkeypatch.setattr(
        privacy, "TELEGRAM_ID_NAME", re.compile(r"(?:^|_)(?:telegram_id|chat_id|user_id|owner_id)$")
    )
    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    async with db.transaction() as conn:
        zelda = await people.record_consent(
            conn, telegram_id=ZELDA.id, display_name=None, language="en",
            notice_version="1", now=now,
        )  # fmt: skip
        ids = {"zelda": (zelda.id, ZELDA.id)}
        await seed_person_everywhere(conn, await read_schema(conn), now, ids)
        assert await privacy.erase_person(conn, ZELDA.id, now)
        left = await leftovers(conn, ids["zelda"])
    assert {"assets.verified_by", "volunteer_checks.recorded_by"} <= set(left)
    assert "checkin_escalations.acknowledged_by" in left


async def test_audit_states_are_read_as_json_the_same_way_on_each_backend(db: Database) -> None:
    """A key ending in person_id (any case, any depth) holding their id as a number names them;
    their id as text does not, and text that is not JSON names nobody, nor stops the erasure."""
    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    async with db.transaction() as conn:
        zelda = await people.record_consent(
            conn, telegram_id=ZELDA.id, display_name=None, language="en",
            notice_version="1", now=now,
        )  # fmt: skip
        states = [
            f'{{"person_id": {zelda.id}',  # cut short: not JSON
            json.dumps({"found": [1, {"Owner_Person_ID": zelda.id}]}),
            json.dumps({"person_id": str(zelda.id)}),
            json.dumps({"by": {"organiser_telegram_id": ZELDA.id}}),
            json.dumps({"person_id": zelda.id + 1000, "note": f"{zelda.id}"}),
        ]
        for state in states:
            await conn.execute(
                "INSERT INTO audit_log (at, action, subject, after) VALUES (?, ?, ?, ?)",
                "2026-11-02T10:00:00Z",
                "test.state",
                "neighbourhood:1",
                state,
            )
        assert await privacy.erase_person(conn, ZELDA.id, now)
        kept = [r[0] for r in await conn.fetch("SELECT after FROM audit_log ORDER BY id")]
    assert kept == [states[0], None, states[2], None, states[4]]


async def test_forgetme_interrupted_by_a_crash_erases_nothing_then_completes(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, code = await neighbourhood_with_invite(harness)
    volunteer = FakeUser(2001, "Vera", "Volunteer")
    await make_volunteer(harness, volunteer, code)
    await agree(harness, ZELDA, code)
    rid, ref = await ask_for_shopping(
        harness, ZELDA, description="Bread", address=ZELDA_ADDRESS, phone="07700 100123"
    )
    await harness.press(volunteer, pack("accept", rid))
    async with harness.services.db.read() as conn:
        assigned = await help_requests.by_id(conn, rid)
        zelda = await ids_of(conn, ZELDA)
    assert assigned is not None and assigned.status == "assigned"
    told_before = len(harness.fake.texts_to(volunteer.id))

    real_count = privacy.count_erasure
    crashes = []

    async def crash_once(*args: object, **kwargs: object) -> None:
        if not crashes:
            crashes.append(True)
            raise RuntimeError("the power went out half-way through the erasure")
        await real_count(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(privacy, "count_erasure", crash_once)
    await forget_me(harness, ZELDA)
    assert [str(e) for e in harness.take_errors()] == [
        "the power went out half-way through the erasure"
    ]
    # Nothing was erased, cancelled or told: the request, its details and the person are there.
    async with harness.services.db.read() as conn:
        request = await help_requests.by_id(conn, rid)
        assert request is not None and (request.status, request.address) == (
            "assigned",
            ZELDA_ADDRESS,
        )
        assert await people.by_telegram_id(conn, ZELDA.id) is not None
        assert await conn.fetchval("SELECT COUNT(*) FROM erasure_counts") == 0
        assert (
            await conn.fetchval(
                "SELECT COUNT(*) FROM audit_log WHERE action IN ('privacy.forgotten', "
                "'request.cancelled')"
            )
            == 0
        )
    assert len(harness.fake.texts_to(volunteer.id)) == told_before
    assert all(ref not in text for text in harness.fake.texts_to(volunteer.id)[told_before:])

    # Asked again, it completes: cancelled, the volunteer told, the person gone.
    await forget_me(harness, ZELDA)
    assert harness.fake.texts_to(ZELDA.id)[-1].startswith("Done: your data has been erased.")
    assert privacy_texts.FORGOTTEN_CANCELLED(1).strip() in harness.fake.texts_to(ZELDA.id)[-1]
    async with harness.services.db.read() as conn:
        request = await help_requests.by_id(conn, rid)
        assert request is not None and (request.status, request.address) == ("cancelled", None)
        assert request.requester_person_id is None
        assert await leftovers(conn, zelda) == []
    assert await harness.services.privacy.erasure_totals() == {
        "people": 1,
        "requests_cancelled": 1,
        "tasks_reoffered": 0,
    }
    assert any(ref in text for text in harness.fake.texts_to(volunteer.id)[told_before:])


async def test_the_privacy_notice_lists_what_is_kept_after_erasure(harness: BotHarness) -> None:
    from config import i18n

    for offset, language in enumerate(("en", "cy")):
        user = FakeUser(1100 + offset, "Nia", "Notice", language_code=language)
        await harness.send(harness.build.command(user, "privacy"))
        notice = harness.fake.last_text_to(user.id) or ""
        kept = i18n.gettext(privacy_texts.NOTICE_KEPT_AFTER_ERASURE, language)
        assert notice.endswith(kept) and len(notice) <= 4096
        assert "/forgetme" in kept
        assert (kept == privacy_texts.NOTICE_KEPT_AFTER_ERASURE) == (language == "en")
    assert "three numbers" in privacy_texts.NOTICE_KEPT_AFTER_ERASURE
