"""Residents hear what they asked for and when; /tasks says "you"; Done can be undone."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.callback_data import pack
from bot.clock import FakeClock
from bot.offline.updates import FakeUser
from bot.requests.labels import with_request
from config import i18n, request_texts
from storage import audit, jobs
from storage.requests import help_requests
from tests.conftest import RESIDENT, BotHarness
from tests.flows import ask_for_shopping, make_volunteer, neighbourhood_with_invite

HELPER = FakeUser(2101, "Hal", "Helper")
OTHER = FakeUser(2102, "Olu", "Other")
REF = re.compile(r"R-[0-9A-Z]{4,6}")


async def shopping_taken(bot: BotHarness) -> tuple[int, str]:
    """Rita asks for shopping today; Hal takes it."""
    _, code = await neighbourhood_with_invite(bot)
    await make_volunteer(bot, HELPER, code)
    await make_volunteer(bot, OTHER, code, categories=frozenset({"lift"}))
    await make_volunteer(bot, RESIDENT, code, categories=frozenset({"lift"}))
    request_id, ref = await ask_for_shopping(
        bot, RESIDENT, description="Milk", address="1 Elm Road", phone="07700 100123"
    )
    await bot.press(HELPER, pack("accept", request_id))
    return request_id, ref


async def row(bot: BotHarness, request_id: int) -> help_requests.HelpRequest:
    async with bot.services.db.read() as conn:
        found = await help_requests.by_id(conn, request_id)
    assert found is not None
    return found


def popups(bot: BotHarness) -> list[str]:
    return [str(c.params.get("text", "")) for c in bot.fake.calls_to("answerCallbackQuery")]


def bare_refs(texts: list[str]) -> list[str]:
    """Texts that show a reference without its words: every R-code must be "(R-…)"."""
    return [x for x in texts for m in REF.finditer(x) if x[m.start() - 1 : m.start()] != "("]


async def test_every_message_to_the_resident_names_the_help_and_the_day(
    harness: BotHarness,
) -> None:
    request_id, ref = await shopping_taken(harness)
    label = f"your shopping on Mon 2 Nov ({ref})"
    coming = harness.fake.last_text_to(RESIDENT.id) or ""
    assert f"Good news: <b>Hal</b> is going to help with {label}." in coming
    await harness.press(HELPER, pack("release", request_id))
    assert f"Hal can't help with {label} after all" in (
        harness.fake.last_text_to(RESIDENT.id) or ""
    )
    await harness.press(HELPER, pack("accept", request_id))
    await harness.press(HELPER, pack("done", request_id))
    await harness.press(HELPER, pack("skipamount", request_id))
    assert f"Hal says {label} is done." in (harness.fake.last_text_to(RESIDENT.id) or "")
    await harness.press(RESIDENT, pack("confirm", request_id, "no"))
    assert f"and {label} is open again" in (harness.fake.last_text_to(RESIDENT.id) or "")
    await harness.press(RESIDENT, pack("cancelreq", request_id))
    cancelled = harness.fake.last_text_to(RESIDENT.id) or ""
    assert cancelled.startswith(f"Your shopping on Mon 2 Nov ({ref}) is cancelled.")
    resident_texts = harness.fake.texts_to(RESIDENT.id)
    assert sum(ref in x for x in resident_texts) >= 6
    assert bare_refs(resident_texts) == []


async def test_tasks_says_you_for_the_volunteers_own_task(harness: BotHarness) -> None:
    request_id, ref = await shopping_taken(harness)
    await harness.send(harness.build.command(HELPER, "tasks"))
    listing = harness.fake.last_text_to(HELPER.id) or ""
    assert ref in listing and "🙋 you're on it" in listing
    assert "a volunteer is on it" not in listing
    await harness.press(HELPER, pack("done", request_id))
    await harness.press(HELPER, pack("skipamount", request_id))
    await harness.send(harness.build.command(HELPER, "tasks"))
    assert "✅ you marked it done" in (harness.fake.last_text_to(HELPER.id) or "")


async def test_done_is_undone_from_the_same_message_within_ten_minutes(
    harness: BotHarness, clock: FakeClock
) -> None:
    request_id, ref = await shopping_taken(harness)
    await harness.press(HELPER, pack("done", request_id))
    ask = harness.fake.calls_to("sendMessage", RESIDENT.id)[-1]
    assert "is done. Did you get the help you needed?" in ask.params["text"]
    undo = pack("undodone", request_id)
    thanks_id = harness.message_with_button(HELPER.id, undo)
    assert thanks_id is not None
    thanks = harness.fake.message(HELPER.id, thanks_id) or {}
    assert "undo it here for 10 minutes" in thanks["text"]
    clock.advance(timedelta(minutes=9))
    await harness.press(HELPER, undo)
    assert (await row(harness, request_id)).status == "assigned"
    assert harness.fake.last_text_to(HELPER.id) == request_texts.UNDONE_OK.format(ref=ref)
    # The resident's question loses its buttons and says what happened.
    edited = harness.fake.message(RESIDENT.id, int(ask.result["message_id"])) or {}
    assert "Hal pressed Done by mistake" in edited["text"] and "reply_markup" not in edited
    assert f"your shopping on Mon 2 Nov ({ref}) is still on" in edited["text"]
    # The open amount question was dropped: a typed amount is not recorded.
    await harness.send(harness.build.text(HELPER, "12.50"))
    assert (await row(harness, request_id)).amount_spent_pence is None
    # The task is live again: reminders are back, the follow-up is gone, Done works again.
    async with harness.services.db.read() as conn:
        pending = {j.kind for j in await jobs.pending(conn) if j.target == str(request_id)}
    assert "care.task_overdue" in pending and "care.followup" not in pending
    await harness.press(HELPER, pack("done", request_id))
    assert (await row(harness, request_id)).status == "done"
    async with harness.services.db.read() as conn:
        actions = await audit.actions_for(conn, f"request:{ref}")
    assert actions[-3:] == ["request.done", "request.undone", "request.done"]


async def test_undo_after_ten_minutes_or_by_someone_else_changes_nothing(
    harness: BotHarness, clock: FakeClock
) -> None:
    request_id, _ = await shopping_taken(harness)
    await harness.press(HELPER, pack("done", request_id))
    undo = pack("undodone", request_id)
    thanks_id = harness.message_with_button(HELPER.id, undo)
    assert thanks_id is not None
    await harness.press(OTHER, undo, chat_id=OTHER.id)  # a forged press
    assert popups(harness)[-1] == request_texts.NOT_YOURS
    clock.advance(timedelta(minutes=10, seconds=1))
    await harness.press(HELPER, undo)
    assert popups(harness)[-1].startswith("It's more than 10 minutes since you pressed Done")
    assert (await row(harness, request_id)).status == "done"
    stale = harness.fake.message(HELPER.id, thanks_id) or {}
    assert "reply_markup" not in stale  # the stale button is gone
    # Once the resident has confirmed, there is nothing to undo either.
    await harness.press(RESIDENT, pack("confirm", request_id, "yes"))
    clock.advance(timedelta(seconds=-30))
    await harness.press(HELPER, undo)
    assert (await row(harness, request_id)).status == "closed"


def test_the_label_opens_a_sentence_only_where_the_language_puts_it_first() -> None:
    label = "your shopping on Mon 2 Nov (R-ABCD)"
    english = with_request(request_texts.REQUEST_CANCELLED_OK, label)
    assert english.startswith("Your shopping on Mon 2 Nov (R-ABCD) is cancelled.")
    assert with_request("✅ Thank you. <b>{request}</b> is in.", label).endswith(
        "<b>Your shopping on Mon 2 Nov (R-ABCD)</b> is in."
    )
    with i18n.speaking("cy"):
        welsh = with_request(
            request_texts.REQUEST_CANCELLED_OK, "eich siopa ar Llun 2 Tach (R-ABCD)"
        )
    assert welsh.startswith("Mae eich siopa ar Llun 2 Tach (R-ABCD) wedi'i ganslo.")
