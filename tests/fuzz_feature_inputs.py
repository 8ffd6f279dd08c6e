"""Generated inputs for the features' fuzz tests (tests/test_fuzz_features.py).

Adds to tests/fuzz_inputs.py: near-valid button data of the newer features, their commands
with arguments, documents of random bytes, and argument replacements for real buttons.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from tests.fuzz_inputs import PAYLOADS, TEXTS, WORDS, Payload

FEATURE_KINDS = ("aoffer", "aedit", "asset", "aimport", "cif", "ci", "reqflow", "ovbcast",
                 "ovassign", "ovreassign", "ovcancel", "vet", "vetnote", "vdbs", "vchk", "vnb",
                 "vrole", "vsus", "omenu", "ogroup", "cbud", "x")  # fmt: skip
FEATURE_WORDS = (*WORDS, "nb", "kind", "title", "desc", "tags", "avail", "vis", "contact",
                 "physical", "skill", "organisational", "public", "members", "skip", "f", "v",
                 "day", "days", "change", "pause", "resume", "stop", "send", "a", "r",
                 "enhanced", "basic", "id", "refs", "dbs", "127", "7", "²", "①", "١٢",
                 "open", "pending", "checkins", "week", "settings", "create", "invite",
                 "linkgroup", "none",
                 "𝟏")  # fmt: skip
ORGANISER_COMMANDS = ("assign", "reassign", "audit", "export", "stats", "gaps", "directory",
                      "checkinbuddy", "promote", "demote", "suspend")  # fmt: skip
FEATURE_COMMANDS = (*ORGANISER_COMMANDS, "offer", "import", "checkin", "log", "broadcast",
                    "pending", "checks", "cancel")  # fmt: skip
# Arguments the organiser commands parse: numbers (also ones that are digits but not ASCII),
# references, words they know.
ARG_TOKENS = ("#1", "#2", "#3", "1", "2", "0", "-1", "#", "#²", "²", "①", "١٢", "１２", "𝟏𝟐",
              "99999999999999999999", "#99999999999999999999", "R-ABCD", "r-abcd", "R-", "assets",
              "csv", "all", "7", "400", "@fuzz", "me", "\u200f#1", "#1\u200b")  # fmt: skip

MUTATIONS = ("²", "①", "١٢", "𝟏", "-1", "0", "", "99999999999999999999", str(2**63), "1.5", " 1",
             "x", "|", "v1", "#1")  # fmt: skip


def fits(data: str) -> bool:
    """Whether button data is as long as Telegram allows (1 to 64 bytes)."""
    return 0 < len(data.encode()) <= 64


FEATURE_BUTTONS = st.builds(
    lambda kind, args: "|".join(["v1", kind, *args]),
    st.sampled_from(FEATURE_KINDS),
    st.lists(
        st.one_of(st.sampled_from(FEATURE_WORDS), st.integers(-2, 2**63).map(str)), max_size=5
    ),
).filter(fits)
ARGS = st.one_of(
    st.just(""),
    TEXTS,
    st.lists(st.one_of(st.sampled_from(ARG_TOKENS), TEXTS), min_size=1, max_size=4).map(" ".join),
)


@dataclass(frozen=True)
class Document:
    """A generated document: any name, type and bytes (CSV-like or not)."""

    name: str
    content: bytes
    mime: str


CSV_WORDS = ("title", "kind", "physical", "id", '"', ",,", "²", "99999999999999999999")
CSV_LIKE = st.lists(
    st.lists(st.one_of(st.sampled_from(CSV_WORDS), TEXTS)).map(",".join),
    max_size=6,
).map(lambda rows: "\n".join(rows).encode("utf-8", "surrogatepass"))
DOCUMENTS = st.builds(
    Document,
    name=st.one_of(st.sampled_from(("a.csv", "assets.CSV", "x.pdf", "", "‮vsc.exe")), TEXTS),
    content=st.one_of(
        st.binary(max_size=300),
        CSV_LIKE,
        TEXTS.map(lambda text: text.encode("utf-16")),
        st.just(b"\xef\xbb\xbftitle,kind\nOK,physical\n"),
    ),
    mime=st.sampled_from(("text/csv", "application/pdf", "image/png", "text/plain")),
)
FEATURE_PAYLOADS = st.one_of(
    PAYLOADS,
    st.builds(Payload, kind=st.just("button"), text=FEATURE_BUTTONS),
    st.builds(Payload, kind=st.just("command"), text=st.sampled_from(FEATURE_COMMANDS), extra=ARGS),
    DOCUMENTS,
    # A real button of the current message with one argument replaced (index: which button and
    # which argument).
    st.builds(
        Payload,
        kind=st.just("mutated_button"),
        text=st.one_of(st.sampled_from(MUTATIONS), TEXTS),
        index=st.integers(0, 1000),
    ),
)


# Button data of these features with an argument replaced by each of MUTATIONS ({x}).
FORGED = ("asset|edit|{x}", "asset|approve|{x}", "asset|withdraw|{x}", "asset|verify|{x}",
          "adir|k|physical|{x}", "adir|s|{x}", "adir|k|{x}|0", "ci|{x}|ok", "esc|{x}",
          "ovassign|{x}|1", "ovassign|1|{x}", "ovreassign|1|1|{x}", "ovbcast|nb|{x}",
          "aoffer|nb|{x}", "aoffer|kind|{x}", "aedit|f|{x}", "cif|day|{x}", "cif|days|{x}",
          "reqflow|neighbourhood|{x}", "vet|a|{x}|1", "vet|r|1|{x}", "vdbs|1|{x}|basic",
          "vchk|1|{x}", "vchk|1|1|id|{x}", "vnb|assign|{x}", "vrole|{x}|1",
          "vsus|1|{x}")  # fmt: skip
