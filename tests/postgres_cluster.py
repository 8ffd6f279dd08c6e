"""A throwaway PostgreSQL cluster for tests: initdb in a temp dir, a server on a free port.

Works as a normal user (the binaries run directly) and as root (initdb and postgres refuse
root, so they run as the `postgres` system user, who is given the temp dir). The session
fixture `postgres_cluster` fails, rather than skips, when no PostgreSQL binaries are found.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

START_TIMEOUT_S = 60
_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def find_postgres_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres: pg_config's, else the newest packaged."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        try:
            found = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found:
            candidates.append(Path(found))

    def version(path: str) -> tuple[int, ...]:
        match = re.search(r"/postgresql/([\d.]+)/bin$", path)
        return tuple(int(part) for part in match.group(1).split(".")) if match else ()

    packaged = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    candidates += [Path(path) for path in packaged]
    for bindir in candidates:
        if all(os.access(bindir / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on its own loop in a worker thread (safe inside a loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class ClusterError(RuntimeError):
    """The throwaway cluster could not be created or started."""


class ThrowawayCluster:
    """A PostgreSQL cluster in a temp dir, trusting local connections, removed by stop()."""

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir if bindir is not None else find_postgres_bindir()
        if found is None:
            raise ClusterError("no PostgreSQL binaries (initdb, pg_ctl, postgres) found")
        self.bindir: Path = found
        self.port: int = 0
        self.root: Path | None = None
        self._started = False
        self._run_as: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ClusterError("running as root needs runuser to run PostgreSQL as postgres")
            self._run_as = [runuser, "-u", "postgres", "--"]

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self._root() / "data"

    @property
    def log_file(self) -> Path:
        """The server's log."""
        return self._root() / "server.log"

    @property
    def url(self) -> str:
        """The URL of the `postgres` database as the `postgres` superuser."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        """The URL of the database `name` in this cluster."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> ThrowawayCluster:
        """Create the temp dir, run initdb and start the server; return self once it is ready."""
        if self._started:
            return self
        self.root = Path(tempfile.mkdtemp(prefix="pgtest-"))
        try:
            if self._run_as:
                account = pwd.getpwnam("postgres")
                os.chown(self.root, account.pw_uid, account.pw_gid)
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server at once (pg_ctl stop -m immediate) and remove the temp dir."""
        if self.root is None:
            return
        if self._started:
            self._started = False
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                self._pg(
                    "pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w", check=False
                )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    async def create_database_async(self, name: str) -> str:
        """Create an empty database `name` (a plain lower-case identifier); return its URL."""
        import asyncpg

        if not _DATABASE_NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.database_url(name)

    def create_database(self, name: str) -> str:
        """Create an empty database `name`; return its URL (callable inside an event loop too)."""
        return _run_coroutine(self.create_database_async(name))

    def __enter__(self) -> ThrowawayCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _root(self) -> Path:
        """The temp dir, or an error when the cluster is not started."""
        if self.root is None:
            raise ClusterError("the cluster is not started")
        return self.root

    def _pg(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run one PostgreSQL program (as postgres when we are root) in the temp dir."""
        command = [*self._run_as, str(self.bindir / program), *args]
        result = subprocess.run(
            command, cwd=self._root(), capture_output=True, text=True, timeout=START_TIMEOUT_S * 2
        )
        if check and result.returncode != 0:
            raise ClusterError(
                f"{program} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def _initdb(self) -> None:
        """initdb with trust authentication, superuser postgres, UTF-8 (C.UTF-8, else C)."""
        common = ["-D", str(self.data_dir), "-A", "trust", "-U", "postgres", "--encoding=UTF8"]
        first = self._pg("initdb", *common, "--locale=C.UTF-8", check=False)
        if first.returncode != 0:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self._pg("initdb", *common, "--locale=C")

    def _start_server(self) -> None:
        """Start postgres on 127.0.0.1 and a free port, retrying if another process took it."""
        last_error: ClusterError | None = None
        for _attempt in range(3):
            self.port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self._root()} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            result = self._pg(
                "pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_file),
                "-w", "-t", str(START_TIMEOUT_S), "-o", options, check=False,
            )  # fmt: skip
            if result.returncode == 0 and self._accepts_connections():
                self._started = True
                return
            log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
            last_error = ClusterError(
                f"pg_ctl start failed ({result.returncode}):\n{result.stdout}\n"
                f"{result.stderr}\n{log[-4000:]}"
            )
            self._pg("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", check=False)
        assert last_error is not None
        raise last_error

    def _accepts_connections(self) -> bool:
        """Whether the server answers on its TCP port."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5):
                return True
        except OSError:
            return False


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[ThrowawayCluster]:
    """A PostgreSQL cluster for the whole session; fails the tests when none can be run."""
    bindir = find_postgres_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL tests need the server binaries (initdb, pg_ctl, postgres): install "
            "PostgreSQL (e.g. apt-get install postgresql) or put pg_config on PATH",
            pytrace=False,
        )
    cluster = ThrowawayCluster(bindir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
