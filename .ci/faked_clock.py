"""Print the libfaketime offset that puts the wall clock at a London time, for `faketime -f`.

    faketime -f "$(python .ci/faked_clock.py 2027-01-14T03:00)" python -m pytest ...

The offset (for example "+3456789s"), unlike an absolute "@" time, is the same in every
process the run starts, so the bot processes that tests start share the test's faked clock.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def offset_to(local: str, zone: str = "Europe/London") -> str:
    """Seconds from now to `local` (ISO, in `zone`), signed, in libfaketime's form."""
    target = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone))
    seconds = round((target - datetime.now(UTC)).total_seconds())
    return f"{seconds:+d}"


if __name__ == "__main__":
    print(offset_to(sys.argv[1]))
