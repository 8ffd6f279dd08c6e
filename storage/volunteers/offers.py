"""Volunteers: what they offer, when, how many tasks, and their status per neighbourhood."""

from __future__ import annotations

from datetime import datetime

from bot.model.volunteers import MatchCandidate, VolunteerProfile
from storage.database import Connection, Row
from storage.schema_scale import RECENT_COLUMNS
from storage.sql import bind_named
from storage.timefmt import optional_from_db, to_db


async def profile(conn: Connection, person_id: int) -> VolunteerProfile | None:
    """The person's volunteer offer, if they made one."""
    row = await conn.fetchrow(
        "SELECT availability, max_open_tasks, share_phone, paused_until FROM volunteers "
        "WHERE person_id = ?",
        person_id,
    )
    if row is None:
        return None
    categories = frozenset(
        r["category"]
        for r in await conn.fetch(
            "SELECT category FROM volunteer_categories WHERE person_id = ? ORDER BY category",
            person_id,
        )
    )
    languages = tuple(
        r["language"]
        for r in await conn.fetch(
            "SELECT language FROM volunteer_languages WHERE person_id = ? ORDER BY language",
            person_id,
        )
    )
    skills = tuple(
        r["title"]
        for r in await conn.fetch(
            "SELECT DISTINCT title FROM assets WHERE owner_person_id = ? "
            "AND source = 'volunteer_offer' AND tags = 'skill' ORDER BY title",
            person_id,
        )
    )
    return VolunteerProfile(
        person_id=person_id,
        categories=categories,
        availability=row["availability"],
        max_open_tasks=row["max_open_tasks"],
        languages=languages,
        share_phone=bool(row["share_phone"]),
        paused_until=optional_from_db(row["paused_until"]),
        skills=skills,
    )


async def save_offer(
    conn: Connection,
    *,
    person_id: int,
    categories: frozenset[str],
    availability: int,
    max_open_tasks: int,
    languages: tuple[str, ...],
    share_phone: bool,
    now: datetime,
) -> None:
    """Create or replace a volunteer's offer (keeps pause and alert history)."""
    stamp = to_db(now)
    await conn.execute(
        """
        INSERT INTO volunteers (person_id, availability, max_open_tasks, share_phone,
                                created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (person_id) DO UPDATE SET
            availability = excluded.availability, max_open_tasks = excluded.max_open_tasks,
            share_phone = excluded.share_phone, updated_at = excluded.updated_at
        """,
        person_id,
        availability,
        max_open_tasks,
        int(share_phone),
        stamp,
        stamp,
    )
    await conn.execute("DELETE FROM volunteer_categories WHERE person_id = ?", person_id)
    await conn.executemany(
        "INSERT INTO volunteer_categories (person_id, category) VALUES (?, ?)",
        [(person_id, c) for c in sorted(categories)],
    )
    await conn.execute("DELETE FROM volunteer_languages WHERE person_id = ?", person_id)
    await conn.executemany(
        "INSERT INTO volunteer_languages (person_id, language) VALUES (?, ?) "
        "ON CONFLICT DO NOTHING",
        [(person_id, language) for language in languages],
    )


async def set_status(
    conn: Connection, person_id: int, neighbourhood_id: int, status: str | None
) -> None:
    """Set the volunteer status of one membership."""
    await conn.execute(
        "UPDATE memberships SET volunteer_status = ? WHERE person_id = ? AND neighbourhood_id = ?",
        status,
        person_id,
        neighbourhood_id,
    )


async def statuses(conn: Connection, person_id: int) -> dict[int, str | None]:
    """The volunteer status in each of the person's neighbourhoods."""
    return {
        r["neighbourhood_id"]: r["volunteer_status"]
        for r in await conn.fetch(
            "SELECT neighbourhood_id, volunteer_status FROM memberships WHERE person_id = ?",
            person_id,
        )
    }


async def set_paused_until(conn: Connection, person_id: int, until: datetime | None) -> bool:
    """Pause alerts until a time (None resumes); False if the person is not a volunteer."""
    changed = await conn.execute(
        "UPDATE volunteers SET paused_until = ? WHERE person_id = ?",
        to_db(until) if until else None,
        person_id,
    )
    return changed > 0


async def mark_alerted(conn: Connection, person_ids: list[int], now: datetime) -> None:
    """Remember when these volunteers were last alerted (for fairness)."""
    await conn.executemany(
        "UPDATE volunteers SET last_alerted_at = ? WHERE person_id = ?",
        [(to_db(now), person_id) for person_id in person_ids],
    )


async def open_task_count(conn: Connection, person_id: int) -> int:
    """How many tasks the person holds now."""
    row = await conn.fetchrow(
        "SELECT COUNT(*) FROM help_requests WHERE assignee_person_id = ? AND status = 'assigned'",
        person_id,
    )
    return int(row[0]) if row else 0


# The matching query. Eligible: an approved volunteer of the neighbourhood, not paused,
# offering the category, free in one of the request's slots, under their open-task limit,
# reachable, not the requester, not already alerted (or, when re-alerting, not one who
# declined or handed it back), and holding the checks the neighbourhood requires for the
# category. Ranked: fewest recent tasks, longest since last alert, helped this resident
# before and was thanked, shares the resident's language.
#
# It reads the neighbourhood's volunteers for the category from match_pool (schema_scale): one
# contiguous range of rows that carry the volunteer's and person's fields and counters, kept in
# step by triggers. Tasks in the fairness window are counted from the volunteer's latest
# accepted times when fewer than RECENT_ACCEPTS of them fall in it (the oldest kept one is
# outside), else from help_requests. The other probes hit pages every row shares: the
# request's alerts, the neighbourhood's required checks, the requester's thanked helpers.
_OLDEST_KEPT = RECENT_COLUMNS[-1]
_RECENT_FROM_ROW = " + ".join(
    f"(CASE WHEN m.{c} >= :since THEN 1 ELSE 0 END)" for c in RECENT_COLUMNS[:-1]
)
_CANDIDATES = f"""
SELECT m.person_id, m.telegram_id,
    CASE WHEN m.{_OLDEST_KEPT} < :since THEN {_RECENT_FROM_ROW}
        ELSE (SELECT COUNT(*) FROM help_requests h
            WHERE h.assignee_person_id = m.person_id AND h.accepted_at >= :since)
    END AS recent_tasks,
    EXISTS (SELECT 1 FROM help_requests t
      WHERE t.requester_person_id = :requester AND t.assignee_person_id = m.person_id
        AND t.thanked = 1) AS helped_before,
    EXISTS (SELECT 1 FROM volunteer_languages l
      WHERE l.person_id = m.person_id AND l.language = :language) AS shares_language
FROM match_pool m
WHERE m.neighbourhood_id = :neighbourhood
  AND m.category = :category
  AND m.person_id != :requester
  AND (m.paused_until IS NULL OR m.paused_until <= :now)
  AND (m.availability & :slots) != 0
  AND m.unreachable = 0
  AND m.open_tasks < m.max_open_tasks
  AND NOT EXISTS (SELECT 1 FROM request_alerts a
      WHERE a.request_id = :request AND a.person_id = m.person_id
        AND (a.response IS NOT NULL OR :include_alerted = 0))
  AND {{missing_checks}}
ORDER BY recent_tasks ASC, m.last_alerted_at ASC NULLS FIRST, helped_before DESC,
    shares_language DESC, m.person_id ASC
LIMIT :limit
"""

# Every check the neighbourhood requires for the category must be recorded for the volunteer
# there (migration 6). Usually no requirement exists, so this costs one index probe.
_HOLDS_REQUIRED_CHECKS = """NOT EXISTS (SELECT 1 FROM required_checks r
      WHERE r.neighbourhood_id = :neighbourhood AND r.category = :category
        AND NOT EXISTS (SELECT 1 FROM volunteer_checks k
            WHERE k.person_id = m.person_id AND k.neighbourhood_id = :neighbourhood
              AND k.check_kind = r.check_kind))"""
_CANDIDATES = _CANDIDATES.replace("{missing_checks}", _HOLDS_REQUIRED_CHECKS)


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
) -> list[MatchCandidate]:
    """The best eligible volunteers for a request, best first."""
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
    # One hop to the database thread (execute and fetch together), not three.
    query, args = bind_named(_CANDIDATES, params)
    return [_candidate(r) for r in await conn.fetch(query, *args)]


async def explain_match(conn: Connection) -> list[str]:
    """The plan of the matching query, one line each (for benchmarks and index work)."""
    params = dict.fromkeys(
        ("request", "neighbourhood", "slots", "requester", "limit", "include_alerted"), 0
    )
    params.update(category="shopping", language="", now="", since="")
    if conn.dialect == "postgres":
        query, args = bind_named("EXPLAIN " + _CANDIDATES, params)
        return [r[0] for r in await conn.fetch(query, *args)]
    query, args = bind_named("EXPLAIN QUERY PLAN " + _CANDIDATES, params)
    return [r["detail"] for r in await conn.fetch(query, *args)]


def _candidate(r: Row) -> MatchCandidate:
    return MatchCandidate(
        person_id=r["person_id"],
        telegram_id=r["telegram_id"],
        recent_tasks=r["recent_tasks"],
        helped_before=bool(r["helped_before"]),
        shares_language=bool(r["shares_language"]),
    )


async def eligible_for_request(
    conn: Connection, *, person_id: int, neighbourhood_id: int, category: str, now: datetime
) -> bool:
    """Whether the person may take a request of this category here (ignoring task limits)."""
    query, args = bind_named(
        """
        SELECT 1 FROM memberships m
        JOIN volunteers v ON v.person_id = m.person_id
        JOIN volunteer_categories c ON c.person_id = m.person_id AND c.category = :category
        WHERE m.person_id = :person AND m.neighbourhood_id = :neighbourhood
          AND m.volunteer_status = 'approved'
          AND (v.paused_until IS NULL OR v.paused_until <= :now)
          AND """
        + _HOLDS_REQUIRED_CHECKS,
        {
            "category": category,
            "person": person_id,
            "neighbourhood": neighbourhood_id,
            "now": to_db(now),
        },
    )
    return await conn.fetchrow(query, *args) is not None


async def sync_offer_assets(
    conn: Connection,
    *,
    person_id: int,
    neighbourhood_ids: list[int],
    entries: list[tuple[str, str, str]],
    now: datetime,
) -> None:
    """Replace the person's offer-derived assets with (kind, title, tags) in each neighbourhood."""
    await conn.execute(
        "DELETE FROM assets WHERE owner_person_id = ? AND source = 'volunteer_offer'", person_id
    )
    stamp = to_db(now)
    await conn.executemany(
        "INSERT INTO assets (neighbourhood_id, owner_person_id, kind, title, tags, source, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'volunteer_offer', ?, ?)",
        [
            (nid, person_id, kind, title, tags, stamp, stamp)
            for nid in neighbourhood_ids
            for kind, title, tags in entries
        ],
    )


async def offer_assets(conn: Connection, person_id: int) -> list[tuple[str, str]]:
    """(kind, title) of the person's offer-derived assets, one per distinct entry."""
    return [
        (r["kind"], r["title"])
        for r in await conn.fetch(
            "SELECT DISTINCT kind, title FROM assets WHERE owner_person_id = ? "
            "AND source = 'volunteer_offer' ORDER BY kind, title",
            person_id,
        )
    ]
