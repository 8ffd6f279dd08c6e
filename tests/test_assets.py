"""The asset register through the real Application: propose, approve, find, edit, verify."""

from __future__ import annotations

from bot.callback_data import pack
from config import asset_texts
from storage import audit
from tests.conftest import NEIGHBOUR, ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, neighbourhood_with_invite
from tests.flows_assets import (
    OUTSIDER,
    asset,
    directory,
    newest_asset,
    offer,
    seed,
    set_self_publish,
)


def answers(bot: BotHarness) -> list[str]:
    """Texts of every answerCallbackQuery (alerts shown on a press), in order."""
    return [str(c.params.get("text", "")) for c in bot.fake.calls_to("answerCallbackQuery")]


async def two_neighbourhoods(bot: BotHarness) -> tuple[int, int]:
    """Elm Park with RESIDENT, Oak Row with NEIGHBOUR, and OUTSIDER who joined nothing."""
    elm, elm_code = await neighbourhood_with_invite(bot, "Elm Park")
    oak, oak_code = await neighbourhood_with_invite(bot, "Oak Row")
    await agree(bot, RESIDENT, elm_code)
    await agree(bot, NEIGHBOUR, oak_code)
    await agree(bot, OUTSIDER)
    return elm, oak


async def test_proposed_asset_is_approved_then_found_with_visibility_honoured(
    harness: BotHarness,
) -> None:
    elm, oak = await two_neighbourhoods(harness)
    await offer(
        harness,
        RESIDENT,
        kind="organisational",
        title="St Mary's <Food> Bank",
        description="Free groceries every Tuesday",
        tags="food, groceries",
        availability="Tuesdays 10-12",
        visibility="members",
        contact="Jo Bloggs, 07700 900123",
    )
    proposed = await newest_asset(harness, elm)
    assert proposed.status == "proposed" and proposed.contact_details == "07700 900123"
    assert "once an organiser has approved it" in (harness.fake.last_text_to(RESIDENT.id) or "")
    approval = harness.fake.last_text_to(ORGANISER.id) or ""
    assert "St Mary&#x27;s &lt;Food&gt; Bank" in approval and "proposed by Rita" in approval
    # Not shown to anyone until approved, not even to the organiser's directory.
    assert "Nothing in the directory" in await directory(harness, RESIDENT, "food")
    assert "Nothing in the directory" in await directory(harness, ORGANISER, "food")

    await harness.press(ORGANISER, pack("asset", "approve", proposed.id))
    assert (await asset(harness, proposed.id)).status == "published"
    # The message names the entry's audience, as the owner chose it.
    approved = harness.fake.last_text_to(RESIDENT.id) or ""
    assert "is now in the Elm Park community directory" in approved
    assert "shown to members of Elm Park" in approved
    # A second press (another organiser, or a double tap) changes nothing.
    await harness.press(ORGANISER, pack("asset", "reject", proposed.id))
    assert "already dealt with" in answers(harness)[-1]
    assert (await asset(harness, proposed.id)).status == "published"

    found = await directory(harness, RESIDENT, "groceries")
    assert "St Mary&#x27;s &lt;Food&gt; Bank" in found and "Jo Bloggs, 07700 900123" in found
    assert "Tuesdays 10-12" in found
    # Members' visibility: a member of another neighbourhood and a non-member see nothing.
    assert "Nothing in the directory" in await directory(harness, NEIGHBOUR, "groceries")
    assert "Nothing in the directory" in await directory(harness, OUTSIDER, "groceries")
    assert "07700 900123" in await directory(harness, ORGANISER, "groceries")

    # Public: everyone sees it; a named contact of an organisation is public too.
    await seed(
        harness,
        elm,
        "Community Fridge",
        tags="food",
        contact_name="Ann",
        contact_details="fridge@example.org",
    )
    for viewer in (NEIGHBOUR, OUTSIDER, RESIDENT):
        assert "fridge@example.org" in await directory(harness, viewer, "fridge")
    # A private person's public skill: outsiders are pointed to an organiser, not to them.
    await offer(
        harness,
        ORGANISER,
        kind="individual",
        title="Bike repairs",
        description="I fix bikes",
        visibility="public",
        neighbourhood_id=elm,
    )
    outsider_view = await directory(harness, OUTSIDER, "bike")
    assert "Bike repairs" in outsider_view and "tg://user" not in outsider_view
    assert "Ask an organiser of Elm Park" in outsider_view
    assert f"tg://user?id={ORGANISER.id}" in await directory(harness, RESIDENT, "bike")
    # Organisers only: hidden from members, shown to the organiser.
    await seed(harness, elm, "Emergency key holder", visibility="organisers")
    assert "Nothing in the directory" in await directory(harness, RESIDENT, "key holder")
    assert "Emergency key holder" in await directory(harness, ORGANISER, "key holder")
    # Another neighbourhood's members' asset stays with its members.
    await seed(harness, oak, "Oak Row allotment", visibility="members")
    assert "Oak Row allotment" in await directory(harness, NEIGHBOUR, "allotment")
    assert "Nothing in the directory" in await directory(harness, RESIDENT, "allotment")


async def test_owner_edits_and_withdraws_and_an_organiser_verifies(harness: BotHarness) -> None:
    elm, _ = await two_neighbourhoods(harness)
    await set_self_publish(harness, elm)
    await offer(
        harness,
        RESIDENT,
        kind="physical",
        title="Garden shed tools",
        description="Spades and rakes to borrow",
        visibility="members",
        contact="Rita, ring the bell at no. 4",
    )
    mine = await newest_asset(harness, elm)
    assert mine.status == "published"
    published = harness.fake.last_text_to(RESIDENT.id) or ""
    assert "is now in the Elm Park community directory, shown to members of Elm Park" in published

    await harness.send(harness.build.command(RESIDENT, "myassets"))
    assert "Garden shed tools" in (harness.fake.last_text_to(RESIDENT.id) or "")
    await harness.press(RESIDENT, pack("asset", "edit", mine.id))
    await harness.press(RESIDENT, pack("aedit", "f", "title"))
    await harness.send(harness.build.text(RESIDENT, "x"))
    assert "too short" in (harness.fake.last_text_to(RESIDENT.id) or "")
    await harness.send(harness.build.text(RESIDENT, "Garden tools library"))
    assert "Saved" in (harness.fake.last_text_to(RESIDENT.id) or "")
    await harness.press(RESIDENT, pack("asset", "edit", mine.id))
    await harness.press(RESIDENT, pack("aedit", "v", "public"))
    edited = await asset(harness, mine.id)
    assert edited.title == "Garden tools library" and edited.visibility == "public"
    assert "Garden tools library" in await directory(harness, OUTSIDER, "garden")

    # Someone else cannot edit or withdraw it (the press is checked on the server).
    await harness.press(NEIGHBOUR, pack("asset", "withdraw", mine.id))
    await harness.press(NEIGHBOUR, pack("asset", "edit", mine.id))
    assert answers(harness)[-2:] == [asset_texts.NOT_ALLOWED, asset_texts.NOT_ALLOWED]
    await harness.press(RESIDENT, pack("asset", "verify", mine.id))
    assert answers(harness)[-1] == asset_texts.NOT_ALLOWED
    assert (await asset(harness, mine.id)).verified_at is None

    # The organiser verifies it from the directory.
    listing = await directory(harness, ORGANISER, "garden")
    assert "✔️" not in listing.split("\n")[2]
    await harness.press(ORGANISER, pack("asset", "verify", mine.id))
    verified = await asset(harness, mine.id)
    assert verified.verified_at == harness.clock.now() and verified.verified_by == ORGANISER.id
    assert "Garden tools library</b> ✔️" in await directory(harness, RESIDENT, "garden")

    await harness.press(RESIDENT, pack("asset", "withdraw", mine.id))
    assert "Withdrawn" in (harness.fake.last_text_to(RESIDENT.id) or "")
    assert (await asset(harness, mine.id)).status == "withdrawn"
    assert "Nothing in the directory" in await directory(harness, RESIDENT, "garden")
    await harness.press(RESIDENT, pack("asset", "withdraw", mine.id))
    assert answers(harness)[-1] == asset_texts.NO_LONGER_AVAILABLE
    async with harness.services.db.read() as conn:
        actions = await audit.actions_for(conn, f"asset:{mine.id}")
    assert actions == [
        "asset.proposed",
        "asset.edited",
        "asset.edited",
        "asset.verified",
        "asset.withdrawn",
    ]


async def test_offer_flow_cancels_and_refuses_bad_input(harness: BotHarness) -> None:
    elm, _ = await two_neighbourhoods(harness)
    await harness.send(harness.build.command(OUTSIDER, "offer"))
    assert harness.fake.last_text_to(OUTSIDER.id) == asset_texts.OFFER_NOT_MEMBER
    await harness.send(harness.build.command(RESIDENT, "offer"))
    await harness.send(harness.build.text(RESIDENT, "a title before a kind"))
    assert harness.fake.last_text_to(RESIDENT.id) == asset_texts.OFFER_USE_BUTTONS
    await harness.press(RESIDENT, pack("aoffer", "kind", "cultural"))
    await harness.send(harness.build.text(RESIDENT, "x" * 81))
    assert "keep it to 80 characters" in (harness.fake.last_text_to(RESIDENT.id) or "")
    await harness.send(harness.build.command(RESIDENT, "cancel"))
    assert harness.fake.last_text_to(RESIDENT.id) == asset_texts.OFFER_CANCELLED
    await harness.press(RESIDENT, pack("aoffer", "kind", "cultural"))
    assert harness.fake.last_text_to(RESIDENT.id) != asset_texts.OFFER_KIND
    async with harness.services.db.read() as conn:
        from storage.directory import assets

        assert await assets.in_neighbourhoods(conn, [elm]) == []


async def test_menu_button_browses_kinds_and_pages(harness: BotHarness) -> None:
    elm, _ = await two_neighbourhoods(harness)
    await harness.press(RESIDENT, pack("menu", "directory"))
    assert harness.fake.last_text_to(RESIDENT.id) == asset_texts.DIRECTORY_EMPTY
    for number in range(7):
        await seed(harness, elm, f"Choir number {number}", kind="cultural")
    await seed(harness, elm, "Repair café", kind="associational")
    await harness.press(RESIDENT, pack("menu", "directory"))
    kinds = harness.fake.calls_to("sendMessage", RESIDENT.id)[-1]
    labels = [b["text"] for row in kinds.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [
        f"{asset_texts.KIND_LABELS['associational']} (1)",
        f"{asset_texts.KIND_LABELS['cultural']} (7)",
    ]
    await harness.press(RESIDENT, pack("adir", "k", "cultural", 0))
    first = harness.fake.calls_to("editMessageText", RESIDENT.id)[-1].params["text"]
    assert "Choir number 0" in first and "Choir number 5" not in first and "page 1" in first
    await harness.press(RESIDENT, pack("adir", "k", "cultural", 1))
    second = harness.fake.calls_to("editMessageText", RESIDENT.id)[-1].params["text"]
    assert "6. " in second and "Choir number 6" in second and "Choir number 0" not in second
