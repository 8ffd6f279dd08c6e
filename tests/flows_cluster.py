"""Several `run --webhook` processes on one PostgreSQL database, driven by scripted people.

Each of ten threads plays one volunteer and four residents (50 chats in all): each says
/start, then residents ask for help through the whole request conversation and their
volunteer accepts, marks it done and types the amount. Every update is posted to the webhook
of a process picked at random (another one if that process is down, as Telegram retries), and
the person waits until the update is finished before the next step, as a person waits for an
answer. A killer may SIGKILL a random process every few seconds and restart it.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from tests.bot_api_server import LoopbackBotApi
from tests.flows_fault_stream import request_conversation
from tests.flows_reliability import (
    JSON,
    Db,
    press_update,
    process_config,
    text_update,
    wait_for,
)
from tests.test_webhook import WebhookProcess, free_port

SECRET = "cluster-s3cret"
PUBLIC_URL = "https://bot.example.org/telegram"
VOLUNTEERS = [FakeUser(3101 + n, f"Helper{n}") for n in range(10)]
RESIDENTS = [FakeUser(2101 + n, f"Neighbour{n}") for n in range(40)]
UPDATES = 300
STEP_TIMEOUT = 90.0  # a dead process's chats wait for its lease to expire (a few seconds)


class ClusterProcess(WebhookProcess):
    """`mutual-aid-bot run --webhook` as one of several processes on the same database."""

    def __init__(self, tmp_path: Path, api: LoopbackBotApi, name: str, port: int) -> None:
        super().__init__(
            tmp_path,
            api,
            WEBHOOK_URL=PUBLIC_URL,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PORT=str(port),
        )
        self.name = name
        self.root = f"http://127.0.0.1:{port}"

    @property
    def log_path(self) -> Path:
        """The log of this process's current (or last) run."""
        return self._tmp_path / f"{self.name}-run-{self.starts}.log"

    def healthy(self) -> bool:
        """Whether /healthz answers 200."""
        return http_status(f"{self.root}/healthz") == 200


def cluster_config(tmp_path: Path) -> Path:
    """The real-process test settings, with short leases and jobs that fall due in the test."""
    path = tmp_path / "cluster.toml"
    path.write_text(
        process_config(tmp_path).read_text(encoding="utf-8")
        + 'lease_time = "3s"\nalert_widening_delay = "2s"\nescalation_delay = "4s"\n',
        encoding="utf-8",
    )
    return path


def cluster_processes(tmp_path: Path, api: LoopbackBotApi, count: int) -> list[ClusterProcess]:
    """`count` webhook processes on this test's database, with the cluster settings."""
    config = str(cluster_config(tmp_path))
    made = []
    for number in range(count):
        process = ClusterProcess(tmp_path, api, f"bot{number + 1}", free_port())
        process._env["CONFIG_FILE"] = config  # noqa: SLF001
        made.append(process)
    return made


def http_status(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    """The status of a GET (or a POST with a body); 0 when nothing answered."""
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def http_text(url: str) -> str:
    """The body of a GET."""
    with urllib.request.urlopen(url, timeout=10) as answer:
        return str(answer.read().decode())


@dataclass
class Cluster:
    """The processes, the updates posted, and who took them."""

    api: LoopbackBotApi
    db: Db
    processes: list[ClusterProcess]
    limit: int = UPDATES
    posted: list[int] = field(default_factory=list)
    handling_seconds: list[float] = field(default_factory=list)  # post -> finished, each
    retries: int = 0  # posts refused or unanswered (a process down), sent again elsewhere
    # update id -> (monotonic time posted, chat, whether a button press)
    posted_at: dict[int, tuple[float, int, bool]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 1
    _random: random.Random = field(default_factory=lambda: random.Random(20))

    def reserve(self) -> int | None:
        """The next update id, or None once the script's length is reached."""
        with self._lock:
            if self._next_id > self.limit:
                return None
            self._next_id += 1
            return self._next_id - 1

    def post(self, update: JSON) -> None:
        """Post to a random live process (Telegram retries until one says 200); wait until done."""
        body = json.dumps(update).encode()
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        started = time.monotonic()
        while True:
            with self._lock:
                process = self._random.choice(self.processes)
            if http_status(f"{process.root}/telegram", body, headers) == 200:
                break
            with self._lock:
                self.retries += 1
            time.sleep(0.2)
        update_id = int(update["update_id"])
        press = "callback_query" in update
        content = update["callback_query"] if press else update["message"]
        with self._lock:
            self.posted.append(update_id)
            self.posted_at[update_id] = (started, int(content["from"]["id"]), press)
        assert wait_for(lambda: self.db.finished(update_id), STEP_TIMEOUT, 0.05), (
            f"update {update_id} was not finished within {STEP_TIMEOUT}s"
        )
        with self._lock:
            self.handling_seconds.append(time.monotonic() - started)

    def text(self, user: FakeUser, text: str) -> bool:
        """The person types; False once the script is over."""
        update_id = self.reserve()
        if update_id is None:
            return False
        self.post(text_update(update_id, user, text))
        return True

    def press(self, user: FakeUser, data: str) -> bool:
        """The person presses a button on the newest message they got; False once over."""
        update_id = self.reserve()
        if update_id is None:
            return False
        sent = [c for c in self.api.delivered() if int(c.params["chat_id"]) == user.id]
        message_id = sent[-1].message_id if sent and sent[-1].message_id else 1
        self.post(press_update(update_id, user, data, message_id))
        return True


def transcript(api: LoopbackBotApi, cluster: Cluster, chat: int) -> str:
    """What one person posted and what the bot sent them, in order (for a failure message)."""
    lines = []
    for at, method, params in api.calls:
        if str(params.get("chat_id")) == str(chat) or (
            method == "answerCallbackQuery"
            and cluster.posted_at.get(int(params.get("callback_query_id", 0)), (0, 0, 0))[1] == chat
        ):
            lines.append((at, f"bot {method}: {str(params.get('text', ''))[:70]!r}"))
    for update_id, (posted, who, press) in cluster.posted_at.items():
        if who == chat:
            lines.append((posted, f"person {'press' if press else 'text'} (update {update_id})"))
    return "\n".join(f"{at:.2f} {line}" for at, line in sorted(lines))


def answer_seconds(api: LoopbackBotApi, cluster: Cluster) -> list[float]:
    """For each posted update, the seconds until the first answer reached the Bot API.

    A press's answer is its answerCallbackQuery; a message's is the first message the bot
    sent or edited in that chat after it was posted. Telegram's limit of about one message a
    second per chat (which the bot keeps) spaces out answers to people who type faster.
    """
    pressed = {c.params["callback_query_id"]: c.at for c in api.delivered("answerCallbackQuery")}
    sent: dict[int, list[float]] = {}
    for call in api.delivered() + api.delivered("editMessageText"):
        if "chat_id" in call.params:
            sent.setdefault(int(call.params["chat_id"]), []).append(call.at)
    seconds = []
    for update_id, (posted, chat, press) in cluster.posted_at.items():
        if press and str(update_id) in pressed:
            seconds.append(pressed[str(update_id)] - posted)
            continue
        later = [at for at in sent.get(chat, []) if at >= posted]
        if later:
            seconds.append(min(later) - posted)
    return seconds


@dataclass
class Script:
    """What the people did, to check against the database afterwards."""

    confirmed: Counter[int] = field(default_factory=Counter)  # resident -> Confirm pressed
    accepted: list[tuple[int, int]] = field(default_factory=list)  # (request, volunteer)
    flows: list[tuple[float, float, int]] = field(default_factory=list)  # (start, end, resident)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def merge(self, other: Script) -> None:
        """Add what a later run of the script did."""
        self.confirmed.update(other.confirmed)
        self.accepted.extend(other.accepted)
        self.flows.extend(other.flows)


def ask_for_help(cluster: Cluster, resident: FakeUser, number: int) -> bool:
    """The whole request conversation; True if it reached Confirm."""
    return all(
        (cluster.text if kind == "text" else cluster.press)(resident, value)
        for kind, value in request_conversation(number)
    )


def latest_request(db: Db, resident: FakeUser) -> int | None:
    """The resident's newest request."""
    return db.value(
        "SELECT r.id FROM help_requests r JOIN people p ON p.id = r.requester_person_id "
        "WHERE p.telegram_id = ? ORDER BY r.id DESC LIMIT 1",
        resident.id,
    )


def play(cluster: Cluster, script: Script, team: int) -> None:
    """One thread: a volunteer and four residents."""
    volunteer = VOLUNTEERS[team]
    residents = RESIDENTS[team * 4 : team * 4 + 4]
    for person in [volunteer, *residents]:
        if not cluster.text(person, "/start"):
            return
    for number, resident in enumerate(residents, start=team * 4 + 1):
        started = time.monotonic()
        if not ask_for_help(cluster, resident, number):
            return
        request_id = latest_request(cluster.db, resident)
        with script.lock:
            script.confirmed[resident.id] += 1
            script.flows.append((started, time.monotonic(), resident.id))
        if request_id is None:
            return
        if resident is residents[0]:
            continue  # nobody takes it: its widening and escalation jobs fall due
        if not cluster.press(volunteer, pack("accept", request_id)):
            return
        with script.lock:
            script.accepted.append((request_id, volunteer.id))
        if not cluster.press(volunteer, pack("done", request_id)):
            return
        if not cluster.text(volunteer, "12.50"):
            return


def run_script(cluster: Cluster) -> Script:
    """Play the ten teams at once until the script's length is reached."""
    script = Script()
    errors: list[BaseException] = []

    def team(number: int) -> None:
        try:
            play(cluster, script, number)
        except BaseException as error:  # reported by the caller
            errors.append(error)

    threads = [threading.Thread(target=team, args=(n,)) for n in range(len(VOLUNTEERS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return script


class Killer(threading.Thread):
    """SIGKILLs a random process every few seconds and restarts it, `kills` times."""

    def __init__(self, processes: list[ClusterProcess], kills: int, every: float) -> None:
        super().__init__(daemon=True)
        self._processes = processes
        self._kills = kills
        self._every = every
        self._random = random.Random(7)
        self.moments: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        """Kill and restart until done."""
        for _ in range(self._kills):
            if self.done.wait(self._every):
                return
            victim = self._random.choice(self._processes)
            victim.kill()
            self.moments.append(time.monotonic())
            victim.start()
