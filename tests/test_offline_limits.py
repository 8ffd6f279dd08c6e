"""LimitedFakeTelegram: Telegram's flood limits, enforced on sliding windows, answered with 429."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import RetryAfter
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.offline.limits import LimitedFakeTelegram, SlidingWindow
from tests.conftest import TEST_TOKEN

GROUP = -1001000000001
# PTB warns, whenever it builds a RetryAfter, that retry_after will become a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class Ticker:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def fake(ticker: Ticker) -> LimitedFakeTelegram:
    return LimitedFakeTelegram(now=ticker)


@pytest.fixture
async def bot(fake: LimitedFakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(TEST_TOKEN, request=fake, get_updates_request=fake)
    await bot.initialize()
    try:
        yield bot
    finally:
        await bot.shutdown()


async def refused(bot: Bot, chat_id: int) -> str:
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat_id, "too soon")
    return str(caught.value)


def test_sliding_window_counts_only_the_last_period() -> None:
    window = SlidingWindow(2, 1.0)
    for now in (0.0, 0.4):
        assert window.wait(now) == 0
        window.record(now)
    assert window.wait(0.9) == pytest.approx(0.1)
    assert window.wait(1.0) == 0  # the event at 0.0 has left the window
    window.record(1.0)
    assert window.wait(1.0) == pytest.approx(0.4)


async def test_thirty_messages_a_second_overall(
    bot: Bot, fake: LimitedFakeTelegram, ticker: Ticker
) -> None:
    for chat_id in range(1, 31):
        await bot.send_message(chat_id, "alert")
    assert await refused(bot, 31) == "Flood control exceeded. Retry in 1 seconds"
    assert fake.too_many == 1 and fake.refused == [("sendMessage", 31, 1)]
    assert fake.calls[-1].error == "Too Many Requests: retry after 1"
    assert fake.message(31, 1) is None  # a refused call changes nothing
    ticker.now += 0.5
    await refused(bot, 32)
    ticker.now += 0.5
    await bot.send_message(31, "alert")
    assert fake.too_many == 2


async def test_a_private_chat_allows_a_burst_of_three_then_one_a_second(
    bot: Bot, fake: LimitedFakeTelegram, ticker: Ticker
) -> None:
    for _ in range(3):
        await bot.send_message(5, "hello")
    assert await refused(bot, 5) == "Flood control exceeded. Retry in 3 seconds"
    await bot.send_message(6, "another chat is not affected")
    ticker.now += 1
    await refused(bot, 5)
    ticker.now += 2  # three seconds after the burst: room for another three
    for _ in range(3):
        await bot.send_message(5, "hello again")
    await refused(bot, 5)
    ticker.now += 1
    await refused(bot, 5)  # sustained, one a second on average
    assert len(fake.texts_to(5)) == 6 and fake.too_many == 4


async def test_a_group_gets_twenty_a_minute(
    bot: Bot, fake: LimitedFakeTelegram, ticker: Ticker
) -> None:
    for index in range(20):
        await bot.send_message(GROUP, f"summary {index}")
        ticker.now += 0.5
    assert await refused(bot, GROUP) == "Flood control exceeded. Retry in 50 seconds"
    ticker.now += 50.25
    await bot.send_message(GROUP, "the first has left the minute")
    await refused(bot, GROUP)
    assert len(fake.texts_to(GROUP)) == 21 and fake.too_many == 2


async def test_other_calls_and_edits_are_not_counted_by_default(
    bot: Bot, fake: LimitedFakeTelegram, ticker: Ticker
) -> None:
    sent = [await bot.send_message(7, f"m{i}") for i in range(3)]
    await bot.edit_message_text("edited", chat_id=7, message_id=sent[0].message_id)
    await bot.get_chat_member(7, 7)
    await bot.answer_callback_query("1")
    strict = LimitedFakeTelegram(now=ticker, count_edits=True)
    assert not fake.counts("editMessageText") and strict.counts("editMessageText")
    assert not strict.counts("sendChatAction") and strict.counts("sendDocument")
    assert fake.too_many == 0


async def test_the_429_body_is_telegrams(fake: LimitedFakeTelegram, ticker: Ticker) -> None:
    url = f"https://api.telegram.org/bot{TEST_TOKEN}/sendMessage"
    data = RequestData(
        [RequestParameter.from_input("chat_id", GROUP), RequestParameter.from_input("text", "x")]
    )
    for _ in range(20):
        status, _ = await fake.do_request(url, "POST", data)
        assert status == 200
    ticker.now += 0.25
    status, body = await fake.do_request(url, "POST", data)
    assert status == 429
    assert json.loads(body) == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 60",
        "parameters": {"retry_after": 60},
    }


async def test_latency_delays_answers_but_not_admission(ticker: Ticker) -> None:
    fake = LimitedFakeTelegram(now=ticker, latency=0.05)
    bot = Bot(TEST_TOKEN, request=fake, get_updates_request=fake)
    await bot.initialize()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(bot.send_message(chat_id, "alert") for chat_id in range(1, 11)))
    assert 0.05 <= loop.time() - started < 0.5  # concurrent calls overlap their round trips
    assert len(fake.admitted) == 10
    await bot.shutdown()
