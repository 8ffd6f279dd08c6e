"""The schema, read the way an auditor would: which columns can hold a person, and seeding them.

Independent of storage.privacy.personal_data: the rules are written out again here, so a mistake
there is
not repeated in the check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage import catalog
from storage.catalog import Column
from storage.database import Connection
from storage.timefmt import to_db

PERSON = "person"  # holds a people row id
TELEGRAM = "telegram"  # holds a Telegram id
TELEGRAM_NAME = re.compile(r"(^|_)(telegram_id|chat_id|user_id|owner_id)$|_by$")
# Integer columns that hold no person, with no foreign key to say so: counts, flags, limits,
# and ids of other things (messages, updates). A new integer column must be named or keyed
# so the erasure finds it, or be listed here.
NOT_A_PERSON: dict[str, set[str]] = {
    "broadcasts": {"recipients", "skipped_unreachable", "first_outbox_id", "last_outbox_id"},
    "checkin_escalations": {"resends"},
    "checkin_occurrences": {"asked_outbox_id", "reasked_outbox_id"},
    "checkins": {"days", "active"},
    "erasure_counts": {"people", "requests_cancelled", "tasks_reoffered"},
    "help_requests": {"telegram_only", "escalated", "alert_round", "amount_spent_pence"}
    | {"thanked", "phone_in", "urgent", "done_notice_outbox_id"},
    "inbox": {"update_id", "chat_partition"},  # a partition number (0-15), not a chat
    "invites": {"uses"},
    "partition_leases": {"chat_partition"},
    "neighbourhoods": {"open_to_self_join", "volunteers_need_approval", "alert_batch_size"}
    | {"spending_cap_pence", "assets_self_publish", "alert_widening_delay_s"}
    | {"escalation_delay_s", "buddy_ack_delay_s"},
    "outbox": {"attempts", "sent_message_id", "priority", "update_id"},
    "delivery_reports": {"covered_to"},
    "relay_messages": {"outbox_id"},
    "request_alerts": {"outbox_id", "round", "live"},
    "scheduled_jobs": {"attempts"},
    "volunteers": {"availability", "max_open_tasks", "share_phone", "open_tasks"},
    # Copies kept by triggers for matching and the directory (storage/schema_scale.py).
    "match_pool": {"neighbourhood_id", "unreachable", "availability", "max_open_tasks"}
    | {"open_tasks"},
    "asset_kind_counts": {"published"},
}


@dataclass
class Table:
    """One table as storage.catalog describes it (on SQLite, from PRAGMA table_info)."""

    name: str
    sql: str  # where its CHECKs can be read: the CREATE statement, or PostgreSQL's constraints
    columns: list[Column]
    keys: dict[str, tuple[str, str | None]]  # column -> (table, column) it refers to
    dialect: str

    def column(self, name: str) -> Column:
        """The named column."""
        return next(c for c in self.columns if c.name == name)


async def read_schema(conn: Connection) -> dict[str, Table]:
    """Every ordinary table (not the database's own, not a full-text index's shadow tables)."""
    return {
        name: Table(
            name,
            table.checks,
            list(table.columns),
            {key.column: (key.table, key.to) for key in table.foreign_keys},
            conn.dialect,
        )
        for name, table in (await catalog.read_schema(conn)).items()
        if not table.virtual
    }


def person_columns(schema: dict[str, Table]) -> dict[tuple[str, str], str]:
    """(table, column) -> PERSON or TELEGRAM, for every column that can hold a person."""
    keyed = {"people": "id"}  # tables whose key is a person's id
    found: dict[tuple[str, str], str] = {}
    changed = True
    while changed:
        changed = False
        for table in schema.values():
            for column, (target, to) in table.keys.items():
                if (
                    target in keyed
                    and to in (None, keyed[target])
                    and (table.name, column) not in found
                ):
                    found[(table.name, column)] = PERSON
                    primary = [c.name for c in table.columns if c.primary_key]
                    if primary == [column]:
                        keyed.setdefault(table.name, column)
                    changed = True
    for table in schema.values():
        if table.name == "people":
            continue
        for column in table.columns:
            name, integer = column.name, column.integer
            if (table.name, name) in found or name in table.keys or not integer:
                continue
            if name.endswith("person_id"):
                found[(table.name, name)] = PERSON
            elif TELEGRAM_NAME.search(name):
                found[(table.name, name)] = TELEGRAM
    return found


def unexplained_integer_columns(schema: dict[str, Table]) -> list[tuple[str, str]]:
    """Integer columns neither holding a person nor known to hold none: each needs a decision."""
    holding = person_columns(schema)
    unexplained = []
    for table in schema.values():
        if table.name == "people":
            continue
        for column in table.columns:
            name = column.name
            if not column.integer or (table.name, name) in holding:
                continue
            if name == "id" or name in table.keys or name in NOT_A_PERSON.get(table.name, ()):
                continue
            unexplained.append((table.name, name))
    return unexplained


@dataclass
class Seeder:
    """Inserts rows into any table, filling what the schema requires with plausible values."""

    conn: Connection
    schema: dict[str, Table]
    now: datetime
    counter: int = 10_000
    made: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _filler(self, table: Table, column: Column) -> Any:
        name, kind = column.name, column.type.upper()
        # SQLite keeps CHECKs as written, `x IN ('a', 'b')` and `x BETWEEN 1 AND 7`;
        # PostgreSQL shows them as `x = ANY (ARRAY['a'::text, ...])` and `(x >= 1)`.
        listed = re.search(rf"\b{name}\s+IN\s*\(([^)]*)\)", table.sql) or re.search(
            rf"\b{name} = ANY \(ARRAY\[([^\]]*)\]", table.sql
        )
        if listed:
            return re.findall(r"'([^']*)'", listed.group(1))[-1]  # the last: a finished state
        ranged = re.search(rf"\b{name}\s+BETWEEN\s+(\d+)", table.sql) or re.search(
            rf"\({name} >= (\d+)\)", table.sql
        )
        if ranged:
            return int(ranged.group(1))
        if column.integer:
            return self._next()
        if kind in ("BLOB", "BYTEA"):
            return b"seed"
        if name == "at" or name.endswith("_at"):
            return to_db(self.now)
        return f"seed {self._next()}"

    async def insert(self, table_name: str, values: dict[str, Any]) -> Any:
        """Insert a row with these values and whatever else is required; where it is.

        On SQLite its rowid; on PostgreSQL the value of its primary key, or None when the
        table's key is not a single column.
        """
        table = self.schema[table_name]
        row = dict(values)
        for column in table.columns:
            name = column.name
            if name in row or column.automatic:  # a rowid, identity or generated column
                continue
            if name in table.keys and column.not_null:
                row[name] = await self.referenced(*table.keys[name])
            elif column.not_null and column.default is None:
                row[name] = self._filler(table, column)
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        sql = f"INSERT INTO {table_name} ({names}) VALUES ({marks})"
        key = self._key(table)
        where = None
        if table.dialect == "postgres" and key is not None:
            where = await self.conn.fetchval(f"{sql} RETURNING {key}", *row.values())
        else:
            await self.conn.execute(sql, *row.values())
        self.made.append((table_name, row))
        if table.dialect == "sqlite":
            where = await self.conn.fetchval("SELECT last_insert_rowid()")
        return where

    async def attempt(self, table_name: str, values: dict[str, Any]) -> Exception | None:
        """Insert as insert() does; the error when a constraint refuses it, else None.

        A refused statement spoils a PostgreSQL transaction, so there the attempt runs in a
        savepoint, and is undone whole (with the rows it referred to) when refused.
        """
        savepoint = self.conn.dialect == "postgres"
        made = len(self.made)
        if savepoint:
            await self.conn.execute("SAVEPOINT seeding")
        try:
            await self.insert(table_name, values)
        except Exception as error:  # noqa: BLE001 - reported to the caller, who tries again
            if savepoint:
                await self.conn.execute("ROLLBACK TO SAVEPOINT seeding")
                del self.made[made:]
            return error
        if savepoint:
            await self.conn.execute("RELEASE SAVEPOINT seeding")
        return None

    @staticmethod
    def _key(table: Table) -> str | None:
        """The table's primary key when it is one column; on SQLite, always the rowid."""
        if table.dialect == "sqlite":
            return "rowid"
        primary = sorted((c for c in table.columns if c.primary_key), key=lambda c: c.primary_key)
        return primary[0].name if len(primary) == 1 else None

    async def referenced(self, table_name: str, column: str | None) -> Any:
        """A new row of the table a foreign key points at; the value it is referred to by."""
        if table_name == "people":
            where = await self.insert("people", {"telegram_id": self._next()})
        else:
            where = await self.insert(table_name, {})
        key = self._key(self.schema[table_name])
        assert key is not None, f"{table_name} has no single-column key to be referred to by"
        row = await self.conn.fetchrow(
            f"SELECT {column or key} FROM {table_name} WHERE {key} = ?", where
        )
        return row[0]


async def seed_person_everywhere(
    conn: Connection, schema: dict[str, Table], now: datetime, people: dict[str, tuple[int, int]]
) -> int:
    """Put each person (name -> (person id, Telegram id)) into every column that can hold one.

    Also names them in the text the schema cannot describe: a sent message linking to them,
    a conversation key, an audit entry about them and a finished job's payload. Returns how
    many rows were seeded.
    """
    seeder = Seeder(conn, schema, now)
    waiting = [
        (table, column, kind, ids)
        for (table, column), kind in sorted(person_columns(schema).items())
        for ids in people.values()
    ]
    while waiting:  # a row keyed by a person (volunteers) must come before rows pointing at it
        retry = []
        for table, column, kind, (person_id, telegram_id) in waiting:
            value = person_id if kind == PERSON else telegram_id
            error = await seeder.attempt(table, {column: value})
            if error is not None:  # an IntegrityError: try again later
                retry.append((table, column, kind, (person_id, telegram_id), error))
        if len(retry) == len(waiting):
            raise AssertionError(f"cannot seed {[(t, c, e) for t, c, _, _, e in retry]}")
        waiting = [item[:4] for item in retry]
    for person_id, telegram_id in people.values():
        link = f'<a href="tg://user?id={telegram_id}">them</a>'
        await seeder.insert(
            "outbox", {"chat_id": 1, "params": json.dumps({"text": link}), "state": "sent"}
        )
        await seeder.insert(
            "conversation_states",
            {"name": "seed", "conversation_key": f"[{telegram_id}, {telegram_id}]"},
        )
        await seeder.insert(
            "audit_log",
            {
                "subject": "neighbourhood:1",
                "after": json.dumps({"person_id": person_id, "via": "invite"}),
            },
        )
        await seeder.insert(
            "scheduled_jobs",
            {"payload": json.dumps({"assignee": person_id}), "state": "fired"},
        )
    return len(seeder.made)


async def holding(conn: Connection, table: str, column: str, value: int) -> int:
    """How many rows of the table hold the value in the column."""
    row = await conn.fetchrow(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", value)
    return int(row[0]) if row else 0


async def naming_in_json(conn: Connection, table: str, column: str, person_id: int) -> int:
    """How many JSON documents in the column hold the person's row id under a person key.

    A key ending in person_id (as LIKE reads it: any case) or named assignee, at any depth.
    """
    if conn.dialect == "postgres":
        path = (
            'strict $.** ? (@.type() == "object").keyvalue() ? ((@.key like_regex '
            '"person.id$" flag "i" || @.key == "assignee") && @.value == $id)'
        )
        query = (
            f"SELECT COUNT(*) FROM {table} WHERE CASE WHEN left({column}, 1) IN ('{{', '[') "
            f"THEN jsonb_path_exists(CAST({column} AS JSONB), '{path}', "
            "jsonb_build_object('id', CAST(? AS BIGINT))) ELSE false END"
        )
    else:
        query = (
            f"SELECT COUNT(*) FROM {table} WHERE json_valid({column}) AND EXISTS (SELECT 1 "
            f"FROM json_tree({column}) WHERE (key LIKE '%person_id' OR key = 'assignee') "
            "AND atom = ?)"
        )
    return int(await conn.fetchval(query, person_id))


async def texts_showing(
    conn: Connection, schema: dict[str, Table], needles: list[str]
) -> list[str]:
    """ "table.column: needle" for every text cell anywhere that still shows one of the needles."""
    shown = []
    for table in schema.values():
        for column in table.columns:
            if column.integer or column.type.upper() in ("REAL", "DOUBLE PRECISION"):
                continue
            cells = [r[0] for r in await conn.fetch(f"SELECT {column.name} FROM {table.name}")]
            for cell in cells:
                text = cell.decode("utf-8", "replace") if isinstance(cell, bytes) else str(cell)
                shown += [f"{table.name}.{column.name}: {n}" for n in needles if n in text]
    return sorted(set(shown))
