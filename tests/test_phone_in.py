"""Phone-in requests (/log) through the real Application, from logging to thanks."""

from __future__ import annotations

from bot.callback_data import pack
from bot.requests.labels import the_request
from config import oversight_texts, request_flow_texts, request_texts
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from storage import audit
from storage.requests import help_requests
from tests.conftest import BotHarness
from tests.flows_oversight import (
    ELM_ORGANISER,
    NEIGHBOUR_E164,
    REF,
    SECOND_VOLUNTEER,
    VOLUNTEER,
    log_phone_in,
    request_row,
    scalar,
    two_neighbourhoods,
)


async def test_phone_in_request_runs_to_completion(harness: BotHarness) -> None:
    await two_neighbourhoods(harness)
    organiser = await harness.services.community.person(ELM_ORGANISER.id)
    assert organiser is not None

    last = await log_phone_in(harness, ELM_ORGANISER)
    assert "2 volunteers were alerted" in last and "Mrs &lt;b&gt;Jones&lt;/b&gt;" in last
    match = REF.search(last)
    assert match
    async with harness.services.db.read() as conn:
        stored = await help_requests.by_ref(conn, match.group(0))
    assert stored is not None
    assert stored.phone_in and stored.requester_person_id == organiser.id
    assert stored.for_name == "Mrs <b>Jones</b>" and stored.for_phone == NEIGHBOUR_E164
    assert stored.contact_phone is None and stored.status == "open"
    # No "your phone" or "for whom" questions were asked.
    asked = "\n".join(harness.fake.texts_to(ELM_ORGANISER.id))
    for question in (
        request_flow_texts.ASK_PHONE,
        request_flow_texts.ASK_FOR_WHOM,
        request_flow_texts.ASK_FOR_AGREED.split("{")[0],
    ):
        assert question not in asked

    # Both volunteers' alerts say the neighbour is to be phoned; no private details in them.
    for volunteer in (VOLUNTEER, SECOND_VOLUNTEER):
        alert = harness.fake.texts_to(volunteer.id)[-1]
        assert oversight_texts.ALERT_PHONE_IN.strip() in alert and "Jones" not in alert

    await harness.press(VOLUNTEER, pack("accept", stored.id))
    details = harness.fake.texts_to(VOLUNTEER.id)[-1]
    assert "Mrs &lt;b&gt;Jones&lt;/b&gt;" in details and "07700 100123" in details
    assert "Phone-in request" in details and "3 Oak Lane" in details
    # The organiser gets the resident's news.
    assert "Vera" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    assert "going to help" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]

    await harness.press(VOLUNTEER, pack("done", stored.id))
    ask = harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    # The organiser who logged it is told of "the" help, not "your" help.
    label = the_request(stored, harness.settings.timezone)
    assert ask == request_texts.RESIDENT_ASK_DONE.format(volunteer="Vera", request=label)
    assert label.startswith("the ") and f"({stored.ref})" in label
    await harness.press(ELM_ORGANISER, pack("confirm", stored.id, "yes"))
    closed = await request_row(harness, stored.id)
    assert closed.status == "closed" and closed.thanked
    assert request_texts.VOLUNTEER_THANKED.format(ref=stored.ref) in harness.fake.texts_to(
        VOLUNTEER.id
    )

    async with harness.services.db.read() as conn:
        actions = await audit.actions_for(conn, f"request:{stored.ref}")
    assert actions == [
        "request.created",
        "request.alerted",
        "request.accepted",
        "request.done",
        "request.closed",
    ]


async def test_log_asks_which_neighbourhood_and_refuses_a_bad_phone(harness: BotHarness) -> None:
    community = await two_neighbourhoods(harness)
    # The bootstrap organiser organises both neighbourhoods, so /log asks which one.
    from tests.conftest import ORGANISER

    async def press(step: Step, value: str | int) -> None:
        await harness.press(ORGANISER, pack(request_flow.KIND, step.token, value))

    async def say(text: str) -> None:
        await harness.send(harness.build.text(ORGANISER, text))

    await harness.send(harness.build.command(ORGANISER, "log"))
    assert oversight_texts.LOG_CHOOSE_NEIGHBOURHOOD in harness.fake.texts_to(ORGANISER.id)[-1]
    await press(Step.NEIGHBOURHOOD, 999)  # a forged id: asked again
    assert oversight_texts.LOG_CHOOSE_NEIGHBOURHOOD in harness.fake.texts_to(ORGANISER.id)[-1]
    await press(Step.NEIGHBOURHOOD, community.oak)
    await press(Step.CATEGORY, "dog_walking")
    await say("Walk Rex")
    await press(Step.WHEN, "tomorrow")
    await say("5 Oak Row")
    await say("Mr Smith")
    await say("12345")  # too short
    assert "Mr Smith" in harness.fake.texts_to(ORGANISER.id)[-1]  # asked again for the number
    await harness.send(harness.build.command(ORGANISER, "cancel"))
    assert harness.fake.texts_to(ORGANISER.id)[-1] == oversight_texts.LOG_CANCELLED
    assert await scalar(harness, "SELECT COUNT(*) FROM help_requests") == 0
