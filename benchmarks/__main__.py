"""`python -m benchmarks [--quick] [--out PATH] [--only NAME ...]`: run the benchmark suite."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Each module exposes `async def run(quick: bool) -> dict[str, Any]`, printing its own table.
SUITE = ("handling", "matching", "delivery", "startup", "directory", "charts", "cluster")


def main() -> int:
    """Run the selected benchmarks and write their results as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="a reduced run, under a minute")
    parser.add_argument("--out", type=Path, default=Path("benchmark-results.json"))
    parser.add_argument("--only", nargs="*", choices=SUITE, help="run only these")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "results": {},
    }
    started = time.perf_counter()
    for name in args.only or SUITE:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n# {name}", flush=True)
        results["results"][name] = asyncio.run(module.run(args.quick))
    results["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwrote {args.out} after {results['seconds']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
