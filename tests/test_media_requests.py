"""Requests by voice note or photo, and stray messages that become requests."""

from __future__ import annotations

import json
from datetime import timedelta

from telegram import Update

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from config import request_flow_texts, texts
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from storage.requests import help_requests
from tests.conftest import ORGANISER, RESIDENT, VOLUNTEERS_CHAT, BotHarness
from tests.flows import agree, make_volunteer, neighbourhood_with_invite
from tests.flows_care import fake_clock, travel_to

FIRST = FakeUser(2401, "Fay", "First")
SECOND = FakeUser(2402, "Sid", "Second")


async def volunteers_and_group(bot: BotHarness) -> None:
    """Two shopping volunteers, a linked volunteers' group, and Rita as a member."""
    _, code = await neighbourhood_with_invite(bot)
    await make_volunteer(bot, FIRST, code)
    await make_volunteer(bot, SECOND, code)
    await bot.send(bot.build.group_command(ORGANISER, VOLUNTEERS_CHAT, "linkgroup"))
    await agree(bot, RESIDENT, code)


async def finish_shopping(bot: BotHarness, user: FakeUser) -> help_requests.HelpRequest:
    """From "when": today, a phone, an address, cash, for me, confirm; returns the request."""

    async def press(step: Step, value: str) -> None:
        await bot.press(user, pack(request_flow.KIND, step.token, value))

    await press(Step.WHEN, "today")
    await bot.send(bot.build.text(user, "07700 100123"))
    await bot.send(bot.build.text(user, "1 Elm Road"))
    await press(Step.PAYMENT, "doorstep")
    await press(Step.FOR_WHOM, "me")
    await press(Step.SUMMARY, "confirm")
    person = await bot.services.community.person(user.id)
    assert person is not None
    async with bot.services.db.read() as conn:
        [request] = await help_requests.for_requester(conn, person.id, bot.clock.now())
    return request


async def ask_with(bot: BotHarness, what: Update) -> help_requests.HelpRequest:
    """Rita asks for shopping, answering "what is needed" with this update."""
    await bot.send(bot.build.command(RESIDENT, "request"))
    await bot.press(RESIDENT, pack(request_flow.KIND, Step.CATEGORY.token, "shopping"))
    await bot.send(what)
    return await finish_shopping(bot, RESIDENT)


def file_id_of(update: Update) -> str:
    message = update.effective_message
    assert message is not None
    if message.voice is not None:
        return message.voice.file_id
    return message.photo[-1].file_id


def calls_carrying(bot: BotHarness, secret: str) -> list[tuple[str, int | None]]:
    """(method, chat) of every Bot API call whose parameters mention the secret."""
    return [
        (call.method, call.params.get("chat_id"))
        for call in bot.fake.calls
        if secret in json.dumps(call.params, ensure_ascii=False)
    ]


async def test_voice_note_request_reaches_only_the_assignee(harness: BotHarness) -> None:
    await volunteers_and_group(harness)
    voice = harness.build.voice(RESIDENT)
    file_id = file_id_of(voice)
    harness.fake.clear()
    request = await ask_with(harness, voice)
    assert request.media == (("voice", file_id),) and request.description == ""
    summary = next(x for x in harness.fake.texts_to(RESIDENT.id) if "Please check" in x)
    assert "(+ 🎤 a voice note)" in summary
    # Alerts and the group post (when the round widens) say there is a voice note, and carry
    # nothing of it.
    await travel_to(harness, harness.clock.now() + harness.settings.tunables.alert_widening_delay)
    for chat in (FIRST.id, SECOND.id, VOLUNTEERS_CHAT):
        alert = next(x for x in harness.fake.texts_to(chat) if request.ref in x)
        assert "With 🎤 a voice note" in alert
    assert calls_carrying(harness, file_id) == []
    await harness.press(FIRST, pack("accept", request.id))
    details = harness.fake.texts_to(FIRST.id)[-1]
    assert "<b>Also sent:</b> 🎤 a voice note (below)" in details
    # Every Bot API call that carried the voice note went to the assignee, once.
    assert calls_carrying(harness, file_id) == [("sendVoice", FIRST.id)]
    [sent] = harness.fake.calls_to("sendVoice", FIRST.id)
    assert sent.params["caption"] == f"🎤 a voice note from Rita for {request.ref}"
    # /forgetme removes the file id with the rest of her details.
    await harness.services.privacy.forget(RESIDENT.id)
    async with harness.services.db.read() as conn:
        forgotten = await help_requests.by_id(conn, request.id)
    assert forgotten is not None and forgotten.media == ()


async def test_photo_with_caption_is_the_description_and_retention_removes_it(
    harness: BotHarness,
) -> None:
    await volunteers_and_group(harness)
    photo = harness.build.photo(RESIDENT, caption="My list <please>")
    file_id = file_id_of(photo)
    request = await ask_with(harness, photo)
    assert request.description == "My list <please>"
    assert request.media == (("photo", file_id),)
    await harness.press(SECOND, pack("accept", request.id))
    assert calls_carrying(harness, file_id) == [("sendPhoto", SECOND.id)]
    assert "My list &lt;please&gt;" in harness.fake.texts_to(SECOND.id)[-1]
    await harness.press(SECOND, pack("done", request.id))
    await harness.press(RESIDENT, pack("confirm", request.id, "yes"))
    fake_clock(harness).advance(harness.settings.tunables.retention + timedelta(days=1))
    async with harness.services.db.transaction() as conn:
        await harness.services.privacy.retention.purge(conn)
        purged = await help_requests.by_id(conn, request.id)
    assert purged is not None and purged.media == () and purged.description is None


async def test_at_most_three_voice_notes_and_photos(harness: BotHarness) -> None:
    await volunteers_and_group(harness)
    await harness.send(harness.build.command(RESIDENT, "request"))
    await harness.press(RESIDENT, pack(request_flow.KIND, Step.CATEGORY.token, "shopping"))
    for _ in range(3):  # each one moves on to "when"; Back returns to "what is needed"
        await harness.send(harness.build.photo(RESIDENT))
        assert harness.fake.last_text_to(RESIDENT.id) == request_flow_texts.ASK_WHEN
        await harness.press(RESIDENT, pack(request_flow.KIND, Step.WHEN.token, "back"))
    await harness.send(harness.build.voice(RESIDENT))
    assert harness.fake.last_text_to(RESIDENT.id) == request_flow_texts.MEDIA_LIMIT.format(limit=3)


async def test_stray_text_becomes_a_request(harness: BotHarness) -> None:
    await volunteers_and_group(harness)
    words = "I need someone to get my shopping please"
    await harness.send(harness.build.text(RESIDENT, words))
    assert harness.fake.last_text_to(RESIDENT.id) == request_flow_texts.STRAY_INVITE
    call = harness.fake.calls_to("sendMessage", RESIDENT.id)[-1]
    labels = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [
        request_flow_texts.BUTTON_STRAY_REQUEST,
        request_flow_texts.BUTTON_MENU,
        request_flow_texts.BUTTON_HELP,
    ]
    await harness.press(RESIDENT, pack("stray", "request"))
    asked = harness.fake.last_text_to(RESIDENT.id) or ""
    assert (
        asked.startswith(request_flow_texts.PREFILLED) and "What kind of help do you need?" in asked
    )
    await harness.press(RESIDENT, pack(request_flow.KIND, Step.CATEGORY.token, "shopping"))
    assert (
        harness.fake.last_text_to(RESIDENT.id) == request_flow_texts.ASK_WHEN
    )  # "what" is already answered
    request = await finish_shopping(harness, RESIDENT)
    assert request.description == words and request.status == "open"


async def test_stray_voice_note_becomes_a_request_and_menu_and_help_answer(
    harness: BotHarness,
) -> None:
    await volunteers_and_group(harness)
    await harness.send(harness.build.voice(RESIDENT))
    assert harness.fake.last_text_to(RESIDENT.id) == request_flow_texts.STRAY_INVITE
    await harness.press(RESIDENT, pack("stray", "menu"))
    assert harness.fake.last_text_to(RESIDENT.id) == texts.MENU
    await harness.press(RESIDENT, pack("stray", "help"))
    assert "/request" in (harness.fake.last_text_to(RESIDENT.id) or "")
    await harness.press(RESIDENT, pack("stray", "request"))
    await harness.press(RESIDENT, pack(request_flow.KIND, Step.CATEGORY.token, "shopping"))
    request = await finish_shopping(harness, RESIDENT)
    assert [kind for kind, _ in request.media] == ["voice"]
    # Without words or media (a contact card), only Menu and Help are offered.
    await harness.send(harness.build.contact(RESIDENT, "+447700100123"))
    call = harness.fake.calls_to("sendMessage", RESIDENT.id)[-1]
    labels = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
    assert call.params["text"] == texts.STRAY_MESSAGE
    assert labels == [request_flow_texts.BUTTON_MENU, request_flow_texts.BUTTON_HELP]
