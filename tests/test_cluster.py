"""Several processes on one PostgreSQL database: leases, takeover, one sender, one due-queue.

The kill test runs three real `run --webhook` processes against the loopback Bot API and a
throwaway PostgreSQL, posts 300 scripted updates from 50 chats to their webhooks and SIGKILLs
a random process every few seconds, ten times, restarting it each time.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import time
from collections import UserDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram.ext import ConversationHandler

from bot.clock import FakeClock
from bot.delivery.dispatch import MAX_LANES
from bot.offline.updates import FakeUser
from bot.runtime.app import cluster_member
from bot.runtime.cluster import ClusterMember, chat_of, persistent_conversations
from bot.runtime.metrics import RuntimeMetrics
from config import commands, i18n
from handlers.requests import flow as request_flow
from storage import cluster, people
from storage import persistence as persisted
from storage.cluster import LeaseLostError
from storage.database import Database
from tests.backends import PostgresDatabases
from tests.bot_api_server import LoopbackBotApi, serve_bot_api
from tests.conftest import RESIDENT, BotHarness, make_settings
from tests.flows import agree
from tests.flows_cluster import (
    RESIDENTS,
    VOLUNTEERS,
    Cluster,
    ClusterProcess,
    Killer,
    cluster_processes,
    http_text,
    run_script,
    transcript,
)
from tests.flows_reliability import (
    Db,
    press_update,
    seed_community,
    text_update,
    use_database_url,
    wait_for,
)

LEASE = timedelta(seconds=10)
UPDATES = 300
QUIET_UPDATES = 20  # the last ones, after the ten kills


def heartbeats(db: Database, clock: FakeClock) -> Callable[[str], Awaitable[set[int]]]:
    """One holder's heartbeat at the clock's time, in a transaction of its own."""

    async def beat(holder: str) -> set[int]:
        async with db.transaction() as conn:
            return await cluster.heartbeat(conn, holder, clock.now(), LEASE, 16)

    return beat


async def test_leases_are_shared_fairly_and_taken_over_when_they_expire(
    db: Database, clock: FakeClock
) -> None:
    """A newcomer gets half; a silent holder's leases pass to the other once they expire."""
    beat = heartbeats(db, clock)

    assert await beat("a") == set(range(16))
    assert await beat("b") == set()  # all held by a: b waits for a to give some back
    a_now = await beat("a")
    assert len(a_now) == 8
    b_now = await beat("b")
    assert b_now == set(range(16)) - a_now
    clock.advance(timedelta(seconds=6))
    assert await beat("b") == b_now  # a is still within its lease time
    clock.advance(timedelta(seconds=5))
    assert await beat("b") == set(range(16))  # a fell silent: b takes everything
    async with db.transaction() as conn:
        with pytest.raises(LeaseLostError):
            await cluster.check_lease(conn, "a", min(a_now), 1, clock.now())
        await cluster.check_lease(conn, "b", min(a_now), 1, clock.now())


async def test_a_lease_given_back_fails_the_fence_of_an_update_begun_before(
    db: Database, clock: FakeClock
) -> None:
    """An update in flight when its process gives the partition to a newcomer cannot commit."""
    beat = heartbeats(db, clock)

    assert await beat("a") == set(range(16))
    update_began = clock.now()
    assert await beat("b") == set()
    clock.advance(timedelta(seconds=1))
    kept = await beat("a")  # gives back its highest eight, for b
    given_back = max(set(range(16)) - kept)
    async with db.transaction() as conn:
        for when in (update_began, clock.now()):
            with pytest.raises(LeaseLostError):
                await cluster.check_lease(conn, "a", given_back, 1, when)
        await cluster.check_lease(conn, "a", min(kept), 1, clock.now())


def test_updates_are_partitioned_by_their_chat() -> None:
    """A group message, a press in a group and a press on an inline message: their chats'."""
    person = FakeUser(7, "Seven")
    message = text_update(1, person, "/help")
    message["message"]["chat"] = {"id": -1001, "type": "supergroup", "title": "Organisers"}
    press = press_update(2, person, "v1|x")  # on a message in the volunteers' group
    press["callback_query"]["message"]["chat"] = {"id": -2002, "type": "group", "title": "Help"}
    inline = press_update(3, person, "v1|x")
    del inline["callback_query"]["message"]
    inline["callback_query"]["inline_message_id"] = "abc"
    assert [chat_of(u) for u in (message, press, inline)] == [-1001, -2002, 7]
    assert cluster.partition_of(-1001, 16) == cluster.partition_of(1001, 16) == 1001 % 16


async def test_the_private_conversation_store_of_ptb_is_as_the_takeover_expects(
    harness: BotHarness,
) -> None:
    """Fails loudly if PTB reshapes ConversationHandler._conversations (cluster._reload)."""
    handlers = persistent_conversations(harness.app)
    assert len(handlers) >= 8
    for handler in handlers:
        assert isinstance(handler, ConversationHandler)
        store = handler._conversations  # noqa: SLF001
        assert isinstance(store, UserDict) and isinstance(store.data, dict), handler.name


@pytest.fixture
async def postgres_url(tmp_path: Path, postgres_databases: PostgresDatabases) -> AsyncIterator[str]:
    """A fresh migrated PostgreSQL database for this test's processes (and seeding)."""
    url = await postgres_databases.fresh()
    use_database_url(tmp_path, url)
    try:
        yield url
    finally:
        await postgres_databases.drop(url)


@pytest.fixture
async def clustered(
    tmp_path: Path, postgres_url: str, clock: FakeClock
) -> AsyncIterator[tuple[BotHarness, ClusterMember]]:
    """The real bot on PostgreSQL as one process of a cluster (no heartbeat yet)."""
    harness = BotHarness(settings=make_settings(tmp_path, DATABASE_URL=postgres_url), clock=clock)
    await harness.start()
    assert harness.app is not None
    member = cluster_member(harness.app, RuntimeMetrics())
    try:
        yield harness, member
    finally:
        await member.leave()
        await harness.stop()
    assert not harness.errors


async def test_taking_a_partition_reloads_its_chats_and_drops_what_was_remembered(
    clustered: tuple[BotHarness, ClusterMember],
) -> None:
    """Conversation states and user_data come from the database; stale memory goes."""
    harness, member = clustered
    assert harness.app is not None
    app = harness.app
    flow = next(h for h in persistent_conversations(app) if h.name == request_flow.NAME)
    remembered, moved_here = 2001, 2002  # what this process knew; what another one stored
    flow._conversations.data[(remembered, remembered)] = "stale"  # noqa: SLF001
    app.user_data[remembered]["draft"] = "stale"
    async with harness.services.db.transaction() as conn:
        key = json.dumps([moved_here, moved_here])
        await persisted.set_conversation(conn, request_flow.NAME, key, pickle.dumps("WHEN"))
        await persisted.set_data(conn, "user", moved_here, pickle.dumps({"draft": "fresh"}))
    await member.heartbeat()
    assert member.partitions_held() == frozenset(range(16))
    states = flow._conversations.data  # noqa: SLF001
    assert (remembered, remembered) not in states
    assert states[(moved_here, moved_here)] == "WHEN"
    assert app.user_data[remembered] == {}
    assert app.user_data[moved_here] == {"draft": "fresh"}
    assert member.healthy()


async def test_a_language_chosen_where_another_process_handles_it_is_spoken_here_at_once(
    clustered: tuple[BotHarness, ClusterMember], clock: FakeClock
) -> None:
    """A resident's /language handled by another process: this one's next answer is in it."""
    harness, member = clustered
    stop = asyncio.Event()
    running = asyncio.ensure_future(member.run(stop))  # leases, and the sender's election
    for _ in range(250):
        if member.is_sender and member.partitions_held():
            break
        await asyncio.sleep(0.02)
    assert member.is_sender and member.partitions_held() == frozenset(range(16))
    await agree(harness, RESIDENT)
    await harness.send(harness.build.command(RESIDENT, "help"))
    assert harness.fake.last_text_to(RESIDENT.id) == commands.help_private()
    async with harness.services.db.transaction() as conn:  # the other process's /language
        await people.set_language(conn, RESIDENT.id, "cy", clock.now())
    await harness.send(harness.build.command(RESIDENT, "help"))
    with i18n.speaking("cy"):
        assert harness.fake.last_text_to(RESIDENT.id) == commands.help_private()
    stop.set()
    await running


@pytest.fixture
def processes(tmp_path: Path, postgres_url: str) -> Iterator[Callable[..., list[ClusterProcess]]]:
    """Makes `count` webhook processes on the test's PostgreSQL; kills them afterwards."""
    made: list[ClusterProcess] = []

    def make(api: LoopbackBotApi, count: int) -> list[ClusterProcess]:
        made.extend(cluster_processes(tmp_path, api, count))
        return made[-count:]

    yield make
    for process in made:
        process.reap()


def metric(text: str, name: str) -> float:
    """A metric's value in /metrics text."""
    for family in text_string_to_metric_families(text):
        if family.name == name:
            return sum(float(s.value) for s in family.samples if s.name in (name, f"{name}_total"))
    raise AssertionError(f"{name} not in /metrics")


async def test_three_processes_sigkilled_ten_times_lose_and_repeat_nothing(
    tmp_path: Path, processes: Callable[..., list[ClusterProcess]]
) -> None:
    """300 updates from 50 chats over 3 webhooks; a random process SIGKILLed 10 times."""
    await seed_community(tmp_path, RESIDENTS, VOLUNTEERS)
    db = Db.of(tmp_path)
    seeded_outbox = int(db.value("SELECT COALESCE(MAX(id), 0) FROM outbox"))
    with serve_bot_api() as (api, _root):
        bots = processes(api, 3)
        for bot in bots:
            bot.start()
        assert wait_for(lambda: all(b.healthy() for b in bots), 60, 0.1), bots[0].report()
        deployment = Cluster(api, db, bots, limit=UPDATES - QUIET_UPDATES)
        killer = Killer(bots, kills=10, every=1.5)
        killer.start()
        script = run_script(deployment)
        script_ended = time.monotonic()
        killer.join()
        assert wait_for(lambda: all(b.healthy() for b in bots), 60, 0.1)
        assert wait_for(lambda: db.pending_outbox() == 0, 60, 0.1), bots[0].report()
        # The last updates arrive with no kill: each process's counters cover all of them.
        before = _counts(bots, db)
        deployment.limit = UPDATES
        script.merge(run_script(deployment))
        assert wait_for(lambda: db.pending_outbox() == 0, 60, 0.1), bots[0].report()
        assert wait_for(lambda: _due_jobs_pending(db) == 0, 30, 0.2)
        after = _counts(bots, db)
        scrapes = [http_text(f"{b.root}/metrics") for b in bots]
        open_requests = int(db.value("SELECT COUNT(*) FROM help_requests WHERE status = 'open'"))
        sent_rows = db.rows(
            "SELECT id, chat_id, sent_message_id FROM outbox WHERE state = 'sent' AND id > ? "
            "AND method = 'sendMessage'",
            seeded_outbox,
        )
        delivered = api.delivered()
        transcripts = {r.id: transcript(api, deployment, r.id) for r in RESIDENTS}
        kills = sum(b.kills for b in bots)
        for bot in bots:
            bot.stop()

    figures: dict[str, int] = {}
    figures["updates posted"] = len(deployment.posted)
    figures["webhook posts retried (process down)"] = deployment.retries
    figures["processes SIGKILLed and restarted"] = kills
    unhandled = [u for u in deployment.posted if not db.handled(u)]
    figures["updates not handled"] = len(unhandled)
    by_resident = {
        row["telegram_id"]: row["n"]
        for row in db.rows(
            "SELECT p.telegram_id, COUNT(*) AS n FROM help_requests r "
            "JOIN people p ON p.id = r.requester_person_id GROUP BY p.telegram_id"
        )
    }
    figures["requests confirmed"] = sum(script.confirmed.values())
    figures["requests stored"] = sum(by_resident.get(r.id, 0) for r in RESIDENTS)
    mismatched = [r for r, n in script.confirmed.items() if by_resident.get(r, 0) != n]
    figures["residents whose requests differ from their confirms"] = len(mismatched)
    two_assignees = db.value(
        "SELECT COUNT(*) FROM (SELECT subject FROM audit_log WHERE action = 'request.accepted' "
        "GROUP BY subject HAVING COUNT(*) > 1) AS doubled"
    )
    figures["tasks accepted twice"] = int(two_assignees or 0)
    recorded = {(int(r["chat_id"]), r["sent_message_id"]) for r in sent_rows}
    received = [(int(c.params["chat_id"]), c.message_id) for c in delivered]
    figures["messages decided and sent"] = len(recorded)
    figures["messages never delivered"] = len(recorded - set(received))
    figures["deliveries no outbox row records (in flight at a kill)"] = sum(
        1 for key in received if key not in recorded
    )
    fired = int(db.value("SELECT COUNT(*) FROM scheduled_jobs WHERE state = 'fired'"))
    figures["scheduled jobs fired"] = fired
    figures["requests escalated to organisers"] = int(
        db.value("SELECT COUNT(DISTINCT subject) FROM audit_log WHERE action = 'request.escalated'")
    )
    figures["requests escalated twice"] = int(
        db.value(
            "SELECT COUNT(*) FROM (SELECT subject FROM audit_log WHERE action = "
            "'request.escalated' GROUP BY subject HAVING COUNT(*) > 1) AS doubled"
        )
    )
    figures["start-up jobs stored twice (retention, backups, digest)"] = int(
        db.value(
            "SELECT COUNT(*) FROM (SELECT kind, target FROM scheduled_jobs WHERE state = "
            "'pending' AND kind IN ('privacy.retention', 'privacy.backup', 'care.digest') "
            "GROUP BY kind, target HAVING COUNT(*) > 1) AS doubled"
        )
    )
    figures["kills while updates were flowing"] = sum(
        1 for k in killer.moments if k <= script_ended
    )
    figures["conversations a kill interrupted"] = sum(
        1 for start, end, _ in script.flows if any(start <= k <= end for k in killer.moments)
    )
    figures["updates rolled back at a lost lease, then handled by the next holder"] = sum(
        log.read_text(encoding="utf-8").count("partition's lease was lost")
        for log in tmp_path.glob("bot*-run-*.log")
    )
    print("\nthree processes, ten SIGKILLs")
    for name, value in figures.items():
        print(f"  {name}: {value}")

    assert figures["updates posted"] == 300
    assert kills == 10
    assert not unhandled, unhandled[:10]
    assert not mismatched, transcripts[mismatched[0]]
    assert figures["tasks accepted twice"] == 0
    assert figures["messages never delivered"] == 0
    # A call in flight when its sender was SIGKILLed is made again by the next sender (Telegram
    # has no idempotency key): at most one per lane per kill; the note reports how many.
    assert figures["deliveries no outbox row records (in flight at a kill)"] <= kills * MAX_LANES
    assert fired > 0 and figures["requests escalated to organisers"] > 0
    assert figures["requests escalated twice"] == 0
    assert figures["start-up jobs stored twice (retention, backups, digest)"] == 0
    assert figures["kills while updates were flowing"] >= 5
    assert figures["conversations a kill interrupted"] > 0
    # The counters of the last, kill-free stretch match the database's counts of it.
    assert after["handled"] - before["handled"] == QUIET_UPDATES
    assert after["metric handled"] - before["metric handled"] == QUIET_UPDATES
    assert after["metric sent"] - before["metric sent"] == after["sent"] - before["sent"] > 0
    # The scrape's gauges match the database; all 16 partitions held; exactly one sender.
    assert all(metric(s, "mutual_aid_open_requests") == open_requests for s in scrapes)
    assert all(metric(s, "mutual_aid_outbox_pending") == 0 for s in scrapes)
    assert sum(metric(s, "mutual_aid_partition_leases") for s in scrapes) == 16
    assert sum(metric(s, "mutual_aid_outbox_sender") for s in scrapes) == 1


def _counts(bots: list[ClusterProcess], db: Db) -> dict[str, float]:
    """Updates handled and calls sent, by the processes' /metrics and by the database."""
    scrapes = [http_text(f"{b.root}/metrics") for b in bots]
    return {
        "metric handled": sum(metric(s, "mutual_aid_updates_handled") for s in scrapes),
        "metric sent": sum(_sent(s) for s in scrapes),
        "handled": float(db.value("SELECT COUNT(*) FROM inbox WHERE handled_at IS NOT NULL")),
        "sent": float(db.value("SELECT COUNT(*) FROM outbox WHERE state = 'sent'")),
    }


def _sent(text: str) -> float:
    for family in text_string_to_metric_families(text):
        if family.name == "mutual_aid_sends":
            return sum(float(s.value) for s in family.samples if s.labels.get("result") == "sent")
    raise AssertionError("mutual_aid_sends not in /metrics")


def _due_jobs_pending(db: Db) -> int:
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    return int(
        db.value("SELECT COUNT(*) FROM scheduled_jobs WHERE state = 'pending' AND due_at <= ?", now)
        or 0
    )
