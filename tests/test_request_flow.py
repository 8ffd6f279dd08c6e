"""The "ask for help" conversation through the real Application and the offline Telegram."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.callback_data import pack
from bot.model.requests import HelpRequest
from bot.offline.updates import FakeUser
from bot.phones import PhoneProblem
from bot.volunteers.volunteering import Offer
from config import request_flow_texts
from config.request_flow_texts import STRAY_INVITE
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from storage.requests import help_requests
from tests.conftest import ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, create_neighbourhood, invite_code

VOLUNTEERS = (FakeUser(2001, "Vera", "Volunteer"), FakeUser(2002, "Vic", "Volunteer"))
REF = re.compile(r"R-[0-9A-Z]{4,6}")


@pytest.fixture
def bot(harness: BotHarness) -> BotHarness:
    """The running bot (the conversation is registered by handlers.register_all)."""
    return harness


async def seed(bot: BotHarness, volunteers: int = 0, name: str = "Elm Park") -> int:
    """Organiser creates a neighbourhood, the resident joins, volunteers join and are approved."""
    if await bot.services.community.person(ORGANISER.id) is None:
        await agree(bot, ORGANISER)
    nid = await create_neighbourhood(bot, ORGANISER, name)
    code = await invite_code(bot, ORGANISER, nid)
    await agree(bot, RESIDENT, code)
    for user in VOLUNTEERS[:volunteers]:
        await agree(bot, user, code)
        offer = Offer(categories=frozenset({"shopping", "prescription"}), availability=7)
        await bot.services.volunteering.save_offer(user.id, offer)
        person = await bot.services.community.person(user.id)
        assert person is not None
        await bot.services.volunteering.approve(ORGANISER.id, person.id, nid)
    return nid


async def press(bot: BotHarness, step: Step, value: str | int) -> None:
    await bot.press(RESIDENT, pack(request_flow.KIND, step.token, value))


async def say(bot: BotHarness, text: str) -> None:
    await bot.send(bot.build.text(RESIDENT, text))


def sent(bot: BotHarness) -> list[dict[str, Any]]:
    """Every message the resident received, as Telegram shows it (visible text, markup)."""
    return [call.result for call in bot.fake.calls_to("sendMessage", RESIDENT.id)]


def last(bot: BotHarness) -> str:
    return sent(bot)[-1]["text"]


def last_markup(bot: BotHarness) -> dict[str, Any]:
    return bot.fake.calls_to("sendMessage", RESIDENT.id)[-1].params.get("reply_markup") or {}


async def stored(bot: BotHarness) -> list[HelpRequest]:
    return await bot.services.requests.for_requester(RESIDENT.id)


async def confirm(bot: BotHarness) -> HelpRequest:
    """Press Confirm on the summary; the one request stored."""
    await press(bot, Step.SUMMARY, "confirm")
    [request] = await stored(bot)
    return request


async def finish(bot: BotHarness, address: str = "12 Elm Road") -> HelpRequest:
    """From the phone step of a request with no payment or pharmacy step, for me, confirmed."""
    await say(bot, "07700 100123")
    await say(bot, address)
    await press(bot, Step.FOR_WHOM, "me")
    return await confirm(bot)


async def request_count(bot: BotHarness) -> int:
    query = "SELECT COUNT(*) FROM help_requests"
    async with bot.services.db.read() as conn:
        row = await conn.fetchrow(query)
    return int(row[0])


async def to_phone(bot: BotHarness, category: str = "shopping", what: str = "Milk") -> None:
    await bot.send(bot.build.command(RESIDENT, "request"))
    await press(bot, Step.CATEGORY, category)
    await say(bot, what)
    await press(bot, Step.WHEN, "tomorrow")
    assert last(bot).startswith("📞 What number")


async def to_summary(
    bot: BotHarness, *, phone: str = "07700 100123", address: str = "12 Elm Road"
) -> None:
    """A shopping request for the resident, up to the confirmation."""
    await to_phone(bot, what="Milk, bread and eggs")
    await say(bot, phone)
    await say(bot, address)
    await press(bot, Step.PAYMENT, "doorstep")
    await press(bot, Step.FOR_WHOM, "me")
    assert "Please check your request" in last(bot)


async def test_full_shopping_request_is_stored_and_alerts_two_volunteers(bot: BotHarness) -> None:
    nid = await seed(bot, volunteers=2)
    await to_phone(bot, what="Milk, bread and eggs")
    phone_call = bot.fake.calls_to("sendMessage", RESIDENT.id)[-1]
    keyboard = phone_call.params["reply_markup"]["keyboard"]
    assert keyboard[0][0] == {
        "text": request_flow_texts.BUTTON_SHARE_PHONE,
        "request_contact": True,
    }
    assert phone_call.params["reply_markup"]["one_time_keyboard"] is True
    await say(bot, "07700 100123")
    closing = bot.fake.calls_to("sendMessage", RESIDENT.id)[-2]
    assert closing.params["reply_markup"] == {"remove_keyboard": True}
    assert "07700 100123" in closing.result["text"]
    assert "only the volunteer who takes this and your organisers" in last(bot)
    await say(bot, "12 Elm Road")
    assert "We never ask for card details or PINs" in last(bot)
    assert "£30.00" in last(bot)
    await press(bot, Step.PAYMENT, "doorstep")
    await press(bot, Step.FOR_WHOM, "me")
    summary = last(bot)
    for part in ("Milk, bread and eggs", "07700 100123", "12 Elm Road", "Cash or cheque"):
        assert part in summary
    assert await stored(bot) == []  # nothing is stored before Confirm
    request = await confirm(bot)
    assert (request.neighbourhood_id, request.category, request.status) == (nid, "shopping", "open")
    assert request.description == "Milk, bread and eggs"
    assert request.contact_phone == "+447700100123" and not request.telegram_only
    assert (request.address, request.payment_method) == ("12 Elm Road", "doorstep")
    assert request.pharmacy is None and request.for_name is None and request.when_kind == "tomorrow"
    assert f"Your shopping on Tue 3 Nov ({request.ref}) is in" in last(bot)
    assert "alerted 2 volunteers" in last(bot)
    for volunteer in VOLUNTEERS:
        assert any(request.ref in text for text in bot.fake.texts_to(volunteer.id))


async def test_prescription_shows_pharmacy_notes_and_telegram_only(bot: BotHarness) -> None:
    await seed(bot)  # no volunteers: nobody is free
    await to_phone(bot, category="prescription", what="My repeat prescription")
    await say(bot, request_flow_texts.BUTTON_TELEGRAM_ONLY)
    assert request_flow_texts.TELEGRAM_ONLY_SAVED in [m["text"] for m in sent(bot)]
    await say(bot, "Flat 3, 8 Oak Lane")
    assert "may be asked for ID" in last(bot)
    assert "controlled medicines can't be collected by volunteers" in last(bot)
    await say(bot, "Boots, High Street")
    await press(bot, Step.FOR_WHOM, "me")
    assert "Pharmacy: Boots, High Street" in last(bot)
    assert "contact me on Telegram" in last(bot)
    request = await confirm(bot)
    assert (request.category, request.pharmacy) == ("prescription", "Boots, High Street")
    assert request.telegram_only and request.contact_phone is None
    assert request.payment_method is None
    assert "No volunteer is free right now" in last(bot)
    assert "tell the organisers if nobody takes it" in last(bot)


async def test_request_on_behalf_of_someone_else_needs_their_agreement(bot: BotHarness) -> None:
    await seed(bot)
    await to_phone(bot, category="dog_walking", what="Walk Biscuit, a small terrier")
    await say(bot, "07700 100123")
    await say(bot, "4 Birch Close")
    await press(bot, Step.FOR_WHOM, "other")
    await say(bot, "Mrs Patel")
    assert "Mrs Patel's phone number" in last(bot)
    await say(bot, "12345")
    assert last(bot).startswith(request_flow_texts.PHONE_PROBLEMS["local_only"])
    await say(bot, "+44 7700 100456")
    assert "Mrs Patel has agreed" in last(bot)
    await say(bot, "yes she agreed")  # typing is not agreeing
    assert last(bot) == request_flow_texts.USE_BUTTONS
    await press(bot, Step.FOR_AGREED, "yes")
    assert "For: Mrs Patel, 07700 100456 (they agreed)" in last(bot)
    request = await confirm(bot)
    assert (request.for_name, request.for_phone) == ("Mrs Patel", "+447700100456")
    assert request.contact_phone == "+447700100123" and request.payment_method is None


@pytest.mark.parametrize("typed", ["07700 100123", "+44 7700 100123"])
async def test_typed_numbers_are_stored_in_e164(bot: BotHarness, typed: str) -> None:
    await seed(bot)
    await to_summary(bot, phone=typed)
    request = await confirm(bot)
    assert request.contact_phone == "+447700100123"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("12345", PhoneProblem.LOCAL_ONLY),
        ("07700 9001234", PhoneProblem.TOO_LONG),
        ("letters", PhoneProblem.NOT_A_NUMBER),
    ],
)
async def test_bad_numbers_are_asked_again_with_the_reason(
    bot: BotHarness, typed: str, problem: PhoneProblem
) -> None:
    await seed(bot)
    await to_phone(bot)
    before = len(sent(bot))
    await say(bot, typed)
    assert len(sent(bot)) == before + 1
    assert last(bot).startswith(request_flow_texts.PHONE_PROBLEMS[problem.value])
    assert "What number can the volunteer call you on?" in last(bot)
    assert "keyboard" in last_markup(bot)  # the phone keyboard again, not the address step
    await say(bot, "07700 100123")
    assert "address or meeting point" in last(bot)


def test_every_phone_problem_has_one_clear_sentence() -> None:
    assert set(request_flow_texts.PHONE_PROBLEMS) == {problem.value for problem in PhoneProblem}


async def test_shared_contact_only_for_own_number(bot: BotHarness) -> None:
    await seed(bot)
    await to_phone(bot)
    await bot.send(bot.build.contact(RESIDENT, "447700100456", contact_user_id=4242))
    assert last(bot).startswith(request_flow_texts.PHONE_NOT_YOURS)
    await bot.send(bot.build.contact(RESIDENT, "447700100123", contact_user_id=RESIDENT.id))
    assert "address or meeting point" in last(bot)
    await say(bot, "12 Elm Road")
    await press(bot, Step.PAYMENT, "transfer")
    await press(bot, Step.FOR_WHOM, "me")
    request = await confirm(bot)
    assert request.contact_phone == "+447700100123" and request.payment_method == "transfer"


async def test_description_limit_is_stated_and_enforced(bot: BotHarness) -> None:
    await seed(bot)
    await bot.send(bot.build.command(RESIDENT, "request"))
    await press(bot, Step.CATEGORY, "other")
    await say(bot, "x" * 1001)
    assert last(bot).startswith("That's 1001 characters. Please keep it to 1000 characters")
    assert "What do you need?" in last(bot)
    await say(bot, "   ")
    assert last(bot).startswith(request_flow_texts.TEXT_EMPTY)
    await say(bot, "y" * 1000)
    assert last(bot) == request_flow_texts.ASK_WHEN
    await press(bot, Step.WHEN, "week")
    request = await finish(bot)
    assert request.description == "y" * 1000 and request.when_kind == "this_week"


async def test_typed_when_refuses_the_past_and_accepts_tomorrow_3pm(bot: BotHarness) -> None:
    await seed(bot)
    await bot.send(bot.build.command(RESIDENT, "request"))
    await press(bot, Step.CATEGORY, "lift")
    await say(bot, "To the surgery and back")
    await press(bot, Step.WHEN, "type")
    assert "tomorrow 3pm" in last(bot)
    await say(bot, "today 8am")  # the clock says Monday 09:00 in London
    assert last(bot).startswith(request_flow_texts.WHEN_IN_THE_PAST)
    await say(bot, "whenever suits")
    assert last(bot).startswith("Sorry, I couldn't read that") and "in 2 hours" in last(bot)
    await say(bot, "1 June 2027")
    assert last(bot).startswith("That's more than 90 days away")
    await say(bot, "tomorrow 3pm")
    assert last(bot).startswith("📞 What number")
    request = await finish(bot)
    assert "When: Tue 3 Nov at 15:00" in sent(bot)[-2]["text"]  # the summary
    assert request.when_kind == "at"
    assert request.starts_at == request.ends_at == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)


async def test_user_text_is_escaped_and_arrives_intact(bot: BotHarness) -> None:
    await seed(bot)
    what = "<b>Milk</b> & bread </i> 🥛"
    address = "Flat <2> & 3 </i> 🏠"
    name = "Ann <b>&</b> </i> 👵"
    await to_phone(bot, what=what)
    await say(bot, "07700 100123")
    await say(bot, address)
    await press(bot, Step.PAYMENT, "paid")
    await press(bot, Step.FOR_WHOM, "other")
    await say(bot, name)
    await say(bot, "07700 100456")
    assert f"{name} has agreed" in last(bot)
    await press(bot, Step.FOR_AGREED, "yes")
    summary = last(bot)  # the visible text Telegram rendered
    assert f"What's needed: {what}\n" in summary
    assert f"Address or meeting point: {address}\n" in summary
    assert f"For: {name}, 07700 100456" in summary
    request = await confirm(bot)
    assert (request.description, request.address, request.for_name) == (what, address, name)


async def test_resident_in_no_neighbourhood_is_told_to_join_first(bot: BotHarness) -> None:
    await agree(bot, RESIDENT)
    await bot.send(bot.build.command(RESIDENT, "request"))
    assert last(bot) == request_flow_texts.NEED_NEIGHBOURHOOD
    assert "/start" in last(bot)
    await say(bot, "Milk please")
    assert last(bot) == STRAY_INVITE
    assert await request_count(bot) == 0


async def test_several_neighbourhoods_ask_which_one(bot: BotHarness) -> None:
    await seed(bot, name="Elm Park")
    oak = await seed(bot, name="Oak Vale")
    await bot.send(bot.build.command(RESIDENT, "request"))
    labels = [b["text"] for row in last_markup(bot)["inline_keyboard"] for b in row]
    assert labels == [
        "Elm Park",
        "Oak Vale",
        request_flow_texts.BUTTON_BACK,
        request_flow_texts.BUTTON_CANCEL,
    ]
    await press(bot, Step.NEIGHBOURHOOD, 999_999)  # not one of theirs
    assert last(bot).endswith("Which neighbourhood is this request for?")
    await press(bot, Step.NEIGHBOURHOOD, oak)
    assert "in Oak Vale" in last(bot)
    await press(bot, Step.CATEGORY, "back")
    assert last(bot).endswith("Which neighbourhood is this request for?")
    await press(bot, Step.NEIGHBOURHOOD, oak)
    await press(bot, Step.CATEGORY, "other")
    await say(bot, "Help moving a chair")
    await press(bot, Step.WHEN, "today")
    request = await finish(bot)
    assert request.neighbourhood_id == oak
    async with bot.services.db.read() as conn:
        assert await help_requests.by_ref(conn, request.ref) == request
    assert REF.search(last(bot))
