"""The asset register and community directory (issue 4)."""

from __future__ import annotations

from bot.core import Core


class AssetRegister:
    """The asset register and community directory (issue 4)."""

    def __init__(self, core: Core) -> None:
        self._core = core
