"""Task reminders, welfare check-ins, escalations, quiet hours and the digest (issue 5)."""

from __future__ import annotations

from bot.core import Core


class Care:
    """Task reminders, welfare check-ins, escalations, quiet hours and the digest (issue 5)."""

    def __init__(self, core: Core) -> None:
        self._core = core
