"""PostgreSQL beside SQLite in the benchmarks: a throwaway cluster, the seeds copied in, probes.

A benchmark seeds its SQLite file as always, then `load_seed` copies that file into an empty
database of a throwaway cluster (tests.postgres_cluster, on loopback, fsync off) with COPY
and runs VACUUM ANALYZE (as autovacuum would have by then), so both columns time the same
rows. The same calls are then timed through `PostgresDatabase`. To tell round trips from plans
where PostgreSQL is slower: `RoundTrips` counts every statement asyncpg sends (each one a round
trip to the server) and the time spent waiting on them, `read_floor` times the cheapest read
there is, `server_ms` the server's own planning and execution times, and `explain` shows the
plan, as planned for a request's values and generically, as a cached prepared statement may
run it.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg

from benchmarks.common import print_table, summarise
from storage.database import Database
from storage.postgres import PostgresDatabase
from storage.sql import Connection, Dialect, Row

if TYPE_CHECKING:
    from tests.postgres_cluster import ThrowawayCluster

# The asyncpg calls that each send one statement and wait for its answer.
_SENDING = ("execute", "executemany", "fetch", "fetchrow", "fetchval")
_BOOKKEEPING = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SELECT pg_advisory)", re.I)
_SUMMARY_TIME = re.compile(r"(Planning|Execution) Time: ([\d.]+) ms")


@contextlib.asynccontextmanager
async def cluster(module: str) -> AsyncIterator[ThrowawayCluster | None]:
    """A started throwaway cluster, or None (with a line saying why) when none can be run."""
    try:  # the cluster helper lives with the tests (it imports pytest for its fixture)
        from tests.postgres_cluster import ClusterError, ThrowawayCluster, find_postgres_bindir
    except ImportError as error:
        print(f"{module}: PostgreSQL column not measured: tests.postgres_cluster: {error}")
        yield None
        return
    bindir = find_postgres_bindir()
    if bindir is None:
        print(
            f"{module}: PostgreSQL column not measured: no PostgreSQL server binaries (initdb, "
            "pg_ctl, postgres) on this machine; install postgresql to measure it"
        )
        yield None
        return
    started = ThrowawayCluster(bindir)
    try:
        started.start()
    except ClusterError as error:
        print(f"{module}: PostgreSQL column not measured: the cluster did not start: {error}")
        yield None
        return
    try:
        yield started
    finally:
        started.stop()


def not_measured(error: BaseException) -> str:
    """A one-line reason for a PostgreSQL figure that could not be taken."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}"


@dataclass(frozen=True)
class Tally:
    """Statements sent to PostgreSQL: all, those that only keep transactions and the pool
    (BEGIN, COMMIT, savepoints, the writer's advisory lock, the pool's reset), and the time
    spent waiting on them (while at least one was in flight: overlapping waits count once)."""

    statements: int = 0
    bookkeeping: int = 0
    seconds: float = 0.0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.statements + other.statements,
            self.bookkeeping + other.bookkeeping,
            self.seconds + other.seconds,
        )

    def __sub__(self, other: Tally) -> Tally:
        return Tally(
            self.statements - other.statements,
            self.bookkeeping - other.bookkeeping,
            self.seconds - other.seconds,
        )


class RoundTrips:
    """Counts the statements asyncpg sends (one round trip each) and the time they take.

    While `counting()` is open, asyncpg's Connection methods that send a statement are wrapped
    (the pool's reset on release goes through execute, so it counts too). A statement seen for
    the first time on a connection also costs a prepare: not counted separately.
    """

    def __init__(self) -> None:
        self.tally = Tally()
        self._in_flight = 0
        self._since = 0.0

    @contextlib.contextmanager
    def counting(self) -> Iterator[RoundTrips]:
        """Wrap asyncpg's sending methods for the duration."""
        originals = {name: getattr(asyncpg.Connection, name) for name in _SENDING}
        for name, method in originals.items():
            setattr(asyncpg.Connection, name, self._wrap(method))
        try:
            yield self
        finally:
            for name, method in originals.items():
                setattr(asyncpg.Connection, name, method)

    def _wrap(self, method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(method)
        async def sending(connection: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if not self._in_flight:
                self._since = time.perf_counter()
            self._in_flight += 1
            try:
                return await method(connection, query, *args, **kwargs)
            finally:
                self._in_flight -= 1
                waited = 0.0 if self._in_flight else time.perf_counter() - self._since
                self.tally += Tally(1, int(bool(_BOOKKEEPING.match(query))), waited)

        return sending


async def read_floor(db: Database, n: int) -> dict[str, float]:
    """The cheapest read there is (`SELECT 1` through Database.read()): its timings."""
    durations = []
    for _ in range(n):
        started = time.perf_counter()
        async with db.read() as conn:
            await conn.fetchval("SELECT 1")
        durations.append(time.perf_counter() - started)
    return summarise(durations[n // 10 :])


class _Explaining:
    """A Connection that EXPLAINs the query it is asked to fetch instead of answering it.

    `generic`: plan it as a prepared statement once PostgreSQL stops planning for each set of
    values (PREPARE, then EXECUTE under plan_cache_mode = force_generic_plan), as asyncpg's
    cached statements may run it after five executions.
    """

    dialect: Dialect = "postgres"

    def __init__(self, conn: Connection, options: str, *, generic: bool = False) -> None:
        self.conn = conn
        self.options = options
        self.generic = generic
        self.plan: list[str] = []

    async def fetch(self, query: str, *args: Any) -> list[Row]:
        """Record the plan of the query with these values; no rows."""
        if not self.generic:
            rows = await self.conn.fetch(f"EXPLAIN ({self.options}) {query}", *args)
        else:
            await self.conn.execute(f"PREPARE bench_probe AS {query}")
            await self.conn.execute("SET plan_cache_mode = force_generic_plan")
            try:
                values = ", ".join(_literal(value) for value in args)
                rows = await self.conn.fetch(
                    f"EXPLAIN ({self.options}) EXECUTE bench_probe({values})"
                )
            finally:
                await self.conn.execute("DEALLOCATE bench_probe")
                await self.conn.execute("RESET plan_cache_mode")
        self.plan += [str(row[0]) for row in rows]
        return []

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        """Record the plan of the query with these values; no row."""
        await self.fetch(query, *args)
        return None

    async def fetchval(self, query: str, *args: Any) -> Any:
        """Record the plan of the query with these values; no value."""
        await self.fetch(query, *args)

    async def execute(self, query: str, *args: Any) -> int:
        """Session settings (SET) pass through; nothing else runs in a read-only probe."""
        if query.lstrip().upper().startswith("SET "):
            return await self.conn.execute(query, *args)
        raise NotImplementedError("only queries that fetch can be explained")

    async def executemany(self, query: str, args: Iterable[Sequence[Any]]) -> None:
        """Not explained: a read-only probe."""
        raise NotImplementedError("only queries that fetch can be explained")


def _literal(value: Any) -> str:
    """A value as an SQL literal (the probes pass ints, text and NULL only)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no literal for {type(value).__name__}")


async def explain(
    db: Database, call: Callable[..., Awaitable[Any]], params: dict[str, Any], *, generic: bool
) -> list[str]:
    """PostgreSQL's EXPLAIN ANALYZE of the query `call(conn, **params)` sends (see _Explaining)."""
    async with db.read() as conn:
        explaining = _Explaining(conn, "ANALYZE, COSTS OFF", generic=generic)
        await call(explaining, **params)
    return explaining.plan


def summary_ms(plan: Sequence[str]) -> dict[str, float]:
    """The server's planning and execution times from an EXPLAIN ANALYZE, in ms."""
    found = (_SUMMARY_TIME.search(line) for line in plan)
    return {match.group(1).lower(): float(match.group(2)) for match in found if match}


async def server_ms(
    db: Database, call: Callable[..., Awaitable[Any]], requests: Sequence[dict[str, Any]]
) -> dict[str, dict[str, float]]:
    """The server's own planning and execution times of each request's query (EXPLAIN
    ANALYZE, planned for its values): summarised, in ms."""
    times: dict[str, list[float]] = {"planning": [], "execution": []}
    async with db.read() as conn:
        for params in requests:
            explaining = _Explaining(conn, "ANALYZE, TIMING OFF")
            await call(explaining, **params)
            for stage, ms in summary_ms(explaining.plan).items():
                times[stage].append(ms / 1000)
    return {stage: summarise(seconds) for stage, seconds in times.items()}


async def time_same_reads(
    url: str,
    requests: Sequence[dict[str, Any]],
    call: Callable[..., Awaitable[Any]],
    sqlite_answers: Sequence[Any],
    *,
    warmup: int,
    sample: int = 200,
) -> dict[str, Any]:
    """Time `call` through PostgresDatabase.read() on the requests SQLite answered, back to back.

    Beside the timings (after `warmup` requests): how many answers differ from SQLite's, the
    floor of any read, the server's own execution time on a sample of the requests, and the
    plan of the first measured request as PostgreSQL plans it for its values and generically.
    """
    db = PostgresDatabase(url, pool_size=1)  # one connection: its statement cache is all
    await db.open()
    try:
        floor = await read_floor(db, 200 + warmup)
        answers, durations = [], []
        for params in requests:
            started = time.perf_counter()
            async with db.read() as conn:
                answers.append(await call(conn, **params))
            durations.append(time.perf_counter() - started)
        plans = await _plans_used(db)
        measured = requests[warmup:]
        server = await server_ms(db, call, measured[:sample])
        plan = await explain(db, call, measured[0], generic=False)
        try:
            generic = await explain(db, call, measured[0], generic=True)
        except asyncpg.PostgresError as error:  # PREPARE could not type a parameter, say
            generic = [f"not planned generically: {not_measured(error)}"]
    finally:
        await db.close()
    return {
        **summarise(durations[warmup:]),
        "results_differing": sum(
            mine != theirs
            for mine, theirs in zip(answers[warmup:], sqlite_answers[warmup:], strict=True)
        ),
        "read_floor": floor,
        "server": server["execution"],
        "planning": server["planning"],
        **plans,
        "plan": plan,
        "generic_plan": generic,
        "generic_plan_same": plan_shape(plan) == plan_shape(generic),
    }


async def _plans_used(db: Database) -> dict[str, int]:
    """How often the connection's cached statements (but `SELECT 1`) were planned for their
    values (custom) and how often they ran a generic plan."""
    async with db.read() as conn:
        row = await conn.fetchrow(
            "SELECT COALESCE(SUM(generic_plans), 0) AS generic, "
            "COALESCE(SUM(custom_plans), 0) AS custom FROM pg_prepared_statements "
            "WHERE statement <> 'SELECT 1' AND statement NOT LIKE '%pg_prepared_statements%'"
        )
    assert row is not None
    return {"generic_plans": int(row["generic"]), "custom_plans": int(row["custom"])}


def plan_shape(plan: Sequence[str]) -> list[str]:
    """A plan's nodes (scans, joins, sorts, subplans) without conditions or figures."""
    shape = []
    for index, line in enumerate(plan):
        node = line.strip()
        if index == 0 or node.startswith(("->", "SubPlan", "InitPlan")):
            shape.append(re.sub(r"\s*\((actual|never)[^)]*\)", "", line).rstrip())
    return shape


def print_beside(
    title: str, label: str, rows: Sequence[tuple[str, dict[str, Any], dict[str, Any]]]
) -> dict[str, Any] | None:
    """Print PostgreSQL's timings (time_same_reads) beside SQLite's (summarise), row by row,
    then the plan of the last row; return PostgreSQL's figures, None when none were taken."""
    for name, _, postgres in rows:
        if "error" in postgres:
            print(f"PostgreSQL, {name} {label}: {postgres['error']}")
    done = [(name, sqlite, postgres) for name, sqlite, postgres in rows if "error" not in postgres]
    if not done:
        return {"error": rows[0][2]["error"]} if rows else None
    print_table(
        title,
        (label, "copy s", "sqlite p50", "sqlite p99", "pg p50", "pg p99", "pg/sqlite p50",
         "pg/sqlite p99", "pg floor p50", "pg planning p50", "pg execution p50",
         "generic plans", "differ"),
        [
            (name, postgres.get("copy_seconds", ""), sqlite["p50_ms"], sqlite["p99_ms"],
             postgres["p50_ms"], postgres["p99_ms"], _ratio(postgres["p50_ms"], sqlite["p50_ms"]),
             _ratio(postgres["p99_ms"], sqlite["p99_ms"]), postgres["read_floor"]["p50_ms"],
             postgres["planning"]["p50_ms"], postgres["server"]["p50_ms"],
             f"{postgres['generic_plans']}/{postgres['generic_plans'] + postgres['custom_plans']}",
             postgres["results_differing"])
            for name, sqlite, postgres in done
        ],
    )  # fmt: skip
    print(
        "pg floor: `SELECT 1` through Database.read() (pool acquire, the statement, the pool's "
        "reset on release: two round trips). pg planning and execution: the server's own times "
        "for the query (EXPLAIN ANALYZE on a sample of the requests, planned for their values). "
        "generic plans: how many of the timed executions ran the cached generic plan; the rest "
        "were planned for their values, paying the planning each time. What pg p50 spends "
        "beyond floor + execution (+ planning when not generic) is the protocol and the driver."
    )
    last_name, _, last = done[-1]
    print(f"PostgreSQL's plan (EXPLAIN ANALYZE of one request, {last_name} {label}):")
    print("  " + "\n  ".join(last["plan"]))
    _print_shape_change(
        "planned generically, as a cached prepared statement may be",
        last["plan"],
        last["generic_plan"],
    )
    return {"rows": [{label: name, **postgres} for name, _, postgres in rows]}


def _print_shape_change(title: str, plan: Sequence[str], other: Sequence[str]) -> None:
    """Print whether the other plan has the same nodes, or the nodes that differ."""
    if plan_shape(plan) == plan_shape(other):
        print(f"{title}: the same nodes")
        return
    print(f"{title}: these nodes differ:")
    changed = difflib.unified_diff(plan_shape(plan), plan_shape(other), lineterm="", n=0)
    print("\n".join(f"  {line}" for line in changed if not line.startswith(("---", "+++"))))


def _ratio(a: float, b: float) -> str:
    return f"x{a / b:.1f}" if b else "-"
