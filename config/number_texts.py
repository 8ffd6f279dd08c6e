"""Numbers in words: durations, and the names of languages people speak."""

from __future__ import annotations

from config.i18n import N_, NP_, translate_module

# How long something took or waited (bot.durations).
DURATION_UNDER_A_MINUTE = N_("under a minute")
DURATION_MINUTES = NP_("{count} minute", "{count} minutes")
DURATION_HOURS = NP_("{count} hour", "{count} hours")
DURATION_DAYS = NP_("{count} day", "{count} days")
DURATION_PAIR = N_("{larger} {smaller}")  # "2 hours 5 minutes", "3 days 4 hours"

# Languages Babel's CLDR data does not name (by the code volunteers' offers store).
LANGUAGE_NAMES: dict[str, str] = {"bsl": N_("British Sign Language")}
LIST_AND = N_("{items} and {last}")  # "Welsh, Polish and Urdu"

translate_module(__name__)
