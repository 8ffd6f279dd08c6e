"""Logs hold no personal data: the whole demo at DEBUG, in text and JSON, names nobody."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logs import RedactingFilter, redact
from bot.runtime import demo_checkin
from bot.runtime import demo_story as story
from tests.flows_reliability import BOT_VARIABLES


def story_secrets() -> list[str]:
    """Every name, phone number, address and description the demo story uses."""
    names = {part for actor in story.CAST for part in (actor.user.first_name, actor.user.last_name)}
    names |= {f"{actor.user.first_name} {actor.user.last_name}" for actor in story.CAST}
    texts = {story.ADDRESS, story.PHARMACY, story.NEED, demo_checkin.EMERGENCY_CONTACT}
    texts |= {offer.skills for offer in story.OFFERS if offer.skills}
    texts |= {"Acacia Avenue", "repeat prescription", "Sam (son)"}
    phones = set()
    for number in (story.PHONE, demo_checkin.EMERGENCY_CONTACT.split(") ")[1]):
        national = number.replace(" ", "")
        phones |= {number, national, "+44" + national[1:], national[1:]}
    return sorted(names | texts | phones)


def found_in(log: str, secrets: list[str]) -> list[str]:
    """The secrets the log shows (names as whole words)."""
    return [s for s in secrets if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", log)]


def demo_log(tmp_path: Path, log_format: str) -> str:
    """Run `mutual-aid-bot demo` at LOG_LEVEL=DEBUG; returns its log (stderr)."""
    environ = {k: v for k, v in os.environ.items() if k not in BOT_VARIABLES}
    environ.update(LOG_LEVEL="DEBUG", LOG_FORMAT=log_format)
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=Path(__file__).resolve().parents[1],
        env=environ,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert "Demo finished in" in finished.stdout
    # The story really used what is scanned for: the transcript shows it.
    assert all(s in finished.stdout for s in (story.ADDRESS, story.PHONE, story.NEED))
    return finished.stderr


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_demo_at_debug_logs_no_name_phone_address_or_description(
    tmp_path: Path, log_format: str
) -> None:
    log = demo_log(tmp_path, log_format)
    lines = log.splitlines()
    assert len(lines) > 1000  # DEBUG: every Bot API call and statement is there
    assert "Calling Bot API endpoint `sendMessage`" in log
    if log_format == "json":
        records = [json.loads(line) for line in lines]
        assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
        assert {r["level"] for r in records} >= {"DEBUG", "INFO"}
        log = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    else:
        assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \S+: ", x) for x in lines)
    assert found_in(log, story_secrets()) == []


def test_the_scan_finds_what_a_library_logs_without_the_filter() -> None:
    """The scan can fail: an unfiltered PTB-style record shows the details, a filtered one not."""
    params = {"chat_id": 1002, "text": f"Collect from {story.ADDRESS}", "reply_markup": None}
    record = logging.LogRecord(
        "telegram.ext.ExtBot",
        logging.DEBUG,
        __file__,
        1,
        "Calling Bot API endpoint `%s` with parameters `%s`",
        ("sendMessage", params),
        None,
    )
    assert set(found_in(record.getMessage(), story_secrets())) == {story.ADDRESS, "Acacia Avenue"}
    assert RedactingFilter().filter(record)
    shown = record.getMessage()
    assert found_in(shown, story_secrets()) == []
    text_length = len(params["text"])  # type: ignore[arg-type]
    assert shown == (
        "Calling Bot API endpoint `sendMessage` with parameters "
        f"`{{'chat_id': 1002, 'text': '<{text_length} chars>', 'reply_markup': None}}`"
    )
    # The bot's own records are left as they are.
    own = logging.LogRecord(
        "bot.backups.backup_files", logging.INFO, __file__, 1, "backup %s", ("x",), None
    )
    assert RedactingFilter().filter(own) and own.getMessage() == "backup x"


def test_redact_keeps_structure_and_numbers_and_hides_every_text() -> None:
    value = {
        "chat_id": 7,
        "ok": True,
        "nested": [{"text": "Rita", "amount": 2.5}, ("a", b"xyz")],
        "none": None,
    }
    assert redact(value) == {
        "chat_id": 7,
        "ok": True,
        "nested": [{"text": "<4 chars>", "amount": 2.5}, ["<1 chars>", "<3 bytes>"]],
        "none": None,
    }
    assert redact(object()) == "<object>"
