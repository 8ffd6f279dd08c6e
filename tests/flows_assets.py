"""Scripted exchanges for the asset register tests: /offer, searching, seeding assets."""

from __future__ import annotations

from datetime import timedelta

from bot.callback_data import pack
from bot.model.assets import Asset, AssetFields
from bot.offline.updates import FakeUser
from handlers.directory import offering as asset_offer
from handlers.directory.offering import Step
from storage.directory import assets
from tests.conftest import BotHarness

OUTSIDER = FakeUser(1004, "Otto", "Outsider")
# Tests that send many messages move the clock on, as a person would pause between them.
PAUSE = timedelta(minutes=1)


async def offer(
    bot: BotHarness,
    user: FakeUser,
    *,
    kind: str,
    title: str,
    description: str,
    tags: str | None = None,
    availability: str | None = None,
    visibility: str = "members",
    contact: str | None = None,
    neighbourhood_id: int | None = None,
) -> None:
    """Add an asset through the /offer conversation (pass the neighbourhood if asked)."""

    async def press(step: Step, value: str) -> None:
        await bot.press(user, pack(asset_offer.KIND, step.value, value))

    async def say(text: str) -> None:
        await bot.send(bot.build.text(user, text))

    bot.clock.advance(PAUSE)
    await bot.send(bot.build.command(user, "offer"))
    if neighbourhood_id is not None:
        await press(Step.NEIGHBOURHOOD, str(neighbourhood_id))
    await press(Step.KIND, kind)
    await say(title)
    await say(description)
    await (say(tags) if tags is not None else press(Step.TAGS, asset_offer.SKIP))
    if availability is not None:
        await say(availability)
    else:
        await press(Step.AVAILABILITY, asset_offer.SKIP)
    await press(Step.VISIBILITY, visibility)
    if contact is not None:
        await say(contact)
    await press(Step.CONFIRM, asset_offer.CONFIRM)


async def seed(
    bot: BotHarness,
    neighbourhood_id: int,
    title: str,
    *,
    kind: str = "organisational",
    description: str = "",
    tags: str = "",
    visibility: str = "public",
    contact_name: str = "",
    contact_details: str = "",
    status: str = "published",
) -> int:
    """Store an asset directly (for tests about searching rather than adding)."""
    values = AssetFields(
        kind=kind,
        title=title,
        description=description,
        tags=tags,
        visibility=visibility,
        contact_name=contact_name,
        contact_details=contact_details,
    )
    async with bot.services.db.transaction() as conn:
        return await assets.insert(
            conn,
            neighbourhood_id=neighbourhood_id,
            owner_person_id=None,
            values=values,
            status=status,
            source="import",
            now=bot.clock.now(),
        )


async def directory(bot: BotHarness, user: FakeUser, words: str = "") -> str:
    """Send /directory [words]; returns the bot's answer."""
    bot.clock.advance(PAUSE)  # stay under the per-person message limit
    await bot.send(bot.build.command(user, "directory", words))
    return bot.fake.last_text_to(user.id) or ""


async def asset(bot: BotHarness, asset_id: int) -> Asset:
    """An asset as stored now."""
    async with bot.services.db.read() as conn:
        found = await assets.by_id(conn, asset_id)
    assert found is not None
    return found


async def newest_asset(bot: BotHarness, neighbourhood_id: int) -> Asset:
    """The most recently added register asset of a neighbourhood."""
    async with bot.services.db.read() as conn:
        found = await assets.in_neighbourhoods(conn, [neighbourhood_id])
    assert found, "no assets"
    return found[-1]


async def set_self_publish(bot: BotHarness, neighbourhood_id: int) -> None:
    """Let the neighbourhood's members publish without approval."""
    async with bot.services.db.transaction() as conn:
        await assets.set_self_publish(conn, neighbourhood_id, True)
