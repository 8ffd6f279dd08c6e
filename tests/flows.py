"""Short scripted exchanges shared by tests: consent, create a neighbourhood, invite, join."""

from __future__ import annotations

import re

from bot.offline_updates import FakeUser
from bot.callback_data import pack
from tests.conftest import BotHarness

INVITE_LINK = re.compile(r"start=join-([A-Za-z0-9_-]+)")


async def agree(bot: BotHarness, user: FakeUser, code: str | None = None) -> None:
    """Start the bot and agree to the privacy notice."""
    await bot.send(bot.build.command(user, "start", f"join-{code}" if code else ""))
    data = pack("consent", "yes", code) if code else pack("consent", "yes")
    await bot.press(user, data)


async def create_neighbourhood(bot: BotHarness, organiser: FakeUser, name: str) -> int:
    """Have an organiser create a neighbourhood; returns its id."""
    await bot.send(bot.build.command(organiser, "neighbourhood", name))
    community = bot.services.community
    for neighbourhood in await community.organised_neighbourhoods(organiser.id):
        if neighbourhood.name == name:
            return neighbourhood.id
    raise AssertionError(f"{name} was not created: {bot.fake.texts_to(organiser.id)[-1:]}")


async def invite_code(bot: BotHarness, organiser: FakeUser, neighbourhood_id: int) -> str:
    """Have an organiser make an invite for a neighbourhood; returns the code from the link."""
    organised = await bot.services.community.organised_neighbourhoods(organiser.id)
    if len(organised) == 1:
        await bot.send(bot.build.command(organiser, "invite"))
    else:
        await bot.press(organiser, pack("invite", neighbourhood_id))
    match = INVITE_LINK.search(bot.fake.texts_to(organiser.id)[-1])
    assert match, bot.fake.texts_to(organiser.id)[-1]
    return match.group(1)
