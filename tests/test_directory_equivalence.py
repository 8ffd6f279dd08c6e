"""Directory browsing and kind counts read index ranges, and find exactly what they did.

Today's asset search is kept verbatim in benchmarks/reference.py. A random register is built
and changed between rounds through the storage functions the bot uses (new assets, edits of
kind and visibility, approval and withdrawal, volunteers' offers replaced), then random
searches and counts by random viewers are compared, and the kind counts kept by triggers are
compared with a recount.

The reference is SQLite's (FTS5 ranked by bm25, COLLATE NOCASE, sqlite_master), so that
comparison runs on SQLite only. On each backend, browsing and kind counts are compared with the
visibility rules written out plainly, and the kind counts kept by triggers with a recount.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from benchmarks import reference
from bot.model.assets import VOLUNTEER_OFFER, Asset, AssetFields
from storage import people
from storage.database import Connection, Database
from storage.directory import assets
from storage.directory import search as asset_search
from storage.directory.search import Scope
from storage.organising import neighbourhoods
from storage.sqlite_database import SqliteDatabase
from storage.volunteers import offers as volunteers

SEARCHES = 3_000
COUNTS = 1_000
ROUNDS = 10
T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
KINDS = ("individual", "associational", "organisational", "physical", "economic", "cultural")
VISIBILITIES = ("organisers", "members", "members", "public")
STATUSES = ("published",) * 6 + ("proposed", "withdrawn")
SOURCES = ("import", "proposed", "organiser")
# Titles that sort the same but for case, and repeats: ties broken by id, as before.
WORDS = ("apple", "Apple", "APPLE", "bakery", "Bakery", "choir", "dog", "garden", "lift",
         "repair", "van", "welsh", "zumba", "Ünder", "älder")  # fmt: skip


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite database, where the reference's SQL runs."""
    database = SqliteDatabase(tmp_path / "directory.sqlite3")
    await database.open()
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()


class Register:
    """The random register: its neighbourhoods, assets and the people who offer help."""

    def __init__(self, rng: random.Random, words: tuple[str, ...] = WORDS) -> None:
        self.rng = rng
        self.words = words
        self.neighbourhoods: list[int] = []
        self.assets: list[int] = []
        self.helpers: list[int] = []

    def text(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(self.words, k=self.rng.randint(low, high)))

    def fields(self) -> AssetFields:
        return AssetFields(
            kind=self.rng.choice(KINDS),
            title=self.text(1, 3),
            description=self.text(0, 8),
            tags=", ".join(self.rng.sample(self.words, self.rng.randint(0, 2))),
            visibility=self.rng.choice(VISIBILITIES),
        )


async def add_asset(conn: Connection, register: Register) -> None:
    rng = register.rng
    asset_id = await assets.insert(
        conn,
        neighbourhood_id=rng.choice(register.neighbourhoods),
        owner_person_id=None,
        values=register.fields(),
        status=rng.choice(STATUSES),
        source=rng.choice(SOURCES),
        now=T0,
    )
    register.assets.append(asset_id)


async def replace_offers(conn: Connection, register: Register, person_id: int) -> None:
    """A volunteer's offer assets, deleted and written again (as saving an offer does)."""
    rng = register.rng
    await volunteers.sync_offer_assets(
        conn,
        person_id=person_id,
        neighbourhood_ids=rng.sample(register.neighbourhoods, rng.randint(0, 2)),
        entries=[
            (rng.choice(("individual", "cultural")), register.text(1, 2), "offer")
            for _ in range(rng.randint(0, 3))
        ],
        now=T0,
    )


async def build(
    db: Database, rng: random.Random, words: tuple[str, ...] = WORDS, size: int = 2_500
) -> Register:
    register = Register(rng, words)
    async with db.transaction() as conn:
        for n in range(12):
            made = await neighbourhoods.create(conn, name=f"Area {n}", created_by=None, now=T0)
            assert made is not None
            register.neighbourhoods.append(made.id)
        for telegram_id in range(7_001, 7_021):
            person = await people.record_consent(
                conn, telegram_id=telegram_id, display_name=None, language=None,
                notice_version="1", now=T0,
            )  # fmt: skip
            register.helpers.append(person.id)
            await replace_offers(conn, register, person.id)
        for _ in range(size):
            await add_asset(conn, register)
    return register


async def change_something(conn: Connection, register: Register) -> None:
    rng = register.rng
    choice = rng.randrange(4)
    if choice == 0:
        await add_asset(conn, register)
    elif choice == 1:
        await assets.update_fields(conn, rng.choice(register.assets), register.fields(), T0)
    elif choice == 2:
        await assets.set_status(conn, rng.choice(register.assets), rng.choice(STATUSES), T0)
    else:
        await replace_offers(conn, register, rng.choice(register.helpers))


def random_scope(register: Register) -> Scope:
    rng = register.rng
    if rng.random() < 0.1:
        return Scope(everywhere=True)
    return Scope(
        member_of=frozenset(rng.sample(register.neighbourhoods, rng.choice((0, 1, 1, 2, 3)))),
        organiser_of=frozenset(rng.sample(register.neighbourhoods, rng.choice((0, 0, 0, 1, 2)))),
    )


def random_search(register: Register) -> dict[str, Any]:
    rng = register.rng
    browse = rng.random() < 0.6
    return {
        "words": [] if browse else rng.sample([w.lower() for w in WORDS], rng.choice((1, 1, 2))),
        "kind": rng.choice((*KINDS, None)) if browse else rng.choice((*KINDS, None, None, None)),
        "neighbourhood_id": rng.choice(register.neighbourhoods) if rng.random() < 0.15 else None,
        "any_word": rng.random() < 0.3,
        "include_offers": rng.random() < 0.8,
        "offset": rng.choice((0, 0, 5, 10, 40)),
        "limit": rng.choice((6, 11)),
    }


async def kind_counts_recounted(conn: Connection) -> Counter[tuple[str, str]]:
    return Counter(
        (r[0], r[1])
        for r in await conn.fetch("SELECT visibility, kind FROM assets WHERE status = 'published'")
    )


async def kind_counts_kept(conn: Connection) -> Counter[tuple[str, str]]:
    return Counter(
        {
            (r[0], r[1]): r[2]
            for r in await conn.fetch("SELECT visibility, kind, published FROM asset_kind_counts")
            if r[2]
        }
    )


async def test_browsing_and_counts_find_exactly_what_they_did(sqlite_db: Database) -> None:
    db = sqlite_db
    rng = random.Random(17)
    register = await build(db, rng)
    searched = found = counts_compared = counted = browsed_deep = 0
    for _ in range(ROUNDS):
        async with db.transaction() as conn:
            for _ in range(40):
                await change_something(conn, register)
        async with db.read() as conn:
            assert await kind_counts_kept(conn) == await kind_counts_recounted(conn)
        for _ in range(SEARCHES // ROUNDS):
            scope, options = random_scope(register), random_search(register)
            words = options.pop("words")
            async with db.read() as conn:
                new = await asset_search.search(conn, scope, words, **options)
                today = await reference.search(conn, scope, words, **options)
            assert new == today, (scope, words, options)
            searched += 1
            found += bool(today)
            browsed_deep += bool(today) and not words and options["offset"] >= 10
        for _ in range(COUNTS // ROUNDS):
            scope = random_scope(register)
            async with db.read() as conn:
                new_counts = await asset_search.kind_counts(conn, scope)
                today_counts = await reference.kind_counts(conn, scope)
            assert new_counts == today_counts, scope
            counts_compared += 1
            counted += bool(today_counts)
    assert (searched, counts_compared) == (SEARCHES, COUNTS)
    assert found > SEARCHES // 2 and browsed_deep > 100  # pages past the first were compared
    assert counted > COUNTS * 3 // 4


async def test_kind_counts_follow_deletions(db: Database) -> None:
    async with db.transaction() as conn:
        made = await neighbourhoods.create(conn, name="Elm", created_by=None, now=T0)
        assert made is not None
        person = await people.record_consent(
            conn, telegram_id=7_001, display_name=None, language=None, notice_version="1", now=T0
        )
        await volunteers.sync_offer_assets(
            conn, person_id=person.id, neighbourhood_ids=[made.id],
            entries=[("individual", "Shopping", "offer"), ("cultural", "Speaks Welsh", "language")],
            now=T0 + timedelta(minutes=1),
        )  # fmt: skip
    organiser = Scope(organiser_of=frozenset({made.id}))
    async with db.read() as conn:
        assert await asset_search.kind_counts(conn, organiser) == {"individual": 1, "cultural": 1}
    async with db.transaction() as conn:
        await volunteers.sync_offer_assets(
            conn, person_id=person.id, neighbourhood_ids=[], entries=[], now=T0
        )
    async with db.read() as conn:
        assert await asset_search.kind_counts(conn, organiser) == {}
        assert await kind_counts_kept(conn) == Counter()


def may_see(scope: Scope, asset: Asset) -> bool:
    """The visibility rules, written out plainly."""
    if asset.status != "published":
        return False
    if scope.organises(asset.neighbourhood_id) or asset.visibility == "public":
        return True
    return asset.visibility == "members" and asset.neighbourhood_id in scope.member_of


async def test_browsing_and_counts_follow_the_rules_on_each_backend(db: Database) -> None:
    # ASCII titles: SQLite's NOCASE and PostgreSQL's lower() fold (and sort) them alike.
    rng = random.Random(23)
    register = await build(db, rng, tuple(w for w in WORDS if w.isascii()), size=600)
    browsed = 0
    for _ in range(4):
        async with db.transaction() as conn:
            for _ in range(40):
                await change_something(conn, register)
        async with db.read() as conn:
            assert await kind_counts_kept(conn) == await kind_counts_recounted(conn)
            everything = [assets.asset_from_row(r) for r in await conn.fetch(assets.SELECT_ASSETS)]
            for _ in range(60):
                scope, options = random_scope(register), random_search(register)
                options["words"] = []
                expected = sorted(
                    (
                        a
                        for a in everything
                        if may_see(scope, a)
                        and options["kind"] in (None, a.kind)
                        and options["neighbourhood_id"] in (None, a.neighbourhood_id)
                        and (options["include_offers"] or a.source != VOLUNTEER_OFFER)
                    ),
                    key=lambda a: (a.title.lower(), a.id),
                )
                page = expected[options["offset"] : options["offset"] + options["limit"]]
                words = options.pop("words")
                assert await asset_search.search(conn, scope, words, **options) == page
                browsed += bool(page)
                counts = Counter(a.kind for a in everything if may_see(scope, a))
                assert await asset_search.kind_counts(conn, scope) == dict(counts), scope
    assert browsed > 100
