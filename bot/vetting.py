"""Organiser roles, volunteer vetting and checks, suspension and settings (issue 6)."""

from __future__ import annotations

from bot.core import Core


class Vetting:
    """Organiser roles, volunteer vetting and checks, suspension and settings (issue 6)."""

    def __init__(self, core: Core) -> None:
        self._core = core
