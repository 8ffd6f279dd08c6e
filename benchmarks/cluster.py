"""Several processes: the same scripted stream through one, two and three webhook processes.

Ten people at a time (a volunteer's team each) post updates to the processes' webhooks and
wait for each to be finished before their next step, as people wait for an answer. Reported
per process count: updates per second, and the time from a post to its update finished
(stored, handled, committed) as a person sees it, p50 and p99, and until the first answer
reached the Bot API (sent by the one elected sender, which other processes wake by NOTIFY).
The baseline is one process, measured in the same run. All processes share one throwaway
PostgreSQL on this machine, and every writer takes the one writer lock, so more processes add
failover, not write capacity.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import print_table, summarise
from benchmarks.postgres import cluster, not_measured

FULL_UPDATES = 300
QUICK_UPDATES = 120


async def run(quick: bool) -> dict[str, Any]:
    """Measure 1, 2 and 3 processes on one throwaway PostgreSQL."""
    async with cluster("cluster") as started:
        if started is None:
            return {"not_measured": "no PostgreSQL cluster could be started"}
        from tests.backends import PostgresDatabases

        databases = PostgresDatabases(started)
        results: dict[str, Any] = {}
        for count in (1, 2, 3):
            url = await databases.fresh()
            try:
                results[str(count)] = await _measure(url, count, quick)
            except Exception as error:
                results[str(count)] = {"not_measured": not_measured(error)}
            finally:
                await databases.drop(url)
    base = results.get("1", {}).get("updates_per_second")
    rows = []
    for count, figures in results.items():
        if "not_measured" in figures:
            rows.append([count, figures["not_measured"], "", "", "", "", ""])
            continue
        ratio = figures["updates_per_second"] / base if base else 0.0
        rows.append(
            [
                count,
                f"{figures['updates_per_second']:.1f}",
                f"{figures['p50_ms']:.0f}",
                f"{figures['p99_ms']:.0f}",
                f"{figures['answer_p50_ms']:.0f}",
                f"{figures['answer_p99_ms']:.0f}",
                f"{ratio:.2f}x",
            ]
        )
    print_table(
        "several processes: webhook -> finished, 10 people at a time",
        ["processes", "updates/s", "p50 ms", "p99 ms", "answer p50", "answer p99", "vs 1"],
        rows,
    )
    return results


async def _measure(url: str, count: int, quick: bool) -> dict[str, float]:
    from tests.bot_api_server import serve_bot_api
    from tests.flows_cluster import (
        RESIDENTS,
        VOLUNTEERS,
        Cluster,
        answer_seconds,
        cluster_processes,
        run_script,
    )
    from tests.flows_reliability import Db, seed_community, use_database_url, wait_for

    with tempfile.TemporaryDirectory() as folder:
        tmp_path = Path(folder)
        use_database_url(tmp_path, url)
        await seed_community(tmp_path, RESIDENTS, VOLUNTEERS)
        db = Db.of(tmp_path)
        with serve_bot_api() as (api, _root):
            processes = cluster_processes(tmp_path, api, count)
            try:
                for process in processes:
                    process.start()
                if not wait_for(lambda: all(p.healthy() for p in processes), 60, 0.1):
                    raise RuntimeError("the processes did not become healthy")
                deployment = Cluster(
                    api, db, processes, limit=QUICK_UPDATES if quick else FULL_UPDATES
                )
                started = time.monotonic()
                run_script(deployment)
                elapsed = time.monotonic() - started
                answered = summarise(answer_seconds(api, deployment))
            finally:
                for process in processes:
                    process.reap()
    latency = summarise(deployment.handling_seconds)
    return {
        "updates": len(deployment.posted),
        "seconds": elapsed,
        "updates_per_second": len(deployment.posted) / elapsed,
        "p50_ms": latency["p50_ms"],
        "p99_ms": latency["p99_ms"],
        "answer_p50_ms": answered["p50_ms"],
        "answer_p99_ms": answered["p99_ms"],
    }
