"""Offering help: signing up, changing an offer, /pause and /resume, and the Approve button."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from telegram.ext import ConversationHandler

from bot.callback_data import pack
from bot.clock import FakeClock
from bot.offline.updates import FakeUser
from config import request_texts, texts, volunteer_texts
from config.request_flow_texts import STRAY_INVITE
from handlers.volunteers import flow as volunteer_flow
from handlers.volunteers import steps as volunteer_steps
from storage.organising import neighbourhoods
from storage.volunteers import offers as volunteers
from tests.conftest import NEIGHBOUR, ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, create_neighbourhood, invite_code

NEIGHBOURHOOD = "Elm Park"


@pytest.fixture
def bot(harness: BotHarness) -> BotHarness:
    """The running bot (the flow is registered by handlers.register_all)."""
    return harness


def data(*parts: str | int) -> str:
    return pack(volunteer_steps.KIND, *parts)


async def neighbourhood(bot: BotHarness, *, approval: bool = True) -> int:
    """Elm Park, organised by ORGANISER, with RESIDENT and NEIGHBOUR as members."""
    await agree(bot, ORGANISER)
    nid = await create_neighbourhood(bot, ORGANISER, NEIGHBOURHOOD)
    code = await invite_code(bot, ORGANISER, nid)
    await agree(bot, RESIDENT, code)
    await agree(bot, NEIGHBOUR, code)
    if not approval:
        async with bot.services.db.transaction() as conn:
            await neighbourhoods.update_settings(conn, nid, volunteers_need_approval=False)
    return nid


def showing(bot: BotHarness, user: FakeUser, button: str) -> int | None:
    """The newest message in the user's chat whose buttons now include this data."""
    for call in reversed(bot.fake.calls_to("sendMessage", user.id)):
        message_id = int(call.result["message_id"])
        markup = (bot.fake.message(user.id, message_id) or {}).get("reply_markup") or {}
        rows = markup.get("inline_keyboard", [])
        if any(b.get("callback_data") == button for row in rows for b in row):
            return message_id
    return None


def labels(bot: BotHarness, user: FakeUser, button: str) -> list[str]:
    """The labels of every button on the message now showing this button."""
    message_id = showing(bot, user, button)
    assert message_id is not None, f"no message shows {button}"
    message = bot.fake.message(user.id, message_id) or {}
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def tap(bot: BotHarness, user: FakeUser, *parts: str | int) -> None:
    """Press a button of the flow on the message that shows it now."""
    button = data(*parts)
    message_id = showing(bot, user, button)
    assert message_id is not None, f"no message shows {button}: {bot.fake.last_text_to(user.id)}"
    await bot.press(user, button, message_id=message_id)


async def say(bot: BotHarness, user: FakeUser, text: str) -> None:
    await bot.send(bot.build.text(user, text))


def last_answer(bot: BotHarness) -> dict[str, Any]:
    return bot.fake.calls_to("answerCallbackQuery")[-1].params


def visible(bot: BotHarness, user: FakeUser) -> str:
    """The last text the user sees (HTML rendered, as Telegram shows it)."""
    call = [c for c in bot.fake.calls_to(chat_id=user.id) if c.method == "sendMessage"][-1]
    return call.result["text"]


async def sign_up(
    bot: BotHarness,
    user: FakeUser,
    *,
    categories: tuple[str, ...] = ("shopping",),
    slots: tuple[int, ...] = (7,),
    tasks: int = 2,
    languages: str | None = None,
    skills: str | None = None,
) -> None:
    """Go through the whole conversation and confirm, keeping the phone number private."""
    await bot.send(bot.build.command(user, "volunteer"))
    for category in categories:
        await tap(bot, user, "pick", "cat", category)
    await tap(bot, user, "next", "cat")
    for slot in slots:
        await tap(bot, user, "pick", "when", slot)
    await tap(bot, user, "next", "when")
    await tap(bot, user, "pick", "tasks", tasks)
    if languages is None:
        await tap(bot, user, "next", "langs")
    else:
        await say(bot, user, languages)
    if skills is None:
        await tap(bot, user, "next", "skills")
    else:
        await say(bot, user, skills)
    await say(bot, user, volunteer_texts.BUTTON_NO_PHONE)
    await tap(bot, user, "confirm")


async def person_id(bot: BotHarness, user: FakeUser) -> int:
    person = await bot.services.community.person(user.id)
    assert person is not None
    return person.id


async def assets_of(bot: BotHarness, user: FakeUser) -> list[tuple[str, str]]:
    owner = await person_id(bot, user)  # before read(): connections are not re-entrant
    async with bot.services.db.read() as conn:
        return await volunteers.offer_assets(conn, owner)


async def test_sign_up_is_pending_until_the_organiser_approves(bot: BotHarness) -> None:
    nid = await neighbourhood(bot)
    await bot.send(bot.build.command(RESIDENT, "volunteer"))
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.ASK_CATEGORIES
    for category in ("shopping", "dog_walking"):
        await tap(bot, RESIDENT, "pick", "cat", category)
    await tap(bot, RESIDENT, "next", "cat")
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.ASK_AVAILABILITY
    await tap(bot, RESIDENT, "pick", "when", 1)
    await tap(bot, RESIDENT, "pick", "when", 4)
    await tap(bot, RESIDENT, "next", "when")
    await tap(bot, RESIDENT, "pick", "tasks", 3)
    await say(bot, RESIDENT, "Welsh, Polish")
    await say(bot, RESIDENT, "DIY, gardening")
    phone_prompt = bot.fake.calls_to("sendMessage", RESIDENT.id)[-1].params
    assert phone_prompt["text"] == volunteer_texts.ASK_PHONE
    keyboard = phone_prompt["reply_markup"]
    assert keyboard["one_time_keyboard"] is True
    assert keyboard["keyboard"][0][0] == {
        "text": volunteer_texts.BUTTON_SHARE_PHONE,
        "request_contact": True,
    }
    await bot.send(bot.build.contact(RESIDENT, "447400123456", contact_user_id=RESIDENT.id))
    removed = bot.fake.calls_to("sendMessage", RESIDENT.id)[-2].params
    assert removed["text"] == volunteer_texts.PHONE_SAVED
    assert removed["reply_markup"] == {"remove_keyboard": True}
    summary = visible(bot, RESIDENT)
    for part in ("🛒 Shopping, 🐕 Dog walking", "Weekday daytimes, Weekends", "at once: 3"):
        assert part in summary
    assert "Languages: Welsh, Polish" in summary and "Skills: DIY, gardening" in summary
    assert "07400 123456" in summary
    await tap(bot, RESIDENT, "confirm")

    saved = bot.fake.last_text_to(RESIDENT.id) or ""
    assert volunteer_texts.STATUS_PENDING.format(neighbourhood=NEIGHBOURHOOD) in saved
    # The directory message says who sees those entries: the neighbourhood's organisers only.
    assert volunteer_texts.ADDED_TO_DIRECTORY.format(neighbourhoods=NEIGHBOURHOOD) in saved
    assert "where only its organisers see them" in saved
    assert await bot.services.volunteering.statuses(RESIDENT.id) == {NEIGHBOURHOOD: "pending"}
    profile = await bot.services.volunteering.profile(RESIDENT.id)
    assert profile is not None
    assert profile.categories == {"shopping", "dog_walking"}
    assert (profile.availability, profile.max_open_tasks) == (5, 3)
    assert profile.languages == ("cy", "pl") and profile.share_phone
    person = await bot.services.community.person(RESIDENT.id)
    assert person is not None and person.phone_e164 == "+447400123456"

    approve = pack("approve", person.id, nid)
    organiser_message = bot.message_with_button(ORGANISER.id, approve)
    assert organiser_message is not None
    await bot.press(ORGANISER, approve)
    assert await bot.services.volunteering.statuses(RESIDENT.id) == {NEIGHBOURHOOD: "approved"}
    assert bot.fake.last_text_to(ORGANISER.id) == request_texts.APPROVED_OK.format(
        volunteer="Rita Resident", neighbourhood=NEIGHBOURHOOD
    )
    assert "reply_markup" not in (bot.fake.message(ORGANISER.id, organiser_message) or {})
    assert bot.fake.last_text_to(RESIDENT.id) == request_texts.VOLUNTEER_APPROVED.format(
        neighbourhood=NEIGHBOURHOOD
    )
    # A second press (or another organiser's) finds nothing left to do.
    await bot.press(ORGANISER, approve, message_id=organiser_message)
    assert last_answer(bot)["text"] == volunteer_texts.APPROVE_ALREADY


async def test_menu_button_starts_it_and_no_approval_means_approved(bot: BotHarness) -> None:
    await neighbourhood(bot, approval=False)
    await bot.press(RESIDENT, pack("menu", "volunteer"))
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.ASK_CATEGORIES
    bot.fake.clear()
    await sign_up(bot, RESIDENT, categories=("lift",))
    assert await bot.services.volunteering.statuses(RESIDENT.id) == {NEIGHBOURHOOD: "approved"}
    saved = bot.fake.last_text_to(RESIDENT.id) or ""
    assert volunteer_texts.STATUS_APPROVED.format(neighbourhood=NEIGHBOURHOOD) in saved
    assert "community directory" not in saved  # no languages or skills given
    assert bot.fake.texts_to(ORGANISER.id) == []  # nobody is asked to approve


async def test_not_in_a_neighbourhood_is_told_to_join_first(bot: BotHarness) -> None:
    await agree(bot, RESIDENT)
    await bot.send(bot.build.command(RESIDENT, "volunteer"))
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.NOT_IN_NEIGHBOURHOOD
    await say(bot, RESIDENT, "Welsh")  # no conversation is waiting for text
    assert bot.fake.last_text_to(RESIDENT.id) == STRAY_INVITE
    assert await bot.services.volunteering.profile(RESIDENT.id) is None


async def test_languages_and_skills_become_directory_assets(bot: BotHarness) -> None:
    await neighbourhood(bot)
    await sign_up(bot, RESIDENT, languages="Welsh,  polish, welsh", skills="DIY; gardening")
    profile = await bot.services.volunteering.profile(RESIDENT.id)
    assert profile is not None and profile.languages == ("cy", "pl")
    assert set(await assets_of(bot, RESIDENT)) == {
        ("cultural", "Speaks Welsh"),
        ("cultural", "Speaks polish"),
        ("individual", "DIY"),
        ("individual", "gardening"),
        ("individual", request_texts.CATEGORY_LABELS["shopping"]),
    }


async def test_changing_an_offer_starts_from_it_and_keeps_approval(bot: BotHarness) -> None:
    nid = await neighbourhood(bot)
    await sign_up(bot, RESIDENT, slots=(2,), tasks=3, languages="Welsh")
    await bot.press(ORGANISER, pack("approve", await person_id(bot, RESIDENT), nid))
    organiser_texts = len(bot.fake.texts_to(ORGANISER.id))

    await bot.send(bot.build.command(RESIDENT, "volunteer"))
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.ASK_CATEGORIES_EXISTING
    assert "✓ 🛒 Shopping" in labels(bot, RESIDENT, data("next", "cat"))
    await tap(bot, RESIDENT, "pick", "cat", "prescription")
    await tap(bot, RESIDENT, "next", "cat")
    assert "✓ Weekday evenings" in labels(bot, RESIDENT, data("next", "when"))
    await tap(bot, RESIDENT, "next", "when")
    assert "✓ 3" in labels(bot, RESIDENT, data("back", "tasks"))
    await tap(bot, RESIDENT, "pick", "tasks", 3)
    assert (bot.fake.last_text_to(RESIDENT.id) or "").endswith("Now: Welsh")
    await tap(bot, RESIDENT, "next", "langs")  # Keep these
    assert volunteer_texts.ASK_SKILLS_REPLACE in (bot.fake.last_text_to(RESIDENT.id) or "")
    await say(bot, RESIDENT, "Cooking")
    await say(bot, RESIDENT, volunteer_texts.BUTTON_NO_PHONE)
    await tap(bot, RESIDENT, "confirm")

    assert await bot.services.volunteering.statuses(RESIDENT.id) == {NEIGHBOURHOOD: "approved"}
    assert volunteer_texts.STATUS_APPROVED.format(neighbourhood=NEIGHBOURHOOD) in (
        bot.fake.last_text_to(RESIDENT.id) or ""
    )
    profile = await bot.services.volunteering.profile(RESIDENT.id)
    assert profile is not None and profile.categories == {"shopping", "prescription"}
    assert (profile.availability, profile.max_open_tasks, profile.languages) == (2, 3, ("cy",))
    assert len(bot.fake.texts_to(ORGANISER.id)) == organiser_texts  # not asked again


async def test_changing_an_offer_starts_from_the_skills_and_keep_keeps_them(
    bot: BotHarness,
) -> None:
    await neighbourhood(bot)
    await sign_up(bot, RESIDENT, skills="DIY, gardening")

    async def change_skills() -> None:
        await bot.send(bot.build.command(RESIDENT, "volunteer"))
        await tap(bot, RESIDENT, "next", "cat")
        await tap(bot, RESIDENT, "next", "when")
        await tap(bot, RESIDENT, "pick", "tasks", 2)
        await tap(bot, RESIDENT, "next", "langs")

    await change_skills()
    assert (bot.fake.last_text_to(RESIDENT.id) or "").endswith("Now: DIY, gardening")
    shown = labels(bot, RESIDENT, data("next", "skills"))
    assert shown[:2] == [volunteer_texts.BUTTON_KEEP, volunteer_texts.BUTTON_CLEAR]
    await tap(bot, RESIDENT, "next", "skills")  # Keep these
    await say(bot, RESIDENT, volunteer_texts.BUTTON_NO_PHONE)
    assert "Skills: DIY, gardening" in visible(bot, RESIDENT)
    await tap(bot, RESIDENT, "confirm")
    profile = await bot.services.volunteering.profile(RESIDENT.id)
    assert profile is not None and profile.skills == ("DIY", "gardening")
    assert {("individual", "DIY"), ("individual", "gardening")} <= set(
        await assets_of(bot, RESIDENT)
    )

    await change_skills()
    await say(bot, RESIDENT, "Cooking")  # typed skills replace the current ones
    await say(bot, RESIDENT, volunteer_texts.BUTTON_NO_PHONE)
    await tap(bot, RESIDENT, "confirm")
    profile = await bot.services.volunteering.profile(RESIDENT.id)
    assert profile is not None and profile.skills == ("Cooking",)

    await change_skills()
    await tap(bot, RESIDENT, "clear", "skills")  # None
    await say(bot, RESIDENT, volunteer_texts.BUTTON_NO_PHONE)
    await tap(bot, RESIDENT, "confirm")
    profile = await bot.services.volunteering.profile(RESIDENT.id)
    assert profile is not None and profile.skills == ()


async def test_pause_and_resume(bot: BotHarness, clock: FakeClock) -> None:
    await neighbourhood(bot)
    for command in ("pause", "resume"):
        await bot.send(bot.build.command(NEIGHBOUR, command))
        assert bot.fake.last_text_to(NEIGHBOUR.id) == volunteer_texts.NOT_A_VOLUNTEER
    await sign_up(bot, RESIDENT)
    volunteering = bot.services.volunteering

    async def paused_until() -> Any:
        profile = await volunteering.profile(RESIDENT.id)
        assert profile is not None
        return profile.paused_until

    await bot.send(bot.build.command(RESIDENT, "resume"))
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.NOT_PAUSED
    await bot.send(bot.build.command(RESIDENT, "pause", "3"))
    until = clock.now() + timedelta(days=3)  # 2026-11-05 09:00 UTC is 09:00 in London
    assert bot.fake.last_text_to(RESIDENT.id) == (
        "⏸ Alerts are paused for 3 days, until Thu 5 Nov 2026 at 09:00. "
        "/resume restarts them sooner."
    )
    assert await paused_until() == until
    usage = volunteer_texts.PAUSE_USAGE.format(max_days=365)
    for args in ("abc", "0", "366", "3 days", "-1", "1.5"):
        await bot.send(bot.build.command(RESIDENT, "pause", args))
        assert bot.fake.last_text_to(RESIDENT.id) == usage, args
    assert await paused_until() == until
    await bot.send(bot.build.command(RESIDENT, "pause"))
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.PAUSED_UNTIL_RESUME
    assert await paused_until() > clock.now() + timedelta(days=3650)
    await bot.send(bot.build.command(RESIDENT, "resume"))
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.RESUMED
    assert await paused_until() is None


async def test_forged_approve_buttons_change_nothing(bot: BotHarness) -> None:
    nid = await neighbourhood(bot)
    await sign_up(bot, RESIDENT)
    forged = pack("approve", await person_id(bot, RESIDENT), nid)
    for presser in (NEIGHBOUR, RESIDENT):
        await bot.press(presser, forged)
        assert last_answer(bot)["text"] == volunteer_texts.APPROVE_REFUSED
    await bot.press(ORGANISER, pack("approve", "1; DROP", nid))
    assert last_answer(bot)["text"] == texts.STALE_BUTTON
    assert await bot.services.volunteering.statuses(RESIDENT.id) == {NEIGHBOURHOOD: "pending"}
    approved = request_texts.VOLUNTEER_APPROVED.format(neighbourhood=NEIGHBOURHOOD)
    assert approved not in bot.fake.texts_to(RESIDENT.id)


def test_conversation_is_named_and_reentrant() -> None:
    conversation = volunteer_flow.build_conversation()
    assert isinstance(conversation, ConversationHandler)
    assert conversation.name == "volunteer_flow" and conversation.allow_reentry
