"""The handling benchmark's targets and its tables (SQLite, and PostgreSQL beside it)."""

from __future__ import annotations

from typing import Any

from benchmarks import postgres as pg
from benchmarks.baselines import ROUND_TRIP, Measured
from benchmarks.common import print_table, summarise

WARMUP = 5
ECHO = "echo (floor)"
CONFIRM = "confirm (+5 alerts)"
SCENARIOS = ("/start", "conversation step", CONFIRM, "accept", "done")
CPU_TO_ECHO = {"/start": 2.0, "conversation step": 2.0}  # targets: x the echo floor
CPU_TO_SAME_CALLS = 2.0  # target for every row: x the same-calls baseline
FELT_OVER_ECHO_MS = 3.0  # target: felt latency at most the echo's plus this


def print_figures(rows: dict[str, dict[str, Any]], n: int, felt_n: int) -> None:
    """Print the CPU and felt-latency tables against their targets."""
    print_table(
        f"CPU per update, answer and sends included ({n} each, after {WARMUP} warm-up)",
        [
            "update",
            "mean ms",
            "p50 ms",
            "p99 ms",
            "x echo",
            "same-calls ms",
            "x same calls",
            "API calls",
        ],
        [
            [
                name,
                r["mean_ms"],
                r["p50_ms"],
                r["p99_ms"],
                r["ratio_to_echo"],
                r.get("same_calls_mean_ms", ""),
                r.get("ratio_to_same_calls", ""),
                r["api_calls"],
            ]
            for name, r in rows.items()
        ],
    )
    print(
        f"targets: x same calls <= {CPU_TO_SAME_CALLS:g} for every row; x echo <= 2 for /start "
        "and the conversation step"
    )
    print_table(
        f"felt latency: arrival to first answer, {ROUND_TRIP * 1000:.0f} ms round trip "
        f"({felt_n} each)",
        ["update", "mean ms", "p99 ms", "over echo ms", "target"],
        [
            [name, r["felt_mean_ms"], r["felt_p99_ms"], r["felt_over_echo_ms"], "<= +3 ms"]
            for name, r in rows.items()
        ],
    )


def postgres_rows(
    runs: tuple[dict[str, list[Measured]], dict[str, list[Measured]]] | str | None,
    sqlite: dict[str, dict[str, Any]],
    echo_felt_ms: float,
) -> dict[str, Any] | None:
    """Print PostgreSQL's column beside SQLite's; its figures (None when not measured)."""
    if runs is None:
        return None
    if isinstance(runs, str):
        print(f"handling: PostgreSQL column not measured: {runs}")
        return {"error": runs}
    kept, felt = runs
    rows: dict[str, dict[str, Any]] = {}
    for name in SCENARIOS:
        stats = summarise([m.seconds for m in kept[name]])
        count = len(kept[name])
        tally = sum((m.postgres for m in kept[name]), pg.Tally())
        felt_ms = summarise([m.felt or 0.0 for m in felt[name]])["mean_ms"]
        rows[name] = {
            **stats,
            "sqlite_mean_ms": sqlite[name]["mean_ms"],
            "ratio_to_sqlite": stats["mean_ms"] / sqlite[name]["mean_ms"],
            "statements": tally.statements / count,
            "bookkeeping_statements": tally.bookkeeping / count,
            "statements_ms": tally.seconds / count * 1000,
            "felt_mean_ms": felt_ms,
            "felt_over_echo_ms": felt_ms - echo_felt_ms,
        }
    print_table(
        f"PostgreSQL beside SQLite: CPU per update ({len(kept[SCENARIOS[0]])} each) and felt "
        f"latency ({len(felt[SCENARIOS[0]])} each), same updates, same run",
        ["update", "sqlite ms", "pg ms", "pg/sqlite", "pg - sqlite ms", "pg statements",
         "bookkeeping", "ms waiting on them", "sqlite felt ms", "pg felt ms",
         "pg felt over echo"],
        [
            [name, r["sqlite_mean_ms"], r["mean_ms"], f"x{r['ratio_to_sqlite']:.1f}",
             r["mean_ms"] - r["sqlite_mean_ms"], round(r["statements"], 1),
             round(r["bookkeeping_statements"], 1), r["statements_ms"],
             sqlite[name]["felt_mean_ms"], r["felt_mean_ms"], r["felt_over_echo_ms"]]
            for name, r in rows.items()
        ],
    )  # fmt: skip
    print(
        "pg statements: what one update sent PostgreSQL (loopback, same machine), one round trip "
        "each; bookkeeping: those of them that only begin and commit (BEGIN, COMMIT, savepoints, "
        "the writer's advisory lock) or reset the connection the pool takes back; ms waiting on "
        "them: the time while at least one of them was in flight. Where pg - sqlite is about "
        "that wait less SQLite's own time in its database, PostgreSQL is slower by its round "
        "trips, not by its plans."
    )
    return rows
