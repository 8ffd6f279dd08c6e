"""Starting one guided flow in the middle of another ends the first and starts the second."""

from __future__ import annotations

from bot.callback_data import pack
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from tests.conftest import RESIDENT, BotHarness
from tests.flows import agree, neighbourhood_with_invite


async def test_volunteer_mid_request_switches_flows(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await harness.send(harness.build.command(RESIDENT, "request"))
    await harness.press(RESIDENT, pack(request_flow.KIND, Step.CATEGORY.token, "shopping"))
    await harness.send(harness.build.command(RESIDENT, "volunteer"))
    assert "What can you help with" in (harness.fake.last_text_to(RESIDENT.id) or "")
    # Typed text now belongs to the volunteer flow, not the abandoned request.
    await harness.send(harness.build.text(RESIDENT, "Milk please"))
    assert "What can you help with" not in (harness.fake.last_text_to(RESIDENT.id) or "")
    assert await harness.services.requests.for_requester(RESIDENT.id) == []
    # And back again: /request mid-offer starts a fresh request.
    await harness.send(harness.build.command(RESIDENT, "request"))
    assert "What kind of help do you need" in (harness.fake.last_text_to(RESIDENT.id) or "")


async def test_start_mid_request_ends_it_and_shows_the_menu(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await harness.send(harness.build.command(RESIDENT, "request"))
    await harness.send(harness.build.command(RESIDENT, "start"))
    assert harness.fake.last_text_to(RESIDENT.id) == "What would you like to do?"
    await harness.send(harness.build.text(RESIDENT, "hello"))
    assert "ask your neighbours for help with this" in (
        harness.fake.last_text_to(RESIDENT.id) or ""
    )


async def test_a_left_flow_does_not_take_later_messages(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await harness.send(harness.build.command(RESIDENT, "volunteer"))
    await harness.send(harness.build.command(RESIDENT, "request"))  # the request flow takes it
    await harness.send(harness.build.command(RESIDENT, "cancel"))
    assert "Nothing was sent" in (harness.fake.last_text_to(RESIDENT.id) or "")
    # The abandoned offer form must not swallow the next message.
    await harness.send(harness.build.text(RESIDENT, "Welsh, Polish"))
    assert "ask your neighbours for help with this" in (
        harness.fake.last_text_to(RESIDENT.id) or ""
    )
    assert await harness.services.volunteering.profile(RESIDENT.id) is None
