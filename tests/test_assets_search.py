"""Directory search ranking (FTS5 and the LIKE fallback), volunteer offers and related assets."""

from __future__ import annotations

import pytest

from bot.model.assets import VOLUNTEER_OFFER
from bot.volunteers.volunteering import Offer
from storage.directory import assets
from storage.directory import search as asset_search
from tests.conftest import NEIGHBOUR, ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_assets import directory, seed


async def seed_food(bot: BotHarness, nid: int) -> None:
    """Three matches for 'food' (description, tag, title, added in that order) and a miss."""
    await seed(bot, nid, "Tuesday lunch club", description="Hot food and company for all ages")
    await seed(bot, nid, "Community pantry", tags="food, tins", description="Shelves to share")
    await seed(bot, nid, "Food bank", description="Parcels for anyone in need")
    await seed(bot, nid, "Choir", description="Singing on Thursdays")


@pytest.mark.parametrize("use_fts", [True, False], ids=["fts5", "like-fallback"])
async def test_title_match_ranks_above_tag_above_description(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch, use_fts: bool
) -> None:
    async with harness.services.db.read() as conn:
        assert await asset_search.fts_enabled(conn)  # FTS5 (SQLite), search_doc (PostgreSQL)
    if not use_fts:

        async def no_fts(conn: object) -> bool:
            return False

        monkeypatch.setattr(asset_search, "fts_enabled", no_fts)
    nid, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await seed_food(harness, nid)
    found = await directory(harness, RESIDENT, "food")
    order = [found.find(x) for x in ("Food bank", "Community pantry", "Tuesday lunch club")]
    assert -1 not in order and order == sorted(order), found
    assert "Choir" not in found
    # Every word must match; prefixes match too ("pant" finds the pantry).
    assert "Community pantry" in await directory(harness, RESIDENT, "food pant")
    assert "Nothing in the directory" in await directory(harness, RESIDENT, "food choir")


async def test_volunteer_offers_are_individual_assets_kept_in_step(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    person_id = await make_volunteer(
        harness, NEIGHBOUR, code, categories=frozenset({"dog_walking"}), languages=("Welsh",)
    )
    async with harness.services.db.read() as conn:
        offers = await assets.owned_by(conn, person_id)
    assert {(a.kind, a.source, a.visibility) for a in offers} == {
        ("individual", VOLUNTEER_OFFER, "organisers"),
        ("cultural", VOLUNTEER_OFFER, "organisers"),
    }
    # Organisers find the volunteer in the directory; members do not see a private offer.
    assert "Dog walking" in await directory(harness, ORGANISER, "dog")
    await agree(harness, RESIDENT, code)
    assert "Nothing in the directory" in await directory(harness, RESIDENT, "dog")
    # Changing the offer changes the assets (and the search index with them).
    await harness.services.volunteering.save_offer(
        NEIGHBOUR.id, Offer(categories=frozenset({"lift"}), availability=7)
    )
    assert "Nothing in the directory" in await directory(harness, ORGANISER, "dog")
    assert "Lift" in await directory(harness, ORGANISER, "lift")
    await harness.send(harness.build.command(NEIGHBOUR, "myassets"))
    mine = harness.fake.last_text_to(NEIGHBOUR.id) or ""
    assert "Lift" in mine and "change it with /volunteer" in mine


async def test_a_new_request_shows_the_resident_related_assets(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    other, _ = await neighbourhood_with_invite(harness, "Oak Row")
    await make_volunteer(harness, NEIGHBOUR, code)
    await agree(harness, RESIDENT, code)
    await seed(
        harness,
        nid,
        "Elm food bank",
        tags="food",
        contact_name="Sam",
        contact_details="0161 496 0000",
    )
    await seed(harness, nid, "Grocery delivery scheme", visibility="members")
    await seed(harness, nid, "Secret food store", visibility="organisers")
    await seed(harness, nid, "Withdrawn food hub", status="withdrawn")
    await seed(harness, other, "Oak food bank")
    await seed(harness, nid, "Pharmacy run", tags="prescription")
    harness.fake.clear()
    _, ref = await ask_for_shopping(
        harness, RESIDENT, description="Milk", address="1 Test Road", phone="07700 100123"
    )
    texts = harness.fake.texts_to(RESIDENT.id)
    related = next(x for x in texts if "local resources may help" in x)
    assert ref in related and "Elm food bank" in related and "0161 496 0000" in related
    assert "Grocery delivery scheme" in related
    for hidden in ("Secret food store", "Withdrawn food hub", "Oak food bank", "Pharmacy run"):
        assert hidden not in related
    # An extra, never instead of volunteer matching: the volunteer was still alerted, and
    # the alert lists the same local resources under the request's own lines.
    alert = next(x for x in harness.fake.texts_to(NEIGHBOUR.id) if "Can you help" in x)
    assert alert.index(ref) < alert.index("Local resources that may help")
    assert "Elm food bank" in alert and "Secret food store" not in alert
    alert_call = harness.fake.calls_to("sendMessage", NEIGHBOUR.id)[-1]
    assert alert_call.params["reply_markup"]["inline_keyboard"]  # Accept is still there
    assert "alerted 1 volunteer" in texts[-1]
