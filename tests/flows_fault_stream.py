"""The scripted people of the fault tests: residents asking, volunteers racing, figures kept."""

from __future__ import annotations

import json
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from tests.bot_api_server import LoopbackBotApi
from tests.flows_reliability import JSON, BotProcess, Db, press_update, text_update, wait_for

RESIDENTS = [FakeUser(2001 + n, f"Resident{n}") for n in range(6)]
VOLUNTEERS = [FakeUser(3001 + n, f"Volunteer{n}") for n in range(3)]
REF = re.compile(r"R-[0-9A-Z]{4,6}")
STREAM_LENGTH = 300
KILLS = 20
HANDLED_TIMEOUT = 60.0
KILLED_STEP_TIMEOUT = 15.0
FAULTS_STREAM_LENGTH = 150


@dataclass
class Figures:
    """What a fault test counts, printed with -s and asserted."""

    figures: dict[str, int] = field(default_factory=dict)

    def __setitem__(self, name: str, value: int) -> None:
        self.figures[name] = value

    def __getitem__(self, name: str) -> int:
        return self.figures[name]

    def show(self, title: str) -> None:
        """Print the figures on one line each, for the lead to quote."""
        print(f"\n{title}")
        for name, value in self.figures.items():
            print(f"  {name}: {value}")


class Stream:
    """Feeds scripted updates to the running bot one by one, waiting until each is handled."""

    def __init__(
        self, api: LoopbackBotApi, bot: BotProcess, db: Db, length: int = STREAM_LENGTH
    ) -> None:
        self.length = length
        self.api = api
        self.bot = bot
        self.db = db
        self.next_id = 1
        self.pushed: list[int] = []
        self.kill_at: set[int] = set()
        self.killed_during: list[int] = []  # stream positions at which a kill happened
        self.unfinished: set[int] = set()  # positions killed after effects, before state
        self._random = random.Random(20)

    def push(self, update: JSON) -> int:
        """Send one update; maybe kill and restart the bot meanwhile; wait until handled."""
        position = len(self.pushed)
        update_id = int(update["update_id"])
        self.api.push_update(update)
        self.pushed.append(update_id)
        killed = position in self.kill_at
        if killed:
            time.sleep(self._random.uniform(0.0, 0.25))
            self.bot.kill()
            self.killed_during.append(position)
            self.bot.start()
        # Wait until the bot stored the state the update left, as a person waits for the answer.
        finished = wait_for(
            lambda: self.db.finished(update_id), KILLED_STEP_TIMEOUT if killed else HANDLED_TIMEOUT
        )
        if not finished:  # killed between the update's effects and its conversation state
            assert killed and self.db.handled(update_id), (
                f"update {update_id} was never handled:\n{self.bot.report()}"
            )
            self.unfinished.add(position)
        assert self.bot.alive(), self.bot.report()
        return update_id

    def new_id(self) -> int:
        """The next update id."""
        self.next_id += 1
        return self.next_id - 1

    def text(self, user: FakeUser, text: str) -> int:
        """The person types a message."""
        return self.push(text_update(self.new_id(), user, text))

    def press(self, user: FakeUser, data: str) -> int:
        """The person presses a button on the newest message the bot sent them."""
        sent = [c for c in self.api.delivered() if int(c.params["chat_id"]) == user.id]
        message_id = sent[-1].message_id if sent and sent[-1].message_id else 1
        return self.push(press_update(self.new_id(), user, data, message_id))

    @property
    def full(self) -> bool:
        """Whether the scripted stream has reached its length."""
        return len(self.pushed) >= self.length


def request_conversation(number: int) -> list[tuple[str, str]]:
    """The request conversation, step by step: ("text", what is typed) or ("press", data)."""

    def step(token: Step, value: str) -> tuple[str, str]:
        return ("press", pack(request_flow.KIND, token.token, value))

    return [
        ("text", "/request"),
        step(Step.CATEGORY, "shopping"),
        ("text", f"Milk, bread and eggs, order {number}"),
        step(Step.WHEN, "today"),
        ("text", "07700 100123"),
        ("text", f"{number} Elm Road"),
        step(Step.PAYMENT, "doorstep"),
        step(Step.FOR_WHOM, "me"),
        step(Step.SUMMARY, "confirm"),
    ]


def ask_for_help(stream: Stream, resident: FakeUser, number: int) -> bool:
    """The whole request conversation; True if it reached Confirm before the stream ended."""
    for kind, value in request_conversation(number):
        if stream.full:
            return False
        (stream.text if kind == "text" else stream.press)(resident, value)
    return True


def latest_request(db: Db, resident: FakeUser) -> int | None:
    return db.value(
        "SELECT r.id FROM help_requests r JOIN people p ON p.id = r.requester_person_id "
        "WHERE p.telegram_id = ? ORDER BY r.id DESC LIMIT 1",
        resident.id,
    )


def help_out(stream: Stream, request_id: int) -> None:
    """Two alerted volunteers race to accept; the winner marks it done and types the amount."""
    alerted = [
        row["chat_id"]
        for row in stream.db.rows(
            "SELECT DISTINCT chat_id FROM request_alerts WHERE request_id = ? AND chat_id > 0 "
            "ORDER BY chat_id",
            request_id,
        )
    ]
    racers = [v for v in VOLUNTEERS if v.id in alerted][:2] or VOLUNTEERS[:1]
    for racer in racers:
        if stream.full:
            return
        stream.press(racer, pack("accept", request_id))
    assignee_id = stream.db.value(
        "SELECT p.telegram_id FROM help_requests r JOIN people p ON p.id = r.assignee_person_id "
        "WHERE r.id = ?",
        request_id,
    )
    assignee = next((v for v in VOLUNTEERS if v.id == assignee_id), None)
    assert assignee is not None, f"request {request_id} has no assignee after the race"
    if not stream.full:
        stream.press(assignee, pack("done", request_id))
    if not stream.full:
        stream.text(assignee, "12.50")


@dataclass(frozen=True)
class Deliveries:
    """How the outbox's messages reached the loopback Bot API."""

    sent: int  # outbox rows marked sent
    twice: int  # deliveries no row records: a call in flight when the process was killed
    resent_after_marked: int  # a message delivered again after it was marked sent (a bug)
    retried: int  # failed attempts before a message went through


def notification_figures(api: LoopbackBotApi, db: Db, after_id: int) -> Deliveries:
    """Match every message Telegram received with the outbox row it came from.

    Only rows decided after `after_id` count (the seeding went to an offline fake). Each row
    records the Telegram message id its send produced; a delivery that no row records is a
    second delivery of a row whose call was in flight at a kill. Answers keep no text once
    sent, so rows are matched by message id, and by text where they keep it.
    """
    rows = db.rows(
        "SELECT chat_id, params, sent_message_id, attempts FROM outbox "
        "WHERE method = 'sendMessage' AND state = 'sent' AND id > ?",
        after_id,
    )
    recorded = {(int(row["chat_id"]), row["sent_message_id"]) for row in rows}
    delivered = api.delivered()
    received = {(int(call.params["chat_id"]), call.message_id) for call in delivered}
    missing = recorded - received
    assert not missing, f"{len(missing)} outbox messages marked sent never reached Telegram"
    extra = [c for c in delivered if (int(c.params["chat_id"]), c.message_id) not in recorded]
    marked_at: dict[tuple[int, str], float] = {}
    by_id = {(int(c.params["chat_id"]), c.message_id): c for c in delivered}
    for row in rows:
        text = json.loads(row["params"]).get("text")
        call = by_id.get((int(row["chat_id"]), row["sent_message_id"]))
        if text is not None and call is not None:
            key = (int(row["chat_id"]), text)
            marked_at[key] = max(marked_at.get(key, 0.0), call.at)
    after = sum(
        1
        for c in extra
        if c.at > marked_at.get((int(c.params["chat_id"]), c.params["text"]), float("inf"))
    )
    retried = sum(max(row["attempts"] - 1, 0) for row in rows)
    return Deliveries(len(rows), len(extra) - after, after, retried)


DUPLICATE_WINDOW = 10.0  # seconds: the same text to the same chat this close is a re-send


def answered_updates(api: LoopbackBotApi, db: Db) -> dict[int, int]:
    """Update id -> how many times its answer reached the person who acted (0: never).

    An answer is what the update's work queued for that person's chat (outbox rows marked with
    the update). Each row records the message its delivery produced; the same text delivered
    to the chat within a few seconds of it is a second delivery (the call was in flight at a
    kill, or timed out after Telegram acted). A press answered only with a pop-up counts its
    callback answer.
    """
    counts: dict[int, int] = defaultdict(int)
    rows = db.rows(
        "SELECT update_id, chat_id, sent_message_id, method FROM outbox "
        "WHERE update_id IS NOT NULL AND state = 'sent'"
    )
    delivered = api.delivered()
    by_id = {(int(c.params["chat_id"]), c.message_id): c for c in delivered}
    recorded = db.rows("SELECT chat_id, sent_message_id FROM outbox WHERE state = 'sent'")
    known = {(int(r["chat_id"]), r["sent_message_id"]) for r in recorded}
    extra: dict[tuple[int, str], list[float]] = defaultdict(list)  # deliveries no row records
    for call in delivered:
        if (int(call.params["chat_id"]), call.message_id) not in known:
            extra[(int(call.params["chat_id"]), call.params["text"])].append(call.at)
    for row in rows:
        times = 1
        call = by_id.get((int(row["chat_id"]), row["sent_message_id"]))
        if row["method"] == "sendMessage" and call is not None:
            moments = extra.get((int(row["chat_id"]), call.params["text"]), [])
            times += sum(1 for at in moments if abs(at - call.at) <= DUPLICATE_WINDOW)
        update_id = int(row["update_id"])
        counts[update_id] = max(counts[update_id], times)
    for call in api.delivered("answerCallbackQuery"):
        if call.params.get("text"):
            update_id = int(call.params["callback_query_id"])
            counts[update_id] = max(counts[update_id], 1)
    return dict(counts)


def flow_state(db: Db, user: FakeUser) -> bytes | None:
    """The stored state of a person's request conversation (None: not in it)."""
    key = json.dumps([user.id, user.id])
    return db.value(
        "SELECT state FROM conversation_states WHERE name = ? AND conversation_key = ?",
        request_flow.NAME,
        key,
    )


def request_with_retries(stream: Stream, resident: FakeUser, number: int) -> int | None:
    """Ask for help; a step whose answer was lost (the bot did not move on) is sent again."""
    before = latest_request(stream.db, resident)
    for kind, value in request_conversation(number):
        state = flow_state(stream.db, resident)
        for _ in range(4):
            if stream.full:
                return None
            (stream.text if kind == "text" else stream.press)(resident, value)
            if flow_state(stream.db, resident) != state:
                break
    latest = latest_request(stream.db, resident)
    return latest if latest != before else None


def press_until(stream: Stream, user: FakeUser, data: str, done: str, request_id: int) -> None:
    """Press a button again (as a person would) until the request reaches a state."""
    for _ in range(4):
        stream.press(user, data)
        status = stream.db.value("SELECT status FROM help_requests WHERE id = ?", request_id)
        if status == done:
            return
