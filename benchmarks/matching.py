"""Matching at scale: the real matching query against 1,000 to 100,000 volunteers.

Each size gets a fresh SQLite file, migrated by the bot's own code and then bulk-loaded with
the stdlib sqlite3 module: 1,000 neighbourhoods, the volunteers spread over them (consent,
approved membership, offer, 1-3 categories, languages), some residents, and a history of closed
requests for the fairness ranking; the matching pool and the volunteers' counters are then
derived by the migration's own backfill SQL. Then `storage.volunteers.offers.match_candidates` is
timed
through aiosqlite and `Database.read()`, as the bot runs it, for random requests in random
places, and today's query (benchmarks.reference, the query before issue 17) is timed on the
same requests as the baseline, with a count of answers that differ from it.

Beside SQLite, in the same run: each seeded file is copied into a throwaway PostgreSQL
cluster (benchmarks.postgres) and the same requests are timed through `PostgresDatabase`,
with the floor of any read there, the server's own time and PostgreSQL's plan, so that a
slower column can be told apart as round trips or as a plan.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from benchmarks import postgres as pg
from benchmarks import postgres_seed as pg_seed
from benchmarks import reference as today
from benchmarks.common import print_table, summarise
from bot.volunteers.volunteering import CATEGORIES
from storage.database import Database
from storage.schema_scale import REBUILD_POOL, RECOUNT_ALL_VOLUNTEERS
from storage.sqlite_database import SqliteDatabase
from storage.timefmt import to_db
from storage.volunteers import offers as volunteers

NEIGHBOURHOODS = 1_000
FULL_SIZES = (1_000, 10_000, 100_000)
FULL_REQUESTS = 1_000_000
QUICK_SIZES = (1_000, 10_000)
QUICK_REQUESTS = 100_000
OPEN_REQUESTS = 50
FULL_QUERIES = 2_000
QUICK_QUERIES = 500
WARMUP_QUERIES = 50
BATCH = 5
FAIRNESS_WINDOW = timedelta(days=14)
HISTORY_DAYS = 60
LANGUAGES = ("en", "en", "en", "pl", "ur", "bn", "pa", "so", "ro", "es")
SLOT_MASKS = (1, 2, 4, 3, 7)
TARGET_SIZE = 100_000
TARGET_P99_MS = 1.0
TARGET_GROWTH = 2.0
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
    db = SqliteDatabase(path)
    await db.open()
    try:
        await db.migrate()
    finally:
        await db.close()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamp = to_db(now)
    residents = max(1_000, volunteers // 2)
    people_count = volunteers + residents  # ids 1..volunteers are the volunteers
    recent = _minutes_back(now, 14)[: 14 * 1_440]  # for last_alerted_at
    home = [0] + [rng.randint(1, neighbourhoods) for _ in range(people_count)]
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: index pages stay in memory

        def load(sql: str, rows: Any) -> None:
            conn.execute("BEGIN")
            conn.executemany(sql, rows)
            conn.execute("COMMIT")

        triggers = _drop_copy_triggers(conn)

        load(
            "INSERT INTO neighbourhoods (id, name, created_at) VALUES (?, ?, ?)",
            ((n, f"Neighbourhood {n}", stamp) for n in range(1, neighbourhoods + 1)),
        )
        load(
            "INSERT INTO people (id, telegram_id, display_name, language, consent_at, "
            "consent_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (p, 50_000_000 + p, f"Person {p}", rng.choice(LANGUAGES), stamp,
                 CONSENT_VERSION, stamp, stamp)
                for p in range(1, people_count + 1)
            ),
        )  # fmt: skip
        load(
            "INSERT INTO memberships (person_id, neighbourhood_id, role, joined_at, "
            "volunteer_status) VALUES (?, ?, 'member', ?, ?)",
            (
                (p, home[p], stamp, "approved" if p <= volunteers else None)
                for p in range(1, people_count + 1)
            ),
        )
        load(
            "INSERT INTO volunteers (person_id, availability, max_open_tasks, last_alerted_at, "
            "created_at, updated_at) VALUES (?, 7, 2, ?, ?, ?)",
            (
                (p, rng.choice(recent) if rng.random() < 0.7 else None, stamp, stamp)
                for p in range(1, volunteers + 1)
            ),
        )
        load(
            "INSERT INTO volunteer_categories (person_id, category) VALUES (?, ?)",
            (
                (p, category)
                for p in range(1, volunteers + 1)
                for category in rng.sample(CATEGORIES, rng.randint(1, 3))
            ),
        )
        load(
            "INSERT INTO volunteer_languages (person_id, language) VALUES (?, ?)",
            (
                (p, language)
                for p in range(1, volunteers + 1)
                for language in {"en", rng.choice(LANGUAGES)}
            ),
        )
        # Bulk load: drop help_requests' indexes and rebuild them from their own SQL afterwards.
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'help_requests' AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        held = volunteers // 20  # a few tasks are held right now: some volunteers are busy
        load(
            "INSERT INTO help_requests (id, ref, neighbourhood_id, requester_person_id, category, "
            "when_kind, starts_at, ends_at, status, assignee_person_id, thanked, created_at, "
            "updated_at, accepted_at, done_at, closed_at) "
            "VALUES (?, ?, ?, ?, ?, 'today', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _history(rng, now, requests, held, home, volunteers, people_count),
        )
        for _, sql in indexes:
            conn.execute(sql)
        open_ids = tuple(range(requests + 1, requests + OPEN_REQUESTS + 1))
        load(
            "INSERT INTO help_requests (id, ref, neighbourhood_id, requester_person_id, category, "
            "when_kind, starts_at, ends_at, status, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 'today', ?, ?, 'open', ?, ?)",
            (
                (i, f"B-{i}", rng.randint(1, neighbourhoods), rng.randint(1, people_count),
                 rng.choice(CATEGORIES), stamp, stamp, stamp, stamp)
                for i in open_ids
            ),
        )  # fmt: skip
        load(
            "INSERT INTO request_alerts (request_id, person_id, chat_id, outbox_id, round, "
            "response, live, created_at) VALUES (?, ?, ?, 0, 1, ?, 1, ?)",
            (
                (i, p, 50_000_000 + p, rng.choice((None, None, "declined")), stamp)
                for i in open_ids
                for p in rng.sample(range(1, volunteers + 1), min(BATCH, volunteers))
            ),
        )
        _derive_copies(conn, triggers)
    finally:
        conn.close()
    return Seeded(
        path=path,
        volunteers=volunteers,
        people=people_count,
        neighbourhoods=neighbourhoods,
        requests=requests,
        open_request_ids=open_ids,
        seconds=time.perf_counter() - started,
    )


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


async def time_matching(
    seeded: Seeded, queries: int, seed: int = 9, postgres_url: str | None = None
) -> dict[str, Any]:
    """Time match_candidates, then today's query (the baseline) on the same random requests;
    then match_candidates on PostgreSQL at postgres_url (the same rows), when given."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    requests = [
        {
            "request_id": rng.choice(seeded.open_request_ids),
            "neighbourhood_id": rng.randint(1, seeded.neighbourhoods),
            "category": rng.choice(CATEGORIES),
            "slots": rng.choice(SLOT_MASKS),
            "requester_person_id": rng.randint(1, seeded.people),
            "language": rng.choice(LANGUAGES),
            "now": now,
            "since": now - FAIRNESS_WINDOW,
            "limit": BATCH,
            "include_alerted": rng.random() < 0.2,
        }
        for _ in range(WARMUP_QUERIES + queries)
    ]
    db = SqliteDatabase(seeded.path)
    await db.open()
    try:  # each query on its own, back to back, as before issue 17: neither warms the other
        new, durations = await _timed(db, requests, volunteers.match_candidates)
        old, reference = await _timed(db, requests, today.match_candidates)
        async with db.read() as conn:
            plan = await volunteers.explain_match(conn)
    finally:
        await db.close()
    measured = slice(WARMUP_QUERIES, None)
    postgres = None
    if postgres_url is not None:
        try:
            postgres = await pg.time_same_reads(
                postgres_url, requests, volunteers.match_candidates, new, warmup=WARMUP_QUERIES
            )
        except asyncpg.PostgresError as error:  # a storage query not yet ported, say
            postgres = {"error": f"match_candidates failed: {pg.not_measured(error)}"}
    return {
        "postgres": postgres,
        **summarise(durations[measured]),
        "reference": summarise(reference[measured]),
        "mean_candidates": sum(len(c) for c in new[measured]) / max(1, queries),
        "results_differing": sum(
            [astuple(c) for c in mine] != theirs
            for mine, theirs in zip(new[measured], old[measured], strict=True)
        ),
        "plan": plan,
    }


async def _timed(
    db: Database, requests: list[dict[str, Any]], match: Callable[..., Awaitable[list[Any]]]
) -> tuple[list[list[Any]], list[float]]:
    """Each request's answer and how long it took through Database.read()."""
    answers, durations = [], []
    for params in requests:
        started = time.perf_counter()
        async with db.read() as conn:
            answers.append(await match(conn, **params))
        durations.append(time.perf_counter() - started)
    return answers, durations


async def run(quick: bool) -> dict[str, Any]:
    """Seed each size, time the matching query against today's, report p50/p99 and growth."""
    sizes = QUICK_SIZES if quick else FULL_SIZES
    history = QUICK_REQUESTS if quick else FULL_REQUESTS
    queries = QUICK_QUERIES if quick else FULL_QUERIES
    per_size: list[dict[str, Any]] = []
    async with pg.cluster("matching") as cluster:
        with tempfile.TemporaryDirectory(prefix="bench-matching-") as folder:
            for size in sizes:
                path = Path(folder) / f"matching-{size}.sqlite3"
                seeded = await seed_database(path, volunteers=size, requests=history)
                copy = await pg_seed.copy_seed(cluster, f"matching_{size}", path)  # the same rows
                timed = await time_matching(seeded, queries, postgres_url=copy.pop("url", None))
                timed["postgres"] = {**copy, **(timed["postgres"] or {})} if copy else None
                per_size.append(
                    {
                        "volunteers": size,
                        "requests": history,
                        "seed_seconds": round(seeded.seconds, 1),
                        "db_mb": round(path.stat().st_size / 1e6, 1),
                        **timed,
                    }
                )
                path.unlink()
    smallest, largest = per_size[0], per_size[-1]
    growth = _ratio(largest["p99_ms"], smallest["p99_ms"])
    reference_growth = _ratio(largest["reference"]["p99_ms"], smallest["reference"]["p99_ms"])
    _print_table(per_size, history)
    print(
        f"p99 growth {smallest['volunteers']:,} -> {largest['volunteers']:,} volunteers: "
        f"x{growth:.2f} (the old query, same run: x{reference_growth:.2f}), while volunteers "
        f"per neighbourhood grow x{largest['volunteers'] / smallest['volunteers']:.0f}; "
        f"target: p99 under {TARGET_P99_MS} ms at {TARGET_SIZE:,}, growth under x{TARGET_GROWTH}"
    )
    print("plan:\n  " + "\n  ".join(largest["plan"]))
    postgres = pg.print_beside(
        "match_candidates: PostgreSQL beside SQLite (same run, same rows, same requests)",
        "volunteers",
        [(f"{r['volunteers']:,}", r, r["postgres"]) for r in per_size if r["postgres"]],
    )
    return {
        "neighbourhoods": NEIGHBOURHOODS,
        "requests": history,
        "sizes": per_size,
        "p99_growth": round(growth, 2),
        "reference_p99_growth": round(reference_growth, 2),
        "target": {"volunteers": TARGET_SIZE, "p99_ms": TARGET_P99_MS, "p99_growth": TARGET_GROWTH},
        "meets_target": {  # the p99 target is for 100,000 volunteers: the full run only
            "p99": largest["p99_ms"] < TARGET_P99_MS
            if largest["volunteers"] >= TARGET_SIZE
            else None,
            "growth": growth < TARGET_GROWTH,
        },
        "plan": largest["plan"],
        "postgres": postgres,
    }


def _print_table(per_size: list[dict[str, Any]], history: int) -> None:
    """Print each size's timings beside today's query's, and how many answers differ."""
    print_table(
        f"match_candidates, {NEIGHBOURHOODS:,} neighbourhoods, {history:,} past requests",
        ("volunteers", "per nbhd", "seed s", "queries", "p50 ms", "p99 ms", "mean ms", "found",
         "old p50", "old p99", "old/new p99", "differ"),
        [
            (
                f"{r['volunteers']:,}",
                r["volunteers"] // NEIGHBOURHOODS,
                r["seed_seconds"],
                r["n"],
                r["p50_ms"],
                r["p99_ms"],
                r["mean_ms"],
                round(r["mean_candidates"], 1),
                r["reference"]["p50_ms"],
                r["reference"]["p99_ms"],
                f"x{_ratio(r['reference']['p99_ms'], r['p99_ms']):.1f}",
                r["results_differing"],
            )
            for r in per_size
        ],
    )  # fmt: skip


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0
