"""Shared set-ups for the organiser oversight tests: two neighbourhoods and their people."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from storage import people
from storage.organising import neighbourhoods
from storage.requests import help_requests
from storage.volunteers import offers as volunteers
from tests.conftest import RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite

ELM_ORGANISER = FakeUser(3001, "Olga", "Elm")  # organises Elm Park only (not a bootstrap one)
OAK_ORGANISER = FakeUser(3002, "Oscar", "Oak")  # organises Oak Row only
VOLUNTEER = FakeUser(2001, "Vera", "Volunteer")
SECOND_VOLUNTEER = FakeUser(2002, "Walt", "Volunteer")
NEIGHBOUR_PHONE = "07700 100123"
NEIGHBOUR_E164 = "+447700100123"
REF = re.compile(r"R-[0-9A-Z]{4,6}")


@dataclass(frozen=True)
class Community:
    """Elm Park (with organiser, resident and two volunteers) and Oak Row (its organiser)."""

    elm: int
    oak: int
    elm_code: str
    oak_code: str
    volunteer_person: int
    second_volunteer_person: int


async def make_organiser(bot: BotHarness, user: FakeUser, code: str, nid: int) -> None:
    """Join through an invite, then be made an organiser of that neighbourhood (stored role)."""
    await agree(bot, user, code)
    async with bot.services.db.transaction() as conn:
        person = await people.by_telegram_id(conn, user.id)
        assert person is not None
        await neighbourhoods.add_member(
            conn, person_id=person.id, neighbourhood_id=nid, role="organiser", now=bot.clock.now()
        )


async def two_neighbourhoods(bot: BotHarness) -> Community:
    """Elm Park and Oak Row, each with its own organiser; Elm Park has a resident, 2 volunteers."""
    elm, elm_code = await neighbourhood_with_invite(bot, "Elm Park")
    oak, oak_code = await neighbourhood_with_invite(bot, "Oak Row")
    await make_organiser(bot, ELM_ORGANISER, elm_code, elm)
    await make_organiser(bot, OAK_ORGANISER, oak_code, oak)
    await agree(bot, RESIDENT, elm_code)
    first = await make_volunteer(bot, VOLUNTEER, elm_code)
    second = await make_volunteer(bot, SECOND_VOLUNTEER, elm_code)
    bot.fake.clear()
    return Community(elm, oak, elm_code, oak_code, first, second)


async def resident_request(bot: BotHarness) -> tuple[int, str]:
    """The resident asks for shopping in Elm Park; returns (request id, reference)."""
    return await ask_for_shopping(
        bot, RESIDENT, description="Milk and eggs", address="1 Elm Road", phone="07700 100456"
    )


async def request_row(bot: BotHarness, request_id: int) -> help_requests.HelpRequest:
    """The stored request."""
    async with bot.services.db.read() as conn:
        request = await help_requests.by_id(conn, request_id)
    assert request is not None
    return request


async def log_phone_in(bot: BotHarness, organiser: FakeUser, *, choose: int | None = None) -> str:
    """An organiser logs a shopping request by phone through /log; returns the bot's last text."""

    async def press(step: Step, value: str | int) -> None:
        await bot.press(organiser, pack(request_flow.KIND, step.token, value))

    async def say(text: str) -> None:
        await bot.send(bot.build.text(organiser, text))

    await bot.send(bot.build.command(organiser, "log"))
    if choose is not None:
        await press(Step.NEIGHBOURHOOD, choose)
    await press(Step.CATEGORY, "shopping")
    await say("Bread, tea & <milk>")
    await press(Step.WHEN, "today")
    await say("3 Oak Lane")
    await press(Step.PAYMENT, "doorstep")
    await say("Mrs <b>Jones</b>")
    await say(NEIGHBOUR_PHONE)
    await press(Step.SUMMARY, "confirm")
    return bot.fake.texts_to(organiser.id)[-1]


async def seed_volunteers(
    bot: BotHarness, nid: int, first_telegram_id: int, count: int
) -> list[int]:
    """Store `count` approved volunteers of a neighbourhood directly; returns their Telegram ids."""
    now = bot.clock.now()
    ids = list(range(first_telegram_id, first_telegram_id + count))
    async with bot.services.db.transaction() as conn:
        for telegram_id in ids:
            person = await people.record_consent(
                conn,
                telegram_id=telegram_id,
                display_name=f"Helper {telegram_id}",
                language="en",
                notice_version=bot.services.community.notice_version,
                now=now,
            )
            await neighbourhoods.add_member(
                conn, person_id=person.id, neighbourhood_id=nid, role="member", now=now
            )
            await volunteers.save_offer(
                conn,
                person_id=person.id,
                categories=frozenset({"shopping"}),
                availability=7,
                max_open_tasks=2,
                languages=(),
                share_phone=False,
                now=now,
            )
            await volunteers.set_status(conn, person.id, nid, "approved")
    return ids


async def scalar(bot: BotHarness, sql: str) -> int:
    """The single number a read-only query returns."""
    async with bot.services.db.read() as conn:
        row = await conn.fetchrow(sql)
    return int(row[0]) if row else 0
