"""Short scripted exchanges shared by tests: consent, create a neighbourhood, invite, join."""

from __future__ import annotations

import re

from bot.callback_data import pack
from bot.offline.updates import FakeUser
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


async def neighbourhood_with_invite(bot: BotHarness, name: str = "Elm Park") -> tuple[int, str]:
    """The bootstrap organiser agrees, creates a neighbourhood and an invite."""
    from tests.conftest import ORGANISER

    if not await bot.services.community.person(ORGANISER.id):
        await agree(bot, ORGANISER)
    nid = await create_neighbourhood(bot, ORGANISER, name)
    return nid, await invite_code(bot, ORGANISER, nid)


async def make_volunteer(
    bot: BotHarness,
    user: FakeUser,
    code: str,
    *,
    categories: frozenset[str] = frozenset({"shopping"}),
    availability: int = 7,
    max_open_tasks: int = 2,
    languages: tuple[str, ...] = (),
    approve: bool = True,
) -> int:
    """Join through an invite, offer help and (by default) get approved; returns person id."""
    from bot.volunteers.volunteering import Offer
    from tests.conftest import ORGANISER

    await agree(bot, user, code)
    await bot.services.volunteering.save_offer(
        user.id,
        Offer(
            categories=categories,
            availability=availability,
            max_open_tasks=max_open_tasks,
            languages=languages,
        ),
    )
    person = await bot.services.community.person(user.id)
    assert person is not None
    if approve:
        for neighbourhood, _ in await bot.services.community.memberships(user.id):
            await bot.services.volunteering.approve(ORGANISER.id, person.id, neighbourhood.id)
    return person.id


async def ask_for_shopping(
    bot: BotHarness, user: FakeUser, *, description: str, address: str, phone: str
) -> tuple[int, str]:
    """Ask for shopping through the /request conversation; returns (request id, reference)."""
    from handlers.requests import flow as request_flow
    from handlers.requests.steps import Step
    from storage.requests import help_requests

    async def press(step: Step, value: str) -> None:
        await bot.press(user, pack(request_flow.KIND, step.token, value))

    async def say(text: str) -> None:
        await bot.send(bot.build.text(user, text))

    await bot.send(bot.build.command(user, "request"))
    await press(Step.CATEGORY, "shopping")
    await say(description)
    await press(Step.WHEN, "today")
    await say(phone)
    await say(address)
    await press(Step.PAYMENT, "doorstep")
    await press(Step.FOR_WHOM, "me")
    await press(Step.SUMMARY, "confirm")
    match = re.search(r"R-[0-9A-Z]{4,6}", bot.fake.texts_to(user.id)[-1])
    assert match, bot.fake.texts_to(user.id)[-1]
    async with bot.services.db.read() as conn:
        request = await help_requests.by_ref(conn, match.group(0))
    assert request is not None
    return request.id, request.ref
