"""Generated inputs for the fuzz tests: text, commands, contacts and button data."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st

# Button kinds of the core flows. "forget", and the word that confirms an offer or a request,
# are left out, so that a lucky input cannot erase or store and change what the next walk finds.
KINDS = ("reqflow", "vol", "menu", "accept", "decline", "done", "release", "contact",
         "confirm", "cancelreq", "skipamount", "join", "invite", "selfjoin", "link", "approve",
         "x")  # fmt: skip
WORDS = ("back", "next", "clear", "pick", "cat", "when", "tasks", "langs", "skills", "phone",
         "summary", "edit", "today", "type", "me", "other", "yes", "shopping", "doorstep",
         "neighbourhood", "category", "what", "1", "0", "-1", "99999999999999999999", "",
         "１２", "mine", "request", "volunteer")  # fmt: skip
COMMANDS = ("start", "help", "privacy", "cancel", "request", "volunteer", "myrequests", "tasks",
            "pause", "resume", "mydata", "neighbourhood", "invite", "revoke", "selfjoin",
            "linkgroup", "nonsense", "START", "start@FuzzBot")  # fmt: skip
SPECIALS = ("\u200f", "\u200e", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u00ad",
            "０７７００ １００１２３", "＋４４ ７７００ １００１２３", "１２．５０", "٣٤٥", "१२३",
            "👨‍👩‍👧‍👦", "🇬🇧", "🏳️‍🌈", "e\u0301", "\x00", "\x1b[31m", "\r\n", "<b>", "</i>", "&amp;",
            "{name}", "{}", "%s", "' OR 1=1 --", "tomorrow 3pm", "£12.50", "+447700100123",
            "07700 100123", "Ω", "ﷺ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\t")  # fmt: skip

# Shown buttons the fuzzer never presses: they would store an offer or a request, or erase.
UNPRESSED = re.compile(r"confirm|forget")

_SAFE_CHARS = st.characters(blacklist_categories=("Cs",))
TEXTS = st.one_of(
    st.text(_SAFE_CHARS, min_size=1, max_size=40),
    st.lists(st.one_of(st.sampled_from(SPECIALS), st.text(_SAFE_CHARS, max_size=6)), max_size=12)
    .map("".join)
    .filter(bool),
    st.tuples(st.sampled_from(SPECIALS + ("x", "9")), st.integers(1000, 5000)).map(
        lambda pair: (pair[0] * pair[1])[:5000]
    ),
    st.from_regex(r"[+＋]?[0-9０-９ ()\-]{1,24}", fullmatch=True),
)


def _fits(data: str) -> bool:
    return 0 < len(data.encode()) <= 64


BUTTON_DATA = st.one_of(
    st.text(_SAFE_CHARS, min_size=1, max_size=64).filter(_fits),
    st.builds(
        lambda kind, args: "|".join(["v1", kind, *args]),
        st.sampled_from(KINDS),
        st.lists(st.one_of(st.sampled_from(WORDS), st.text(_SAFE_CHARS, max_size=8)), max_size=4),
    ).filter(_fits),
)


@dataclass(frozen=True)
class Payload:
    """One generated input: what kind, and its content."""

    kind: str  # text | command | contact | button | shown_button
    text: str = ""
    extra: str = ""
    index: int = 0


PAYLOADS = st.one_of(
    st.builds(Payload, kind=st.just("text"), text=TEXTS),
    st.builds(
        Payload,
        kind=st.just("command"),
        text=st.one_of(
            st.sampled_from(COMMANDS), st.from_regex(r"[A-Za-z0-9_]{1,32}", fullmatch=True)
        ),
        extra=st.one_of(st.just(""), TEXTS, TEXTS.map(lambda text: "join-" + text)),
    ),
    st.builds(
        Payload,
        kind=st.just("contact"),
        text=TEXTS,
        extra=st.sampled_from(["own", "other", "none"]),
    ),
    st.builds(Payload, kind=st.just("button"), text=BUTTON_DATA),
    st.builds(Payload, kind=st.just("shown_button"), index=st.integers(0, 30)),
)
