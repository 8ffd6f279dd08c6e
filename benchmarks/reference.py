"""The queries as they were before issue 17, kept as the reference for the faster ones.

The benchmarks time them as the baseline of the same run, and the equivalence tests
(tests/test_matching_equivalence.py, tests/test_directory_equivalence.py) check on thousands
of random cases that today's storage functions return exactly what these return. Copied
verbatim from storage/volunteers.py and storage/asset_search.py at commit 4375ee4; do not
"improve" them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.database import Connection
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
    async with conn.execute(MATCH_CANDIDATES, params) as cursor:
        return [
            (r["person_id"], r["telegram_id"], r["recent_tasks"], bool(r["helped_before"]),
             bool(r["shares_language"]))
            for r in await cursor.fetchall()
        ]  # fmt: skip
