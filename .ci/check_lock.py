"""Check that the lock files still match pyproject.toml, offline (nothing is resolved again).

requirements.lock must pin, with hashes, every dependency of [project] (at a version its range
allows) and nothing that no dependency needs; requirements-build.lock the same for
[build-system].requires. "Needs" is read from pip-compile's "# via" notes: an entry is needed
if pyproject.toml asks for it, or an entry that is needed pulls it in.

Exit 0 when both match; otherwise print each problem and exit 1. Regenerate with the
pip-compile commands in the README ("Running with Docker").
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")
_FROM_PYPROJECT = re.compile(r"\(pyproject\.toml(?:::[\w.-]+)?\)")


@dataclass
class Pin:
    """One locked package: its version, hashes and what pulls it in."""

    version: str
    hashes: int = 0
    via: list[str] = field(default_factory=list)


def read_lock(path: Path) -> dict[str, Pin]:
    """The pins of a pip-compile lock file, by canonical name."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    in_via = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        pin = _PIN.match(raw)
        if pin:
            current = pins[canonicalize_name(pin.group(1))] = Pin(pin.group(2))
            in_via = False
        elif current is not None and line.startswith("--hash=sha256:"):
            current.hashes += 1
        elif current is not None and line.startswith("# via"):
            rest = line[len("# via") :].strip()
            in_via = not rest
            if rest:
                current.via.append(rest)
        elif current is not None and in_via and line.startswith("#   "):
            current.via.append(line[4:].strip())
        else:
            in_via = False
    return pins


def check(requirements: list[str], lock: Path) -> list[str]:
    """The problems between these requirements and the lock file (none: they match)."""
    name = lock.name
    if not lock.is_file():
        return [f"{name}: missing"]
    pins = read_lock(lock)
    problems = []
    wanted = set()
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        key = canonicalize_name(requirement.name)
        wanted.add(key)
        pin = pins.get(key)
        if pin is None:
            problems.append(f"{name}: {text!r} is not locked")
        elif not requirement.specifier.contains(Version(pin.version), prereleases=True):
            problems.append(f"{name}: {key}=={pin.version} does not satisfy {text!r}")
    for key, pin in sorted(pins.items()):
        if pin.hashes == 0:
            problems.append(f"{name}: {key}=={pin.version} has no hash")
        claims_root = any(_FROM_PYPROJECT.search(source) for source in pin.via)
        if claims_root and key not in wanted:
            problems.append(f"{name}: {key} is locked for pyproject.toml, which no longer needs it")
    needed = set(wanted) & set(pins)
    changed = True
    while changed:
        changed = False
        for key, pin in pins.items():
            parents = {canonicalize_name(source.split()[0]) for source in pin.via}
            if key not in needed and parents & needed:
                needed.add(key)
                changed = True
    for key in sorted(set(pins) - needed):
        problems.append(f"{name}: {key} is locked but nothing needs it")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check both lock files against pyproject.toml; print the problems."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    parser.add_argument("--build-lock", type=Path, default=ROOT / "requirements-build.lock")
    args = parser.parse_args(argv)
    project = tomllib.loads(args.pyproject.read_text(encoding="utf-8"))
    problems = check(project["project"]["dependencies"], args.lock)
    problems += check(project["build-system"]["requires"], args.build_lock)
    for problem in problems:
        print(f"lock check: {problem}", file=sys.stderr)
    if problems:
        print("lock check: the lock files are stale; regenerate them (README, Docker)")
        return 1
    print("lock check: requirements.lock and requirements-build.lock match pyproject.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
