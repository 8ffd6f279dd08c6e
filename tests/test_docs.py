"""docs/organisers.md names only commands the bot really has, and describes every organiser one.

How the guide names a command (the convention this test enforces):

- A command is written in backticks, as a token of its own: `/pending`, `/checks #12`,
  `/selfjoin on\\|off`. Every whitespace-separated token of an inline code span that is
  exactly "/name" (optionally "/name@SomeBot") counts, so `/pause` and `/resume` in one span
  are both read. Tokens such as paths (`/config/mutual-aid.toml`) are not commands.
- Fenced code blocks (shell and TOML examples) and HTML comments are not read.
- A bare /name in prose, outside backticks, is refused: it would escape the check.
- In the section whose heading mentions BotFather, BotFather's own commands (`/newbot`,
  `/setprivacy`) are Telegram's, not ours, and are set aside.
- "Described" means a row of the table under the heading "Every organiser command" whose
  first cell starts with the command and whose second cell says what it does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from config import commands
from handlers.context import AidApplication
from handlers.flow_switch import switch_flow
from tests.conftest import BotHarness

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "organisers.md"
TABLE_HEADING = re.compile(r"every organiser command", re.IGNORECASE)
BOTFATHER_HEADING = re.compile(r"botfather", re.IGNORECASE)
BOTFATHER_COMMANDS = frozenset({"newbot", "setprivacy", "mybots"})
MIN_DESCRIPTION = 10  # characters: a description, not a placeholder

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*)$", re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_COMMAND_TOKEN = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\w+)?")
# A /name in prose: not part of a word, path, URL or escape, and not followed by more path.
_BARE_COMMAND = re.compile(r"(?<![\w/.:~\\-])/([A-Za-z][A-Za-z0-9_]*)(?![\w/])")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass
class GuideCommands:
    """What a guide says about commands."""

    named: set[str] = field(default_factory=set)
    described: dict[str, str] = field(default_factory=dict)
    bare: list[str] = field(default_factory=list)


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) pairs; text before the first heading has an empty heading."""
    marks = list(_HEADING.finditer(text))
    sections = [("", text[: marks[0].start()] if marks else text)]
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        sections.append((mark.group(1).strip(), text[mark.end() : end]))
    return sections


def _span_commands(span: str) -> list[str]:
    """The commands a code span names (each token that is exactly /name)."""
    found = []
    for token in span.replace("\\|", " ").split():
        match = _COMMAND_TOKEN.fullmatch(token)
        if match:
            found.append(match.group(1).lower())
    return found


def _table_rows(body: str) -> list[list[str]]:
    """The cells of each table row in a section (header and divider rows included)."""
    rows = []
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("|"):
            cells = [c.strip() for c in _CELL_SPLIT.split(line.strip("|"))]
            rows.append(cells)
    return rows


def read_guide(text: str) -> GuideCommands:
    """Every command the guide names, the ones its command table describes, and bare ones."""
    text = _COMMENT.sub(" ", _FENCE.sub(" ", text))
    guide = GuideCommands()
    for heading, body in _sections(text):
        foreign = BOTFATHER_COMMANDS if BOTFATHER_HEADING.search(heading) else frozenset()
        for span in _CODE_SPAN.finditer(body):
            guide.named.update(c for c in _span_commands(span.group(2)) if c not in foreign)
        prose = _CODE_SPAN.sub(" ", body)
        guide.bare.extend(f"/{m.group(1)}" for m in _BARE_COMMAND.finditer(heading + "\n" + prose))
        if TABLE_HEADING.search(heading):
            for cells in _table_rows(body):
                first = _CODE_SPAN.match(cells[0]) if cells else None
                named = _span_commands(first.group(2)) if first else []
                if named and len(cells) > 1:
                    guide.described.setdefault(named[0], cells[1])
    return guide


def registered_commands(application: AidApplication) -> set[str]:
    """Every command a CommandHandler answers, conversations' entries, states and fallbacks too.

    A flow's "switch" fallback only hands another flow's command on to that flow, so it does
    not count as handling it.
    """
    found: set[str] = set()

    def visit(handler: BaseHandler[object, object, object]) -> None:
        if isinstance(handler, ConversationHandler):
            states = [h for handlers in handler.states.values() for h in handlers]
            for inner in (*handler.entry_points, *states, *handler.fallbacks):
                visit(inner)
        elif isinstance(handler, CommandHandler) and handler.callback is not switch_flow:
            found.update(handler.commands)

    for handlers in application.handlers.values():
        for handler in handlers:
            visit(handler)
    return found


def organiser_commands() -> set[str]:
    """The commands of the organisers' menus (private chat and the volunteers' group)."""
    return {name for name, _ in (*commands.ORGANISER_COMMANDS, *commands.GROUP_ADMIN_COMMANDS)}


def problems(text: str, registered: set[str]) -> list[str]:
    """Everything wrong between a guide's text and the registered commands (empty: all good)."""
    guide = read_guide(text)
    found = [f"written outside backticks: {name}" for name in guide.bare]
    found += [f"not a command of the bot: /{name}" for name in sorted(guide.named - registered)]
    for name in sorted(organiser_commands() - guide.described.keys()):
        found.append(f"organiser command missing from the command table: /{name}")
    for name, description in sorted(guide.described.items()):
        if len(description) < MIN_DESCRIPTION:
            found.append(f"no description in the command table: /{name}")
    return found


async def test_the_guide_matches_the_registered_commands(harness: BotHarness) -> None:
    assert harness.app is not None
    registered = registered_commands(harness.app)
    # The walk finds commands inside conversations (/log starts one) and plain ones.
    assert {"log", "broadcast", "pending", "linkgroup", "cancel"} <= registered
    assert organiser_commands() <= registered  # the menus offer only real commands
    text = GUIDE.read_text(encoding="utf-8")
    assert problems(text, registered) == []
    guide = read_guide(text)
    assert organiser_commands() <= guide.named
    assert len(guide.described) >= len(organiser_commands())


async def test_the_check_fails_on_a_made_up_missing_or_bare_command(harness: BotHarness) -> None:
    assert harness.app is not None
    registered = registered_commands(harness.app)
    text = GUIDE.read_text(encoding="utf-8")
    made_up = text + "\nSend `/frobnicate` to tidy up.\n"
    assert problems(made_up, registered) == ["not a command of the bot: /frobnicate"]
    rows = [line for line in text.splitlines() if line.startswith("| `/pending`")]
    assert len(rows) == 1
    without_row = text.replace(rows[0] + "\n", "")
    assert "organiser command missing from the command table: /pending" in problems(
        without_row, registered
    )
    bare = text + "\nThen send /pending to see who is waiting.\n"
    assert problems(bare, registered) == ["written outside backticks: /pending"]


def test_reading_the_guide_convention() -> None:
    text = "\n".join(
        [
            "# Title",
            "<!-- `/hidden` is a comment -->",
            "Send `/pause 14` or `/resume`, not `/config/file.toml` or `DATABASE_PATH=/x`.",
            "A span across lines: `/checkinbuddy #member",
            "none`, and `/selfjoin on\\|off`, and ``/double``.",
            "Paths like data/mutual-aid.sqlite3, https://t.me/x and -v aid:/data are prose.",
            "```sh",
            "mutual-aid-bot run /notacommand",
            "```",
            "## Create the bot with BotFather",
            "Send `/newbot`, then `/start`.",
            "## Later",
            "Also `/newbot` here, and a bare /oops.",
            "## 9. Every organiser command",
            "| command | what it does |",
            "| --- | --- |",
            "| `/invite` | Makes an invite link that works for 7 days. |",
            "| `/export requests\\|volunteers [days]` | A CSV file, private chat only. |",
            "| `/revoke CODE` | |",
        ]
    )
    guide = read_guide(text)
    assert guide.named == {
        "pause", "resume", "checkinbuddy", "selfjoin", "double", "start", "newbot",
        "invite", "export", "revoke",
    }  # fmt: skip
    assert guide.bare == ["/oops"]
    assert set(guide.described) == {"invite", "export", "revoke"}
    assert guide.described["export"] == "A CSV file, private chat only."
    assert guide.described["revoke"] == ""
