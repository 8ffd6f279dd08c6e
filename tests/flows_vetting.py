"""Shared set-up for the organiser-tools tests: two neighbourhoods, their organisers, volunteers."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from bot.volunteers.volunteering import Offer
from storage import audit
from storage.organising import neighbourhoods, roles, vetting
from storage.organising.roles import Member
from storage.requests import help_requests
from tests.conftest import ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite

ELM_ORG = FakeUser(3001, "Elena", "Elm")
OAK_ORG = FakeUser(3002, "Oscar", "Oak")
VOLUNTEER = FakeUser(3003, "Vera", "Volunteer")
PENDING = FakeUser(3004, "Pip", "Pending")
SUSPENDED = FakeUser(3005, "Sam", "Suspended")
ELM_ORG_2 = FakeUser(3006, "Edna", "Elm")


@dataclass(frozen=True)
class World:
    """Elm Park (with its own organisers and volunteers) and Oak Row (organised by OAK_ORG)."""

    elm: int
    oak: int
    elm_code: str
    oak_code: str
    person: dict[int, int]  # Telegram id -> person id

    def pid(self, user: FakeUser) -> int:
        """The person id of a test user."""
        return self.person[user.id]


def last_markup_data(bot: BotHarness, chat_id: int) -> list[str]:
    """The button data on the newest message sent to a chat (after edits)."""
    sent = bot.fake.calls_to("sendMessage", chat_id)
    if not sent:
        return []
    message = bot.fake.message(chat_id, int(sent[-1].result["message_id"])) or {}
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button.get("callback_data", "") for row in rows for button in row]


async def run_for(
    bot: BotHarness, user: FakeUser, command: str, neighbourhood_id: int, args: str = ""
) -> None:
    """Send an organiser command; if it asks which neighbourhood, pick this one."""
    await bot.send(bot.build.command(user, command, args))
    extra = [args.lstrip("#")] if args else []
    data = pack("vnb", command, neighbourhood_id, *extra)
    if data in last_markup_data(bot, user.id):
        await bot.press(user, data)


async def person_id(bot: BotHarness, user: FakeUser) -> int:
    """The stored person id of a user who has agreed."""
    person = await bot.services.community.person(user.id)
    assert person is not None
    return person.id


async def build_world(bot: BotHarness) -> World:
    """Elm Park with organisers, a resident and volunteers of each status; Oak Row with OAK_ORG.

    Elm Park: ELM_ORG and ELM_ORG_2 organise (besides the bootstrap ORGANISER, its creator);
    RESIDENT is a member; VOLUNTEER is approved, PENDING pending and SUSPENDED suspended.
    """
    elm, elm_code = await neighbourhood_with_invite(bot, "Elm Park")
    oak, oak_code = await neighbourhood_with_invite(bot, "Oak Row")
    for user in (ELM_ORG, ELM_ORG_2, RESIDENT):
        await agree(bot, user, elm_code)
    await agree(bot, OAK_ORG, oak_code)
    await make_volunteer(bot, VOLUNTEER, elm_code)
    await make_volunteer(bot, SUSPENDED, elm_code)
    await make_volunteer(bot, PENDING, elm_code, approve=False)
    person = {}
    for user in (ORGANISER, ELM_ORG, ELM_ORG_2, RESIDENT, OAK_ORG, VOLUNTEER, PENDING, SUSPENDED):
        person[user.id] = await person_id(bot, user)
    for user, where in ((ELM_ORG, elm), (ELM_ORG_2, elm), (OAK_ORG, oak)):
        await run_for(bot, ORGANISER, "promote", where, f"#{person[user.id]}")
    result = await bot.services.vetting.suspend(ORGANISER.id, elm, person[SUSPENDED.id])
    assert result.outcome == "done"
    bot.fake.clear()
    return World(elm, oak, elm_code, oak_code, person)


async def offer(bot: BotHarness, user: FakeUser, code: str, categories: set[str]) -> int:
    """Join and offer help without approval; returns the person id."""
    await agree(bot, user, code)
    await bot.services.volunteering.save_offer(
        user.id, Offer(categories=frozenset(categories), availability=7)
    )
    return await person_id(bot, user)


async def snapshot(bot: BotHarness, neighbourhood_id: int) -> tuple[object, ...]:
    """Everything the organiser tools can change in a neighbourhood, for before/after checks."""
    async with bot.services.db.read() as conn:
        members = await roles.members(conn, neighbourhood_id, limit=1000)
        checks = [
            sorted((await vetting.checks_of(conn, m.person_id, neighbourhood_id)).items())
            for m in members
        ]
        history = [await audit.actions_for(conn, f"person:{m.person_id}") for m in members]
        return (
            members,
            checks,
            history,
            await vetting.required_checks(conn, neighbourhood_id),
            await neighbourhoods.settings_of(conn, neighbourhood_id),
            await audit.actions_for(conn, f"neighbourhood:{neighbourhood_id}"),
        )


async def member_of(bot: BotHarness, neighbourhood_id: int, person_id: int) -> Member | None:
    """The stored membership (role and volunteer status) of a person in a neighbourhood."""
    async with bot.services.db.read() as conn:
        return await roles.member(conn, neighbourhood_id, person_id)


async def actions_for(bot: BotHarness, subject: str) -> list[str]:
    """The audited actions on a subject ("person:12", "request:ABC"), oldest first."""
    async with bot.services.db.read() as conn:
        return await audit.actions_for(conn, subject)


async def alerted(bot: BotHarness, request_id: int) -> set[int]:
    """The volunteers' chats with a live alert for a request."""
    async with bot.services.db.read() as conn:
        alerts = await help_requests.live_alerts(conn, request_id)
    return {a.chat_id for a in alerts if a.person_id is not None}


async def elm_shopping(bot: BotHarness, what: str) -> tuple[int, str]:
    """RESIDENT asks for shopping in Elm Park; returns (request id, reference)."""
    return await ask_for_shopping(
        bot, RESIDENT, description=what, address="1 Elm Street", phone="07700 100123"
    )
