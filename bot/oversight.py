"""Phone-in requests, assignment, broadcast, stats, exports and audit views (issue 6)."""

from __future__ import annotations

from bot.core import Core


class Oversight:
    """Phone-in requests, assignment, broadcast, stats, exports and audit views (issue 6)."""

    def __init__(self, core: Core) -> None:
        self._core = core
