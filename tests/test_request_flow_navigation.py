"""Moving about the request flow: Back, Edit from the summary, Cancel, stale and forged buttons."""

from __future__ import annotations

import pytest

from bot.callback_data import pack
from config import request_flow_texts
from config.request_flow_texts import STRAY_INVITE
from handlers.requests import prompts
from handlers.requests.steps import Step
from tests.conftest import RESIDENT, BotHarness
from tests.test_request_flow import bot as bot  # a fixture; "as bot" marks the import as used
from tests.test_request_flow import (
    confirm,
    last,
    last_markup,
    press,
    request_count,
    say,
    seed,
    to_phone,
    to_summary,
)


async def test_back_goes_to_the_previous_step(bot: BotHarness) -> None:
    await seed(bot)
    await bot.send(bot.build.command(RESIDENT, "request"))
    await press(bot, Step.CATEGORY, "shopping")
    await press(bot, Step.WHAT, "back")
    assert "What kind of help do you need?" in last(bot)
    await press(bot, Step.CATEGORY, "checkin_call")
    await say(bot, "A chat on Sunday")
    await press(bot, Step.WHEN, "back")
    assert "What do you need?" in last(bot)
    await say(bot, "A chat on Sunday afternoon")
    await press(bot, Step.WHEN, "today")
    await say(bot, request_flow_texts.BUTTON_BACK)  # the phone step's reply keyboard
    assert bot.fake.calls_to("sendMessage", RESIDENT.id)[-2].params["reply_markup"] == {
        "remove_keyboard": True
    }
    assert last(bot) == request_flow_texts.ASK_WHEN
    await press(bot, Step.WHEN, "today")
    await say(bot, "07700 100123")
    await say(bot, "Phone only")
    await press(bot, Step.FOR_WHOM, "back")  # no payment or pharmacy step for a call
    assert "address or meeting point" in last(bot)
    await say(bot, "Phone only, no visit")
    await press(bot, Step.FOR_WHOM, "me")
    request = await confirm(bot)
    assert request.category == "checkin_call"
    assert request.description == "A chat on Sunday afternoon"
    assert request.address == "Phone only, no visit"


async def test_back_from_the_first_step_returns_to_the_menu(bot: BotHarness) -> None:
    await seed(bot)
    await bot.press(RESIDENT, pack("menu", "request"))  # the menu's Ask for help
    assert "What kind of help do you need?" in last(bot)
    await press(bot, Step.CATEGORY, "back")
    assert last(bot) == request_flow_texts.BACK_TO_MENU
    await say(bot, "hello?")  # the conversation is over: the general fallback answers
    assert last(bot) == STRAY_INVITE
    assert await request_count(bot) == 0


async def test_edit_from_the_summary_changes_only_the_address(bot: BotHarness) -> None:
    await seed(bot)
    await to_summary(bot, address="12 Elm Road")
    await press(bot, Step.SUMMARY, "edit")
    labels = [b["text"] for row in last_markup(bot)["inline_keyboard"] for b in row]
    fields = ("what", "when", "phone", "address", "payment", "for_whom")
    assert labels == [request_flow_texts.EDIT_LABELS[f] for f in fields] + [
        request_flow_texts.BUTTON_BACK,
        request_flow_texts.BUTTON_CANCEL,
    ]
    await press(bot, Step.EDIT, Step.ADDRESS.token)
    await say(bot, "14 Elm Road, side door")
    assert "Please check your request" in last(bot)  # straight back, not through payment
    assert "14 Elm Road, side door" in last(bot)
    request = await confirm(bot)
    assert request.address == "14 Elm Road, side door"
    assert request.description == "Milk, bread and eggs"
    assert (request.contact_phone, request.payment_method) == ("+447700100123", "doorstep")


@pytest.mark.parametrize("how", ["command", "button", "phone keyboard"])
async def test_cancel_midway_stores_nothing(bot: BotHarness, how: str) -> None:
    await seed(bot)
    await to_phone(bot)
    if how == "phone keyboard":
        await say(bot, request_flow_texts.BUTTON_CANCEL)
    else:
        await say(bot, "07700 100123")
        if how == "command":
            await bot.send(bot.build.command(RESIDENT, "cancel"))
        else:
            await bot.press(RESIDENT, prompts.CANCEL_DATA)
    assert last(bot) == request_flow_texts.CANCELLED == "Okay, stopped. Nothing was sent."
    assert last_markup(bot) == {"remove_keyboard": True}
    assert await request_count(bot) == 0
    await say(bot, "12 Elm Road")  # no longer in the flow
    assert last(bot) == STRAY_INVITE


async def test_stale_and_forged_buttons_re_show_the_current_step(bot: BotHarness) -> None:
    await seed(bot)
    await bot.send(bot.build.command(RESIDENT, "request"))
    await say(bot, "shopping please")  # a button step
    assert last(bot) == request_flow_texts.USE_BUTTONS
    await press(bot, Step.CATEGORY, "shopping")
    await say(bot, "Milk")
    assert last(bot) == request_flow_texts.ASK_WHEN
    await press(bot, Step.CATEGORY, "lift")  # an old button from an earlier step
    assert (
        bot.fake.calls_to("answerCallbackQuery")[-1].params["text"] == request_flow_texts.STALE_STEP
    )
    assert last(bot) == request_flow_texts.ASK_WHEN
    await press(bot, Step.WHEN, "yesterday")  # forged data for this step
    assert (
        bot.fake.calls_to("answerCallbackQuery")[-1].params["text"] == request_flow_texts.STALE_STEP
    )
    assert last(bot) == request_flow_texts.ASK_WHEN
    await bot.press(RESIDENT, "v1|reqflow|garbage")
    assert last(bot) == request_flow_texts.ASK_WHEN
    await say(bot, "some text")  # the when step also reads typed times
    assert last(bot).startswith("Sorry, I couldn't read that")
    await press(bot, Step.WHEN, "tomorrow")
    assert last(bot).startswith("📞 What number")
    await bot.send(bot.build.command(RESIDENT, "cancel"))
    assert await request_count(bot) == 0
