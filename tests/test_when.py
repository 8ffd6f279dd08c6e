"""Tests for bot.when: quick windows, the forgiving parser, slots and descriptions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.when import (
    ANY_TIME,
    SLOT_NAMES,
    WEEKDAY_DAYTIME,
    WEEKDAY_EVENING,
    WEEKEND,
    TimeWindow,
    WhenError,
    WhenKind,
    WhenProblem,
    local_to_utc,
    parse_when,
    window_for,
)

LONDON = ZoneInfo("Europe/London")
# Thursday 26 November 2026, 10:00 in London (GMT, so local time equals UTC).
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def moment(text: str, now: datetime = NOW, zone: ZoneInfo = LONDON) -> datetime:
    window = parse_when(text, now, zone)
    assert window.kind is WhenKind.AT
    assert window.starts_at == window.ends_at
    assert window.starts_at.utcoffset() == timedelta(0)
    return window.starts_at


def problem(text: str, now: datetime = NOW) -> WhenProblem:
    with pytest.raises(WhenError) as caught:
        parse_when(text, now, LONDON)
    return caught.value.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today 3pm", utc(2026, 11, 26, 15, 0)),
        ("tomorrow 10:30", utc(2026, 11, 27, 10, 30)),
        ("tomorrow at 9am", utc(2026, 11, 27, 9, 0)),
        ("  Tomorrow   AT  9 AM ", utc(2026, 11, 27, 9, 0)),
        ("2pm tomorrow", utc(2026, 11, 27, 14, 0)),
        ("fri 14:00", utc(2026, 11, 27, 14, 0)),
        ("friday 2pm", utc(2026, 11, 27, 14, 0)),
        ("Friday, 2 p.m.", utc(2026, 11, 27, 14, 0)),
        ("thursday 11am", utc(2026, 11, 26, 11, 0)),  # today, still ahead
        ("thu 9am", utc(2026, 12, 3, 9, 0)),  # today but passed: next week
        ("mon 9:15", utc(2026, 11, 30, 9, 15)),
        ("28/11 14:00", utc(2026, 11, 28, 14, 0)),
        ("28/11/2026 14:00", utc(2026, 11, 28, 14, 0)),
        ("28-11-26 2pm", utc(2026, 11, 28, 14, 0)),
        ("28.11.2026 14:00", utc(2026, 11, 28, 14, 0)),
        ("1/12 9am", utc(2026, 12, 1, 9, 0)),  # day first
        ("28 nov 2pm", utc(2026, 11, 28, 14, 0)),
        ("28 November 14:30", utc(2026, 11, 28, 14, 30)),
        ("28th of November, 2pm", utc(2026, 11, 28, 14, 0)),
        ("nov 28 2:30pm", utc(2026, 11, 28, 14, 30)),
        ("Nov 28 2026 2:30pm", utc(2026, 11, 28, 14, 30)),
        ("2026-11-28 14:00", utc(2026, 11, 28, 14, 0)),
        ("2026-11-28T14:00", utc(2026, 11, 28, 14, 0)),
        ("Sat 28 Nov at 14:30", utc(2026, 11, 28, 14, 30)),  # describe() reads back
        ("14:00", utc(2026, 11, 26, 14, 0)),  # today, still ahead
        ("9:00", utc(2026, 11, 27, 9, 0)),  # passed today: tomorrow
        ("10:00", utc(2026, 11, 27, 10, 0)),  # exactly now counts as passed
        ("2pm", utc(2026, 11, 26, 14, 0)),
        ("9am", utc(2026, 11, 27, 9, 0)),
        ("noon", utc(2026, 11, 26, 12, 0)),
        ("midday", utc(2026, 11, 26, 12, 0)),
        ("12 noon", utc(2026, 11, 26, 12, 0)),
        ("12pm", utc(2026, 11, 26, 12, 0)),
        ("12am", utc(2026, 11, 27, 0, 0)),
        ("3.30pm", utc(2026, 11, 26, 15, 30)),
        ("15.30", utc(2026, 11, 26, 15, 30)),
        ("１５：３０", utc(2026, 11, 26, 15, 30)),  # full-width digits and colon
        ("２８/１１ ２ｐｍ", utc(2026, 11, 28, 14, 0)),
        ("24/2 10:00", utc(2027, 2, 24, 10, 0)),  # exactly 90 days ahead
    ],
)
def test_accepted_formats(text: str, expected: datetime) -> None:
    assert moment(text) == expected


def test_a_date_without_a_year_takes_the_next_occurrence() -> None:
    december = utc(2026, 12, 20, 10, 0)
    assert moment("3/1 10:00", now=december) == utc(2027, 1, 3, 10, 0)
    assert moment("3 jan 10am", now=december) == utc(2027, 1, 3, 10, 0)


def test_summer_time_converts_local_to_utc() -> None:
    june = utc(2026, 6, 10, 9, 0)  # Wednesday, 10:00 BST
    assert moment("tomorrow 14:30", now=june) == utc(2026, 6, 11, 13, 30)
    assert moment("12/6 9am", now=june) == utc(2026, 6, 12, 8, 0)
    assert moment("10:30", now=june) == utc(2026, 6, 10, 9, 30)  # still ahead locally
    assert moment("9:30", now=june) == utc(2026, 6, 11, 8, 30)  # passed locally


def test_spring_gap_moves_to_the_first_valid_minute() -> None:
    march = utc(2027, 3, 20, 12, 0)
    # 01:00-02:00 does not exist in London on Sunday 28 March 2027; 02:00 BST is 01:00 UTC.
    assert moment("28/3 01:30", now=march) == utc(2027, 3, 28, 1, 0)
    assert moment("28/3/2027 1am", now=march) == utc(2027, 3, 28, 1, 0)
    assert moment("28/3 02:00", now=march) == utc(2027, 3, 28, 1, 0)
    assert moment("28/3 00:59", now=march) == utc(2027, 3, 28, 0, 59)
    assert parse_when("28/3 01:30", march, LONDON).describe(LONDON) == "Sun 28 Mar at 02:00"


def test_autumn_repeated_time_takes_the_first_occurrence() -> None:
    october = utc(2026, 10, 20, 12, 0)
    # 01:30 happens twice on Sunday 25 October 2026: first in BST (00:30 UTC), then GMT.
    assert moment("25/10 01:30", now=october) == utc(2026, 10, 25, 0, 30)
    assert moment("25/10 02:30", now=october) == utc(2026, 10, 25, 2, 30)


def test_local_to_utc_in_another_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    assert local_to_utc(datetime(2026, 11, 27).date(), datetime(1, 1, 1, 9).time(), new_york) == (
        utc(2026, 11, 27, 14, 0)
    )


@pytest.mark.parametrize(
    "text",
    [
        "today 9am",
        "today at 09:59",
        "26/11 09:00",
        "25/11/2026 14:00",
        "25/11",
        "1/1/2020 9am",
        "1/1/0001 01:00",
    ],
)
def test_past_moments_are_refused(text: str) -> None:
    assert problem(text) is WhenProblem.IN_THE_PAST


@pytest.mark.parametrize(
    "text",
    ["24/2 10:01", "1/3/2027 10:00", "28/11/2027 14:00", "1/3", "25/11/2027", "31/12/9999 23:00"],
)
def test_far_moments_are_refused(text: str) -> None:
    assert problem(text) is WhenProblem.TOO_FAR


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "letters",
        "soon please",
        "32/11 10:00",
        "31/4 10:00",
        "29/2 10:00",
        "13pm",
        "0am",
        "25:00",
        "14:60",
        "fri 28 nov 2pm",  # 28 Nov 2026 is a Saturday
        "fri tomorrow",
        "today 3pm 4pm",
        "this week 3pm",
        "2026-13-01 10:00",
        "x" * 500,
    ],
)
def test_unreadable_text_is_refused(text: str) -> None:
    assert problem(text) is WhenProblem.UNREADABLE


def test_a_date_alone_covers_that_day() -> None:
    saturday = parse_when("28/11", NOW, LONDON)
    assert saturday == TimeWindow(
        WhenKind.AT, utc(2026, 11, 28, 8, 0), utc(2026, 11, 28, 23, 59, 59)
    )
    assert saturday.describe(LONDON) == "Sat 28 Nov (any time)"
    this_thursday = parse_when("thursday", NOW, LONDON)
    assert this_thursday.starts_at == NOW
    assert this_thursday.ends_at == utc(2026, 11, 26, 23, 59, 59)
    assert parse_when("sat", NOW, LONDON) == saturday


def test_quick_words_give_quick_windows() -> None:
    assert parse_when("Today", NOW, LONDON) == window_for(WhenKind.TODAY, NOW, LONDON)
    assert parse_when("tomorrow", NOW, LONDON) == window_for(WhenKind.TOMORROW, NOW, LONDON)
    assert parse_when("this week", NOW, LONDON) == window_for(WhenKind.THIS_WEEK, NOW, LONDON)


def test_window_for_today_tomorrow_and_this_week() -> None:
    today = window_for(WhenKind.TODAY, NOW, LONDON)
    assert (today.starts_at, today.ends_at) == (NOW, utc(2026, 11, 26, 23, 59, 59))
    tomorrow = window_for(WhenKind.TOMORROW, NOW, LONDON)
    assert (tomorrow.starts_at, tomorrow.ends_at) == (
        utc(2026, 11, 27, 8, 0),
        utc(2026, 11, 27, 23, 59, 59),
    )
    week = window_for(WhenKind.THIS_WEEK, NOW, LONDON)
    assert (week.starts_at, week.ends_at) == (NOW, utc(2026, 11, 29, 23, 59, 59))


def test_this_week_on_a_sunday_evening_runs_to_next_sunday() -> None:
    afternoon = window_for(WhenKind.THIS_WEEK, utc(2026, 11, 29, 17, 59), LONDON)
    assert afternoon.ends_at == utc(2026, 11, 29, 23, 59, 59)
    evening = window_for(WhenKind.THIS_WEEK, utc(2026, 11, 29, 18, 0), LONDON)
    assert evening.ends_at == utc(2026, 12, 6, 23, 59, 59)


def test_window_for_in_summer_uses_local_days() -> None:
    june = utc(2026, 6, 10, 23, 30)  # already Thursday 00:30 in London
    today = window_for(WhenKind.TODAY, june, LONDON)
    assert today.ends_at == utc(2026, 6, 11, 22, 59, 59)
    assert today.describe(LONDON) == "today (Thu 11 Jun)"
    tomorrow = window_for(WhenKind.TOMORROW, june, LONDON)
    assert tomorrow.starts_at == utc(2026, 6, 12, 7, 0)


def test_window_for_refuses_at_and_naive_now() -> None:
    with pytest.raises(ValueError):
        window_for(WhenKind.AT, NOW, LONDON)
    with pytest.raises(ValueError):
        window_for(WhenKind.TODAY, datetime(2026, 11, 26, 10, 0), LONDON)


def test_describe() -> None:
    assert window_for(WhenKind.TODAY, NOW, LONDON).describe(LONDON) == "today (Thu 26 Nov)"
    assert window_for(WhenKind.TOMORROW, NOW, LONDON).describe(LONDON) == "tomorrow (Fri 27 Nov)"
    week = window_for(WhenKind.THIS_WEEK, NOW, LONDON)
    assert week.describe(LONDON) == "this week (until Sun 29 Nov)"
    assert parse_when("fri 2:30pm", NOW, LONDON).describe(LONDON) == "Fri 27 Nov at 14:30"
    assert parse_when("3/12 9am", NOW, LONDON).describe(LONDON) == "Thu 3 Dec at 09:00"
    june = utc(2026, 6, 10, 9, 0)
    assert parse_when("tomorrow 14:30", june, LONDON).describe(LONDON) == "Thu 11 Jun at 14:30"


def at(*args: int) -> TimeWindow:
    return TimeWindow(WhenKind.AT, utc(*args), utc(*args))


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (at(2026, 11, 26, 14, 0), WEEKDAY_DAYTIME),  # Thursday afternoon
        (at(2026, 11, 26, 8, 0), WEEKDAY_DAYTIME),
        (at(2026, 11, 26, 18, 0), WEEKDAY_EVENING),
        (at(2026, 11, 26, 19, 30), WEEKDAY_EVENING),
        (at(2026, 11, 28, 11, 0), WEEKEND),  # Saturday
        (at(2026, 11, 29, 23, 30), WEEKEND),  # Sunday night is still the weekend
        (at(2026, 11, 26, 22, 0), WEEKDAY_DAYTIME | WEEKDAY_EVENING),  # weekday night
        (at(2026, 11, 27, 3, 0), WEEKDAY_DAYTIME | WEEKDAY_EVENING),
        (
            TimeWindow(WhenKind.AT, utc(2026, 11, 26, 23, 0), utc(2026, 11, 27, 7, 59)),
            WEEKDAY_DAYTIME | WEEKDAY_EVENING,
        ),
        (
            TimeWindow(WhenKind.AT, utc(2026, 11, 27, 21, 0), utc(2026, 11, 28, 1, 0)),
            WEEKDAY_EVENING | WEEKEND,
        ),
        (
            TimeWindow(WhenKind.AT, utc(2026, 11, 26, 17, 0), utc(2026, 11, 26, 18, 30)),
            WEEKDAY_DAYTIME | WEEKDAY_EVENING,
        ),
        (window_for(WhenKind.THIS_WEEK, NOW, LONDON), ANY_TIME),
        (window_for(WhenKind.TODAY, NOW, LONDON), WEEKDAY_DAYTIME | WEEKDAY_EVENING),
        (window_for(WhenKind.TODAY, utc(2026, 11, 26, 22, 30), LONDON), 3),
    ],
)
def test_slots(window: TimeWindow, expected: int) -> None:
    assert window.slots(LONDON) == expected


def test_slots_use_local_time() -> None:
    # Wednesday 17:30 UTC in June is 18:30 BST: evening, not daytime.
    assert at(2026, 6, 10, 17, 30).slots(LONDON) == WEEKDAY_EVENING
    assert at(2026, 6, 10, 17, 30).slots(ZoneInfo("UTC")) == WEEKDAY_DAYTIME


def test_slot_names_cover_any_time() -> None:
    assert [bit for bit, _ in SLOT_NAMES] == [WEEKDAY_DAYTIME, WEEKDAY_EVENING, WEEKEND]
    assert sum(bit for bit, _ in SLOT_NAMES) == ANY_TIME


def test_random_text_only_ever_raises_when_error() -> None:
    rng = random.Random(20261126)
    pieces = ["1", "12", "28", "/", "-", ".", ":", " ", "pm", "am", "nov", "fri", "today", "2026"]
    for _ in range(600):
        if rng.random() < 0.5:
            text = "".join(chr(rng.randrange(0x20, 0x30000)) for _ in range(rng.randrange(0, 30)))
        else:
            text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 8)))
        try:
            window = parse_when(text, NOW, LONDON)
        except WhenError as error:
            assert isinstance(error.reason, WhenProblem)
        else:
            assert window.starts_at <= window.ends_at
            assert NOW <= window.starts_at <= NOW + timedelta(days=90)
