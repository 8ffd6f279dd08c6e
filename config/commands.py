"""The command menus and /help texts, merged from the core texts and each feature's texts.

Menu descriptions read in the current language (see config.i18n); the /help texts are joined
from translated parts when asked for.
"""

from __future__ import annotations

from config import (
    asset_texts,
    care_texts,
    language_texts,
    oversight_texts,
    privacy_texts,
    texts,
    vetting_texts,
)
from config.i18n import translate_module

FEATURE_TEXTS = (
    asset_texts,
    care_texts,
    vetting_texts,
    oversight_texts,
    privacy_texts,
    language_texts,
)
# These stay at the end of the private menu, after every feature's commands.
_LAST = ("help", "privacy", "cancel")

PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    *(c for c in texts.PRIVATE_COMMANDS if c[0] not in _LAST),
    *(c for feature in FEATURE_TEXTS for c in feature.PRIVATE_COMMANDS),
    *(c for c in texts.PRIVATE_COMMANDS if c[0] in _LAST),
)
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    *texts.ORGANISER_COMMANDS,
    *(c for feature in FEATURE_TEXTS for c in feature.ORGANISER_COMMANDS),
)
GROUP_ADMIN_COMMANDS = texts.GROUP_ADMIN_COMMANDS
# The organiser commands of each /help group (texts.HELP_ORGANISER_GROUPS); lower case, so
# that command names are never looked up in the catalogs ("open" is also a word there).
help_group_commands: tuple[tuple[str, ...], ...] = (
    ("neighbourhood", "invite", "revoke", "selfjoin", "linkgroup", "settings"),
    ("pending", "checks", "suspend", "unsuspend", "organisers", "promote", "demote"),
    ("open", "log", "assign", "reassign", "audit", "broadcast"),
    ("checkins", "checkinbuddy"),
    ("stats", "gaps", "export", "import"),
)


def help_private() -> str:
    """The /help text for everyone, in the current language."""
    return texts.HELP_PRIVATE + "".join(
        "\n" + f.HELP_PRIVATE.strip("\n") for f in FEATURE_TEXTS if f.HELP_PRIVATE
    )


def help_organiser() -> str:
    """Every organiser command with its syntax, in the current language (the long form)."""
    return texts.HELP_ORGANISER + "".join(
        "\n" + f.HELP_ORGANISER.strip("\n") for f in FEATURE_TEXTS if f.HELP_ORGANISER
    )


def help_for_organisers() -> str:
    """/help for an organiser: the menu's buttons, the commands grouped, everyone's in a line."""
    buttons = ", ".join(
        (texts.MENU_OPEN, texts.MENU_PENDING, texts.MENU_CHECKINS, texts.MENU_WEEK,
         texts.MENU_SETTINGS)
    )  # fmt: skip
    text = texts.HELP_ORGANISER_INTRO.format(buttons=buttons)
    groups = zip(texts.HELP_ORGANISER_GROUPS, help_group_commands, strict=True)
    for (heading, example), names in groups:
        text += texts.HELP_GROUP_LINE.format(
            heading=heading, commands=" ".join(f"/{n}" for n in names), example=example
        )
    everyone = " ".join(f"/{name}" for name, _ in PRIVATE_COMMANDS)
    return text + texts.HELP_EVERYONE_LINE.format(commands=everyone)


translate_module(__name__)
