"""Checking a backup file: SQLite's own integrity check and the schema version it holds."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def check_file(path: Path) -> tuple[bool, int]:
    """Whether the database file passes `PRAGMA integrity_check`, and its schema version.

    The file is opened immutable: nobody writes a backup while it is checked, and so no -wal
    or -shm file is made beside it.
    """
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()
    return ok, version
