"""`mutual-aid-bot demo`: the scripted story runs, in-process and as a command."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.requests.help_requests import HelpRequests
from bot.runtime import cli, demo_checkin
from bot.runtime import demo_story as story
from bot.runtime.demo import play, run_demo
from bot.runtime.demo_story import StoryResult

TIME_LIMIT_SECONDS = 15
CHAT_HEADER = re.compile(r"^    (\w+)'s chat \(")
SUMMARIES = ("Who saw the private details?", "Chat by chat")
ACTION = re.compile(r"^  (\w+) (?:types|sends|taps|presses|opens)\b")
SCENES = (
    "1. An organiser creates a neighbourhood and an invite",
    "2. Four neighbours join as volunteers",
    "3. A resident asks for a prescription collection",
    "4. The right volunteers are alerted; two press Accept at once",
    "5. The volunteer and the resident talk through the bot",
    "6. The task is done and the resident says thanks",
    "7. A welfare check-in goes unanswered and climbs the escalation ladder",
    "Chat by chat: what each person saw",
)


@dataclass(frozen=True)
class Played:
    """One in-process run of the story."""

    result: StoryResult
    transcript: str
    seconds: float


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """Play the story once, in-process, for every test here that reads its transcript."""
    out = io.StringIO()
    started = time.monotonic()
    result = asyncio.run(play(out, directory=tmp_path_factory.mktemp("demo")))
    return Played(result, out.getvalue(), time.monotonic() - started)


def chats_showing_in_transcript(transcript: str, secret: str) -> set[str]:
    """Whose chats show the secret in the exchanges (what they typed counts as their own).

    The closing summaries (who saw the details, the chat-by-chat recap) are left out.
    """
    chat, scene, seen = "", "", set()
    lines = transcript.splitlines()
    for number, line in enumerate(lines):
        between_rules = 0 < number < len(lines) - 1 and all(
            lines[n].startswith("=====") for n in (number - 1, number + 1)
        )
        if between_rules:
            scene = line.strip()
        if scene.startswith(SUMMARIES) or line.startswith("=====") or between_rules:
            continue
        if header := CHAT_HEADER.match(line):
            chat = header.group(1)
        elif action := ACTION.match(line):
            chat = ""
            if secret in line:
                seen.add(action.group(1))
            continue
        elif line and not line.startswith("      "):
            chat = ""  # a heading or a note ends the chat block
        if secret in line:
            seen.add(chat or f"outside any chat: {line.strip()}")
    return seen


def test_story_in_process_shows_the_loop_and_keeps_details_private(played: Played) -> None:
    result, transcript, elapsed = played.result, played.transcript, played.seconds
    assert elapsed < TIME_LIMIT_SECONDS, elapsed
    for scene in SCENES:
        assert scene in transcript, scene
    # The right volunteers were alerted, exactly one of the two presses won.
    assert result.alerted == {story.ASHA.id, story.BEN.id}
    assert result.accepted == 1
    assert result.winner in (story.ASHA, story.BEN)
    loser = story.BEN if result.winner == story.ASHA else story.ASHA
    assert (result.final_status, result.thanked) == ("closed", True)
    assert "two press Accept at once" in transcript
    assert f"exactly one Accept won: {result.winner.name}" in transcript
    coming = f"Good news: {result.winner.name} is going to help with your prescription collection"
    assert f"{coming} on " in transcript and f"({result.request_ref})" in transcript
    assert "💬 pop-up: Someone got there first" in transcript
    assert "The resident says thank you" in transcript
    # Private details reached the resident (her own summary) and the assignee only.
    for label in ("address", "phone", "pharmacy"):
        assert result.private_chats[label] == {story.RESIDENT.id, result.winner.id}, label
    core_loop = transcript.split("7. A welfare check-in")[0]
    for secret in (story.ADDRESS, story.PHONE, story.PHARMACY):
        shown_in = chats_showing_in_transcript(core_loop, secret)
        assert shown_in == {story.RESIDENT.name, result.winner.name}, secret
    others = [a.name for a in story.CAST if a not in (story.RESIDENT, result.winner)]
    assert f"Never shown to {', '.join(others)}." in transcript
    assert loser.name in others


def test_unanswered_check_in_climbs_the_ladder_until_acknowledged(played: Played) -> None:
    result, transcript = played.result, played.transcript
    assert result.scenes == ["relay", "core loop", "check-in ladder"]
    scene = transcript.split("7. A welfare check-in")[1].split("Chat by chat")[0]
    steps = [
        "Good morning, how are you today?",
        "Just checking in again",
        "Missed check-in",
        "Still unacknowledged",
        "Olive presses [🙋 Acknowledge]",
        "Recorded: reached them",
        "No open escalations",
    ]
    positions = [scene.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), positions
    assert result.escalations_sent == 2  # the first alert and one re-send, then acknowledged
    # The ladder and the emergency contact went to the organiser, never to the volunteers.
    assert chats_showing_in_transcript(scene, "Missed check-in") == {story.ORGANISER.name}
    assert chats_showing_in_transcript(scene, demo_checkin.EMERGENCY_CONTACT) == {
        story.RESIDENT.name,
        story.ORGANISER.name,
    }
    # The check-in offered the phone and address of her request; the escalation carries both,
    # to the organiser only (the pharmacy, a health detail, is not in it).
    assert "Use 07700 100123" in scene
    for secret in (story.ADDRESS, story.PHONE):
        assert chats_showing_in_transcript(scene, secret) == {
            story.RESIDENT.name,
            story.ORGANISER.name,
        }, secret
    assert chats_showing_in_transcript(scene, story.PHARMACY) == set()


def test_step_pauses_after_each_exchange(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n" * 100))
    assert cli.main(["demo", "--step"]) == 0
    printed = capsys.readouterr().out
    exchanges = printed.count("\n--- ")
    assert exchanges >= 10
    assert printed.count("[Enter for the next step]") == exchanges
    assert "Demo finished in" in printed


def test_a_handler_error_fails_the_demo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("accept is broken")

    monkeypatch.setattr(HelpRequests, "accept", broken)
    assert run_demo(out=io.StringIO()) == 1
    assert "accept is broken" in capsys.readouterr().err


def test_demo_command_needs_no_token_and_exits_0(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_PATH"}}
    # A broken configuration does not matter: the demo brings its own.
    environ.update(CONFIG_FILE=str(tmp_path / "missing.toml"), ORGANISER_IDS="not-a-number")
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=Path(__file__).resolve().parents[1],
        env=environ,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert finished.returncode == 0, finished.stderr
    assert elapsed < TIME_LIMIT_SECONDS, elapsed
    for scene in SCENES:
        assert scene in finished.stdout, scene
    assert "Asha and Ben press Accept at the same moment" in finished.stdout
    assert "Demo finished in" in finished.stdout


def test_the_whole_story_in_welsh_shows_no_english(tmp_path: Path) -> None:
    from config import i18n, texts
    from tests.test_languages import english_in

    out = io.StringIO()
    result = asyncio.run(play(out, directory=tmp_path, language="cy"))
    assert result.scenes == ["relay", "core loop", "check-in ladder"]
    assert (result.accepted, result.final_status, result.thanked) == (1, "closed", True)
    assert result.escalations_sent == 2
    transcript = out.getvalue()
    # What the bot showed: messages in the chats, and the labels of the buttons pressed.
    shown = [line for line in transcript.splitlines() if line.startswith("      ")]
    shown += re.findall(r"presses \[([^\]]*)\]", transcript)
    assert len(shown) > 200
    welcome = i18n.gettext(texts.PRIVACY_SHORT, "cy").format(name="Rita").splitlines()[0]
    assert re.sub(r"<[^>]+>", "", welcome) in transcript  # the transcript shows no HTML
    assert english_in(shown) == []


def test_the_volunteer_and_the_resident_talk_through_the_bot(played: Played) -> None:
    result, transcript = played.result, played.transcript
    assert result.winner is not None
    scene = transcript.split("5. The volunteer and the resident talk")[1].split("6. The task")[0]
    winner = result.winner.name
    # Each typed message arrives in the other's chat, labelled with a first name and the task.
    assert chats_showing_in_transcript(scene, story.VOLUNTEER_SAYS) == {winner, "Rita"}
    assert chats_showing_in_transcript(scene, story.RESIDENT_SAYS) == {winner, "Rita"}
    assert f"💬 {winner} about your prescription collection on " in scene
    assert "💬 Rita about the prescription collection on " in scene
    assert f"({result.request_ref})" in scene and "[↩️ Reply]" in scene
    # Nothing identifies either of them beyond the first name.
    for actor in (story.RESIDENT, result.winner):
        assert str(actor.id) not in scene and actor.user.last_name not in scene
    assert "tg://user" not in scene


def test_demo_charts_writes_the_two_pictures_of_the_organisers_guide(tmp_path: Path) -> None:
    from bot.offline.support import png_size
    from bot.runtime.demo_charts import draw_demo_charts

    written = asyncio.run(draw_demo_charts(tmp_path))
    assert [path.name for path in written] == ["stats-chart.png", "gaps-chart.png"]
    for path in written:
        width, height = png_size(path.read_bytes())
        assert width >= 600 and height >= 400, (path.name, width, height)
    # The same seed draws the same history: the pictures in docs/images are what it writes.
    guide = Path(__file__).resolve().parents[1] / "docs" / "images"
    assert {p.name for p in guide.glob("*.png")} == {p.name for p in written}
