"""The lock files match pyproject.toml, and the check CI runs fails when they go stale."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / ".ci" / "check_lock.py"


def check(tmp_path: Path, pyproject: str | None = None, lock: str | None = None) -> tuple[int, str]:
    """Run the lock check on copies of the files, changed as given; (exit status, output)."""
    for name in ("pyproject.toml", "requirements.lock", "requirements-build.lock"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    if lock is not None:
        (tmp_path / "requirements.lock").write_text(lock, encoding="utf-8")
    finished = subprocess.run(
        [sys.executable, str(CHECK), "--pyproject", str(tmp_path / "pyproject.toml")]
        + ["--lock", str(tmp_path / "requirements.lock")]
        + ["--build-lock", str(tmp_path / "requirements-build.lock")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return finished.returncode, finished.stdout + finished.stderr


def test_the_lock_files_match_pyproject(tmp_path: Path) -> None:
    status, output = check(tmp_path)
    assert status == 0, output
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins = re.findall(r"^([a-z0-9-]+)==(\S+) \\$", lock, re.MULTILINE)
    assert {"python-telegram-bot", "cryptography", "python-json-logger", "aiosqlite"} <= {
        name for name, _ in pins
    }
    assert lock.count("--hash=sha256:") >= len(pins)
    options = [line for line in lock.splitlines() if line.startswith("--")]
    assert options == []  # no index or wheel folder of the machine that made it


def test_a_stale_lock_fails_the_check(tmp_path: Path) -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    added = pyproject.replace('"aiosqlite>=0.20,<1",', '"aiosqlite>=0.20,<1",\n    "rich>=13",')
    status, output = check(tmp_path, pyproject=added)
    assert status == 1 and "'rich>=13' is not locked" in output
    raised = pyproject.replace('"phonenumbers>=8.13,<10"', '"phonenumbers>=10,<11"')
    status, output = check(tmp_path, pyproject=raised)
    assert status == 1 and "does not satisfy 'phonenumbers>=10,<11'" in output
    dropped = pyproject.replace('    "python-json-logger>=3.1,<5",\n', "")
    status, output = check(tmp_path, pyproject=dropped)
    assert status == 1 and "python-json-logger is locked for pyproject.toml" in output
    unhashed = re.sub(
        r"(?m)^(aiosqlite==\S+) \\\n(    --hash=\S+ \\\n)*    --hash=\S+\n", r"\1\n", lock
    )
    assert unhashed != lock
    status, output = check(tmp_path, lock=unhashed)
    assert status == 1 and "aiosqlite==" in output and "has no hash" in output
    orphan = lock + "rich==13.0.0 \\\n    --hash=sha256:" + "0" * 64 + "\n    # via nothing-here\n"
    status, output = check(tmp_path, lock=orphan)
    assert status == 1 and "rich is locked but nothing needs it" in output
