"""User-facing texts for the asset register and directory."""

from __future__ import annotations

# Menu entries: (command, description), merged into the scoped menus by config.commands.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = ()
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = ()
# Lines appended to /help ("/command – what it does\n"), for everyone and for organisers.
HELP_PRIVATE = ""
HELP_ORGANISER = ""
