"""Matching at scale: the real matching query against 1,000 to 100,000 volunteers.

Each size gets a fresh SQLite file, seeded by benchmarks.matching_seed (1,000 neighbourhoods,
the volunteers spread over them, some residents and a history of closed requests for the
fairness ranking). Then `storage.volunteers.offers.match_candidates` is timed through aiosqlite
and `Database.read()`, as the bot runs it, for random requests in random places, and today's
query (benchmarks.reference, the query before issue 17) is timed on the same requests as the
baseline, with a count of answers that differ from it.

Beside SQLite, in the same run: each seeded file is copied into a throwaway PostgreSQL
cluster (benchmarks.postgres) and the same requests are timed through `PostgresDatabase`,
with the floor of any read there, the server's own time and PostgreSQL's plan, so that a
slower column can be told apart as round trips or as a plan.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from benchmarks import postgres as pg
from benchmarks import postgres_seed as pg_seed
from benchmarks import reference as today
from benchmarks.common import print_table, summarise
from benchmarks.matching_seed import BATCH, LANGUAGES, NEIGHBOURHOODS, Seeded, seed_database
from bot.volunteers.volunteering import CATEGORIES
from storage.database import Database
from storage.sqlite_database import SqliteDatabase
from storage.volunteers import offers as volunteers

FULL_SIZES = (1_000, 10_000, 100_000)
FULL_REQUESTS = 1_000_000
QUICK_SIZES = (1_000, 10_000)
QUICK_REQUESTS = 100_000
FULL_QUERIES = 2_000
QUICK_QUERIES = 500
WARMUP_QUERIES = 50
FAIRNESS_WINDOW = timedelta(days=14)
SLOT_MASKS = (1, 2, 4, 3, 7)
TARGET_SIZE = 100_000
TARGET_P99_MS = 1.0
TARGET_GROWTH = 2.0


async def time_matching(
    seeded: Seeded, queries: int, seed: int = 9, postgres_url: str | None = None
) -> dict[str, Any]:
    """Time match_candidates, then today's query (the baseline) on the same random requests;
    then match_candidates on PostgreSQL at postgres_url (the same rows), when given."""
    requests = _random_requests(seeded, WARMUP_QUERIES + queries, seed)
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


def _random_requests(seeded: Seeded, count: int, seed: int) -> list[dict[str, Any]]:
    """match_candidates' keyword arguments for `count` random requests in random places."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    return [
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
        for _ in range(count)
    ]


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
    per_size = await _measure_sizes(sizes, history, queries)
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


async def _measure_sizes(
    sizes: tuple[int, ...], history: int, queries: int
) -> list[dict[str, Any]]:
    """Seed each size in turn, copy it into PostgreSQL and time both; one row per size."""
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
    return per_size


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
    """a / b, or 0 when b is 0."""
    return a / b if b else 0.0
