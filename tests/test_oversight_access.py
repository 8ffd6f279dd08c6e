"""Authorisation matrix: every oversight command and button, tried by a resident, a volunteer,
an organiser of another neighbourhood and an organiser of the right one."""

from __future__ import annotations

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from bot.requests.request_types import RequestDraft
from bot.when import WhenKind, window_for
from config import oversight_texts
from handlers.organising.assigning import ASSIGN_KIND, REASSIGN_KIND
from handlers.organising.broadcasting import SEND_DATA
from tests.conftest import RESIDENT, BotHarness
from tests.flows_oversight import (
    ELM_ORGANISER,
    OAK_ORGANISER,
    SECOND_VOLUNTEER,
    VOLUNTEER,
    request_row,
    resident_request,
    scalar,
    two_neighbourhoods,
)

OUTSIDERS = (RESIDENT, VOLUNTEER)  # neither organises anything


async def audit_count(bot: BotHarness) -> int:
    return await scalar(bot, "SELECT COUNT(*) FROM audit_log")


async def command(bot: BotHarness, user: FakeUser, name: str, args: str = "") -> str:
    await bot.send(bot.build.command(user, name, args))
    return bot.fake.texts_to(user.id)[-1]


async def test_only_the_neighbourhoods_organiser_can_use_the_oversight_tools(
    harness: BotHarness,
) -> None:
    c = await two_neighbourhoods(harness)
    request_id, ref = await resident_request(harness)
    vera, walt = c.volunteer_person, c.second_volunteer_person
    before = await audit_count(harness)

    # Residents and volunteers are refused every command, and nothing changes.
    for user in OUTSIDERS:
        for name, args in (
            ("log", ""),
            ("open", ""),
            ("assign", ref),
            ("reassign", ref),
            ("broadcast", ""),
            ("stats", ""),
            ("export", "requests"),
            ("audit", ref),
        ):
            assert await command(harness, user, name, args) == oversight_texts.NOT_ORGANISER, (
                user,
                name,
            )
        assert not harness.fake.documents_to(user.id)
    # Oak Row's organiser is refused Elm Park's requests and sees none of them.
    assert (
        await command(harness, OAK_ORGANISER, "assign", ref) == oversight_texts.NOT_ORGANISER_HERE
    )
    assert (
        await command(harness, OAK_ORGANISER, "reassign", ref) == oversight_texts.NOT_ORGANISER_HERE
    )
    assert await command(harness, OAK_ORGANISER, "audit", ref) == oversight_texts.NOT_ORGANISER_HERE
    assert await command(harness, OAK_ORGANISER, "open") == oversight_texts.OPEN_NONE
    assert "No requests were made" in await command(harness, OAK_ORGANISER, "stats")
    # Their /broadcast reaches Oak Row only, which has no volunteers.
    broadcast = await command(harness, OAK_ORGANISER, "broadcast")
    assert broadcast == oversight_texts.BROADCAST_NOBODY.format(neighbourhood="Oak Row")
    # Their /log can only be for Oak Row, and the service refuses Elm Park outright.
    draft = RequestDraft(
        neighbourhood_id=c.elm,
        category="shopping",
        description="x",
        window=window_for(WhenKind.TODAY, harness.clock.now(), harness.settings.timezone),
        contact_phone=None,
        telegram_only=False,
        address="x",
        for_name="Mr X",
        for_phone="+447700100123",
    )
    for user in (OAK_ORGANISER, RESIDENT):
        try:
            await harness.services.oversight.phone_in.create(user.id, draft)
        except PermissionError:
            pass
        else:
            raise AssertionError(f"{user} logged a request in Elm Park")
    # Forged buttons: assign, then reassign, by everyone but Elm Park's organiser.
    for user in (*OUTSIDERS, OAK_ORGANISER):
        await harness.press(user, pack(ASSIGN_KIND, request_id, vera))
        assert (await request_row(harness, request_id)).status == "open", user
        await harness.press(user, SEND_DATA)
    assert await audit_count(harness) == before
    assert not harness.fake.texts_to(SECOND_VOLUNTEER.id)[-1].startswith("📣")

    # Elm Park's organiser succeeds at each.
    assert ref in await command(harness, ELM_ORGANISER, "open")
    assert "Eligible volunteers" in await command(harness, ELM_ORGANISER, "assign", ref)
    await harness.press(ELM_ORGANISER, pack(ASSIGN_KIND, request_id, vera))
    assert (await request_row(harness, request_id)).assignee_person_id == vera

    before = await audit_count(harness)
    for user in (*OUTSIDERS, OAK_ORGANISER):
        await harness.press(user, pack(REASSIGN_KIND, request_id, vera, walt))
        assert (await request_row(harness, request_id)).assignee_person_id == vera, user
    assert await audit_count(harness) == before
    assert "Move it to" in await command(harness, ELM_ORGANISER, "reassign", ref)
    await harness.press(ELM_ORGANISER, pack(REASSIGN_KIND, request_id, vera, walt))
    assert (await request_row(harness, request_id)).assignee_person_id == walt

    assert "History of" in await command(harness, ELM_ORGANISER, "audit", ref)
    assert "<b>1 request" in await command(harness, ELM_ORGANISER, "stats")
    await command(harness, ELM_ORGANISER, "export", "requests")
    assert harness.fake.documents_to(ELM_ORGANISER.id)
    assert "(2 will get it)" in await command(harness, ELM_ORGANISER, "broadcast")
    await harness.send(harness.build.text(ELM_ORGANISER, "Thanks all"))
    await harness.press(ELM_ORGANISER, SEND_DATA)
    assert "Thanks all" in harness.fake.texts_to(SECOND_VOLUNTEER.id)[-1]
    assert "Broadcast finished" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    assert "Phone-in request</b> in Elm Park" in await command(harness, ELM_ORGANISER, "log")
    assert "Logging a request" in harness.fake.texts_to(ELM_ORGANISER.id)[-2]
