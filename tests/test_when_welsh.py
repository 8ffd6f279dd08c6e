"""Tests for bot.when reading Welsh: heddiw, yfory, heno, bore and prynhawn, Welsh day names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.when import TimeWindow, WhenError, WhenKind, WhenProblem, parse_when, window_for
from config import i18n

LONDON = ZoneInfo("Europe/London")
# Thursday 26 November 2026, 10:00 in London (GMT, so local time equals UTC).
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def moment(text: str, now: datetime = NOW) -> datetime:
    window = parse_when(text, now, LONDON)
    assert window.kind is WhenKind.AT
    assert window.starts_at == window.ends_at
    return window.starts_at


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("heddiw 3pm", utc(2026, 11, 26, 15, 0)),
        ("heddiw 3 pnawn", utc(2026, 11, 26, 15, 0)),
        ("yfory 10 bore", utc(2026, 11, 27, 10, 0)),
        ("yfory 10 y bore", utc(2026, 11, 27, 10, 0)),
        ("yfory am 10 o'r gloch y bore", utc(2026, 11, 27, 10, 0)),
        ("Yfory am 10 o’r gloch yn y bore", utc(2026, 11, 27, 10, 0)),
        ("fory 14:30", utc(2026, 11, 27, 14, 30)),
        ("yfory 2:30 y prynhawn", utc(2026, 11, 27, 14, 30)),
        ("yfory 3 yn y prynhawn", utc(2026, 11, 27, 15, 0)),
        ("yfory 12 y prynhawn", utc(2026, 11, 27, 12, 0)),
        ("yfory hanner dydd", utc(2026, 11, 27, 12, 0)),
        ("heno 7", utc(2026, 11, 26, 19, 0)),
        ("heno am 7:30", utc(2026, 11, 26, 19, 30)),
        ("heno 8pm", utc(2026, 11, 26, 20, 0)),
        ("heno 21:15", utc(2026, 11, 26, 21, 15)),
        ("dydd Gwener 2pm", utc(2026, 11, 27, 14, 0)),
        ("Gwener 2 pnawn", utc(2026, 11, 27, 14, 0)),
        ("dydd Llun 9 bore", utc(2026, 11, 30, 9, 0)),
        ("ar ddydd Sadwrn 11 y bore", utc(2026, 11, 28, 11, 0)),
        ("Sul 10:00", utc(2026, 11, 29, 10, 0)),
        ("dydd Mawrth 14:00", utc(2026, 12, 1, 14, 0)),
        ("Mercher 14:00", utc(2026, 12, 2, 14, 0)),
        ("dydd Iau 11 bore", utc(2026, 11, 26, 11, 0)),  # today, still ahead
        ("dydd Iau 9 bore", utc(2026, 12, 3, 9, 0)),  # passed today: next week
        ("3 Rhagfyr 9 bore", utc(2026, 12, 3, 9, 0)),
        ("Iau 3 Rhag am 09:00", utc(2026, 12, 3, 9, 0)),
    ],
)
def test_welsh_words_read_as_times(text: str, expected: datetime) -> None:
    assert moment(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dydd Mawrth 14:00", utc(2027, 2, 23, 14, 0)),  # Tuesday
        ("Maw 14:00", utc(2027, 2, 23, 14, 0)),
        ("28 Mawrth 10:00", utc(2027, 3, 28, 9, 0)),  # March, in summer time
        ("Mawrth 28 10:00", utc(2027, 3, 28, 9, 0)),
        ("Sul 28 Maw 10:00", utc(2027, 3, 28, 9, 0)),
        ("Dydd Sul 28 Mawrth 10:00", utc(2027, 3, 28, 9, 0)),
    ],
)
def test_mawrth_is_a_tuesday_before_a_date_and_march_after_a_day(
    text: str, expected: datetime
) -> None:
    saturday = datetime(2027, 2, 20, 10, 0, tzinfo=UTC)
    assert moment(text, saturday) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("heddiw", WhenKind.TODAY),
        ("Heddiw", WhenKind.TODAY),
        ("yfory", WhenKind.TOMORROW),
        ("fory", WhenKind.TOMORROW),
        ("yr wythnos hon", WhenKind.THIS_WEEK),
        ("wythnos yma", WhenKind.THIS_WEEK),
    ],
)
def test_welsh_quick_words_give_the_quick_windows(text: str, kind: WhenKind) -> None:
    assert parse_when(text, NOW, LONDON) == window_for(kind, NOW, LONDON)


def test_heno_is_tonight_from_six_not_from_now() -> None:
    tonight = parse_when("heno", NOW, LONDON)
    assert (tonight.starts_at, tonight.ends_at) == (
        utc(2026, 11, 26, 18, 0),
        utc(2026, 11, 26, 23, 59),
    )


def test_a_welsh_day_alone_is_that_whole_day() -> None:
    window = parse_when("dydd Sadwrn", NOW, LONDON)
    assert window == TimeWindow(WhenKind.AT, utc(2026, 11, 28, 8, 0), window.ends_at)
    assert window.ends_at.date() == window.starts_at.date()


def test_a_welsh_day_and_date_must_agree() -> None:
    assert moment("Gwener 27 Tach 14:00") == utc(2026, 11, 27, 14, 0)
    with pytest.raises(WhenError) as caught:
        parse_when("Llun 27 Tach 14:00", NOW, LONDON)  # the 27th is a Friday
    assert caught.value.reason is WhenProblem.UNREADABLE


@pytest.mark.parametrize(
    "window",
    [
        window_for(WhenKind.TOMORROW, NOW, LONDON),
        parse_when("3/12 9am", NOW, LONDON),
        parse_when("1/2 14:30", NOW, LONDON),
        parse_when("sat", NOW, LONDON),
    ],
)
def test_what_the_bot_writes_in_welsh_reads_back(window: TimeWindow) -> None:
    with i18n.speaking("cy"):
        written = window.describe(LONDON)
    before, _, inside = written.partition("(")
    typed = inside.rstrip(")") if any(c.isdigit() for c in inside) else before
    read = parse_when(typed, NOW, LONDON)
    assert read.starts_at.date() == window.starts_at.date(), written
    if window.starts_at == window.ends_at:
        assert read.starts_at == window.starts_at, written


def test_english_is_read_as_before() -> None:
    assert moment("tonight 7:30pm") == utc(2026, 11, 26, 19, 30)
    assert moment("tomorrow at 9 am") == utc(2026, 11, 27, 9, 0)
    assert moment("dec 28 10:00") == utc(2026, 12, 28, 10, 0)
    assert parse_when("today", NOW, LONDON).ends_at - NOW < timedelta(days=1)


def test_the_examples_the_welsh_prompt_gives_can_be_read() -> None:
    import re

    from config import request_flow_texts as rft

    with i18n.speaking("cy"):
        prompts = (rft.ASK_WHEN_TYPED, rft.WHEN_UNREADABLE)
    for prompt in (*prompts, rft.ASK_WHEN_TYPED, rft.WHEN_UNREADABLE):  # Welsh, then English
        examples = re.findall(r"<i>([^<]+)</i>", prompt)
        assert len(examples) == 5 and examples[0] in ("yfory 3pm", "tomorrow 3pm")
        for example in examples:
            try:
                parse_when(example, NOW, LONDON)
            except WhenError as error:  # a date too far ahead was still read as a date
                assert error.reason is WhenProblem.TOO_FAR, example
