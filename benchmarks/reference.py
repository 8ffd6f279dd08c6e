"""The queries as they were before issue 17, kept as the reference for the faster ones.

The benchmarks time them as the baseline of the same run, and the equivalence tests
(tests/test_matching_equivalence.py, tests/test_directory_equivalence.py) check on thousands
of random cases that today's storage functions return exactly what these return. Copied
verbatim from storage/volunteers/offers.py and storage/directory/search.py at commit 4375ee4; do not
"improve" them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.model.assets import VOLUNTEER_OFFER, Asset
from storage.database import Connection
from storage.directory.assets import SELECT_ASSETS, asset_from_row
from storage.directory.search import Scope
from storage.sql import bind_named
from storage.timefmt import to_db

MATCH_CANDIDATES = """
SELECT v.person_id, p.telegram_id,
    (SELECT COUNT(*) FROM help_requests h
      WHERE h.assignee_person_id = v.person_id AND h.accepted_at >= :since) AS recent_tasks,
    EXISTS (SELECT 1 FROM help_requests t
      WHERE t.assignee_person_id = v.person_id AND t.requester_person_id = :requester
        AND t.thanked = 1) AS helped_before,
    EXISTS (SELECT 1 FROM volunteer_languages l
      WHERE l.person_id = v.person_id AND l.language = :language) AS shares_language
FROM memberships m
JOIN volunteers v ON v.person_id = m.person_id
JOIN people p ON p.id = m.person_id
WHERE m.neighbourhood_id = :neighbourhood
  AND m.volunteer_status = 'approved'
  AND m.person_id != :requester
  AND EXISTS (SELECT 1 FROM volunteer_categories c
      WHERE c.person_id = m.person_id AND c.category = :category)
  AND (v.paused_until IS NULL OR v.paused_until <= :now)
  AND (v.availability & :slots) != 0
  AND p.unreachable = 0
  AND NOT EXISTS (SELECT 1 FROM request_alerts a
      WHERE a.request_id = :request AND a.person_id = m.person_id
        AND (a.response IS NOT NULL OR :include_alerted = 0))
  AND (SELECT COUNT(*) FROM help_requests o
      WHERE o.assignee_person_id = m.person_id AND o.status = 'assigned') < v.max_open_tasks
  AND NOT EXISTS (SELECT 1 FROM required_checks r
      WHERE r.neighbourhood_id = :neighbourhood AND r.category = :category
        AND NOT EXISTS (SELECT 1 FROM volunteer_checks k
            WHERE k.person_id = m.person_id AND k.neighbourhood_id = :neighbourhood
              AND k.check_kind = r.check_kind))
ORDER BY recent_tasks ASC, v.last_alerted_at ASC NULLS FIRST, helped_before DESC,
    shares_language DESC, v.person_id ASC
LIMIT :limit
"""


async def match_candidates(
    conn: Connection,
    *,
    request_id: int,
    neighbourhood_id: int,
    category: str,
    slots: int,
    requester_person_id: int | None,
    language: str | None,
    now: datetime,
    since: datetime,
    limit: int,
    include_alerted: bool = False,
) -> list[tuple[Any, ...]]:
    """Today's matching query: (person_id, telegram_id, recent, helped, language) rows."""
    params = {
        "request": request_id,
        "neighbourhood": neighbourhood_id,
        "category": category,
        "slots": slots,
        "requester": requester_person_id if requester_person_id is not None else -1,
        "language": language or "",
        "now": to_db(now),
        "since": to_db(since),
        "limit": limit,
        "include_alerted": int(include_alerted),
    }
    query, args = bind_named(MATCH_CANDIDATES, params)
    return [
        (r["person_id"], r["telegram_id"], r["recent_tasks"], bool(r["helped_before"]),
         bool(r["shares_language"]))
        for r in await conn.fetch(query, *args)
    ]  # fmt: skip


# storage/directory/search.py before issue 17 (Scope and words_of, unchanged, are imported).
MAX_WORDS = 8
WORD_LENGTH = 40
# bm25 weights of the FTS columns (title, tags, description, search_scope): a title match
# counts most; the scope tokens only filter.
_BM25 = "bm25(assets_fts, 10.0, 4.0, 1.0, 0.0)"
_TEXT_COLUMNS = "{title tags description}"
# The LIKE fallback's score per word: the same order, as whole tiers.
_LIKE_SCORE = (
    "(CASE WHEN a.title LIKE ? ESCAPE '\\' THEN 100 WHEN a.tags LIKE ? ESCAPE '\\' THEN 10 "
    "WHEN a.description LIKE ? ESCAPE '\\' THEN 1 ELSE 0 END)"
)


async def fts_enabled(conn: Connection) -> bool:
    """Whether the register's FTS5 index exists in this database."""
    return (
        await conn.fetchrow(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'assets_fts'"
        )
        is not None
    )


def _visible(scope: Scope) -> tuple[str, list[object]]:
    """The WHERE clause (and its parameters) of what the scope may see, published only."""
    if scope.everywhere:
        return "a.status = 'published'", []
    parts, params = ["a.visibility = 'public'"], []
    if scope.member_of:
        parts.append(
            f"(a.visibility = 'members' AND a.neighbourhood_id IN ({_marks(scope.member_of)}))"
        )
        params += sorted(scope.member_of)
    if scope.organiser_of:
        parts.append(f"a.neighbourhood_id IN ({_marks(scope.organiser_of)})")
        params += sorted(scope.organiser_of)
    return f"a.status = 'published' AND ({' OR '.join(parts)})", params


def _scope_match(
    scope: Scope, text: str, kind: str | None, neighbourhood_id: int | None, offers: bool
) -> str:
    """An FTS5 query: the words, and the visibility filter as search_scope tokens (schema 4)."""
    parts, excluded = [text], []
    if scope.everywhere:
        excluded.append("unpublished")
    else:  # these tokens exist on published assets only
        allowed = ["public"]
        allowed += [f"m{n}" for n in sorted(scope.member_of)]
        allowed += [f"n{n}" for n in sorted(scope.organiser_of)]
        parts.append(f"search_scope: ({' OR '.join(allowed)})")
    if kind is not None:
        parts.append(f"search_scope: {re.sub(r'[^a-z]', '', kind)}")
    if neighbourhood_id is not None:
        parts.append(f"search_scope: n{int(neighbourhood_id)}")
    if not offers:
        excluded.append("offer")
    match = " AND ".join(parts)
    return f"({match}) NOT search_scope: ({' OR '.join(excluded)})" if excluded else match


def _marks(values: frozenset[int]) -> str:
    return ",".join("?" * len(values))


@dataclass(frozen=True)
class _Query:
    """FROM and WHERE of a search, and its ORDER BY, each with its parameters."""

    source: str
    where: str
    params: list[object]
    order: str
    order_params: list[object]
    key: str = "a.id"


async def _query(
    conn: Connection,
    scope: Scope,
    words: list[str],
    *,
    kind: str | None,
    neighbourhood_id: int | None,
    any_word: bool,
    include_offers: bool,
) -> _Query:
    where, params = _visible(scope)
    if kind is not None:
        where += " AND a.kind = ?"
        params.append(kind)
    if neighbourhood_id is not None:
        where += " AND a.neighbourhood_id = ?"
        params.append(neighbourhood_id)
    if not include_offers:
        where += " AND a.source != ?"
        params.append(VOLUNTEER_OFFER)
    joiner = " OR " if any_word else " AND "
    if not words:
        return _Query("assets a", where, params, "a.title COLLATE NOCASE", [])
    if await fts_enabled(conn):
        quoted = joiner.join(f'"{w}"*' for w in words)
        text = f"{_TEXT_COLUMNS}: ({quoted})"
        match = _scope_match(scope, text, kind, neighbourhood_id, include_offers)
        return _Query(
            "assets_fts", "assets_fts MATCH ?", [match], _BM25, [], key="assets_fts.rowid"
        )
    patterns = ["%" + re.sub(r"([%_\\])", r"\\\1", w) + "%" for w in words]
    triples = [p for pattern in patterns for p in (pattern, pattern, pattern)]
    matches = joiner.join(f"{_LIKE_SCORE} > 0" for _ in patterns)
    score = " + ".join(_LIKE_SCORE for _ in patterns)
    return _Query(
        "assets a", f"({matches}) AND {where}", [*triples, *params], f"{score} DESC", triples
    )


async def search(
    conn: Connection,
    scope: Scope,
    words: list[str],
    *,
    kind: str | None = None,
    neighbourhood_id: int | None = None,
    any_word: bool = False,
    include_offers: bool = True,
    offset: int = 0,
    limit: int = 10,
) -> list[Asset]:
    """Visible assets matching the words (all of them, or any), best match first."""
    query = await _query(
        conn,
        scope,
        words,
        kind=kind,
        neighbourhood_id=neighbourhood_id,
        any_word=any_word,
        include_offers=include_offers,
    )
    # Rank ids only, then read the page's rows: sorting whole rows (with their joins) for every
    # match would cost more than the ranking itself once a common word matches thousands.
    ranked = (
        f"SELECT {query.key} FROM {query.source} WHERE {query.where} "
        f"ORDER BY {query.order}, {query.key} LIMIT ? OFFSET ?"
    )
    ids = [
        r[0] for r in await conn.fetch(ranked, *query.params, *query.order_params, limit, offset)
    ]
    if not ids:
        return []
    found = {
        a.id: a
        for a in await _fetch(
            conn, SELECT_ASSETS + f"WHERE a.id IN ({','.join('?' * len(ids))})", list(ids)
        )
    }
    return [found[i] for i in ids if i in found]


async def kind_counts(conn: Connection, scope: Scope) -> dict[str, int]:
    """How many visible assets there are of each kind."""
    where, params = _visible(scope)
    return {
        r[0]: r[1]
        for r in await conn.fetch(
            f"SELECT a.kind, COUNT(*) FROM assets a WHERE {where} GROUP BY a.kind", *params
        )
    }


async def count_matching(conn: Connection, neighbourhood_id: int, words: list[str]) -> int:
    """Published register assets (not volunteer offers) of a neighbourhood matching any word."""
    query = await _query(
        conn,
        Scope(everywhere=True),
        words,
        kind=None,
        neighbourhood_id=neighbourhood_id,
        any_word=True,
        include_offers=False,
    )
    row = await conn.fetchrow(
        f"SELECT COUNT(*) FROM {query.source} WHERE {query.where}", *query.params
    )
    return int(row[0]) if row else 0


async def _fetch(conn: Connection, sql: str, params: list[object]) -> list[Asset]:
    return [asset_from_row(r) for r in await conn.fetch(sql, *params)]
