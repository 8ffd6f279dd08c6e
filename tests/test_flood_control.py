"""Per-person flood control through the real Application: polite, once, and then quiet."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.callback_data import pack
from bot.flood_control import Verdict
from config import privacy_texts, request_flow_texts, texts
from config.request_flow_texts import STRAY_INVITE
from config.settings import Settings
from tests.conftest import NEIGHBOUR, ORGANISER, RESIDENT, BotHarness, make_settings
from tests.flows import agree, ask_for_shopping, neighbourhood_with_invite
from tests.flows_privacy import ADDRESS, PHONE, with_tunables

MESSAGES = 4
REQUESTS = 2


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    """Low limits, so a test can reach them."""
    backend = {"DATABASE_URL": database_url} if database_url else {}
    return with_tunables(
        make_settings(tmp_path, **backend), messages_per_minute=MESSAGES, requests_per_hour=REQUESTS
    )


async def test_too_many_messages_get_one_polite_answer_then_quiet(harness: BotHarness) -> None:
    await agree(harness, RESIDENT)  # /start is the first message of this minute
    for _ in range(MESSAGES - 1):
        await harness.send(harness.build.text(RESIDENT, "hello?"))
    assert harness.fake.last_text_to(RESIDENT.id) == STRAY_INVITE
    sent_before = len(harness.fake.texts_to(RESIDENT.id))
    await harness.send(harness.build.text(RESIDENT, "hello??"))
    assert harness.fake.last_text_to(RESIDENT.id) == privacy_texts.FLOOD_MESSAGES
    for _ in range(5):
        await harness.send(harness.build.text(RESIDENT, "HELLO"))
        await harness.send(harness.build.command(RESIDENT, "help"))
    assert len(harness.fake.texts_to(RESIDENT.id)) == sent_before + 1  # told once, no more
    # Another person is not affected.
    await harness.send(harness.build.command(NEIGHBOUR, "help"))
    assert "/request" in (harness.fake.last_text_to(NEIGHBOUR.id) or "")
    # A minute later they are heard again.
    harness.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    await harness.send(harness.build.text(RESIDENT, "sorry"))
    assert harness.fake.last_text_to(RESIDENT.id) == STRAY_INVITE


async def test_too_many_button_presses_are_answered_with_an_alert(harness: BotHarness) -> None:
    await agree(harness, RESIDENT)
    presses = harness.services.privacy.flood.presses_per_minute
    for _ in range(presses - 1):  # agreeing was one press
        await harness.press(RESIDENT, pack("menu", "nowhere"))
    answers = harness.fake.calls_to("answerCallbackQuery")
    assert answers[-1].params.get("text") == texts.COMING_SOON
    await harness.press(RESIDENT, pack("menu", "nowhere"))
    await harness.press(RESIDENT, pack("menu", "nowhere"))
    first, second = harness.fake.calls_to("answerCallbackQuery")[-2:]
    assert first.params.get("text") == privacy_texts.FLOOD_PRESSES and first.params.get(
        "show_alert"
    )
    assert second.params.get("text") is None  # still answered, so the spinner stops


async def test_requests_per_hour_are_limited_politely(harness: BotHarness) -> None:
    harness.settings = with_tunables(harness.settings, messages_per_minute=1000)
    await harness.restart()
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    for number in range(REQUESTS):
        await ask_for_shopping(
            harness, RESIDENT, description=f"Shopping {number}", address=ADDRESS, phone=PHONE
        )
    limited = privacy_texts.FLOOD_REQUESTS.format(limit=REQUESTS)
    await harness.send(harness.build.command(RESIDENT, "request"))
    assert harness.fake.last_text_to(RESIDENT.id) == limited
    await harness.press(RESIDENT, pack("menu", "request"))
    alert = harness.fake.calls_to("answerCallbackQuery")[-1].params
    assert alert.get("text") == limited
    # Organisers log requests for others: not limited.
    for number in range(REQUESTS + 1):
        await ask_for_shopping(
            harness,
            ORGANISER,
            description=f"For a neighbour {number}",
            address=ADDRESS,
            phone=PHONE,
        )
    # An hour after the first, the resident may ask again.
    harness.clock.advance(timedelta(hours=1, seconds=1))  # type: ignore[attr-defined]
    await harness.send(harness.build.command(RESIDENT, "request"))
    assert harness.fake.last_text_to(RESIDENT.id) != limited
    assert request_flow_texts.CHOOSE_CATEGORY.split("{")[0] in (
        harness.fake.last_text_to(RESIDENT.id) or ""
    )


async def test_an_update_handled_twice_counts_once(harness: BotHarness) -> None:
    flood = harness.services.privacy.flood
    verdicts = [flood.check(4242, update_id, is_press=False) for update_id in (1, 1, 2, 2, 3, 4)]
    assert verdicts == [Verdict.ALLOW] * 6  # four distinct updates, the limit
    assert flood.check(4242, 5, is_press=False) is Verdict.WARN
    assert flood.check(4242, 5, is_press=False) is Verdict.DROP  # told once only
    assert flood.check(4242, 6, is_press=False) is Verdict.DROP
    assert flood.check(4243, 6, is_press=False) is Verdict.ALLOW
