"""Fault tests on the real process: SIGKILL mid-stream, a misbehaving Bot API, a long outage.

Each runs `mutual-aid-bot run` against the loopback Bot API (tests/bot_api_server.py) on a
database seeded in-process. Run them alone with `pytest -m faults -s` to see their figures.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.callback_data import pack
from bot.clock import FakeClock
from config import texts
from tests.bot_api_server import Faults, serve_bot_api
from tests.conftest import ORGANISER, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_fault_stream import (
    FAULTS_STREAM_LENGTH,
    KILLS,
    REF,
    RESIDENTS,
    STREAM_LENGTH,
    VOLUNTEERS,
    Figures,
    Stream,
    answered_updates,
    ask_for_help,
    help_out,
    latest_request,
    notification_figures,
    press_until,
    request_with_retries,
)
from tests.flows_reliability import (
    BotProcess,
    Db,
    process_settings,
    seed_community,
    text_update,
    wait_for,
)

pytestmark = pytest.mark.faults
MakeBot = Callable[..., BotProcess]


async def test_crash_kill_loses_and_duplicates_nothing(
    tmp_path: Path, bot_process: MakeBot
) -> None:
    """300 updates (requests, accepts, done) with SIGKILL at 20 random moments."""
    await seed_community(tmp_path, RESIDENTS, VOLUNTEERS)
    db = Db.of(tmp_path)
    seeded_outbox = int(db.value("SELECT COALESCE(MAX(id), 0) FROM outbox"))
    started = time.monotonic()
    with serve_bot_api() as (api, _root):
        bot = bot_process(api)
        stream = Stream(api, bot, db)
        stream.kill_at = set(random.Random(2026).sample(range(3, STREAM_LENGTH), KILLS))
        bot.start()
        confirms: dict[int, int] = Counter()  # resident -> Confirm presses sent
        flows: list[tuple[int, int, bool]] = []  # (first, last position, made a new request)
        last_request: dict[int, int | None] = {}
        amounts_asked: list[tuple[int, int]] = []  # (request id, stream position of "done")
        number = 0
        while not stream.full:
            resident = RESIDENTS[number % len(RESIDENTS)]
            number += 1
            first = len(stream.pushed)
            if not ask_for_help(stream, resident, number):
                break
            confirms[resident.id] += 1
            request_id = latest_request(db, resident)
            assert request_id is not None, (
                f"{resident} confirmed but no request exists: {api.sent_to(resident.id)}"
            )
            made = request_id != last_request.get(resident.id)
            last_request[resident.id] = request_id
            flows.append((first, len(stream.pushed) - 1, made))
            before = len(stream.pushed)
            help_out(stream, request_id)
            if len(stream.pushed) - before >= 3:  # reached "done"
                amounts_asked.append((request_id, len(stream.pushed) - 2))
        assert wait_for(lambda: db.pending_outbox() == 0, 60, 0.1), bot.report()
        exit_status = bot.stop()
        elapsed = time.monotonic() - started

        figures = Figures()
        figures["updates sent"] = len(stream.pushed)
        figures["kills (SIGKILL)"] = bot.kills
        figures["starts (first + restarts)"] = bot.starts
        unhandled = [u for u in stream.pushed if not db.handled(u)]
        figures["updates lost"] = len(unhandled)
        requests_by_resident = {
            row["telegram_id"]: row["n"]
            for row in db.rows(
                "SELECT p.telegram_id, COUNT(*) AS n FROM help_requests r "
                "JOIN people p ON p.id = r.requester_person_id GROUP BY p.telegram_id"
            )
        }
        figures["requests confirmed"] = sum(confirms.values())
        figures["requests stored"] = sum(requests_by_resident.values())
        figures["requests duplicated"] = sum(
            max(requests_by_resident.get(r, 0) - n, 0) for r, n in confirms.items()
        )
        figures["requests lost"] = sum(
            max(n - requests_by_resident.get(r, 0), 0) for r, n in confirms.items()
        )
        refs_seen = {
            ref
            for resident in RESIDENTS
            for _, text in api.sent_to(resident.id)
            for ref in REF.findall(text)
        }
        stored_refs = Counter(row["ref"] for row in db.rows("SELECT ref FROM help_requests"))
        figures["confirmations received"] = len(refs_seen)
        figures["confirmed refs not stored exactly once"] = sum(
            1 for ref in refs_seen if stored_refs[ref] != 1
        )
        accepted = Counter(
            row["subject"]
            for row in db.rows("SELECT subject FROM audit_log WHERE action = 'request.accepted'")
        )
        figures["tasks with two assignees"] = sum(1 for n in accepted.values() if n > 1)
        deliveries = notification_figures(api, db, seeded_outbox)
        figures["notifications delivered"] = deliveries.sent
        figures["notifications retried"] = deliveries.retried
        figures["notifications delivered twice (in flight at a kill)"] = deliveries.twice
        figures["notifications re-sent after marked sent"] = deliveries.resent_after_marked
        figures["notifications not delivered"] = int(
            db.value("SELECT COUNT(*) FROM outbox WHERE state != 'sent' AND id > ?", seeded_outbox)
            or 0
        )
        answers = answered_updates(api, db)
        figures["actions (updates) by people"] = len(stream.pushed)
        figures["actions answered"] = sum(1 for u in stream.pushed if answers.get(u, 0) > 0)
        figures["actions not answered"] = sum(1 for u in stream.pushed if answers.get(u, 0) == 0)
        figures["actions answered twice (answer in flight at a kill)"] = sum(
            1 for u in stream.pushed if answers.get(u, 0) > 1
        )
        interrupted = [
            made
            for first, last, made in flows
            if any(first <= k < last for k in stream.killed_during)
        ]
        figures["request conversations killed half-way"] = len(interrupted)
        figures["request conversations resumed to a request"] = sum(interrupted)
        # The amount question is a state entered by the same press that marks the task done,
        # in the same transaction: no kill can lose it.
        unrecorded = {
            position
            for rid, position in amounts_asked
            if db.value("SELECT amount_spent_pence FROM help_requests WHERE id = ?", rid) is None
        }
        figures["amounts asked after done"] = len(amounts_asked)
        figures["amounts recorded"] = len(amounts_asked) - len(unrecorded)
        figures["seconds"] = round(elapsed)
        figures.show("crash-kill")

        assert exit_status == 0, bot.report()
        assert figures["updates sent"] == STREAM_LENGTH
        assert figures["kills (SIGKILL)"] == KILLS
        assert figures["updates lost"] == 0
        assert figures["requests duplicated"] == 0 and figures["requests lost"] == 0
        assert figures["confirmed refs not stored exactly once"] == 0
        assert figures["confirmations received"] == figures["requests stored"]
        assert figures["tasks with two assignees"] == 0
        assert all(interrupted), "a conversation killed half-way did not resume"
        assert figures["notifications not delivered"] == 0
        assert figures["notifications re-sent after marked sent"] == 0
        assert figures["actions not answered"] == 0, [
            u for u in stream.pushed if answers.get(u, 0) == 0
        ]
        # Only a message in flight at one of the kills can arrive twice.
        assert figures["actions answered twice (answer in flight at a kill)"] <= KILLS
        assert deliveries.twice <= KILLS
        assert not unrecorded, unrecorded


async def test_faulty_bot_api_every_notification_delivered(
    tmp_path: Path, bot_process: MakeBot
) -> None:
    """15% of calls fail (429 with retry_after, 500, timeouts, dropped connections)."""
    await seed_community(tmp_path, RESIDENTS, VOLUNTEERS)
    db = Db.of(tmp_path)
    seeded_outbox = int(db.value("SELECT COALESCE(MAX(id), 0) FROM outbox"))
    started = time.monotonic()
    with serve_bot_api() as (api, _root):
        # A timeout costs the bot's 5 s read timeout, so it is the rarest of the four.
        kinds = ("429",) * 3 + ("500",) * 3 + ("drop",) * 2 + ("slow",)
        # Each kind also happens at least once whatever the random draw: early sends fail so.
        early = {"sendMessage": ["ok", "slow", "ok", "429", "ok", "500", "ok", "drop"]}
        api.faults = Faults(
            rate=0.15, kinds=kinds, retry_after=1, slow_seconds=5.5, scripted=early, seed=11
        )
        bot = bot_process(api)
        stream = Stream(api, bot, db, length=FAULTS_STREAM_LENGTH)
        bot.start()
        created = 0
        for number, resident in enumerate(RESIDENTS, start=1):
            request_id = request_with_retries(stream, resident, number)
            if request_id is None:
                continue
            created += 1
            volunteer = VOLUNTEERS[number % len(VOLUNTEERS)]
            press_until(stream, volunteer, pack("accept", request_id), "assigned", request_id)
            press_until(stream, volunteer, pack("done", request_id), "done", request_id)
        assert bot.alive(), bot.report()
        delivered_all = wait_for(lambda: db.pending_outbox() == 0, 90, 0.2)
        exit_status = bot.stop()
        outcomes = api.outcomes()
        deliveries = notification_figures(api, db, seeded_outbox)
        answers = answered_updates(api, db)
        to_people = [
            text for chat in {u.id for u in RESIDENTS + VOLUNTEERS} for _, text in api.sent_to(chat)
        ]
        to_organiser = [text for _, text in api.sent_to(ORGANISER.id)]
        slow_sends = sum(
            1 for c in api.log if c.outcome == "slow" and c.method != "answerCallbackQuery"
        )

    figures = Figures()
    figures["updates sent"] = len(stream.pushed)
    figures["Bot API calls"] = sum(outcomes.values())
    for kind in ("429", "500", "slow", "drop"):
        figures[f"calls answered {kind}"] = outcomes[kind]
    figures["requests created"] = created
    figures["notifications delivered"] = deliveries.sent
    figures["notifications retried (outbox attempts)"] = deliveries.retried
    figures["notifications delivered twice (timed out after Telegram acted)"] = deliveries.twice
    figures["notifications re-sent after marked sent"] = deliveries.resent_after_marked
    figures["actions (updates) by people"] = len(stream.pushed)
    figures["actions answered"] = sum(1 for u in stream.pushed if answers.get(u, 0) > 0)
    figures["actions not answered"] = sum(1 for u in stream.pushed if answers.get(u, 0) == 0)
    figures["actions answered twice (timed out after Telegram acted)"] = sum(
        1 for u in stream.pushed if answers.get(u, 0) > 1
    )
    figures["sends that timed out after Telegram acted"] = slow_sends
    figures["apologies ('Sorry, something went wrong')"] = sum(
        1 for text in to_people if text == texts.ERROR_FOR_PERSON
    )
    figures["messages to the organiser"] = len(to_organiser)
    figures["notifications given up"] = int(
        db.value("SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND id > ?", seeded_outbox)
        or 0
    )
    figures["process starts"] = bot.starts
    figures["seconds"] = round(time.monotonic() - started)
    figures.show("faults")

    assert delivered_all, bot.report()
    assert exit_status == 0, bot.report()
    assert bot.starts == 1  # it never stopped by itself
    assert sum(outcomes[k] for k in ("429", "500", "slow", "drop")) >= 10
    assert all(outcomes[k] > 0 for k in ("429", "500", "slow", "drop"))
    assert created >= len(RESIDENTS) - 1
    assert figures["notifications given up"] == 0
    assert figures["notifications re-sent after marked sent"] == 0
    assert deliveries.sent > 0
    assert figures["actions not answered"] == 0
    assert figures["actions answered twice (timed out after Telegram acted)"] <= slow_sends
    assert figures["apologies ('Sorry, something went wrong')"] == 0
    assert all("Bot error" not in text and "Traceback" not in text for text in to_organiser)
    assert sum(1 for text in to_organiser if "had trouble sending" in text) <= 1


async def _seed_requests_before_an_outage(tmp_path: Path, outage: timedelta) -> None:
    """In-process, on a clock set back: requests whose timers fall due during the outage."""
    clock = FakeClock(datetime.now(UTC) - outage - timedelta(minutes=10))
    harness = BotHarness(settings=process_settings(tmp_path), clock=clock)
    await harness.start()
    try:
        _, code = await neighbourhood_with_invite(harness)
        await make_volunteer(harness, VOLUNTEERS[0], code)
        for number, resident in enumerate(RESIDENTS[:4], start=1):
            await agree(harness, resident, code)
            if number == 4:  # asked 70 minutes in: only its widening falls in the outage
                clock.advance(timedelta(minutes=70))
            await ask_for_shopping(
                harness,
                resident,
                description=f"Bread {number}",
                address=f"{number} Elm Road",
                phone="07700 100123",
            )
        assert not harness.errors, harness.errors
    finally:
        await harness.stop()


async def test_jobs_due_during_an_outage_fire_once_after_restart(
    tmp_path: Path, bot_process: MakeBot
) -> None:
    """Widening and escalation timers due while the bot was down for 2 hours fire once each."""
    await _seed_requests_before_an_outage(tmp_path, timedelta(hours=2))
    db = Db.of(tmp_path)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    due = db.rows(
        "SELECT id, kind FROM scheduled_jobs WHERE state = 'pending' AND due_at <= ?", now
    )
    later = db.rows("SELECT id FROM scheduled_jobs WHERE state = 'pending' AND due_at > ?", now)
    due_ids = {row["id"] for row in due}

    def fired() -> set[int]:
        return {row["id"] for row in db.rows("SELECT id FROM scheduled_jobs WHERE state = 'fired'")}

    def escalations() -> Counter[str]:
        return Counter(
            row["subject"]
            for row in db.rows("SELECT subject FROM audit_log WHERE action = 'request.escalated'")
        )

    started = time.monotonic()
    with serve_bot_api() as (api, _root):
        bot = bot_process(api)
        bot.start()
        all_fired = wait_for(lambda: due_ids <= fired(), 30, 0.1)
        assert wait_for(lambda: db.pending_outbox() == 0, 30, 0.1), bot.report()
        assert bot.stop() == 0, bot.report()
        first_run = escalations()
        organiser_messages = len(api.sent_to(ORGANISER.id))
        bot.start()  # and once more: nothing fires twice
        assert wait_for(lambda: "getUpdates" in api.methods()[-3:], 30, 0.1)
        time.sleep(1.0)
        assert bot.stop() == 0, bot.report()
        second_run = escalations()

    figures = Figures()
    figures["jobs due during the outage"] = len(due_ids)
    figures["of which fired after restart"] = len(due_ids & fired())
    figures["jobs not yet due"] = len(later)
    figures["of which fired (must be 0)"] = len({row["id"] for row in later} & fired())
    figures["escalations"] = sum(first_run.values())
    figures["escalations after a second restart"] = sum(second_run.values())
    figures["organiser messages after restarts"] = len(api.sent_to(ORGANISER.id))
    figures["seconds"] = round(time.monotonic() - started)
    figures.show("clock and restart")

    assert all_fired, bot.report()
    assert {row["kind"] for row in due} == {"request.widen", "request.escalate"}
    assert figures["of which fired (must be 0)"] == 0 and len(later) >= 1
    assert first_run == second_run and set(first_run.values()) == {1}
    assert len(first_run) == 3  # the three requests asked before the outage
    assert len(api.sent_to(ORGANISER.id)) == organiser_messages >= 3


def test_bot_api_down_at_start_up_is_retried_not_fatal(
    tmp_path: Path, bot_process: MakeBot
) -> None:
    """getMe and setMyCommands failing at start-up are retried with back-off and logged."""
    with serve_bot_api() as (api, _root):
        api.faults = Faults(scripted={"getMe": ["500", "drop", "500"], "setMyCommands": ["500"]})
        api.push_update(text_update(1, RESIDENTS[0], "/start"))
        bot = bot_process(api)
        bot.start()
        answered = wait_for(lambda: bool(api.sent_to(RESIDENTS[0].id)), 30, 0.05)
        menus_set = wait_for(
            lambda: any(c.method == "setMyCommands" for c in api.delivered("setMyCommands")), 30
        )
        exit_status = bot.stop()
    log = bot.logs()
    assert answered and menus_set, log[-4000:]
    assert exit_status == 0, log[-4000:]
    assert api.methods().count("getMe") >= 4
    assert "not answering at start-up" in log
    assert "could not set the command menus" in log
    assert "was missed" not in log  # jobs set for start-up still ran after the slow start


def test_a_rejected_token_exits_non_zero(tmp_path: Path, bot_process: MakeBot) -> None:
    """Telegram refusing the token is the one start-up failure that stops the process."""
    with serve_bot_api() as (api, _root):
        api.reject_token = True
        bot = bot_process(api)
        bot.start()
        exit_status = bot.wait_exit(30)
    assert exit_status == 2, bot.report()
    assert "BOT_TOKEN" in bot.logs() and "Traceback" not in bot.logs()
