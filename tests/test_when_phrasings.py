"""Times as people write them, in English and Welsh: a table of phrasings and what they mean.

Each row is read at a moment on the FakeClock, in Europe/London, in both languages, and gives
the expected local start (and, for a part of the day, its end). The table crosses both clock
changes: Sunday 28 March 2027 (01:00 GMT becomes 02:00 BST) and Sunday 25 October 2026
(02:00 BST becomes 01:00 GMT, so 01:00-02:00 happens twice).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.when import TimeWindow, WhenError, WhenProblem, local_to_utc, parse_when

LONDON = ZoneInfo("Europe/London")
END_OF_DAY = (23, 59, 59)


def local(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0) -> datetime:
    """A London wall-clock moment (the first one, where the autumn hour repeats)."""
    return local_to_utc(datetime(y, mo, d).date(), datetime(1, 1, 1, h, mi, s).time(), LONDON)


THU_10 = local(2026, 11, 26, 10)  # Thursday 26 Nov 2026, 10:00 GMT
THU_15 = local(2026, 11, 26, 15)
MON_9 = local(2026, 11, 30, 9)  # a Monday: "next Tuesday" is in the following week
SPRING = local(2027, 3, 27, 11)  # Saturday before the clocks go forward
AUTUMN = local(2026, 10, 24, 11)  # Saturday before the clocks go back (BST)
AUTUMN_LATE = local(2026, 10, 24, 23, 30)

Row = tuple[datetime, str, str, datetime, datetime | None]
D = local  # expected local times, read as London wall clock

ROWS: list[Row] = [
    # (now, English, Welsh, start, end of the span or None for a moment)
    (THU_10, "tomorrow morning", "bore yfory", D(2026, 11, 27, 8), D(2026, 11, 27, 12)),
    (THU_10, "tomorrow afternoon", "prynhawn yfory", D(2026, 11, 27, 12), D(2026, 11, 27, 17)),
    (THU_10, "tomorrow evening", "yfory gyda'r nos", D(2026, 11, 27, 18), D(2026, 11, 27, 22)),
    (THU_10, "tomorrow night", "nos yfory", D(2026, 11, 27, 18), D(2026, 11, 27, 23, 59)),
    (THU_10, "this afternoon", "y prynhawn 'ma", D(2026, 11, 26, 12), D(2026, 11, 26, 17)),
    (THU_10, "this morning", "bore 'ma", THU_10, D(2026, 11, 26, 12)),
    (THU_10, "tonight", "heno", D(2026, 11, 26, 18), D(2026, 11, 26, 23, 59)),
    (THU_10, "this evening", "noswaith", D(2026, 11, 26, 18), D(2026, 11, 26, 22)),
    (THU_10, "afternoon", "pnawn", D(2026, 11, 26, 12), D(2026, 11, 26, 17)),
    (THU_10, "morning", "bore", THU_10, D(2026, 11, 26, 12)),
    (THU_10, "tuesday morning", "bore dydd Mawrth", D(2026, 12, 1, 8), D(2026, 12, 1, 12)),
    (THU_10, "friday evening", "noswaith dydd Gwener", D(2026, 11, 27, 18), D(2026, 11, 27, 22)),
    (
        THU_10,
        "saturday afternoon",
        "prynhawn dydd Sadwrn",
        D(2026, 11, 28, 12),
        D(2026, 11, 28, 17),
    ),
    (THU_10, "friday night", "nos Wener", D(2026, 11, 27, 18), D(2026, 11, 27, 23, 59)),
    (THU_10, "next tuesday", "dydd Mawrth nesaf", D(2026, 12, 1, 8), D(2026, 12, 1, *END_OF_DAY)),
    (THU_10, "next friday 2pm", "dydd Gwener nesaf 2pm", D(2026, 12, 4, 14), None),
    (
        THU_10,
        "next monday morning",
        "bore dydd Llun nesaf",
        D(2026, 11, 30, 8),
        D(2026, 11, 30, 12),
    ),
    (THU_10, "in 2 hours", "mewn 2 awr", D(2026, 11, 26, 12), None),
    (THU_10, "in an hour", "mewn awr", D(2026, 11, 26, 11), None),
    (THU_10, "in half an hour", "mewn hanner awr", D(2026, 11, 26, 10, 30), None),
    (THU_10, "in 45 minutes", "mewn 45 munud", D(2026, 11, 26, 10, 45), None),
    (THU_10, "in 3 hrs", "mewn 3 awr", D(2026, 11, 26, 13), None),
    (THU_10, "friday at 2pm", "dydd Gwener am 2pm", D(2026, 11, 27, 14), None),
    (THU_10, "friday afternoon at 2", "prynhawn dydd Gwener am 2", D(2026, 11, 27, 14), None),
    (THU_10, "thursday 2.30pm", "dydd Iau 2.30pm", D(2026, 11, 26, 14, 30), None),
    (THU_10, "tomorrow 9", "yfory 9", D(2026, 11, 27, 9), None),
    (THU_10, "tomorrow at 10", "yfory am 10", D(2026, 11, 27, 10), None),
    (THU_10, "tonight at 7", "heno am 7", D(2026, 11, 26, 19), None),
    (THU_10, "tonight 8.30", "heno 8.30", D(2026, 11, 26, 20, 30), None),
    (THU_10, "tomorrow evening at 6", "yfory gyda'r nos am 6", D(2026, 11, 27, 18), None),
    (THU_10, "tomorrow morning at 7", "bore yfory am 7", D(2026, 11, 27, 7), None),
    (THU_10, "saturday 11am", "dydd Sadwrn 11 y bore", D(2026, 11, 28, 11), None),
    (THU_10, "sunday noon", "dydd Sul hanner dydd", D(2026, 11, 29, 12), None),
    (THU_10, "monday 9am", "dydd Llun 9 y bore", D(2026, 11, 30, 9), None),
    (THU_10, "wednesday 3pm", "dydd Mercher 3 y prynhawn", D(2026, 12, 2, 15), None),
    (THU_10, "28 november 10:30", "28 Tachwedd 10:30", D(2026, 11, 28, 10, 30), None),
    (THU_10, "1 december 14:00", "1 Rhagfyr 14:00", D(2026, 12, 1, 14), None),
    (THU_10, "3/12 9am", "3/12 9 y bore", D(2026, 12, 3, 9), None),
    (THU_10, "today 5pm", "heddiw 5pm", D(2026, 11, 26, 17), None),
    (THU_10, "tomorrow noon", "yfory hanner dydd", D(2026, 11, 27, 12), None),
    (THU_10, "friday", "dydd Gwener", D(2026, 11, 27, 8), D(2026, 11, 27, *END_OF_DAY)),
    (THU_10, "sat 28 nov at 14:30", "Sad 28 Tach am 14:30", D(2026, 11, 28, 14, 30), None),
    (THU_10, "tomorrow at 10 o'clock", "yfory am 10 o'r gloch", D(2026, 11, 27, 10), None),
    (THU_15, "morning", "bore", D(2026, 11, 27, 8), D(2026, 11, 27, 12)),
    (THU_15, "tonight", "heno", D(2026, 11, 26, 18), D(2026, 11, 26, 23, 59)),
    (THU_15, "in 3 hours", "mewn 3 awr", D(2026, 11, 26, 18), None),
    (THU_15, "thursday morning", "bore dydd Iau", D(2026, 12, 3, 8), D(2026, 12, 3, 12)),
    (THU_15, "at 4pm", "am 4pm", D(2026, 11, 26, 16), None),
    (THU_15, "this evening at 9", "heno am 9", D(2026, 11, 26, 21), None),
    (THU_15, "this afternoon", "y prynhawn yma", THU_15, D(2026, 11, 26, 17)),
    (MON_9, "next tuesday", "dydd Mawrth nesaf", D(2026, 12, 8, 8), D(2026, 12, 8, *END_OF_DAY)),
    (MON_9, "tuesday", "dydd Mawrth", D(2026, 12, 1, 8), D(2026, 12, 1, *END_OF_DAY)),
    (MON_9, "next monday 10am", "dydd Llun nesaf 10am", D(2026, 12, 7, 10), None),
    (MON_9, "next sunday", "dydd Sul nesaf", D(2026, 12, 13, 8), D(2026, 12, 13, *END_OF_DAY)),
    # Spring forward: Sunday 28 March 2027 has no 01:00-02:00.
    (SPRING, "tomorrow 10am", "yfory 10 y bore", D(2027, 3, 28, 10), None),
    (SPRING, "tomorrow morning", "bore yfory", D(2027, 3, 28, 8), D(2027, 3, 28, 12)),
    (SPRING, "sunday 01:30", "dydd Sul 01:30", D(2027, 3, 28, 2), None),  # the gap: 02:00
    (SPRING, "in 24 hours", "mewn 24 awr", D(2027, 3, 28, 12), None),  # a day is 23 h long
    (SPRING, "monday 9am", "dydd Llun 9 y bore", D(2027, 3, 29, 9), None),
    (SPRING, "tonight", "heno", D(2027, 3, 27, 18), D(2027, 3, 27, 23, 59)),
    (SPRING, "next saturday 11am", "dydd Sadwrn nesaf 11am", D(2027, 4, 3, 11), None),
    (SPRING, "sunday evening at 7", "noswaith dydd Sul am 7", D(2027, 3, 28, 19), None),
    # Fall back: Sunday 25 October 2026 has 01:00-02:00 twice.
    (AUTUMN, "tomorrow 10am", "yfory 10 y bore", D(2026, 10, 25, 10), None),
    (AUTUMN, "sunday 01:30", "dydd Sul 01:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), None),
    (AUTUMN, "in 24 hours", "mewn 24 awr", D(2026, 10, 25, 10), None),  # a day is 25 h long
    (AUTUMN, "tomorrow afternoon", "prynhawn yfory", D(2026, 10, 25, 12), D(2026, 10, 25, 17)),
    (AUTUMN, "monday morning", "bore dydd Llun", D(2026, 10, 26, 8), D(2026, 10, 26, 12)),
    (AUTUMN_LATE, "in 2 hours", "mewn 2 awr", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), None),
    (AUTUMN_LATE, "in 3 hours", "mewn 3 awr", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), None),
]


def read(text: str, now: datetime) -> TimeWindow:
    """Parse at a moment on the FakeClock, as the request flow does."""
    clock = FakeClock(now)
    return parse_when(text, clock.now(), LONDON)


def test_the_table_has_at_least_sixty_rows() -> None:
    assert len(ROWS) >= 60
    assert len({(now, english) for now, english, *_ in ROWS}) == len(ROWS)


@pytest.mark.parametrize(
    ("now", "text", "start", "end"),
    [(now, text, start, end) for now, en, cy, start, end in ROWS for text in (en, cy)],
    ids=[f"{lang}:{text}" for _, en, cy, *_ in ROWS for lang, text in (("en", en), ("cy", cy))],
)
def test_phrasing_reads_as_the_expected_local_time(
    now: datetime, text: str, start: datetime, end: datetime | None
) -> None:
    window = read(text, now)
    assert window.starts_at == start, window.starts_at.astimezone(LONDON)
    assert window.ends_at == (end or start), window.ends_at.astimezone(LONDON)


@pytest.mark.parametrize(
    ("text", "morning", "afternoon"),
    [
        ("thursday 2.30", D(2026, 12, 3, 2, 30), D(2026, 11, 26, 14, 30)),
        ("dydd Iau 2.30", D(2026, 12, 3, 2, 30), D(2026, 11, 26, 14, 30)),
        ("friday at 2", D(2026, 11, 27, 2), D(2026, 11, 27, 14)),
        ("dydd Gwener am 2", D(2026, 11, 27, 2), D(2026, 11, 27, 14)),
        ("at 5", D(2026, 11, 27, 5), D(2026, 11, 26, 17)),
        ("7", D(2026, 11, 27, 7), D(2026, 11, 26, 19)),
        ("tomorrow 6:45", D(2026, 11, 27, 6, 45), D(2026, 11, 27, 18, 45)),
        ("yfory 1", D(2026, 11, 27, 1), D(2026, 11, 27, 13)),
    ],
)
def test_an_hour_from_one_to_seven_is_asked_about(
    text: str, morning: datetime, afternoon: datetime
) -> None:
    with pytest.raises(WhenError) as caught:
        read(text, THU_10)
    assert caught.value.reason is WhenProblem.AMBIGUOUS
    assert caught.value.choices is not None
    assert [w.starts_at for w in caught.value.choices] == [morning, afternoon]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today 2:30", D(2026, 11, 26, 14, 30)),  # 02:30 today has passed: no need to ask
        ("07:30 tomorrow", D(2026, 11, 27, 7, 30)),  # a leading zero is the 24-hour clock
        ("tomorrow 8", D(2026, 11, 27, 8)),
        ("tomorrow 13", D(2026, 11, 27, 13)),
    ],
)
def test_hours_that_are_clear_are_not_asked_about(text: str, expected: datetime) -> None:
    window = read(text, THU_10)
    assert window.starts_at == window.ends_at == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("this morning", WhenProblem.IN_THE_PAST),
        ("bore 'ma", WhenProblem.IN_THE_PAST),
        ("next 28 november", WhenProblem.UNREADABLE),
        ("morning evening", WhenProblem.UNREADABLE),
        ("in 3000 hours", WhenProblem.TOO_FAR),
    ],
)
def test_what_cannot_be_meant_is_refused(text: str, problem: WhenProblem) -> None:
    with pytest.raises(WhenError) as caught:
        read(text, THU_15)
    assert caught.value.reason is problem


def test_parts_of_the_day_read_back_in_words() -> None:
    assert read("tomorrow afternoon", THU_10).describe(LONDON) == "Fri 27 Nov, 12:00–17:00"
    assert read("tonight", THU_10).describe(LONDON) == "Thu 26 Nov, 18:00–23:59"
    assert read("friday", THU_10).describe(LONDON) == "Fri 27 Nov (any time)"
