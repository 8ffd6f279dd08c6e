"""Personal data: /mydata, /forgetme, retention and backups (issue 7)."""

from __future__ import annotations

from bot.core import Core


class Privacy:
    """Personal data: /mydata, /forgetme, retention and backups (issue 7)."""

    def __init__(self, core: Core) -> None:
        self._core = core
