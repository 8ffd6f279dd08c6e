"""The demo's story: a neighbourhood is set up, a prescription collected, a check-in missed.

The volunteer and the resident also talk through the bot (Message / Reply), learning nothing
of each other but their first names.

Every step goes through the real handlers with the commands and buttons a person would use
(see bot.runtime.demo for the Stage). The people and their details are made up: Telegram ids such as
1001, the test suite's sample mobile number, an address that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from bot.runtime.demo_checkin import unanswered_checkin
from bot.runtime.demo_stage import Actor, DemoError, Stage
from config import volunteer_texts
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from handlers.volunteers.steps import button_data
from storage import audit, people
from storage.requests import help_requests

ORGANISER = Actor(FakeUser(1001, "Olive", "Organiser"), "organiser")
RESIDENT = Actor(FakeUser(1002, "Rita", "Resident"), "resident")
ASHA = Actor(FakeUser(2001, "Asha", "Volunteer"), "volunteer")
BEN = Actor(FakeUser(2002, "Ben", "Volunteer"), "volunteer")
CARA = Actor(FakeUser(2003, "Cara", "Volunteer"), "volunteer")
DEV = Actor(FakeUser(2004, "Dev", "Volunteer"), "volunteer")
CAST = (ORGANISER, RESIDENT, ASHA, BEN, CARA, DEV)

NEIGHBOURHOOD = "Elm Park"
ADDRESS = "14 Acacia Avenue, Flat 2"
PHONE = "07700 100123"
PHARMACY = "Boots, High Street"
NEED = "My repeat prescription, ready after 11am"
VOLUNTEER_SAYS = "Hello Rita, I'll collect it after 11 and bring it round by 1."
RESIDENT_SAYS = "Thank you! Please knock loudly, the bell is broken."
INVITE_LINK = re.compile(r"start=(join-[A-Za-z0-9_-]+)")
WEEKDAY_DAYTIME, WEEKENDS, ANY_TIME = 1, 4, 7


@dataclass(frozen=True)
class Offer:
    """What one volunteer offers in the /volunteer conversation, and why it matters here."""

    volunteer: Actor
    categories: tuple[str, ...]
    slot: int
    skills: str | None
    why: str


OFFERS = (
    Offer(ASHA, ("prescription", "shopping"), WEEKDAY_DAYTIME, None, "prescriptions, weekdays"),
    Offer(BEN, ("prescription",), ANY_TIME, "driving, first aid", "prescriptions, any time"),
    Offer(CARA, ("dog_walking", "checkin_call"), ANY_TIME, None, "dogs and calls, no errands"),
    Offer(DEV, ("prescription",), WEEKENDS, None, "prescriptions, but only at weekends"),
)


@dataclass
class StoryResult:
    """What happened, for the closing summary and for tests."""

    request_ref: str = ""
    alerted: set[int] = field(default_factory=set)
    winner: Actor | None = None
    accepted: int = 0
    final_status: str = ""
    thanked: bool = False
    private_chats: dict[str, set[int]] = field(default_factory=dict)
    scenes: list[str] = field(default_factory=list)
    escalations_sent: int = 0


async def set_up_neighbourhood(stage: Stage) -> str:
    """Olive agrees to the privacy notice, creates Elm Park and makes an invite link."""
    async with stage.exchange("Olive, an organiser, starts the bot and agrees to the notice"):
        await stage.command(ORGANISER, "start")
        await stage.press(ORGANISER, pack("consent", "yes"))
    async with stage.exchange("Olive creates the neighbourhood and an invite link"):
        await stage.command(ORGANISER, "neighbourhood", NEIGHBOURHOOD)
        await stage.command(ORGANISER, "invite")
    calls = stage.fake.calls_to("sendMessage", ORGANISER.id)
    match = INVITE_LINK.search(str(calls[-1].params.get("text", ""))) if calls else None
    if match is None:
        raise DemoError("Olive was not given an invite link")
    return match.group(1)


async def join(stage: Stage, actor: Actor, payload: str) -> None:
    """Open the invite link and agree to the privacy notice."""
    await stage.open_link(actor, payload)
    await stage.press(actor, pack("consent", "yes", payload.removeprefix("join-")))


async def offer_help(stage: Stage, offer: Offer) -> None:
    """Go through /volunteer, keeping the phone number private, and confirm."""
    actor = offer.volunteer
    await stage.command(actor, "volunteer")
    for category in offer.categories:
        await stage.press(actor, button_data("pick", "cat", category))
    await stage.press(actor, button_data("next", "cat"))
    await stage.press(actor, button_data("pick", "when", offer.slot))
    await stage.press(actor, button_data("next", "when"))
    await stage.press(actor, button_data("pick", "tasks", 2))
    await stage.press(actor, button_data("next", "langs"))
    if offer.skills:
        await stage.say(actor, offer.skills)
    else:
        await stage.press(actor, button_data("next", "skills"))
    await stage.tap_keyboard(actor, volunteer_texts.BUTTON_NO_PHONE)
    await stage.press(actor, button_data("confirm"))


async def approve(stage: Stage, actor: Actor) -> None:
    """Olive presses Approve on the message about this volunteer (if approval is needed)."""
    person = await stage.services.community.person(actor.id)
    if person is None:
        raise DemoError(f"{actor.name} is not registered")
    for data in stage.buttons_like(ORGANISER.id, pack("approve", person.id) + "|"):
        await stage.press(ORGANISER, data)


async def volunteers_join(stage: Stage, payload: str) -> None:
    """Four neighbours join and offer different kinds of help; Olive approves them."""
    for number, offer in enumerate(OFFERS):
        title = f"{offer.volunteer.name} joins and offers help ({offer.why})"
        if number == 1:
            stage.note("the others go through the same steps; first lines only from here")
        stage.condensed = number > 0
        async with stage.exchange(title):
            await join(stage, offer.volunteer, payload)
            await offer_help(stage, offer)
            await approve(stage, offer.volunteer)
    stage.condensed = False


async def ask_for_prescription(stage: Stage, payload: str) -> str:
    """Rita joins and asks, step by step, for her prescription to be collected."""

    async def press(step: Step, value: str) -> None:
        await stage.press(RESIDENT, pack(request_flow.KIND, step.token, value))

    async with stage.exchange("Rita, a resident, joins with the same invite link"):
        await join(stage, RESIDENT, payload)
    async with stage.exchange("Rita asks for a prescription collection"):
        await stage.command(RESIDENT, "request")
        await press(Step.CATEGORY, "prescription")
        await stage.say(RESIDENT, NEED)
        await press(Step.WHEN, "today")
        await stage.say(RESIDENT, PHONE)
        await stage.say(RESIDENT, ADDRESS)
        await stage.say(RESIDENT, PHARMACY)
        await press(Step.FOR_WHOM, "me")
        await press(Step.SUMMARY, "confirm")
    [request] = await stage.services.requests.for_requester(RESIDENT.id)
    return request.ref


async def race_to_accept(stage: Stage, result: StoryResult) -> tuple[int, Actor]:
    """The two volunteers who were alerted both press Accept at the same moment."""
    [request] = await stage.services.requests.for_requester(RESIDENT.id)
    async with stage.services.db.read() as conn:
        alerts = await help_requests.live_alerts(conn, request.id)
    result.alerted = {a.chat_id for a in alerts if a.person_id is not None}
    names = ", ".join(stage.actors[c].name for c in sorted(result.alerted) if c in stage.actors)
    stage.note(f"alerted: {names}; Cara offers no errands and Dev is free only at weekends")
    racers = [actor for actor in (ASHA, BEN) if actor.id in result.alerted]
    if len(racers) != 2:
        raise DemoError(f"expected Asha and Ben to be alerted, got {names or 'nobody'}")
    async with stage.exchange("Asha and Ben press Accept at the same moment"):
        await stage.press_together([(actor, pack("accept", request.id)) for actor in racers])
    async with stage.services.db.read() as conn:
        taken = await help_requests.by_id(conn, request.id)
        actions = await audit.actions_for(conn, f"request:{request.ref}")
        assignee = await people.by_id(conn, taken.assignee_person_id or 0) if taken else None
    result.accepted = actions.count("request.accepted")
    winner = next((a for a in racers if assignee and a.id == assignee.telegram_id), None)
    if winner is None:
        raise DemoError("nobody won the race to accept")
    stage.note(f"exactly one Accept won: {winner.name}; the other was told kindly")
    return request.id, winner


async def talk_through_the_bot(stage: Stage, request_id: int, winner: Actor) -> None:
    """The volunteer writes to the resident through the bot, and she replies."""
    async with stage.exchange(f"{winner.name} presses Message Rita on the task and writes"):
        await stage.press(winner, pack("relay", request_id))
        await stage.say(winner, VOLUNTEER_SAYS)
    async with stage.exchange("Rita presses Reply; the bot passes it on"):
        await stage.press(RESIDENT, pack("relay", request_id))
        await stage.say(RESIDENT, RESIDENT_SAYS)
    stage.note("each saw the other's first name and the task, never a username or Telegram id")


async def finish_and_thank(stage: Stage, request_id: int, winner: Actor) -> None:
    """The volunteer marks the task done and the resident says thank you."""
    async with stage.exchange(f"{winner.name} collects the prescription and presses Done"):
        await stage.press(winner, pack("done", request_id))
    async with stage.exchange("Rita says thanks"):
        await stage.press(RESIDENT, pack("confirm", request_id, "yes"))


def privacy_check(stage: Stage, result: StoryResult) -> None:
    """Say which chats were shown each private detail."""
    stage.scene("Who saw the private details?")
    for label, secret in (("address", ADDRESS), ("phone", PHONE), ("pharmacy", PHARMACY)):
        chats = stage.chats_showing(secret)
        result.private_chats[label] = chats
        names = ", ".join(stage.chat_name(chat) for chat in sorted(chats)) or "nobody"
        stage.line(f"  {label} ({secret}): {names}")
    seen = set().union(*result.private_chats.values())
    spared = [a.name for a in CAST if a.id not in seen]
    stage.line(f"  Never shown to {', '.join(spared) or 'anyone else'}.")
    if any(chat < 0 for chat in seen):
        raise DemoError("a private detail was shown in a group chat")


def recap(stage: Stage) -> None:
    """Chat by chat: the first line of every message each person has, as it reads now."""
    stage.scene("Chat by chat: what each person saw (messages as they read at the end)")
    for actor in CAST:
        stage.line(f"  {actor.name} ({actor.role}):")
        for text in stage.messages_now(actor):
            first = text.strip().splitlines()[0] if text.strip() else ""
            stage.line(f"      • {first if len(first) <= 90 else first[:89] + '…'}")


async def tell(stage: Stage) -> StoryResult:
    """Play the whole story and return what happened."""
    result = StoryResult()
    stage.scene("1. An organiser creates a neighbourhood and an invite")
    payload = await set_up_neighbourhood(stage)
    stage.scene("2. Four neighbours join as volunteers, offering different things")
    await volunteers_join(stage, payload)
    stage.scene("3. A resident asks for a prescription collection")
    result.request_ref = await ask_for_prescription(stage, payload)
    stage.scene("4. The right volunteers are alerted; two press Accept at once")
    request_id, result.winner = await race_to_accept(stage, result)
    stage.scene("5. The volunteer and the resident talk through the bot")
    await talk_through_the_bot(stage, request_id, result.winner)
    result.scenes.append("relay")
    stage.scene("6. The task is done and the resident says thanks")
    await finish_and_thank(stage, request_id, result.winner)
    async with stage.services.db.read() as conn:
        final = await help_requests.by_id(conn, request_id)
    result.final_status = final.status if final else "?"
    result.thanked = bool(final and final.thanked)
    result.scenes.append("core loop")
    privacy_check(stage, result)
    stage.scene("7. A welfare check-in goes unanswered and climbs the escalation ladder")
    result.escalations_sent = await unanswered_checkin(stage, RESIDENT, ORGANISER)
    result.scenes.append("check-in ladder")
    recap(stage)
    return result
