"""Memory and start-up: the real `python -m bot run` process against a loopback Bot API.

(a) Time from process start to the first getUpdates with 0 and 10,000 pending scheduled jobs.
(b) Peak RSS (VmHWM) after start-up and a few handled updates, on an empty database and on one
    seeded as in benchmarks.matching_seed (100,000 volunteers; 10,000 in quick mode).
(c) One line per measurement on how its cost grows with size, from the measured points.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socketserver
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import print_table
from benchmarks.matching import FULL_REQUESTS, QUICK_REQUESTS
from benchmarks.matching_seed import migrate_file, seed_database
from bot.requests.alerting import WIDEN_JOB
from storage.timefmt import to_db
from tests.bot_api_server import LoopbackBotApi, serve_bot_api

TOKEN = "1000:TEST-token-not-real-0123456789abcdef"
PENDING_JOBS = 10_000
FULL_VOLUNTEERS = 100_000
QUICK_VOLUNTEERS = 10_000
FULL_REPEATS = 9
QUICK_REPEATS = 3
STARTUP_TARGET_S = 2.0
RSS_TARGET_MB = 100.0
TIMEOUT_S = 60.0
FIRST_USER = 7_000_001  # not in any seeded database: gets the consent prompt
SEEDED_VOLUNTEER = 50_000_001  # benchmarks.matching_seed gives person 1 this Telegram id


async def prepare_jobs_database(path: Path, jobs: int, seed: int = 8) -> None:
    """A migrated database holding `jobs` pending widening jobs for requests that do not exist."""
    await migrate_file(path)
    rng = random.Random(seed)
    now = datetime.now(UTC).timestamp()
    stamp = to_db(datetime.now(UTC))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO scheduled_jobs (kind, target, due_at, state, created_at) "
            "VALUES (?, ?, ?, 'pending', ?)",
            (
                (WIDEN_JOB, str(900_000_000 + i), _at(now + rng.uniform(60, 3 * 86_400)), stamp)
                for i in range(jobs)
            ),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def _at(epoch: float) -> str:
    return to_db(datetime.fromtimestamp(epoch, UTC))


@contextmanager
def _quiet_disconnects() -> Iterator[None]:
    """Hide the loopback server's tracebacks for long polls cut short by stopping the bot."""
    original = socketserver.BaseServer.handle_error

    def handle_error(server: socketserver.BaseServer, request: Any, address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            original(server, request, address)

    socketserver.BaseServer.handle_error = handle_error  # type: ignore[method-assign]
    try:
        yield
    finally:
        socketserver.BaseServer.handle_error = original  # type: ignore[method-assign]


@contextmanager
def running_bot(database: Path, api_url: str) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
    """Start the real bot; yields it and its start time (monotonic); stops it with SIGINT."""
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "DATABASE_PATH": str(database),
        "TELEGRAM_API_URL": api_url,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CONFIG_FILE", None)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process, started
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _wait_for(api: LoopbackBotApi, process: subprocess.Popen[bytes], done: Any) -> float:
    """Wait until done() is true; the monotonic time it became so. Fails if the bot died."""
    deadline = time.monotonic() + TIMEOUT_S
    while not done():
        if process.poll() is not None:
            error = process.stderr.read().decode()[-2000:] if process.stderr else ""
            raise RuntimeError(f"the bot exited with {process.returncode}: {error}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the bot did not get there in {TIMEOUT_S:.0f} s")
        time.sleep(0.005)
    return time.monotonic()


def _first_get_updates(api: LoopbackBotApi) -> float | None:
    calls = list(api.calls)  # a copy: the server's threads append to it
    return next((at for at, method, _ in calls if method == "getUpdates"), None)


@dataclass(frozen=True)
class Start:
    """One start of the bot: to the first getUpdates from process start and from getMe."""

    seconds: float
    after_get_me: float
    peak_rss_mb: float


def time_to_first_poll(database: Path) -> Start:
    """Start the bot and time it until the loopback server sees the first getUpdates."""
    with serve_bot_api() as (api, url), running_bot(database, url) as (process, started):
        _wait_for(api, process, lambda: _first_get_updates(api) is not None)
        calls = list(api.calls)
        first = next(at for at, method, _ in calls if method == "getUpdates")
        get_me = next(at for at, method, _ in calls if method == "getMe")
        return Start(first - started, first - get_me, _proc_status(process.pid)["VmHWM"])


def _command(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Bench", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Bench"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


def peak_rss_after_updates(database: Path) -> dict[str, float]:
    """Start the bot, have it answer a few commands, and read its peak RSS (VmHWM) in MB."""
    script = [
        (FIRST_USER, "/start"),
        (FIRST_USER, "/help"),
        (SEEDED_VOLUNTEER, "/start"),
        (SEEDED_VOLUNTEER, "/tasks"),
        (SEEDED_VOLUNTEER, "/myrequests"),
    ]
    with serve_bot_api() as (api, url), running_bot(database, url) as (process, started):
        ready = _wait_for(api, process, lambda: _first_get_updates(api) is not None)
        for update_id, (user_id, text) in enumerate(script, start=1):
            api.push_update(_command(update_id, user_id, text))
        # Every command here gets exactly one reply.
        answered = _wait_for(
            api, process, lambda: api.methods().count("sendMessage") >= len(script)
        )
        time.sleep(0.3)  # let the last handlers and the outbox settle
        status = _proc_status(process.pid)
    return {
        "startup_s": ready - started,
        "answered_s": answered - ready,
        "peak_rss_mb": status["VmHWM"],
        "rss_mb": status["VmRSS"],
    }


def _proc_status(pid: int) -> dict[str, float]:
    """VmHWM and VmRSS of a process, in MB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            values[name] = int(rest.split()[0]) / 1024  # kB -> MiB
    return values


def _median_start(runs: list[Start]) -> Start:
    """The median of each measure over several starts."""
    return Start(
        statistics.median(r.seconds for r in runs),
        statistics.median(r.after_get_me for r in runs),
        statistics.median(r.peak_rss_mb for r in runs),
    )


def _growth(what: str, unit: str, small: tuple[int, float], large: tuple[int, float]) -> str:
    """One line: the cost per extra unit of size between two measured points."""
    (n0, c0), (n1, c1) = small, large
    per = (c1 - c0) / (n1 - n0) if n1 != n0 else 0.0
    ratio = c1 / c0 if c0 else 0.0
    return (
        f"{what}: {c0:.3g} -> {c1:.3g} {unit} from {n0:,} to {n1:,} "
        f"(x{ratio:.2f}; {per * 1_000:+.3g} {unit} per 1,000 more)"
    )


async def _measure_starts(paths: dict[int, Path], repeats: int) -> dict[int, list[Start]]:
    """Time `repeats` starts on each database (keyed by pending jobs), after one warm-up start."""
    await asyncio.to_thread(time_to_first_poll, paths[0])  # warm-up: imports, page cache
    starts: dict[int, list[Start]] = {jobs: [] for jobs in paths}
    for _ in range(repeats):  # interleaved, so that drift hits both alike
        for jobs, path in paths.items():
            starts[jobs].append(await asyncio.to_thread(time_to_first_poll, path))
    return starts


async def _measure_memory(
    root: Path, empty: Path, volunteers: int, requests: int
) -> tuple[dict[int, dict[str, float]], float]:
    """Peak RSS after a few commands, empty and seeded (keyed by volunteers); the seeded MB."""
    seeded = await seed_database(root / "seeded.sqlite3", volunteers=volunteers, requests=requests)
    memory = {
        0: await asyncio.to_thread(peak_rss_after_updates, empty),
        volunteers: await asyncio.to_thread(peak_rss_after_updates, seeded.path),
    }
    return memory, seeded.path.stat().st_size / 1e6


def _print_starts(repeats: int, starts: dict[int, list[Start]], median: dict[int, Start]) -> None:
    """The table of start-up times by pending jobs."""
    print_table(
        f"start-up to first getUpdates (median of {repeats}, interleaved)",
        ("pending jobs", "from start s", "min s", "max s", "from getMe s", "peak RSS MB"),
        [
            (f"{j:,}", m.seconds, min(r.seconds for r in starts[j]),
             max(r.seconds for r in starts[j]), m.after_get_me, m.peak_rss_mb)
            for j, m in median.items()
        ],
    )  # fmt: skip


def _print_memory(memory: dict[int, dict[str, float]], requests: int) -> None:
    """The table of peak RSS after start-up and a few commands, by volunteers."""
    print_table(
        "peak RSS after start-up and 5 commands",
        ("volunteers", "requests", "start-up s", "answered s", "peak RSS MB", "RSS MB"),
        [
            (f"{n:,}", f"{requests if n else 0:,}", m["startup_s"], m["answered_s"],
             m["peak_rss_mb"], m["rss_mb"])
            for n, m in memory.items()
        ],
    )  # fmt: skip


def _growth_lines(
    median: dict[int, Start], memory: dict[int, dict[str, float]], volunteers: int
) -> list[str]:
    """One line per measurement on how its cost grows with size."""
    none, many = median[0], median[PENDING_JOBS]
    small, large = memory[0], memory[volunteers]
    return [
        _growth("start-up by pending jobs", "s", (0, none.seconds), (PENDING_JOBS, many.seconds)),
        _growth(
            "getMe -> getUpdates by pending jobs",
            "s",
            (0, none.after_get_me),
            (PENDING_JOBS, many.after_get_me),
        ),
        _growth(
            "peak RSS at start-up by pending jobs",
            "MB",
            (0, none.peak_rss_mb),
            (PENDING_JOBS, many.peak_rss_mb),
        ),
        _growth(
            "peak RSS by volunteers",
            "MB",
            (0, small["peak_rss_mb"]),
            (volunteers, large["peak_rss_mb"]),
        ),
        _growth(
            "5 answers by volunteers",
            "s",
            (0, small["answered_s"]),
            (volunteers, large["answered_s"]),
        ),
    ]


async def run(quick: bool) -> dict[str, Any]:
    """Measure start-up against pending jobs and peak RSS against database size."""
    repeats = QUICK_REPEATS if quick else FULL_REPEATS
    volunteers = QUICK_VOLUNTEERS if quick else FULL_VOLUNTEERS
    requests = QUICK_REQUESTS if quick else FULL_REQUESTS
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder, _quiet_disconnects():
        root = Path(folder)
        paths = {jobs: root / f"jobs-{jobs}.sqlite3" for jobs in (0, PENDING_JOBS)}
        for jobs, path in paths.items():
            await prepare_jobs_database(path, jobs)
        starts = await _measure_starts(paths, repeats)
        memory, seeded_mb = await _measure_memory(root, paths[0], volunteers, requests)
    median = {j: _median_start(runs) for j, runs in starts.items()}
    _print_starts(repeats, starts, median)
    _print_memory(memory, requests)
    growth = _growth_lines(median, memory, volunteers)
    print("\n" + "\n".join(growth))
    many, large = median[PENDING_JOBS], memory[volunteers]
    return {
        "startup_runs": {str(j): [asdict(r) for r in runs] for j, runs in starts.items()},
        "startup_median": {str(j): asdict(m) for j, m in median.items()},
        "memory": {str(n): m for n, m in memory.items()},
        "seeded": {"volunteers": volunteers, "requests": requests, "db_mb": round(seeded_mb, 1)},
        "growth": growth,
        "target": {"startup_s": STARTUP_TARGET_S, "peak_rss_mb": RSS_TARGET_MB},
        "meets_target": many.seconds < STARTUP_TARGET_S and large["peak_rss_mb"] < RSS_TARGET_MB,
    }
