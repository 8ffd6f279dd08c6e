"""Typed times in the request flow: a bare hour from 1 to 7 is asked about with two buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from config import i18n, request_flow_texts
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from storage.requests import help_requests
from tests.conftest import BotHarness
from tests.flows import agree, neighbourhood_with_invite

# The default fake clock is Monday 2 November 2026, 09:00 GMT.
ROSE = FakeUser(2601, "Rose", "Resident")
RHIAN = FakeUser(2602, "Rhian", "Preswylydd", language_code="cy")


async def press(bot: BotHarness, user: FakeUser, step: Step, value: str) -> None:
    await bot.press(user, pack(request_flow.KIND, step.token, value))


async def type_when(bot: BotHarness, user: FakeUser, when: str) -> None:
    """Start a shopping request and type when it is needed."""
    await bot.send(bot.build.command(user, "request"))
    await press(bot, user, Step.CATEGORY, "shopping")
    await bot.send(bot.build.text(user, "Bread"))
    await press(bot, user, Step.WHEN, "type")
    await bot.send(bot.build.text(user, when))


async def finish(bot: BotHarness, user: FakeUser) -> help_requests.HelpRequest:
    await bot.send(bot.build.text(user, "07700 100123"))
    await bot.send(bot.build.text(user, "1 Elm Road"))
    await press(bot, user, Step.PAYMENT, "doorstep")
    await press(bot, user, Step.FOR_WHOM, "me")
    await press(bot, user, Step.SUMMARY, "confirm")
    person = await bot.services.community.person(user.id)
    assert person is not None
    async with bot.services.db.read() as conn:
        [request] = await help_requests.for_requester(conn, person.id, bot.clock.now())
    return request


def last_buttons(bot: BotHarness, chat_id: int) -> list[tuple[str, str]]:
    call = bot.fake.calls_to("sendMessage", chat_id)[-1]
    rows = call.params["reply_markup"]["inline_keyboard"]
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def test_friday_at_2_asks_morning_or_afternoon(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, ROSE, code)
    await type_when(harness, ROSE, "friday at 2")
    assert harness.fake.last_text_to(ROSE.id) == request_flow_texts.ASK_AM_PM
    ampm = Step.WHEN_AMPM.token
    assert last_buttons(harness, ROSE.id)[:2] == [
        ("🌅 Fri 6 Nov at 02:00", pack(request_flow.KIND, ampm, "am")),
        ("🌇 Fri 6 Nov at 14:00", pack(request_flow.KIND, ampm, "pm")),
    ]
    await press(harness, ROSE, Step.WHEN_AMPM, "pm")
    request = await finish(harness, ROSE)
    assert request.starts_at == request.ends_at == datetime(2026, 11, 6, 14, 0, tzinfo=UTC)


async def test_back_from_the_question_and_a_clear_time_typed_instead(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, ROSE, code)
    await type_when(harness, ROSE, "Thursday 2.30")  # was read as 02:30 at night
    assert harness.fake.last_text_to(ROSE.id) == request_flow_texts.ASK_AM_PM
    await harness.send(harness.build.text(ROSE, "thursday 2.30pm"))  # typing again works
    assert "What number can the volunteer call you on?" in (
        harness.fake.last_text_to(ROSE.id) or ""
    )
    request = await finish(harness, ROSE)
    assert request.starts_at == datetime(2026, 11, 5, 14, 30, tzinfo=UTC)


async def test_a_welsh_resident_is_asked_in_welsh_and_parts_of_the_day_are_spans(
    harness: BotHarness,
) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RHIAN, code)
    await type_when(harness, RHIAN, "dydd Gwener am 2")
    assert harness.fake.last_text_to(RHIAN.id) == i18n.gettext(request_flow_texts.ASK_AM_PM, "cy")
    assert last_buttons(harness, RHIAN.id)[0][0].startswith("🌅 Gwen 6 Tach")
    await press(harness, RHIAN, Step.WHEN_AMPM, "am")
    request = await finish(harness, RHIAN)
    assert request.starts_at == datetime(2026, 11, 6, 2, 0, tzinfo=UTC)
    await type_when(harness, RHIAN, "prynhawn yfory")
    await harness.send(harness.build.text(RHIAN, "07700 100123"))
    await harness.send(harness.build.text(RHIAN, "1 Elm Road"))
    await press(harness, RHIAN, Step.PAYMENT, "doorstep")
    await press(harness, RHIAN, Step.FOR_WHOM, "me")
    summary = harness.fake.last_text_to(RHIAN.id) or ""
    assert "Maw 3 Tach, 12:00–17:00" in summary
