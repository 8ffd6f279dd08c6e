"""Choosing the storage backend: PostgreSQL when a DATABASE_URL is given, else a SQLite file."""

from __future__ import annotations

from pathlib import Path

from storage.database import Database
from storage.postgres import PostgresDatabase
from storage.sqlite_database import SqliteDatabase


def database_for(path: Path, url: str | None) -> Database:
    """The database the settings name: PostgreSQL at url, or the SQLite file at path."""
    if url:
        return PostgresDatabase(url)
    return SqliteDatabase(path)
