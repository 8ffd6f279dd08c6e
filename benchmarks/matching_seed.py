"""Seeding a city-sized SQLite database for the matching benchmark (and start-up's RSS check).

The file is migrated by the bot's own code and then bulk-loaded with the stdlib sqlite3 module:
1,000 neighbourhoods, the volunteers spread over them (consent, approved membership, offer, 1-3
categories, languages), some residents, a history of closed requests for the fairness ranking and
a few open requests with their alerts; the matching pool and the volunteers' counters are then
derived by the migration's own backfill SQL. The same seed gives the same rows: the random draws
are made in a fixed order, so figures can be compared across runs.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.volunteers.volunteering import CATEGORIES
from storage.schema_scale import REBUILD_POOL, RECOUNT_ALL_VOLUNTEERS
from storage.sqlite_database import SqliteDatabase
from storage.timefmt import to_db

NEIGHBOURHOODS = 1_000
OPEN_REQUESTS = 50
BATCH = 5
HISTORY_DAYS = 60
LANGUAGES = ("en", "en", "en", "pl", "ur", "bn", "pa", "so", "ro", "es")
CONSENT_VERSION = "1"


@dataclass(frozen=True)
class Seeded:
    """What a seeded database holds, for picking realistic query parameters."""

    path: Path
    volunteers: int
    people: int
    neighbourhoods: int
    requests: int
    open_request_ids: tuple[int, ...]
    seconds: float


@dataclass(frozen=True)
class _Town:
    """The sizes being seeded; people 1..volunteers are the volunteers, the rest residents."""

    neighbourhoods: int
    volunteers: int
    people: int
    home: list[int]  # each person's neighbourhood, by person id (index 0 unused)


async def seed_database(
    path: Path,
    *,
    volunteers: int,
    requests: int,
    neighbourhoods: int = NEIGHBOURHOODS,
    seed: int = 8,
) -> Seeded:
    """Create, migrate and bulk-load a database for a city-sized deployment."""
    started = time.perf_counter()
    await migrate_file(path)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamp = to_db(now)
    people = volunteers + max(1_000, volunteers // 2)
    town = _Town(
        neighbourhoods=neighbourhoods,
        volunteers=volunteers,
        people=people,
        home=[0] + [rng.randint(1, neighbourhoods) for _ in range(people)],
    )
    conn = _bulk_connection(path)
    try:
        triggers = _drop_copy_triggers(conn)
        # The loads below draw from rng in turn: keep their order, or the seed's rows change.
        _load_people(conn, rng, town, stamp)
        _load_volunteers(conn, rng, town, now, stamp)
        _load_history(conn, rng, town, now, requests)
        open_ids = _load_open_requests(conn, rng, town, stamp, first_id=requests + 1)
        _derive_copies(conn, triggers)
    finally:
        conn.close()
    return Seeded(
        path=path,
        volunteers=volunteers,
        people=people,
        neighbourhoods=neighbourhoods,
        requests=requests,
        open_request_ids=open_ids,
        seconds=time.perf_counter() - started,
    )


async def migrate_file(path: Path) -> None:
    """Create the database file and bring it to the current schema with the bot's own code."""
    db = SqliteDatabase(path)
    await db.open()
    try:
        await db.migrate()
    finally:
        await db.close()


def _bulk_connection(path: Path) -> sqlite3.Connection:
    """A stdlib connection set up for bulk loading (autocommit, no fsync, a large cache)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: index pages stay in memory
    return conn


def _load(conn: sqlite3.Connection, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert the rows in one transaction."""
    conn.execute("BEGIN")
    conn.executemany(sql, rows)
    conn.execute("COMMIT")


def _load_people(conn: sqlite3.Connection, rng: random.Random, town: _Town, stamp: str) -> None:
    """The neighbourhoods, everyone (consented) and their memberships, volunteers approved."""
    _load(
        conn,
        "INSERT INTO neighbourhoods (id, name, created_at) VALUES (?, ?, ?)",
        ((n, f"Neighbourhood {n}", stamp) for n in range(1, town.neighbourhoods + 1)),
    )
    _load(
        conn,
        "INSERT INTO people (id, telegram_id, display_name, language, consent_at, "
        "consent_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (p, 50_000_000 + p, f"Person {p}", rng.choice(LANGUAGES), stamp,
             CONSENT_VERSION, stamp, stamp)
            for p in range(1, town.people + 1)
        ),
    )  # fmt: skip
    _load(
        conn,
        "INSERT INTO memberships (person_id, neighbourhood_id, role, joined_at, "
        "volunteer_status) VALUES (?, ?, 'member', ?, ?)",
        (
            (p, town.home[p], stamp, "approved" if p <= town.volunteers else None)
            for p in range(1, town.people + 1)
        ),
    )


def _load_volunteers(
    conn: sqlite3.Connection, rng: random.Random, town: _Town, now: datetime, stamp: str
) -> None:
    """The volunteers' offers, most alerted in the last 14 days, with categories and languages."""
    recent = _minutes_back(now, 14)[: 14 * 1_440]  # for last_alerted_at
    volunteer_ids = range(1, town.volunteers + 1)
    _load(
        conn,
        "INSERT INTO volunteers (person_id, availability, max_open_tasks, last_alerted_at, "
        "created_at, updated_at) VALUES (?, 7, 2, ?, ?, ?)",
        (
            (p, rng.choice(recent) if rng.random() < 0.7 else None, stamp, stamp)
            for p in volunteer_ids
        ),
    )
    _load(
        conn,
        "INSERT INTO volunteer_categories (person_id, category) VALUES (?, ?)",
        (
            (p, category)
            for p in volunteer_ids
            for category in rng.sample(CATEGORIES, rng.randint(1, 3))
        ),
    )
    _load(
        conn,
        "INSERT INTO volunteer_languages (person_id, language) VALUES (?, ?)",
        ((p, language) for p in volunteer_ids for language in {"en", rng.choice(LANGUAGES)}),
    )


def _load_history(
    conn: sqlite3.Connection, rng: random.Random, town: _Town, now: datetime, requests: int
) -> None:
    """Past requests (ids 1..requests); help_requests' indexes are rebuilt after, not kept up."""
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'help_requests' AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    held = town.volunteers // 20  # a few tasks are held right now: some volunteers are busy
    _load(
        conn,
        "INSERT INTO help_requests (id, ref, neighbourhood_id, requester_person_id, category, "
        "when_kind, starts_at, ends_at, status, assignee_person_id, thanked, created_at, "
        "updated_at, accepted_at, done_at, closed_at) "
        "VALUES (?, ?, ?, ?, ?, 'today', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _history(rng, now, requests, held, town.home, town.volunteers, town.people),
    )
    for _, sql in indexes:
        conn.execute(sql)


def _load_open_requests(
    conn: sqlite3.Connection, rng: random.Random, town: _Town, stamp: str, first_id: int
) -> tuple[int, ...]:
    """Open requests in random places, each alerted to a batch of volunteers; returns their ids."""
    open_ids = tuple(range(first_id, first_id + OPEN_REQUESTS))
    _load(
        conn,
        "INSERT INTO help_requests (id, ref, neighbourhood_id, requester_person_id, category, "
        "when_kind, starts_at, ends_at, status, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 'today', ?, ?, 'open', ?, ?)",
        (
            (i, f"B-{i}", rng.randint(1, town.neighbourhoods), rng.randint(1, town.people),
             rng.choice(CATEGORIES), stamp, stamp, stamp, stamp)
            for i in open_ids
        ),
    )  # fmt: skip
    _load(
        conn,
        "INSERT INTO request_alerts (request_id, person_id, chat_id, outbox_id, round, "
        "response, live, created_at) VALUES (?, ?, ?, 0, 1, ?, 1, ?)",
        (
            (i, p, 50_000_000 + p, rng.choice((None, None, "declined")), stamp)
            for i in open_ids
            for p in rng.sample(range(1, town.volunteers + 1), min(BATCH, town.volunteers))
        ),
    )
    return open_ids


def _drop_copy_triggers(conn: sqlite3.Connection) -> list[str]:
    """Drop the triggers that keep match_pool and the volunteers' counters in step row by row
    (a bulk load derives them once at the end instead); returns their SQL."""
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND (name LIKE 'match_pool_%' OR name LIKE 'volunteer_counters_%')"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    return [sql for _, sql in triggers]


def _derive_copies(conn: sqlite3.Connection, triggers: list[str]) -> None:
    """Derive the counters and the pool with the migration's own backfill; restore triggers."""
    conn.execute("BEGIN")
    for statement in (RECOUNT_ALL_VOLUNTEERS, *REBUILD_POOL, *triggers):
        conn.execute(statement)
    conn.execute("COMMIT")


def _minutes_back(now: datetime, days: int) -> list[str]:
    """Stored times (storage.timefmt text) of each minute from `days` days ago to 3 hours
    ahead, oldest first: seeding looks them up, as strftime would dominate its time."""
    start = now.replace(second=0, microsecond=0) - timedelta(days=days)
    midnight = start.replace(hour=0, minute=0)
    dates = [to_db(midnight + timedelta(days=d))[:11] for d in range(days + 2)]
    offset = start.hour * 60 + start.minute
    return [
        f"{dates[day]}{minute // 60:02d}:{minute % 60:02d}:00.000000Z"
        for day, minute in (divmod(offset + m, 1_440) for m in range(days * 1_440 + 180))
    ]


def _history(
    rng: random.Random,
    now: datetime,
    requests: int,
    held: int,
    home: list[int],
    volunteer_count: int,
    people_count: int,
) -> Iterator[tuple[Any, ...]]:
    """Past requests, accepted within the last 60 days; the last `held` are still assigned."""
    stamps = _minutes_back(now, HISTORY_DAYS)
    span, draw, categories = HISTORY_DAYS * 1_440 - 20, rng.random, CATEGORIES
    for i in range(1, requests + 1):
        assignee = int(draw() * volunteer_count) + 1
        minute = int(draw() * span) + 20
        created, accepted, done = stamps[minute - 20], stamps[minute], stamps[minute + 120]
        closed = i <= requests - held
        yield (
            i, f"H-{i}", home[assignee], int(draw() * people_count) + 1,
            categories[int(draw() * len(categories))], created, done,
            "closed" if closed else "assigned", assignee, int(closed and draw() < 0.3),
            created, done, accepted, done if closed else None, done if closed else None,
        )  # fmt: skip
