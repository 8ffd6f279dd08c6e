"""The storage backends tests run on: SQLite files, and PostgreSQL databases in a throwaway cluster.

Every test that asks for the `backend` fixture (through `settings`, `harness` or `db`) runs once
per backend named by `--backends` (both by default). On PostgreSQL each test gets its own
database, copied from a migrated template (a copy takes milliseconds, migrating takes seconds),
and dropped afterwards.
"""

from __future__ import annotations

import itertools
import os

import asyncpg

from storage.postgres import migrate_url
from tests.postgres_cluster import ThrowawayCluster

BACKENDS = ("sqlite", "postgres")
TEMPLATE = "migrated_template"
_numbers = itertools.count(1)


class PostgresDatabases:
    """Fresh, migrated databases in one throwaway cluster, made and dropped per test."""

    def __init__(self, cluster: ThrowawayCluster) -> None:
        self.cluster = cluster
        self._template_ready = False

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.cluster.url)

    async def _ensure_template(self) -> None:
        if self._template_ready:
            return
        admin = await self._admin()
        try:
            exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", TEMPLATE)
            if not exists:
                await admin.execute(f"CREATE DATABASE {TEMPLATE}")
        finally:
            await admin.close()
        await migrate_url(self.cluster.database_url(TEMPLATE))
        self._template_ready = True

    async def fresh(self, *, migrated: bool = True) -> str:
        """The URL of a new database (migrated, or empty)."""
        if migrated:
            await self._ensure_template()
        name = f"test_{os.getpid()}_{next(_numbers)}"
        admin = await self._admin()
        try:
            template = f" TEMPLATE {TEMPLATE}" if migrated else ""
            await admin.execute(f"CREATE DATABASE {name}{template}")
        finally:
            await admin.close()
        return self.cluster.database_url(name)

    async def drop(self, url: str) -> None:
        """Drop a database made by fresh(), closing any connection still open to it."""
        name = url.rsplit("/", 1)[-1]
        admin = await self._admin()
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()
