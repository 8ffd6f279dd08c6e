"""How assets read in messages: directory entries, summaries and related-asset lines."""

from __future__ import annotations

from bot.delivery.notify import escape_within
from bot.language_names import language_name
from bot.model.assets import VOLUNTEER_OFFER, Asset, AssetFields
from bot.volunteers.volunteering import OFFER_LANGUAGE_PREFIX, language_code
from config import asset_texts, request_texts
from storage.directory.search import Scope

# Escaped lengths per field of a directory entry, so five entries and the page's heading
# always fit in one Telegram message (4,096 characters), however much escaping grows the text.
TITLE_SHOWN = 160
DESCRIPTION_SHOWN = 240
AVAILABILITY_SHOWN = 100
CONTACT_SHOWN = 160
NAME_SHOWN = 60


def shown_title(asset: Asset) -> str:
    """The title to show: a volunteer's language as its name in the reader's language."""
    if asset.source == VOLUNTEER_OFFER and asset.tags == "language":
        typed = asset.title.removeprefix(OFFER_LANGUAGE_PREFIX)
        return asset_texts.SPEAKS.format(language=language_name(language_code(typed)))
    return asset.title


def kind_label(kind: str) -> str:
    """A kind's label."""
    return asset_texts.KIND_LABELS.get(kind, kind)


def contact_text(name: str, details: str, limit: int = 1_000) -> str:
    """A named contact in words (escaped, at most `limit` long)."""
    return escape_within(", ".join(x for x in (name, details) if x), limit)


def summary(values: AssetFields, neighbourhood: str) -> str:
    """Every field of an asset, for checking before saving or approving."""
    # Caps keep the summary in one message even if escaping grows every character.
    lines = [
        f"{kind_label(values.kind)} · <b>{escape_within(values.title, 300)}</b>"
        f" ({escape_within(neighbourhood, 100)})",
        escape_within(values.description, 1_500),
        f"🏷 {escape_within(values.tags, 600)}" if values.tags else "",
        f"🕒 {escape_within(values.availability, 300)}" if values.availability else "",
        asset_texts.VISIBILITY_LABELS.get(values.visibility, values.visibility),
    ]
    if values.contact_name or values.contact_details:
        lines.append(f"📞 {contact_text(values.contact_name, values.contact_details, 600)}")
    return "\n".join(line for line in lines if line)


def reach(asset: Asset, scope: Scope) -> str:
    """How to reach an asset, with contact details only where its visibility allows.

    Members and organisers of the asset's neighbourhood see them; anyone else sees a public
    organisation's or place's named contact, but never a private person's Telegram.
    """
    belongs = scope.belongs(asset.neighbourhood_id)
    named = asset.contact_name or asset.contact_details
    if named and (belongs or asset.visibility == "public"):
        return asset_texts.REACH_CONTACT.format(
            contact=contact_text(asset.contact_name, asset.contact_details, CONTACT_SHOWN)
        )
    if belongs and asset.owner_telegram_id is not None:
        return asset_texts.REACH_PERSON.format(
            telegram_id=asset.owner_telegram_id,
            name=escape_within(asset.owner_name or request_texts.MESSAGE_THEM, NAME_SHOWN),
        )
    return asset_texts.REACH_VIA_ORGANISER.format(
        neighbourhood=escape_within(asset.neighbourhood_name, NAME_SHOWN)
    )


def directory_item(asset: Asset, number: int, scope: Scope) -> str:
    """One numbered directory entry."""
    return asset_texts.ITEM.format(
        number=number,
        kind=kind_label(asset.kind),
        title=escape_within(shown_title(asset), TITLE_SHOWN),
        verified=asset_texts.VERIFIED_MARK if asset.verified_at else "",
        description=escape_within(asset.description, DESCRIPTION_SHOWN) or "–",
        availability=(
            asset_texts.ITEM_AVAILABILITY.format(
                availability=escape_within(asset.availability, AVAILABILITY_SHOWN)
            )
            if asset.availability
            else ""
        ),
        reach=reach(asset, scope),
    )


def related_line(asset: Asset, scope: Scope) -> str:
    """A short line about an asset related to a request."""
    return asset_texts.RELATED_LINE.format(
        kind=kind_label(asset.kind).split(" ", 1)[0],
        title=escape_within(shown_title(asset), TITLE_SHOWN),
        contact=reach(asset, scope),
    )
