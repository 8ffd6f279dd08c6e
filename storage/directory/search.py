"""Searching the register: full text ranked by column (title > tags > description), LIKE fallback.

SQLite searches its FTS5 index, ranked by bm25; PostgreSQL the `assets.search_doc` tsvector
(title, tags, description weighted A, B, C), ranked by ts_rank with the same column weights.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.model.assets import VOLUNTEER_OFFER, Asset
from storage.database import Connection
from storage.dialect import indexed_by, like, nocase, unindexed
from storage.directory.assets import SELECT_ASSETS, asset_from_row

VISIBILITIES = ("public", "members", "organisers")
# bm25 weights of the FTS columns (title, tags, description, search_scope): a title match
# counts most; the scope tokens only filter.
_BM25 = "bm25(assets_fts, 10.0, 4.0, 1.0, 0.0)"
_TEXT_COLUMNS = "{title tags description}"
# PostgreSQL's score per word: ts_rank weighs the D, C, B, A lexemes (none, description, tags,
# title) as bm25 weighs the columns, 1 : 4 : 10. A word repeated in a column never outweighs it
# once in a better column, so a title match ranks before a tags one before a description one.
_TS_QUERY = (
    "to_tsquery('assets_search', ?)"  # the text search configuration search_doc is built with
)
_TS_RANK = f"ts_rank(CAST('{{0, 0.1, 0.4, 1.0}}' AS float4[]), a.search_doc, {_TS_QUERY})"


def _like_score(conn: Connection) -> str:
    """The LIKE fallback's score per word: the same order, as whole tiers."""
    op = like(conn)
    return (
        f"(CASE WHEN a.title {op} ? ESCAPE '\\' THEN 100 WHEN a.tags {op} ? ESCAPE '\\' THEN 10 "
        f"WHEN a.description {op} ? ESCAPE '\\' THEN 1 ELSE 0 END)"
    )


@dataclass(frozen=True)
class Scope:
    """Who is looking: public assets, members' ones where they belong, all where they organise."""

    member_of: frozenset[int] = field(default_factory=frozenset)
    organiser_of: frozenset[int] = field(default_factory=frozenset)
    everywhere: bool = False

    def organises(self, neighbourhood_id: int) -> bool:
        """Whether this viewer organises the neighbourhood."""
        return self.everywhere or neighbourhood_id in self.organiser_of

    def belongs(self, neighbourhood_id: int) -> bool:
        """Whether this viewer is a member (or organiser) of the neighbourhood."""
        return neighbourhood_id in self.member_of or self.organises(neighbourhood_id)


async def fts_enabled(conn: Connection) -> bool:
    """Whether the register's full-text index exists (PostgreSQL's migrations always make it)."""
    if conn.dialect == "postgres":
        return True
    return (
        await conn.fetchrow(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'assets_fts'"
        )
        is not None
    )


def _visible(conn: Connection, scope: Scope) -> tuple[str, list[object]]:
    """The WHERE clause (and its parameters) of what the scope may see, published only.

    The LIKE fallback reads every asset anyway: "+a.status" keeps SQLite from reading a quarter
    of them through the browsing index (status first) instead, a row lookup each, 4x slower.
    """
    published = f"{unindexed(conn, 'a.status')} = 'published'"
    if scope.everywhere:
        return published, []
    parts, params = ["a.visibility = 'public'"], []
    if scope.member_of:
        parts.append(
            f"(a.visibility = 'members' AND a.neighbourhood_id IN ({_marks(scope.member_of)}))"
        )
        params += sorted(scope.member_of)
    if scope.organiser_of:
        parts.append(f"a.neighbourhood_id IN ({_marks(scope.organiser_of)})")
        params += sorted(scope.organiser_of)
    return f"{published} AND ({' OR '.join(parts)})", params


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
    where, params = _visible(conn, scope)
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
        return _Query("assets a", where, params, nocase(conn, "a.title"), [])
    if await fts_enabled(conn):
        if conn.dialect == "postgres":
            return _ts_query(words, "|" if any_word else "&", where, params)
        quoted = joiner.join(f'"{w}"*' for w in words)
        text = f"{_TEXT_COLUMNS}: ({quoted})"
        match = _scope_match(scope, text, kind, neighbourhood_id, include_offers)
        return _Query(
            "assets_fts", "assets_fts MATCH ?", [match], _BM25, [], key="assets_fts.rowid"
        )
    patterns = ["%" + re.sub(r"([%_\\])", r"\\\1", w) + "%" for w in words]
    triples = [p for pattern in patterns for p in (pattern, pattern, pattern)]
    like_score = _like_score(conn)
    matches = joiner.join(f"{like_score} > 0" for _ in patterns)
    score = " + ".join(like_score for _ in patterns)
    return _Query(
        "assets a", f"({matches}) AND {where}", [*triples, *params], f"{score} DESC", triples
    )


def _ts_query(words: list[str], joiner: str, where: str, params: list[object]) -> _Query:
    """PostgreSQL's full-text search: the words as prefixes, ranked by the sum of their scores.

    Each word is scored alone (as bm25 sums its terms), not by ts_rank's proximity of words.
    """
    prefixes = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "':*" for w in words]
    return _Query(
        "assets a",
        f"a.search_doc @@ {_TS_QUERY} AND {where}",
        [f" {joiner} ".join(prefixes), *params],
        " + ".join(_TS_RANK for _ in prefixes) + " DESC",
        prefixes,
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
    if not words:
        ids = await _browse(
            conn, scope, kind=kind, neighbourhood_id=neighbourhood_id,
            include_offers=include_offers, offset=offset, limit=limit,
        )  # fmt: skip
        return await _in_order(conn, ids)
    query = await _query(
        conn,
        scope,
        words,
        kind=kind,
        neighbourhood_id=neighbourhood_id,
        any_word=any_word,
        include_offers=include_offers,
    )
    if conn.dialect == "postgres":
        # A plan cached for any words may AND the text index with a neighbourhood's rows (12 ms
        # at 100,000 assets, against 0.2 ms planned for these words): plan each search. The
        # pool resets the setting when the connection goes back.
        await conn.execute("SET plan_cache_mode = force_custom_plan")
    # Rank ids only, then read the page's rows: sorting whole rows (with their joins) for every
    # match would cost more than the ranking itself once a common word matches thousands.
    ranked = (
        f"SELECT {query.key} FROM {query.source} WHERE {query.where} "
        f"ORDER BY {query.order}, {query.key} LIMIT ? OFFSET ?"
    )
    ids = [
        r[0] for r in await conn.fetch(ranked, *query.params, *query.order_params, limit, offset)
    ]
    return await _in_order(conn, ids)


async def _in_order(conn: Connection, ids: list[int]) -> list[Asset]:
    """The assets with these ids, in this order (those no longer readable left out)."""
    if not ids:
        return []
    found = {
        a.id: a
        for a in await _fetch(
            conn, SELECT_ASSETS + f"WHERE a.id IN ({','.join('?' * len(ids))})", list(ids)
        )
    }
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class _Part:
    """A disjoint part of what a scope sees.

    Published assets of one visibility across the city (`visibility` set: asset_kind_counts
    counts them), or of some neighbourhoods.
    """

    where: str
    params: list[object]
    visibility: str | None = None

    def source(self, conn: Connection) -> str:
        """The FROM of the part, naming SQLite the index of a neighbourhoods' part.

        Without it the planner may walk the city's assets in title order to find a few.
        """
        return (
            "assets a" if self.visibility else indexed_by(conn, "assets a", "assets_browse_local")
        )


def _parts(scope: Scope) -> list[_Part]:
    """What the scope may see (the rule of _visible), as disjoint parts an index reads in order.

    Browsing and counting read each part from its own index range instead of testing the
    visibility rule on every asset: public assets (or, for everyone's organisers, each
    visibility) across the city, then the neighbourhoods the viewer organises or belongs to.
    """
    if scope.everywhere:
        return [
            _Part("a.status = 'published' AND a.visibility = ?", [v], visibility=v)
            for v in VISIBILITIES
        ]
    parts = [_Part("a.status = 'published' AND a.visibility = 'public'", [], visibility="public")]
    if scope.organiser_of:
        parts.append(
            _Part(
                "a.status = 'published' AND a.visibility IN ('members', 'organisers') "
                f"AND a.neighbourhood_id IN ({_marks(scope.organiser_of)})",
                sorted(scope.organiser_of),
            )
        )
    members_only = scope.member_of - scope.organiser_of
    if members_only:
        parts.append(
            _Part(
                "a.status = 'published' AND a.visibility = 'members' "
                f"AND a.neighbourhood_id IN ({_marks(members_only)})",
                sorted(members_only),
            )
        )
    return parts


async def _browse(
    conn: Connection,
    scope: Scope,
    *,
    kind: str | None,
    neighbourhood_id: int | None,
    include_offers: bool,
    offset: int,
    limit: int,
) -> list[int]:
    """Ids of one page of the visible assets by title, for browsing without words.

    Each part gives its first offset + limit in index order; the page is cut from their merge.
    """
    filters, filter_params = "", []
    if kind is not None:
        filters += " AND a.kind = ?"
        filter_params.append(kind)
    if neighbourhood_id is not None:
        filters += " AND a.neighbourhood_id = ?"
        filter_params.append(neighbourhood_id)
    if not include_offers:
        filters += " AND a.source != ?"
        filter_params.append(VOLUNTEER_OFFER)
    selects, params = [], []
    for n, part in enumerate(_parts(scope)):
        selects.append(
            f"SELECT id, title FROM (SELECT a.id, a.title FROM {part.source(conn)} "
            f"WHERE {part.where}{filters} ORDER BY {nocase(conn, 'a.title')}, a.id LIMIT ?) "
            f"AS part{n}"
        )
        params += [*part.params, *filter_params, offset + limit]
    rows = await conn.fetch(
        f"SELECT id FROM ({' UNION ALL '.join(selects)}) AS parts "
        f"ORDER BY {nocase(conn, 'title')}, id LIMIT ? OFFSET ?",
        *params,
        limit,
        offset,
    )
    return [r[0] for r in rows]


async def kind_counts(conn: Connection, scope: Scope) -> dict[str, int]:
    """How many visible assets there are of each kind."""
    selects, params = [], []
    city_wide = [p.visibility for p in _parts(scope) if p.visibility is not None]
    if city_wide:  # kept by triggers (schema_scale): no need to count them
        selects.append(
            "SELECT kind, published AS n FROM asset_kind_counts "
            f"WHERE visibility IN ({','.join('?' * len(city_wide))})"
        )
        params += city_wide
    for part in _parts(scope):
        if part.visibility is None:
            selects.append(
                f"SELECT a.kind, COUNT(*) FROM {part.source(conn)} WHERE {part.where} "
                "GROUP BY a.kind"
            )
            params += part.params
    rows = await conn.fetch(
        f"SELECT kind, SUM(n) AS total FROM ({' UNION ALL '.join(selects)}) AS parts "
        "GROUP BY kind HAVING SUM(n) > 0",
        *params,
    )
    return {r[0]: r[1] for r in rows}


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
    # One hop to the database thread (execute and fetch together), not three.
    return [asset_from_row(r) for r in await conn.fetch(sql, *params)]
