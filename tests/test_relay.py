"""Contact through the bot: Message <name>, Reply, the window closing, Ask an organiser."""

from __future__ import annotations

import html
import json
from datetime import timedelta

from bot.callback_data import pack
from bot.clock import FakeClock
from bot.offline.updates import FakeUser
from config import privacy_texts, relay_texts, request_flow_texts
from storage.requests import relay
from tests.conftest import ORGANISER, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_oversight import ELM_ORGANISER, REF, VOLUNTEER, log_phone_in, two_neighbourhoods

RUTH = FakeUser(2501, "Ruth", "Resident", username="ruth_private")
HAL = FakeUser(2502, "Hal", "Helper", username="hal_private")


async def telegram_only_task(bot: BotHarness) -> tuple[int, str]:
    """Ruth asks for shopping, to be contacted on Telegram only; Hal takes it."""
    _, code = await neighbourhood_with_invite(bot)
    await make_volunteer(bot, HAL, code)
    await agree(bot, RUTH, code)
    request_id, ref = await ask_for_shopping(
        bot,
        RUTH,
        description="Milk",
        address="1 Elm Road",
        phone=request_flow_texts.BUTTON_TELEGRAM_ONLY,
    )
    await bot.press(HAL, pack("accept", request_id))
    return request_id, ref


def buttons(bot: BotHarness, chat_id: int, method: str = "sendMessage") -> list[tuple[str, str]]:
    call = bot.fake.calls_to(method, chat_id)[-1]
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def popup(bot: BotHarness) -> str:
    return str(bot.fake.calls_to("answerCallbackQuery")[-1].params.get("text"))


async def say_through(bot: BotHarness, user: FakeUser, request_id: int, text: str) -> None:
    await bot.press(user, pack("relay", request_id))
    await bot.send(bot.build.text(user, text))


async def stored(bot: BotHarness, request_id: int) -> list[relay.RelayedMessage]:
    async with bot.services.db.read() as conn:
        return await relay.recent(conn, request_id, 100)


def leaks(bot: BotHarness, chat_id: int, other: FakeUser) -> list[str]:
    """Calls to a chat that mention the other person's Telegram id or username."""
    found = []
    for call in bot.fake.calls_to(chat_id=chat_id):
        params = json.dumps({k: v for k, v in call.params.items() if k != "chat_id"})
        if str(other.id) in params or str(other.username) in params or "tg://user" in params:
            found.append(call.method)
    return found


async def test_relay_both_ways_text_and_photo_for_a_telegram_only_resident(
    harness: BotHarness,
) -> None:
    request_id, ref = await telegram_only_task(harness)
    details = harness.fake.texts_to(HAL.id)[-1]
    assert "no phone: press Message below" in details
    assert ("💬 Message Ruth", pack("relay", request_id)) in buttons(harness, HAL.id)
    assert ("💬 Message Hal", pack("relay", request_id)) in buttons(harness, RUTH.id)
    # Hal writes; Ruth gets it labelled with his first name and her task, with Reply.
    await harness.press(HAL, pack("relay", request_id))
    assert "Type your message to <b>Ruth</b> about the shopping on Mon 2 Nov" in (
        harness.fake.last_text_to(HAL.id) or ""
    )
    await harness.send(harness.build.text(HAL, "Hi Ruth <3, I'll come at 2pm"))
    assert harness.fake.last_text_to(HAL.id) == relay_texts.SENT.format(name="Ruth")
    got = harness.fake.last_text_to(RUTH.id) or ""
    words = html.escape("Hi Ruth <3, I'll come at 2pm")
    assert got == f"💬 <b>Hal</b> about your shopping on Mon 2 Nov ({ref}):\n\n{words}"
    assert buttons(harness, RUTH.id) == [
        (relay_texts.BUTTON_REPLY, pack("relay", request_id)),
        (relay_texts.BUTTON_ASK_ORGANISER, pack("relayhelp", request_id)),
    ]
    # Ruth replies with a photo: Hal gets it by its file id, labelled.
    await harness.press(RUTH, pack("relay", request_id))
    photo = harness.build.photo(RUTH, caption="The gate code is on this")
    assert photo.effective_message is not None
    file_id = photo.effective_message.photo[-1].file_id
    await harness.send(photo)
    [sent] = harness.fake.calls_to("sendPhoto", HAL.id)
    assert sent.params["photo"] == file_id
    assert sent.params["caption"] == (
        f"💬 📷 a photo from <b>Ruth</b> about the shopping on Mon 2 Nov ({ref})\n\n"
        "The gate code is on this"
    )
    assert [b[0] for b in buttons(harness, HAL.id, "sendPhoto")] == [
        relay_texts.BUTTON_REPLY,
        relay_texts.BUTTON_ASK_ORGANISER,
    ]
    # Neither learns the other's username or Telegram id; organisers saw nothing.
    assert leaks(harness, HAL.id, RUTH) == [] and leaks(harness, RUTH.id, HAL) == []
    assert not any("Hi Ruth" in x for x in harness.fake.texts_to(ORGANISER.id))
    assert [(m.kind, m.body) for m in await stored(harness, request_id)] == [
        ("text", "Hi Ruth <3, I'll come at 2pm"),
        ("photo", "The gate code is on this"),
    ]
    # /mydata shows both messages to each side; /forgetme erases them.
    exported = await harness.services.privacy.export(HAL.id)
    assert exported is not None
    summary, document = exported
    assert "• 2 messages passed on by the bot about tasks" in summary
    assert len(json.loads(document)["messages_passed_on_about_a_task"]) == 2
    await harness.services.privacy.forget(RUTH.id)
    assert await stored(harness, request_id) == []


async def test_the_window_closes_a_day_after_the_task_closes(
    harness: BotHarness, clock: FakeClock
) -> None:
    request_id, _ = await telegram_only_task(harness)
    await harness.press(HAL, pack("done", request_id))
    await harness.press(HAL, pack("skipamount", request_id))
    await harness.press(RUTH, pack("confirm", request_id, "yes"))
    # Closed, but within relay_window: a thank-you still goes through.
    clock.advance(timedelta(hours=23))
    await say_through(harness, RUTH, request_id, "Thank you so much!")
    assert "Thank you so much!" in (harness.fake.last_text_to(HAL.id) or "")
    # A message being written when the window closes is not passed on.
    await harness.press(HAL, pack("relay", request_id))
    clock.advance(timedelta(hours=1, seconds=1))
    await harness.send(harness.build.text(HAL, "You're welcome"))
    assert harness.fake.last_text_to(HAL.id) == relay_texts.FINISHED
    assert not any("You're welcome" in x for x in harness.fake.texts_to(RUTH.id))
    # Every button answers kindly that the task is finished.
    for data in (pack("relay", request_id), pack("relayhelp", request_id)):
        await harness.press(RUTH, data)
        assert popup(harness) == relay_texts.FINISHED
    assert len(await stored(harness, request_id)) == 1
    # Kept only as long as the outbox keeps message texts: retention removes both.
    clock.advance(harness.settings.tunables.retention + timedelta(days=1))
    async with harness.services.db.transaction() as conn:
        await harness.services.privacy.retention.purge(conn)
        row = await conn.fetchrow(
            "SELECT COUNT(*) FROM outbox WHERE params LIKE ?", "%Thank you so much%"
        )
    assert await stored(harness, request_id) == [] and row is not None and row[0] == 0


async def test_only_the_two_sides_and_not_after_a_hand_back(harness: BotHarness) -> None:
    request_id, _ = await telegram_only_task(harness)
    other = FakeUser(2503, "Oli", "Other")
    await agree(harness, other)
    await harness.press(other, pack("relay", request_id), chat_id=other.id)  # forged
    assert popup(harness) == relay_texts.NOT_A_PARTICIPANT
    await harness.press(HAL, pack("release", request_id))
    await harness.press(RUTH, pack("relay", request_id))
    assert popup(harness) == relay_texts.NOBODY
    await harness.press(HAL, pack("relay", request_id))
    assert popup(harness) == relay_texts.NOT_A_PARTICIPANT
    assert await stored(harness, request_id) == []


async def test_ask_an_organiser_to_help_shares_the_last_messages(harness: BotHarness) -> None:
    request_id, ref = await telegram_only_task(harness)
    await say_through(harness, HAL, request_id, "I can't find the house")
    await harness.press(RUTH, pack("relay", request_id))
    await harness.send(harness.build.voice(RUTH))
    await say_through(harness, HAL, request_id, "Still lost <sorry>")
    assert not any("lost" in x for x in harness.fake.texts_to(ORGANISER.id))
    # Ruth asks for help: first a confirmation, then "No" shares nothing.
    await harness.press(RUTH, pack("relayhelp", request_id))
    assert "shares your last messages with Hal" in (harness.fake.last_text_to(RUTH.id) or "")
    await harness.press(RUTH, pack("relayhelp", request_id, "no"))
    assert not any("asked for an organiser" in x for x in harness.fake.texts_to(ORGANISER.id))
    await harness.press(RUTH, pack("relayhelp", request_id))
    await harness.press(RUTH, pack("relayhelp", request_id, "yes"))
    assert harness.fake.last_text_to(RUTH.id) == relay_texts.ASKED_ORGANISER
    shared = harness.fake.last_text_to(ORGANISER.id) or ""
    assert f"<b>Ruth</b> asked for an organiser's help with the shopping on Mon 2 Nov ({ref})" in (
        shared
    )
    assert "<b>Hal</b>: I can&#x27;t find the house" in shared
    assert "<b>Ruth</b>: 🎤 a voice note" in shared
    assert "<b>Hal</b>: Still lost &lt;sorry&gt;" in shared
    assert len(harness.fake.calls_to("sendVoice", ORGANISER.id)) == 1
    told = harness.fake.last_text_to(HAL.id) or ""
    assert told.startswith("ℹ️ Ruth asked an organiser to help with the shopping on Mon 2 Nov")


async def test_relay_on_a_phone_in_request_goes_to_the_organiser_who_logged_it(
    harness: BotHarness,
) -> None:
    await two_neighbourhoods(harness)
    match = REF.search(await log_phone_in(harness, ELM_ORGANISER))
    assert match
    async with harness.services.db.read() as conn:
        from storage.requests import help_requests

        request = await help_requests.by_ref(conn, match.group(0))
    assert request is not None
    await harness.press(VOLUNTEER, pack("accept", request.id))
    assert ("💬 Message Olga (organiser)", pack("relay", request.id)) in buttons(
        harness, VOLUNTEER.id
    )
    await say_through(harness, VOLUNTEER, request.id, "Mrs Jones isn't answering the door")
    got = harness.fake.last_text_to(ELM_ORGANISER.id) or ""
    assert got.startswith(f"💬 <b>Vera</b> about the shopping on Mon 2 Nov ({request.ref})")
    await say_through(harness, ELM_ORGANISER, request.id, "Ringing her now")
    assert "Ringing her now" in (harness.fake.last_text_to(VOLUNTEER.id) or "")


async def test_relayed_messages_obey_the_flood_limits(
    harness: BotHarness, clock: FakeClock
) -> None:
    request_id, _ = await telegram_only_task(harness)
    clock.advance(timedelta(minutes=2))  # a fresh minute for Hal
    limit = harness.settings.tunables.messages_per_minute
    for number in range(limit + 5):
        await say_through(harness, HAL, request_id, f"message {number}")
    assert len(await stored(harness, request_id)) == limit
    assert sum("message " in x for x in harness.fake.texts_to(RUTH.id)) == limit
    assert harness.fake.texts_to(HAL.id).count(privacy_texts.FLOOD_MESSAGES) == 1


async def test_long_messages_full_of_markup_still_fit_telegrams_limits(
    harness: BotHarness,
) -> None:
    request_id, _ = await telegram_only_task(harness)
    limit = harness.settings.tunables.max_text_length
    await say_through(harness, HAL, request_id, "&" * limit)  # escapes to five times as long
    text = harness.fake.last_text_to(RUTH.id) or ""
    assert len(text) <= 4096 and text.endswith("&amp;…")
    await harness.press(RUTH, pack("relay", request_id))
    await harness.send(harness.build.photo(RUTH, caption="<" * limit))
    [sent] = harness.fake.calls_to("sendPhoto", HAL.id)
    assert len(sent.params["caption"]) <= 1024 and sent.params["caption"].endswith("&lt;…")
    assert [m.body for m in await stored(harness, request_id)] == ["&" * limit, "<" * limit]
