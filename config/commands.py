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


def help_private() -> str:
    """The /help text for everyone, in the current language."""
    return texts.HELP_PRIVATE + "".join(
        "\n" + f.HELP_PRIVATE.strip("\n") for f in FEATURE_TEXTS if f.HELP_PRIVATE
    )


def help_organiser() -> str:
    """The organisers' part of /help, in the current language."""
    return texts.HELP_ORGANISER + "".join(
        "\n" + f.HELP_ORGANISER.strip("\n") for f in FEATURE_TEXTS if f.HELP_ORGANISER
    )


translate_module(__name__)
