"""Each step of offering help: choices, typed lists, the phone number, Back and Cancel."""

from __future__ import annotations

from config import request_texts, texts, volunteer_texts
from config.request_flow_texts import STRAY_INVITE
from tests.conftest import NEIGHBOUR, RESIDENT, BotHarness
from tests.test_volunteer_flow import (
    assets_of,
    data,
    labels,
    last_answer,
    neighbourhood,
    say,
    sign_up,
    tap,
    visible,
)
from tests.test_volunteer_flow import bot as bot  # a fixture; "as bot" marks the import as used


async def test_toggles_any_time_and_next_refused_without_a_choice(bot: BotHarness) -> None:
    await neighbourhood(bot)
    await bot.send(bot.build.command(RESIDENT, "volunteer"))
    await tap(bot, RESIDENT, "next", "cat")
    assert last_answer(bot)["text"] == volunteer_texts.NEED_CATEGORY
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.ASK_CATEGORIES  # still on step 1
    shopping = request_texts.CATEGORY_LABELS["shopping"]
    await tap(bot, RESIDENT, "pick", "cat", "shopping")
    assert volunteer_texts.CHOSEN_MARK + shopping in labels(bot, RESIDENT, data("next", "cat"))
    await tap(bot, RESIDENT, "pick", "cat", "shopping")
    assert shopping in labels(bot, RESIDENT, data("next", "cat"))
    await tap(bot, RESIDENT, "pick", "cat", "checkin_call")
    await tap(bot, RESIDENT, "next", "cat")
    await tap(bot, RESIDENT, "next", "when")
    assert last_answer(bot)["text"] == volunteer_texts.NEED_AVAILABILITY
    await tap(bot, RESIDENT, "pick", "when", 7)
    all_times = [
        volunteer_texts.CHOSEN_MARK + label for _, label in request_texts.AVAILABILITY_LABELS
    ]
    shown = labels(bot, RESIDENT, data("next", "when"))
    assert shown[:4] == [*all_times, volunteer_texts.CHOSEN_MARK + request_texts.ANY_TIME_LABEL]
    await tap(bot, RESIDENT, "pick", "when", 4)
    shown = labels(bot, RESIDENT, data("next", "when"))
    assert shown[:4] == [*all_times[:2], "Weekends", request_texts.ANY_TIME_LABEL]
    await tap(bot, RESIDENT, "next", "when")
    assert labels(bot, RESIDENT, data("pick", "tasks", 2))[:4] == ["1", "✓ 2", "3", "5"]
    await tap(bot, RESIDENT, "pick", "tasks", 1)
    await tap(bot, RESIDENT, "next", "langs")
    await tap(bot, RESIDENT, "next", "skills")
    await say(bot, RESIDENT, volunteer_texts.BUTTON_NO_PHONE)
    await tap(bot, RESIDENT, "confirm")
    profile = await bot.services.volunteering.profile(RESIDENT.id)
    assert profile is not None and profile.categories == {"checkin_call"}
    assert (profile.availability, profile.max_open_tasks, profile.share_phone) == (3, 1, False)


async def test_over_long_lists_are_refused_with_the_limit(bot: BotHarness) -> None:
    await neighbourhood(bot)
    await sign_up(bot, RESIDENT)  # an offer to change, so a refusal must leave it alone
    await bot.send(bot.build.command(RESIDENT, "volunteer"))
    await tap(bot, RESIDENT, "next", "cat")
    await tap(bot, RESIDENT, "next", "when")
    await tap(bot, RESIDENT, "pick", "tasks", 2)
    language_limit = volunteer_texts.LANGUAGES_INVALID.format(count=10, length=40)
    for typed in (", ".join(f"L{n}" for n in range(11)), "x" * 41, " , ,"):
        await say(bot, RESIDENT, typed)
        assert bot.fake.last_text_to(RESIDENT.id) == language_limit
    await say(bot, RESIDENT, "x" * 40)
    skill_limit = volunteer_texts.SKILLS_INVALID.format(count=10, length=60)
    for typed in (",".join(f"skill {n}" for n in range(11)), "y" * 61):
        await say(bot, RESIDENT, typed)
        assert bot.fake.last_text_to(RESIDENT.id) == skill_limit
    await say(bot, RESIDENT, "y" * 60)
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.ASK_PHONE
    await bot.send(bot.build.command(RESIDENT, "cancel"))
    assert await assets_of(bot, RESIDENT) == [
        ("individual", request_texts.CATEGORY_LABELS["shopping"])
    ]


async def test_cancel_mid_way_stores_nothing_and_back_works(bot: BotHarness) -> None:
    await neighbourhood(bot)
    await bot.send(bot.build.command(RESIDENT, "volunteer"))
    await tap(bot, RESIDENT, "pick", "cat", "shopping")
    await tap(bot, RESIDENT, "next", "cat")
    await tap(bot, RESIDENT, "pick", "when", 1)
    await tap(bot, RESIDENT, "next", "when")
    await tap(bot, RESIDENT, "back", "tasks")
    assert "✓ Weekday daytimes" in labels(bot, RESIDENT, data("next", "when"))
    await tap(bot, RESIDENT, "back", "when")
    assert "✓ 🛒 Shopping" in labels(bot, RESIDENT, data("next", "cat"))
    await tap(bot, RESIDENT, "next", "cat")
    await tap(bot, RESIDENT, "next", "when")
    await tap(bot, RESIDENT, "pick", "tasks", 2)
    await say(bot, RESIDENT, "Welsh")
    await tap(bot, RESIDENT, "back", "skills")
    assert (bot.fake.last_text_to(RESIDENT.id) or "").endswith("Now: Welsh")
    await tap(bot, RESIDENT, "next", "langs")
    await tap(bot, RESIDENT, "next", "skills")
    await say(bot, RESIDENT, volunteer_texts.BUTTON_BACK)  # on the phone step's reply keyboard
    back_note = bot.fake.calls_to("sendMessage", RESIDENT.id)[-2].params
    assert back_note["reply_markup"] == {"remove_keyboard": True}
    assert (bot.fake.last_text_to(RESIDENT.id) or "").startswith(volunteer_texts.ASK_SKILLS)
    await tap(bot, RESIDENT, "next", "skills")
    await say(bot, RESIDENT, volunteer_texts.BUTTON_NO_PHONE)
    await tap(bot, RESIDENT, "back", "summary")
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.ASK_PHONE
    await bot.send(bot.build.command(RESIDENT, "cancel"))
    cancelled = bot.fake.calls_to("sendMessage", RESIDENT.id)[-1].params
    assert cancelled["text"] == texts.CANCELLED
    assert cancelled["reply_markup"] == {"remove_keyboard": True}
    assert await bot.services.volunteering.profile(RESIDENT.id) is None
    assert await bot.services.volunteering.statuses(RESIDENT.id) == {}
    assert await assets_of(bot, RESIDENT) == []
    # The flow is over: an old button is stale and text is not taken as an answer.
    await bot.press(RESIDENT, data("confirm"))
    assert last_answer(bot)["text"] == texts.STALE_BUTTON
    await say(bot, RESIDENT, "07400 123456")
    assert bot.fake.last_text_to(RESIDENT.id) == STRAY_INVITE


async def test_cancel_and_back_buttons_on_the_first_step(bot: BotHarness) -> None:
    await neighbourhood(bot)
    await bot.send(bot.build.command(RESIDENT, "volunteer"))
    await tap(bot, RESIDENT, "pick", "cat", "lift")
    await tap(bot, RESIDENT, "cancel")
    assert bot.fake.last_text_to(RESIDENT.id) == texts.CANCELLED
    await bot.send(bot.build.command(RESIDENT, "volunteer"))
    assert "✓ 🚗 Lift" not in labels(bot, RESIDENT, data("next", "cat"))  # nothing kept
    await tap(bot, RESIDENT, "back", "cat")
    assert bot.fake.last_text_to(RESIDENT.id) == texts.MENU
    assert await bot.services.volunteering.profile(RESIDENT.id) is None
    await bot.send(bot.build.command(RESIDENT, "cancel"))  # nothing left to stop
    assert bot.fake.last_text_to(RESIDENT.id) == texts.NOTHING_TO_CANCEL


async def test_phone_step_checks_numbers_and_contacts(bot: BotHarness) -> None:
    await neighbourhood(bot)
    await bot.send(bot.build.command(RESIDENT, "volunteer"))
    await tap(bot, RESIDENT, "pick", "cat", "shopping")
    await tap(bot, RESIDENT, "next", "cat")
    await tap(bot, RESIDENT, "pick", "when", 7)
    await tap(bot, RESIDENT, "next", "when")
    await tap(bot, RESIDENT, "pick", "tasks", 2)
    await tap(bot, RESIDENT, "next", "langs")
    await tap(bot, RESIDENT, "next", "skills")
    await bot.send(bot.build.contact(RESIDENT, "447400999999", contact_user_id=NEIGHBOUR.id))
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.PHONE_NOT_YOURS
    await say(bot, RESIDENT, "12")
    assert bot.fake.last_text_to(RESIDENT.id) == volunteer_texts.PHONE_BAD.format(
        reason=volunteer_texts.PHONE_REASONS["too_short"]
    )
    await say(bot, RESIDENT, "07911 123456")
    assert "07911 123456" in visible(bot, RESIDENT)
    await tap(bot, RESIDENT, "confirm")
    person = await bot.services.community.person(RESIDENT.id)
    assert person is not None and person.phone_e164 == "+447911123456"
    profile = await bot.services.volunteering.profile(RESIDENT.id)
    assert profile is not None and profile.share_phone


async def test_typed_text_is_escaped_in_the_summary(bot: BotHarness) -> None:
    await neighbourhood(bot)
    skill = "<b>Plumbing</b> & heating"
    await bot.send(bot.build.command(RESIDENT, "volunteer"))
    await tap(bot, RESIDENT, "pick", "cat", "other")
    await tap(bot, RESIDENT, "next", "cat")
    await tap(bot, RESIDENT, "pick", "when", 2)
    await tap(bot, RESIDENT, "next", "when")
    await tap(bot, RESIDENT, "pick", "tasks", 5)
    await say(bot, RESIDENT, "Cymraeg & <i>Polish</i>")
    await say(bot, RESIDENT, skill)
    await say(bot, RESIDENT, volunteer_texts.BUTTON_NO_PHONE)
    sent = bot.fake.last_text_to(RESIDENT.id) or ""
    assert "&lt;b&gt;Plumbing&lt;/b&gt; &amp; heating" in sent
    shown = visible(bot, RESIDENT)  # the fake renders HTML as Telegram would
    assert f"Skills: {skill}" in shown
    assert "Languages: Cymraeg & <i>Polish</i>" in shown
    await tap(bot, RESIDENT, "confirm")
    assert ("individual", skill) in await assets_of(bot, RESIDENT)
