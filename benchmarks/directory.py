"""Directory search at scale: the register's real search against 1,000 to 100,000 assets.

Each size gets a fresh SQLite file, migrated by the bot's own code (so the FTS5 index and its
triggers are the real ones) and bulk-loaded with the stdlib sqlite3 module: 1,000
neighbourhoods, assets spread over them with titles, tags and descriptions drawn from a
Zipf-distributed vocabulary (a few words are very common, most are rare), a third of them
public. Then `storage.directory.search.search` is timed through aiosqlite and `Database.read()`,
as the bot runs it, for a member of one neighbourhood searching one or two words (the
directory), for the related-assets lookup of a new request (any of a category's words, one
neighbourhood), and, as the baseline measured in the same run, the LIKE fallback the bot uses
where SQLite lacks FTS5. Opening the directory (its counts by kind) and a page of one kind are
timed too, against the queries before issue 17 (benchmarks.reference) as their baseline.

Beside SQLite, in the same run: each seeded file is copied into a throwaway PostgreSQL cluster
(benchmarks.postgres) and the same searches are timed through `PostgresDatabase`, with the
floor of any read there, the server's own time and PostgreSQL's plan (the tsvector index).
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from benchmarks import postgres as pg
from benchmarks import postgres_seed as pg_seed
from benchmarks import reference as today
from benchmarks.common import print_table, summarise
from config.asset_texts import CATEGORY_KEYWORDS
from storage.database import Database
from storage.directory import search as asset_search
from storage.directory.search import Scope
from storage.sqlite_database import SqliteDatabase
from storage.timefmt import to_db

NEIGHBOURHOODS = 1_000
FULL_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
FULL_QUERIES = 500
QUICK_QUERIES = 100
LIKE_QUERIES_FULL = 50  # the baseline scans every row: fewer queries keep the run short
LIKE_QUERIES_QUICK = 20
WARMUP_QUERIES = 20
PAGE = 6  # the directory asks for one page of five plus one, to know if there is a next
VOCABULARY = 3_000
KINDS = ("individual", "associational", "organisational", "physical", "economic", "cultural")
VISIBILITIES = ("public", "members", "members", "organisers")
TARGET_SIZE = 100_000
# Issue 17: p99 under 10 ms at 100,000 assets, growing less than x3 from 1,000.
TARGET_P99_MS = 10.0
TARGET_GROWTH = 3.0
BROWSE_PAGES = 4  # browsing a kind: one of its first pages


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words (the category keywords among the commonest) and Zipf weights, commonest first."""
    keywords = sorted({w for words in CATEGORY_KEYWORDS.values() for w in words})
    made = [
        "".join(rng.choice("bcdfghjklmnprstvwz") + rng.choice("aeiou") for _ in range(3))
        for _ in range(VOCABULARY)
    ]
    words = list(dict.fromkeys([*made[:20], *keywords, *made[20:]]))
    return words, [1.0 / (rank + 1) for rank in range(len(words))]


def seed_database(path: Path, assets: int, seed: int = 4) -> float:
    """Bulk-load neighbourhoods and assets (the FTS triggers index them); returns seconds."""
    started = time.perf_counter()
    rng = random.Random(seed)
    words, weights = _vocabulary(rng)
    stamp = to_db(datetime.now(UTC))

    def text(count: int) -> str:
        return " ".join(rng.choices(words, weights, k=count))

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO neighbourhoods (id, name, created_at) VALUES (?, ?, ?)",
            ((n, f"Neighbourhood {n}", stamp) for n in range(1, NEIGHBOURHOODS + 1)),
        )
        conn.executemany(
            "INSERT INTO assets (neighbourhood_id, kind, title, description, tags, visibility, "
            "status, source, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'published', 'import', ?, ?)",
            (
                (rng.randint(1, NEIGHBOURHOODS), rng.choice(KINDS), text(rng.randint(2, 4)).title(),
                 text(rng.randint(8, 25)), ", ".join(rng.choices(words, weights, k=3)),
                 rng.choice(VISIBILITIES), stamp, stamp)
                for _ in range(assets)
            ),
        )  # fmt: skip
        conn.execute("COMMIT")
        conn.execute("PRAGMA optimize")
    finally:
        conn.close()
    return time.perf_counter() - started


def _requests(
    queries: int, rng: random.Random, words: list[str], weights: list[float], *,
    related: bool = False,
) -> list[dict[str, Any]]:  # fmt: skip
    """Searches (warm-up first) by a member of a random neighbourhood: one or two words, or,
    for the related assets of a new request, any of a category's words in one neighbourhood."""
    categories = [c for c, keywords in CATEGORY_KEYWORDS.items() if keywords]
    requests: list[dict[str, Any]] = []
    for _ in range(WARMUP_QUERIES + queries):
        home = rng.randint(1, NEIGHBOURHOODS)
        request: dict[str, Any] = {"scope": Scope(member_of=frozenset({home})), "limit": PAGE}
        if related:
            request["words"] = list(CATEGORY_KEYWORDS[rng.choice(categories)])
            request.update(neighbourhood_id=home, any_word=True)
        else:
            request["words"] = rng.choices(words, weights, k=rng.choice((1, 1, 2)))
        requests.append(request)
    return requests


async def _time(
    db: Database, requests: list[dict[str, Any]], *, like: bool = False
) -> tuple[dict[str, Any], list[list[Any]]]:
    """Time the searches (after the warm-up); the mean number of results found, and every
    search's results."""
    durations: list[float] = []
    answers: list[list[Any]] = []
    original = asset_search.fts_enabled
    if like:

        async def no_fts(conn: object) -> bool:
            return False

        asset_search.fts_enabled = no_fts  # type: ignore[assignment]
    try:
        for params in requests:
            started = time.perf_counter()
            async with db.read() as conn:
                answers.append(await asset_search.search(conn, **params))
            durations.append(time.perf_counter() - started)
    finally:
        asset_search.fts_enabled = original  # type: ignore[assignment]
    measured = answers[WARMUP_QUERIES:]
    found = sum(len(results) for results in measured) / max(1, len(measured))
    return {**summarise(durations[WARMUP_QUERIES:]), "mean_found": found}, answers


async def _time_browsing(
    db: Database, queries: int, rng: random.Random, module: Any
) -> dict[str, dict[str, Any]]:
    """Time opening the directory (kind counts) and a page of one kind, for a member of one
    neighbourhood, with `module`'s functions (storage.directory.search, or benchmarks.reference)."""
    kinds: list[float] = []
    browse: list[float] = []
    found = 0
    for n in range(WARMUP_QUERIES + queries):
        scope = Scope(member_of=frozenset({rng.randint(1, NEIGHBOURHOODS)}))
        kind, page = rng.choice(KINDS), rng.randrange(BROWSE_PAGES)
        started = time.perf_counter()
        async with db.read() as conn:
            await module.kind_counts(conn, scope)
        counted = time.perf_counter()
        async with db.read() as conn:
            results = await module.search(
                conn, scope, [], kind=kind, offset=page * (PAGE - 1), limit=PAGE
            )
        if n >= WARMUP_QUERIES:
            kinds.append(counted - started)
            browse.append(time.perf_counter() - counted)
            found += len(results)
    return {
        "kinds": summarise(kinds),
        "browse": {**summarise(browse), "mean_found": found / max(1, queries)},
    }


async def run(quick: bool) -> dict[str, Any]:
    """Seed each size, time FTS5 search, related assets and the LIKE baseline; print growth."""
    sizes = QUICK_SIZES if quick else FULL_SIZES
    queries = QUICK_QUERIES if quick else FULL_QUERIES
    like_queries = LIKE_QUERIES_QUICK if quick else LIKE_QUERIES_FULL
    per_size: list[dict[str, Any]] = []
    words, weights = _vocabulary(random.Random(4))
    async with pg.cluster("directory") as cluster:
        with tempfile.TemporaryDirectory(prefix="bench-directory-") as folder:
            for size in sizes:
                per_size.append(
                    await _one_size(
                        Path(folder), size, cluster, queries, like_queries, words, weights
                    )
                )
    largest = per_size[-1]
    growth = _print_search(per_size)
    kinds_growth, browse_growth = _print_browsing(per_size)
    postgres = _print_postgres(per_size)
    return {
        "neighbourhoods": NEIGHBOURHOODS,
        "sizes": per_size,
        "p99_growth": round(growth, 2),
        "kinds_p99_growth": round(kinds_growth, 2),
        "browse_p99_growth": round(browse_growth, 2),
        "target": {"assets": TARGET_SIZE, "p99_ms": TARGET_P99_MS, "p99_growth": TARGET_GROWTH},
        "meets_target": {  # p99 targets are for 100,000 assets: the full run only
            row: {
                "p99": largest[row]["p99_ms"] < TARGET_P99_MS
                if largest["assets"] >= TARGET_SIZE
                else None,
                "growth": ratio < TARGET_GROWTH,
            }
            for row, ratio in (
                ("search", growth),
                ("kinds", kinds_growth),
                ("browse", browse_growth),
            )
        },
        "postgres": postgres,
    }


async def _one_size(
    folder: Path,
    size: int,
    cluster: Any,
    queries: int,
    like_queries: int,
    words: list[str],
    weights: list[float],
) -> dict[str, Any]:
    """Seed one size and time it on SQLite, then (with a cluster) on PostgreSQL."""
    path = folder / f"directory-{size}.sqlite3"
    db = SqliteDatabase(path)
    await db.open()
    await db.migrate()
    await db.close()
    seconds = seed_database(path, size)
    rng = random.Random(5)
    searches = _requests(queries, rng, words, weights)
    related_searches = _requests(queries, rng, words, weights, related=True)
    like_searches = _requests(like_queries, rng, words, weights)
    await db.open()
    try:
        search, search_answers = await _time(db, searches)
        related, related_answers = await _time(db, related_searches)
        like, _ = await _time(db, like_searches, like=True)
        browsing = await _time_browsing(db, queries, random.Random(6), asset_search)
        browsing_before = await _time_browsing(db, like_queries, random.Random(6), today)
    finally:
        await db.close()
    postgres = await pg_seed.copy_seed(cluster, f"directory_{size}", path)  # the same rows
    url = postgres.pop("url", None)
    if url is not None:
        try:
            for name, requests, answers in (
                ("search", searches, search_answers),
                ("related", related_searches, related_answers),
            ):
                postgres[name] = await pg.time_same_reads(
                    url, requests, asset_search.search, answers, warmup=WARMUP_QUERIES
                )
        except asyncpg.PostgresError as error:  # a storage query not yet ported, say
            postgres = {"error": f"directory search failed: {pg.not_measured(error)}"}
    figures = {
        "assets": size,
        "seed_seconds": round(seconds, 1),
        "db_mb": round(path.stat().st_size / 1e6, 1),
        "search": search,
        "related": related,
        "like_baseline": like,
        **browsing,
        "before": browsing_before,
        "postgres": postgres or None,
    }
    path.unlink()
    return figures


def _print_postgres(per_size: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Print PostgreSQL's columns beside SQLite's (search, related); None when not measured."""
    figures = {}
    for row in ("search", "related"):
        beside = [
            (
                f"{r['assets']:,}",
                r[row],
                r["postgres"]
                if "error" in r["postgres"]
                else {"copy_seconds": r["postgres"]["copy_seconds"], **r["postgres"][row]},
            )
            for r in per_size
            if r["postgres"]
        ]
        figures[row] = pg.print_beside(
            f"directory {row}: PostgreSQL beside SQLite (same run, same rows, same searches)",
            "assets",
            beside,
        )
    if any(figures.values()):
        print(
            "differ: PostgreSQL ranks by ts_rank over the tsvector, SQLite by FTS5's bm25: "
            "pages of equally good matches may hold different assets"
        )
    return figures if any(figures.values()) else None


def _print_search(per_size: list[dict[str, Any]]) -> float:
    """Print the word-search table; return its p99 growth from the smallest size to the largest."""
    smallest, largest = per_size[0], per_size[-1]
    growth = _ratio(largest["search"]["p99_ms"], smallest["search"]["p99_ms"])
    print_table(
        f"directory search, {NEIGHBOURHOODS:,} neighbourhoods, a member of one searching",
        ("assets", "seed s", "p50 ms", "p99 ms", "found", "related p99", "LIKE p50", "LIKE/FTS"),
        [
            (
                f"{r['assets']:,}",
                r["seed_seconds"],
                r["search"]["p50_ms"],
                r["search"]["p99_ms"],
                round(r["search"]["mean_found"], 1),
                r["related"]["p99_ms"],
                r["like_baseline"]["p50_ms"],
                f"x{_ratio(r['like_baseline']['p50_ms'], r['search']['p50_ms']):.1f}",
            )
            for r in per_size
        ],
    )
    print(
        f"p99 growth {smallest['assets']:,} -> {largest['assets']:,} assets: x{growth:.2f} "
        f"while the register grows x{largest['assets'] / smallest['assets']:.0f}; the LIKE "
        f"baseline is a full scan and grows with it"
    )
    return growth


def _print_browsing(per_size: list[dict[str, Any]]) -> tuple[float, float]:
    """Print the kind counts and browsing table; return their p99 growths."""
    smallest, largest = per_size[0], per_size[-1]
    print_table(
        "opening the directory (kind counts) and browsing a kind, a member of one neighbourhood",
        ("assets", "kinds p50", "kinds p99", "before p99", "browse p50", "browse p99",
         "before p99", "found"),
        [
            (
                f"{r['assets']:,}",
                r["kinds"]["p50_ms"],
                r["kinds"]["p99_ms"],
                r["before"]["kinds"]["p99_ms"],
                r["browse"]["p50_ms"],
                r["browse"]["p99_ms"],
                r["before"]["browse"]["p99_ms"],
                round(r["browse"]["mean_found"], 1),
            )
            for r in per_size
        ],
    )  # fmt: skip
    kinds_growth = _ratio(largest["kinds"]["p99_ms"], smallest["kinds"]["p99_ms"])
    browse_growth = _ratio(largest["browse"]["p99_ms"], smallest["browse"]["p99_ms"])
    print(
        f"p99 growth {smallest['assets']:,} -> {largest['assets']:,}: kind counts "
        f"x{kinds_growth:.2f}, browsing x{browse_growth:.2f} ('before' is the query before "
        f"issue 17, benchmarks.reference, on the same database); target for every directory "
        f"row: p99 under {TARGET_P99_MS:.0f} ms at {TARGET_SIZE:,}, "
        f"growth under x{TARGET_GROWTH:.0f}"
    )
    return kinds_growth, browse_growth


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0
