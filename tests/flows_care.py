"""Shared steps for the care tests: time travel, a resident with a check-in, a buddy."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.callback_data import pack
from bot.care.checkin_schedule import ALL_DAYS
from bot.clock import FakeClock
from bot.model.checkins import CheckIn
from bot.offline.updates import FakeUser
from storage import jobs, people
from storage.care import checkins
from tests.conftest import BotHarness

USE = "use the offered one"  # set_up_checkin: press the button offering a known value


def fake_clock(bot: BotHarness) -> FakeClock:
    """The harness clock as the FakeClock it is."""
    assert isinstance(bot.clock, FakeClock)
    return bot.clock


async def settle(bot: BotHarness) -> int:
    """Fire every job due by the fake clock (also those firing jobs make due), then send.

    Returns how many jobs fired here (a timer may fire some itself; never twice).
    """
    fired = 0
    for _ in range(20):
        await asyncio.sleep(0)
        now_fired = await bot.services.scheduler.run_due()
        fired += now_fired
        if not now_fired:
            break
    await bot.services.dispatcher.drain()
    return fired


async def travel_to(bot: BotHarness, moment: datetime) -> None:
    """Move the fake clock to a moment and let everything due happen."""
    fake_clock(bot).set(moment)
    await settle(bot)


async def set_up_checkin(
    bot: BotHarness,
    user: FakeUser,
    *,
    at: str = "10:00",
    days: int = ALL_DAYS,
    contact: str | None = None,
    for_number: int | None = None,
    phone: str | None = None,
    address: str | None = None,
) -> None:
    """Go through /checkin: days, time, phone, address, emergency contact.

    For phone and address: None presses Skip, USE presses the offered one, else it is typed.
    """
    await bot.send(bot.build.command(user, "checkin", f"#{for_number}" if for_number else ""))
    await bot.press(user, pack("cif", "days", days))
    await bot.press(user, pack("cif", "next"))
    await bot.send(bot.build.text(user, at))
    for value, offer in ((phone, "usephone"), (address, "useaddr")):
        if value is None:
            await bot.press(user, pack("cif", "skip"))
        elif value == USE:
            await bot.press(user, pack("cif", offer))
        else:
            await bot.send(bot.build.text(user, value))
    if contact is None:
        await bot.press(user, pack("cif", "skip"))
    else:
        await bot.send(bot.build.text(user, contact))


async def checkin_of(bot: BotHarness, telegram_id: int) -> CheckIn:
    """The stored check-in of a person."""
    async with bot.services.db.read() as conn:
        person = await people.by_telegram_id(conn, telegram_id)
        assert person is not None
        found = await checkins.by_person(conn, person.id)
    assert found is not None
    return found


async def person_number(bot: BotHarness, telegram_id: int) -> int:
    """A person's number (people.id)."""
    person = await bot.services.community.person(telegram_id)
    assert person is not None
    return person.id


async def set_phone(bot: BotHarness, telegram_id: int, phone: str) -> None:
    """Store a person's phone (E.164)."""
    number = await person_number(bot, telegram_id)
    async with bot.services.db.transaction() as conn:
        await people.set_phone(conn, number, phone, bot.clock.now())


async def pending_jobs(bot: BotHarness, kind: str) -> list[jobs.ScheduledJob]:
    """Pending jobs of a kind."""
    async with bot.services.db.read() as conn:
        return [j for j in await jobs.pending(conn) if j.kind == kind]


def count_containing(bot: BotHarness, chat_id: int, fragment: str) -> int:
    """How many texts sent or edited in a chat contain a fragment."""
    return sum(fragment in text for text in bot.fake.texts_to(chat_id))


def question_id(bot: BotHarness, chat_id: int) -> int:
    """The occurrence id on the newest check-in question in a chat."""
    for call in reversed(bot.fake.calls_to("sendMessage", chat_id)):
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
        for row in rows:
            for button in row:
                data = button.get("callback_data", "")
                if data.startswith("v1|ci|"):
                    return int(data.split("|")[2])
    raise AssertionError("no check-in question was sent")
