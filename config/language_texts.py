"""User-facing texts for choosing a language (/language)."""

from __future__ import annotations

from config.i18n import N_, translate_module

PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("language", N_("Choose the language I write in")),
)
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = ()
HELP_PRIVATE = N_("/language – choose the language I write in\n")
HELP_ORGANISER = ""

CHOOSE = N_("I'm writing {in_language} now. Which language would you like?")
CHOSEN = N_("Okay: from now on I'll write to you {in_language}.")
UNCHANGED = N_("I'm already writing to you {in_language}.")
# {in_language} above: "in" and the language's name, which Welsh mutates after "yn".
IN_LANGUAGE: dict[str, str] = {"en": N_("in English"), "cy": N_("in Welsh")}
UNKNOWN = N_("I don't have “{code}” yet. Please choose one of these:")

translate_module(__name__)
