"""People: one row per Telegram user who has started the bot."""

from __future__ import annotations

from datetime import datetime

from bot.model.people import Person
from storage.database import Connection, Row
from storage.timefmt import optional_from_db, to_db

_LANGUAGE = "people.language"  # conn.memo key prefix

_COLUMNS = (
    "id, telegram_id, display_name, language, phone_e164, consent_at, consent_version, "
    "declined_at, unreachable"
)


def _person(r: Row) -> Person:
    return Person(
        id=r["id"],
        telegram_id=r["telegram_id"],
        display_name=r["display_name"],
        language=r["language"],
        phone_e164=r["phone_e164"],
        consent_at=optional_from_db(r["consent_at"]),
        consent_version=r["consent_version"],
        declined_at=optional_from_db(r["declined_at"]),
        unreachable=bool(r["unreachable"]),
    )


async def by_telegram_id(conn: Connection, telegram_id: int) -> Person | None:
    """The person with this Telegram id, if any."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM people WHERE telegram_id = ?", telegram_id)
    return _person(row) if row else None


async def by_id(conn: Connection, person_id: int | None) -> Person | None:
    """The person with this row id, if any (None passes through, for optional links)."""
    if person_id is None:
        return None
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM people WHERE id = ?", person_id)
    return _person(row) if row else None


async def record_consent(
    conn: Connection,
    *,
    telegram_id: int,
    display_name: str,
    language: str | None,
    notice_version: str,
    now: datetime,
) -> Person:
    """Create or update the person with their consent; never duplicates a Telegram id."""
    stamp = to_db(now)
    await conn.execute(
        """
        INSERT INTO people (telegram_id, display_name, language, consent_at, consent_version,
                            declined_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, NULL, ?, ?)
        ON CONFLICT (telegram_id) DO UPDATE SET
            display_name = excluded.display_name,
            language = COALESCE(people.language, excluded.language),
            consent_at = excluded.consent_at,
            consent_version = excluded.consent_version,
            declined_at = NULL,
            updated_at = excluded.updated_at
        """,
        telegram_id,
        display_name,
        language,
        stamp,
        notice_version,
        stamp,
        stamp,
    )
    _forget_languages(conn)
    person = await by_telegram_id(conn, telegram_id)
    assert person is not None
    return person


async def record_refusal(
    conn: Connection, *, telegram_id: int, notice_version: str, now: datetime
) -> None:
    """Store only the refusal: the Telegram id, the notice version and when; no names."""
    stamp = to_db(now)
    await conn.execute(
        """
        INSERT INTO people (telegram_id, consent_version, declined_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (telegram_id) DO UPDATE SET
            display_name = NULL, language = NULL, phone_e164 = NULL,
            consent_at = NULL, consent_version = excluded.consent_version,
            declined_at = excluded.declined_at, updated_at = excluded.updated_at
        """,
        telegram_id,
        notice_version,
        stamp,
        stamp,
        stamp,
    )
    _forget_languages(conn)


async def set_phone(
    conn: Connection, person_id: int, phone_e164: str | None, now: datetime
) -> None:
    """Store the person's phone number in E.164 form."""
    await conn.execute(
        "UPDATE people SET phone_e164 = ?, updated_at = ? WHERE id = ?",
        phone_e164,
        to_db(now),
        person_id,
    )


async def set_unreachable(conn: Connection, telegram_id: int, unreachable: bool) -> bool:
    """Mark whether the person has blocked the bot; True if that changed."""
    changed = await conn.execute(
        "UPDATE people SET unreachable = ? WHERE telegram_id = ? AND unreachable != ?",
        int(unreachable),
        telegram_id,
        int(unreachable),
    )
    return bool(changed)


async def language_of(conn: Connection, telegram_id: int) -> str | None:
    """The language stored for a Telegram id (None for groups and people not known).

    Remembered for the rest of the transaction: a fan-out speaks to the same people often.
    """
    key = (_LANGUAGE, telegram_id)
    if key not in conn.memo:
        row = await conn.fetchrow("SELECT language FROM people WHERE telegram_id = ?", telegram_id)
        conn.memo[key] = row["language"] if row else None
    language: str | None = conn.memo[key]
    return language


def _forget_languages(conn: Connection) -> None:
    """A write to people: the languages remembered in this transaction may be wrong now."""
    for key in [k for k in conn.memo if isinstance(k, tuple) and k[0] == _LANGUAGE]:
        del conn.memo[key]


async def delete(conn: Connection, person_id: int) -> None:
    """Delete a person's row (erasure: everything that pointed at it is gone or anonymous)."""
    await conn.execute("DELETE FROM people WHERE id = ?", person_id)
    _forget_languages(conn)


async def set_language(conn: Connection, telegram_id: int, language: str, now: datetime) -> bool:
    """Store the language a person chose; False when they are not known."""
    changed = await conn.execute(
        "UPDATE people SET language = ?, updated_at = ? WHERE telegram_id = ?",
        language,
        to_db(now),
        telegram_id,
    )
    _forget_languages(conn)
    return changed > 0
