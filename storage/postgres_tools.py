"""PostgreSQL's own command-line tools, found on the PATH or in Debian's install folder."""

from __future__ import annotations

import asyncio
import glob
import shutil
from pathlib import Path


class ToolMissingError(Exception):
    """A PostgreSQL client tool (pg_dump) is not installed on this machine."""


def find_tool(name: str) -> str | None:
    """The path of a PostgreSQL program, or None when it is not installed."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


async def dump(url: str, target: Path) -> None:
    """Write a pg_dump custom-format copy of the database at url to target."""
    pg_dump = find_tool("pg_dump")
    if pg_dump is None:
        raise ToolMissingError(
            "backups of a PostgreSQL database need pg_dump: install the postgresql-client "
            "package, or use your server's own backup tooling"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    process = await asyncio.create_subprocess_exec(
        pg_dump,
        "--format=custom",
        "--no-owner",
        f"--file={target}",
        f"--dbname={url}",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {errors.decode(errors='replace').strip()}")
