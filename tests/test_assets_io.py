"""CSV import and export of the register through the real Application."""

from __future__ import annotations

from config import asset_texts
from storage import audit
from storage.directory import assets
from tests.conftest import ORGANISER, RESIDENT, VOLUNTEERS_CHAT, BotHarness
from tests.flows import agree, neighbourhood_with_invite
from tests.flows_assets import PAUSE, directory, seed

GOOD_AND_BAD = (
    "Title,Kind,Description,Tags,Visibility,Contact name,Contact details,Notes\n"
    'Food bank,organisational,"Parcels, tins and ""fresh"" veg",food,public,Sam,0161 496 0000,x\n'
    "Mystery,spaceship,,,,,,\n"
    'Choir,cultural,Sings on Thursdays,"music, singing",members,,,\n'
    ",individual,No title,,,,,\n"
    "Hall,physical,Big room,,everyone,,,\n"
    "Toy library,associational,Toys to borrow,toys,,,,\n"
)


async def send_csv(bot: BotHarness, content: bytes, name: str = "assets.csv") -> str:
    """/import assets, then the file; returns the bot's answer to the file."""
    bot.clock.advance(PAUSE)
    await bot.send(bot.build.command(ORGANISER, "import", "assets"))
    assert "Send the CSV file now" in (bot.fake.last_text_to(ORGANISER.id) or "")
    await bot.send(bot.build.document(ORGANISER, name, content))
    return bot.fake.last_text_to(ORGANISER.id) or ""


async def register_of(bot: BotHarness, nid: int) -> list[assets.Asset]:
    async with bot.services.db.read() as conn:
        return await assets.in_neighbourhoods(conn, [nid])


async def export(bot: BotHarness) -> bytes:
    """/export assets; returns the CSV document sent to the organiser."""
    before = len(bot.fake.documents_to(ORGANISER.id))
    await bot.send(bot.build.command(ORGANISER, "export", "assets"))
    documents = bot.fake.documents_to(ORGANISER.id)
    assert len(documents) == before + 1, bot.fake.last_text_to(ORGANISER.id)
    name, content = documents[-1]
    assert name.startswith("assets-") and name.endswith(".csv")
    return content


async def test_import_adds_good_rows_and_reports_bad_rows_by_line(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    answer = await send_csv(harness, GOOD_AND_BAD.encode())
    assert answer.startswith("Imported: 3 added, 0 updated, 0 unchanged.")
    assert "Columns I don't know were ignored: Notes." in answer
    assert "3 rows were skipped" in answer
    assert "• line 3: unknown kind 'spaceship'" in answer
    assert "• line 5: That's too short" in answer
    assert "• line 6: unknown visibility 'everyone'" in answer
    stored = {a.title: a for a in await register_of(harness, nid)}
    assert set(stored) == {"Food bank", "Choir", "Toy library"}
    food = stored["Food bank"]
    assert food.description == 'Parcels, tins and "fresh" veg' and food.contact_details == (
        "0161 496 0000"
    )
    assert food.visibility == "public" and food.status == "published"
    assert stored["Toy library"].visibility == "members"  # the default
    await agree(harness, RESIDENT, code)
    assert "Toy library" in await directory(harness, RESIDENT, "toys")


async def test_a_malformed_file_imports_nothing(harness: BotHarness) -> None:
    nid, _ = await neighbourhood_with_invite(harness)
    malformed = {
        b"Name,Type\nFood bank,organisational\n": "no title or kind column",
        b'title,kind\n"Food bank,organisational\n': "not valid CSV",
        "title,kind\nCaf\u00e9,physical\n".encode("latin-1"): "not UTF-8",
        b"title,kind,title\nA,physical,B\n": "named twice",
        b"": "it is empty",
    }
    for content, reason in malformed.items():
        answer = await send_csv(harness, content or b"\n")
        assert answer.startswith("I couldn't read that file, so nothing was imported"), answer
        assert reason in answer, answer
        await harness.send(harness.build.command(ORGANISER, "cancel"))
        assert harness.fake.last_text_to(ORGANISER.id) == asset_texts.IMPORT_CANCELLED
    # A good row before a broken line is not imported either.
    answer = await send_csv(harness, b'title,kind\nGood,physical\n"Broken,physical\n')
    assert "nothing was imported" in answer
    assert await register_of(harness, nid) == []
    # Something that is not a document, then the right file, finishes the import.
    await harness.send(harness.build.text(ORGANISER, "here it comes"))
    assert harness.fake.last_text_to(ORGANISER.id) == asset_texts.IMPORT_NOT_A_FILE
    await harness.send(harness.build.document(ORGANISER, "a.csv", b"title,kind\nGood,physical\n"))
    assert (harness.fake.last_text_to(ORGANISER.id) or "").startswith("Imported: 1 added")


async def test_export_round_trips_through_import_unchanged(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    await seed(
        harness,
        nid,
        "=Formula-looking title",
        description='Line with "quotes", commas; and é',
        tags="food, tins",
        contact_name="+Sam",
        contact_details="0161 496 0000",
    )
    await seed(harness, nid, "Hidden hall", kind="physical", visibility="organisers")
    await seed(harness, nid, "Old club", kind="associational", status="withdrawn")
    await harness.services.assets.verify(ORGANISER.id, (await register_of(harness, nid))[0].id)
    before = await register_of(harness, nid)

    first = await export(harness)
    text = first.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,neighbourhood,kind,title")
    assert "'=Formula-looking title" in text and "'+Sam" in text  # no formulas in spreadsheets
    answer = await send_csv(harness, first)
    assert answer == "Imported: 0 added, 0 updated, 3 unchanged."
    assert await register_of(harness, nid) == before
    assert await export(harness) == first
    # An edited spreadsheet updates the asset named by its id.
    answer = await send_csv(harness, first.replace(b"Hidden hall", b"Open hall"))
    assert answer == "Imported: 0 added, 1 updated, 2 unchanged."
    assert [a.title for a in await register_of(harness, nid)][1] == "Open hall"
    async with harness.services.db.read() as conn:
        assert (await audit.actions_for(conn, "assets")).count("export.assets") == 2

    # Exports are for organisers, and only in private.
    await agree(harness, RESIDENT, code)
    await harness.send(harness.build.command(RESIDENT, "export", "assets"))
    assert harness.fake.last_text_to(RESIDENT.id) == asset_texts.IO_NOT_ORGANISER
    await harness.send(harness.build.group_command(ORGANISER, VOLUNTEERS_CHAT, "export", "assets"))
    assert harness.fake.last_text_to(VOLUNTEERS_CHAT) == asset_texts.IO_PRIVATE_ONLY
    await harness.send(harness.build.command(RESIDENT, "import", "assets"))
    assert harness.fake.last_text_to(RESIDENT.id) == asset_texts.IO_NOT_ORGANISER
