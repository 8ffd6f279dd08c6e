"""The register's search in storage: full text and the LIKE fallback agree with visibility rules.

On each backend: SQLite's FTS5 index, PostgreSQL's search_doc tsvector.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bot.delivery.notify import escape_within
from bot.directory.assets import Page
from bot.directory.rules import KINDS, STATUSES, VISIBILITIES
from bot.model import assets as model_assets
from bot.model.assets import VOLUNTEER_OFFER, Asset, AssetFields
from handlers.directory.browsing import render_page
from storage.database import Connection, Database
from storage.directory import assets
from storage.directory import search as asset_search
from storage.directory.search import Scope
from storage.organising import neighbourhoods

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WORDS = ("food", "bank", "choir", "garden", "tools", "lift", "pantry", "music")


@pytest.fixture
async def db(db: Database) -> Database:
    """The backend's migrated database (tests.conftest) with 3 neighbourhoods and 300 assets."""
    rng = random.Random(7)
    async with db.transaction() as conn:
        for name in ("Elm Park", "Oak Row", "Ash Hill"):
            await neighbourhoods.create(conn, name=name, created_by=None, now=NOW)
        for _ in range(300):
            values = AssetFields(
                kind=rng.choice(KINDS),
                title=" ".join(rng.sample(WORDS, 2)).title(),
                description=" ".join(rng.choices(WORDS, k=5)),
                tags=", ".join(rng.sample(WORDS, 2)),
                visibility=rng.choice(VISIBILITIES),
            )
            await assets.insert(
                conn,
                neighbourhood_id=rng.randint(1, 3),
                owner_person_id=None,
                values=values,
                status=rng.choice(STATUSES),
                source=rng.choice(("import", "proposed", VOLUNTEER_OFFER)),
                now=NOW,
            )
    return db


def may_see(scope: Scope, asset: Asset) -> bool:
    """The visibility rules, written out plainly."""
    if asset.status != "published":
        return False
    if scope.organises(asset.neighbourhood_id) or asset.visibility == "public":
        return True
    return asset.visibility == "members" and asset.neighbourhood_id in scope.member_of


async def every_asset(conn: Connection) -> list[Asset]:
    """All 300 seeded assets, whatever their status or source."""
    found = [await assets.by_id(conn, asset_id) for asset_id in range(1, 301)]
    return [a for a in found if a is not None]


SCOPES = (
    Scope(),
    Scope(member_of=frozenset({1})),
    Scope(member_of=frozenset({1, 2}), organiser_of=frozenset({2})),
    Scope(everywhere=True),
)


@pytest.mark.parametrize("scope", SCOPES, ids=["non-member", "member", "organiser", "bootstrap"])
async def test_fts_and_like_find_exactly_what_the_rules_allow(
    db: Database, monkeypatch: pytest.MonkeyPatch, scope: Scope
) -> None:
    async with db.read() as conn:
        everything = await every_asset(conn)
        assert len(everything) == 300
        for words, kind, nid, any_word, offers in (
            (["food"], None, None, False, True),
            (["food", "bank"], None, None, False, True),
            (["choir", "lift"], None, None, True, False),
            (["garden"], "physical", None, False, True),
            (["tools"], None, 2, False, False),
        ):
            expected = {
                a.id
                for a in everything
                if may_see(scope, a)
                and (kind is None or a.kind == kind)
                and (nid is None or a.neighbourhood_id == nid)
                and (offers or a.source != VOLUNTEER_OFFER)
                and (any if any_word else all)(
                    w in f"{a.title} {a.tags} {a.description}".lower() for w in words
                )
            }
            options = {
                "kind": kind,
                "neighbourhood_id": nid,
                "any_word": any_word,
                "include_offers": offers,
                "limit": 1000,
            }
            fts = await asset_search.search(conn, scope, words, **options)
            with monkeypatch.context() as patched:

                async def no_fts(conn: Connection) -> bool:
                    return False

                patched.setattr(asset_search, "fts_enabled", no_fts)
                like = await asset_search.search(conn, scope, words, **options)
            assert {a.id for a in fts} == expected, (words, kind, nid)
            assert {a.id for a in like} == expected, (words, kind, nid)
            assert expected, "the sample should match something"


async def test_the_index_follows_changes_and_deletes(db: Database) -> None:
    async with db.transaction() as conn:
        asset_id = await assets.insert(
            conn,
            neighbourhood_id=1,
            owner_person_id=None,
            values=AssetFields(kind="physical", title="Zebra crossing", visibility="public"),
            status="published",
            source="import",
            now=NOW,
        )
    anyone = Scope()
    async with db.transaction() as conn:
        assert [a.id for a in await asset_search.search(conn, anyone, ["zebra"])] == [asset_id]
        await assets.update_fields(
            conn, asset_id, AssetFields(kind="physical", title="Pelican crossing"), NOW
        )
        assert await asset_search.search(conn, anyone, ["zebra"]) == []
        assert await asset_search.search(conn, anyone, ["pelican"]) == []  # now members only
        member = Scope(member_of=frozenset({1}))
        assert [a.id for a in await asset_search.search(conn, member, ["pelican"])] == [asset_id]
        await assets.set_status(conn, asset_id, "withdrawn", NOW)
        assert await asset_search.search(conn, member, ["pelican"]) == []
        await assets.set_status(conn, asset_id, "published", NOW)
        assert await asset_search.count_matching(conn, 1, ["pelican"]) == 1
        await conn.execute("DELETE FROM neighbourhoods WHERE id = 1")  # cascades to assets
        assert await asset_search.count_matching(conn, 1, ["pelican"]) == 0
        if conn.dialect == "sqlite":  # PostgreSQL's search_doc is a generated column
            await conn.execute("INSERT INTO assets_fts (assets_fts) VALUES ('integrity-check')")


def test_escape_within_never_exceeds_its_limit() -> None:
    assert escape_within("Fish & chips", 100) == "Fish &amp; chips"
    cut = escape_within("&" * 50, 21)
    assert cut == "&amp;" * 4 + "…" and len(cut) <= 21


def test_a_page_of_worst_case_entries_fits_one_telegram_message() -> None:
    worst = Asset(
        id=1,
        neighbourhood_id=1,
        neighbourhood_name="&" * 100,
        owner_person_id=None,
        owner_telegram_id=None,
        owner_name=None,
        kind="organisational",
        title='"' * 80,
        description="<" * 500,
        tags="&" * 30,
        availability=">" * 120,
        visibility="public",
        status="published",
        contact_name="&" * 100,
        contact_details="&" * 100,
        source="import",
        verified_at=NOW,
        verified_by=1001,
        created_at=NOW,
        updated_at=NOW,
    )
    page = Page([worst] * 5, 3, True, Scope(organiser_of=frozenset({1})))
    heading = " ".join(["x" * model_assets.WORD_LENGTH] * model_assets.MAX_WORDS)
    text, _ = render_page(page, 1001, heading, ("s",))
    assert 3_000 < len(text) <= 4096
