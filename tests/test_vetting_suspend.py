"""Suspension through the real Application: alerts stop, open tasks are taken back, re-offered."""

from __future__ import annotations

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from bot.requests.labels import the_request
from config import vetting_texts
from storage.requests import help_requests
from tests.conftest import RESIDENT, BotHarness
from tests.flows import make_volunteer
from tests.flows_vetting import (
    ELM_ORG,
    SUSPENDED,
    VOLUNTEER,
    actions_for,
    alerted,
    build_world,
    elm_shopping,
    member_of,
    run_for,
)

OTHER = FakeUser(3201, "Olga", "Other")


async def test_suspend_takes_back_and_reoffers_tasks(harness: BotHarness) -> None:
    world = await build_world(harness)
    await make_volunteer(harness, OTHER, world.elm_code)
    request_id, ref = await elm_shopping(harness, "Bread")
    assert await alerted(harness, request_id) == {VOLUNTEER.id, OTHER.id}
    await harness.press(VOLUNTEER, pack("accept", request_id))

    await harness.send(harness.build.command(ELM_ORG, "suspend"))
    choice = pack("vsus", "s", world.elm, world.pid(VOLUNTEER))
    await harness.press(ELM_ORG, choice)
    assert "Tasks taken back and offered again: 1" in (harness.fake.last_text_to(ELM_ORG.id) or "")

    async with harness.services.db.read() as conn:
        request = await help_requests.by_id(conn, request_id)
    member = await member_of(harness, world.elm, world.pid(VOLUNTEER))
    request_actions = await actions_for(harness, f"request:{ref}")
    person_actions = await actions_for(harness, f"person:{world.pid(VOLUNTEER)}")
    assert request is not None and request.status == "open"
    assert request.assignee_person_id is None
    assert member is not None and member.volunteer_status == "suspended"
    assert request_actions[-2:] == ["request.released", "request.alerted"]
    assert person_actions[-1] == "volunteer.suspended"
    assert await alerted(harness, request_id) == {OTHER.id}  # re-offered without VOLUNTEER
    volunteer_texts = harness.fake.texts_to(VOLUNTEER.id)
    assert vetting_texts.VOLUNTEER_TASK_TAKEN_BACK.format(ref=ref) in volunteer_texts
    assert any("paused your volunteering" in t for t in volunteer_texts)
    reoffered = vetting_texts.RESIDENT_TASK_REOFFERED.format(
        ref=the_request(request, harness.settings.timezone)
    )
    assert reoffered in harness.fake.texts_to(RESIDENT.id) and f"({ref})" in reoffered

    # A suspended volunteer can't take it back with an old button, nor gets new alerts.
    await harness.press(VOLUNTEER, pack("accept", request_id))
    async with harness.services.db.read() as conn:
        still = await help_requests.by_id(conn, request_id)
    assert still is not None and still.status == "open"
    later, _ = await elm_shopping(harness, "Milk")
    assert await alerted(harness, later) == {OTHER.id}

    # /unsuspend restores alerts.
    await run_for(harness, ELM_ORG, "unsuspend", world.elm, f"#{world.pid(VOLUNTEER)}")
    assert "gets alerts again" in (harness.fake.last_text_to(ELM_ORG.id) or "")
    again, _ = await elm_shopping(harness, "Eggs")
    assert await alerted(harness, again) == {OTHER.id, VOLUNTEER.id}


async def test_suspend_refuses_wrong_status(harness: BotHarness) -> None:
    world = await build_world(harness)
    await run_for(harness, ELM_ORG, "suspend", world.elm, f"#{world.pid(SUSPENDED)}")
    assert "isn't an approved volunteer" in (harness.fake.last_text_to(ELM_ORG.id) or "")
    await run_for(harness, ELM_ORG, "unsuspend", world.elm, f"#{world.pid(VOLUNTEER)}")
    assert "isn't suspended" in (harness.fake.last_text_to(ELM_ORG.id) or "")
    await harness.send(harness.build.command(ELM_ORG, "unsuspend"))
    assert pack("vsus", "u", world.elm, world.pid(SUSPENDED)) in str(
        harness.fake.calls_to("sendMessage", ELM_ORG.id)[-1].params
    )
