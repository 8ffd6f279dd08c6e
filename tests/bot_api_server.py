"""A small Bot API server on loopback, for tests that run the real `mutual-aid-bot` process.

It can also misbehave on purpose (`Faults`): answer 429 with retry_after, 500, answer slowly
(after the client's timeout: the call takes effect but the client sees a timeout), or drop
the connection without answering (the call never happens). It can reject the token (401),
refuse messages to chats that blocked the bot (403) and say a group moved to a supergroup.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = {"id": 1000, "is_bot": True, "first_name": "Mutual Aid", "username": "MutualAidTestBot"}

FAULT_KINDS = ("429", "500", "slow", "drop")


@dataclass
class Faults:
    """Which calls fail and how: a random share of calls, plus scripted failures per method."""

    rate: float = 0.0  # share of calls that fail, with a kind drawn from `kinds`
    kinds: tuple[str, ...] = FAULT_KINDS
    retry_after: int = 1  # seconds, in 429 answers
    slow_seconds: float = 6.0  # longer than the bot's read timeout (5 s)
    methods: frozenset[str] | None = None  # None: every method may fail
    # method -> outcomes for its next calls, in turn ("ok" or a fault kind)
    scripted: dict[str, list[str]] = field(default_factory=dict)
    seed: int = 7

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def draw(self, method: str) -> str | None:
        """The fault for this call, or None to answer normally."""
        with self._lock:
            queue = self.scripted.get(method)
            if queue:
                scripted = queue.pop(0)
                return None if scripted == "ok" else scripted
            if self.methods is not None and method not in self.methods:
                return None
            if self.rate and self._random.random() < self.rate:
                return self._random.choice(self.kinds)
            return None


@dataclass(frozen=True)
class Call:
    """One call the bot made: when, what, and how it was answered."""

    at: float
    method: str
    params: dict[str, Any]
    outcome: str  # "ok", or the fault: 429, 500, slow, drop, 401, 403, 400
    message_id: int | None = None

    @property
    def took_effect(self) -> bool:
        """Whether Telegram would have acted on it (a slow answer still did)."""
        return self.outcome in ("ok", "slow")


class LoopbackBotApi:
    """Serves getMe, commands, getUpdates from a queue, and records every call with its time."""

    def __init__(self) -> None:
        self.log: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._message_id = 0
        self.delivered_at: dict[int, float] = {}
        self.faults = Faults()
        self.reject_token = False
        self.blocked_chats: set[int] = set()
        self.moved_chats: dict[int, int] = {}  # old group id -> supergroup id
        self.root = ""  # the URL it is served at (set by serve_bot_api)
        # Called (from the server's thread) once a call that took effect has been answered:
        # crash-point tests kill the bot right after Telegram acted on a chosen call.
        self.after_answer: Callable[[str, dict[str, Any]], None] | None = None

    @property
    def calls(self) -> list[tuple[float, str, dict[str, Any]]]:
        """(time, method, params) of every call that took effect."""
        with self._lock:
            return [(c.at, c.method, c.params) for c in self.log if c.took_effect]

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for the next getUpdates."""
        with self._lock:
            self._updates.append(update)

    def methods(self) -> list[str]:
        """The methods called so far, in order (answered or not)."""
        with self._lock:
            return [c.method for c in self.log]

    def sent_to(self, chat_id: int) -> list[tuple[float, str]]:
        """(time, text) of each sendMessage to a chat that took effect."""
        return [
            (at, params["text"])
            for at, method, params in self.calls
            if method == "sendMessage" and int(params["chat_id"]) == chat_id
        ]

    def delivered(self, method: str = "sendMessage") -> list[Call]:
        """Every call of a method that took effect."""
        with self._lock:
            return [c for c in self.log if c.method == method and c.took_effect]

    def outcomes(self) -> Counter[str]:
        """How many calls were answered each way."""
        with self._lock:
            return Counter(c.outcome for c in self.log)

    def record(self, method: str, params: dict[str, Any], outcome: str) -> Call:
        """Record a call answered without a result (a fault)."""
        call = Call(time.monotonic(), method, params, outcome)
        with self._lock:
            self.log.append(call)
        return call

    def refusal(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """The error answer Telegram would give this call for good, if any."""
        if self.reject_token:
            self.record(method, params, "401")
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        chat = params.get("chat_id")
        if method.startswith(("send", "edit")) and chat is not None:
            chat_id = int(chat)
            if chat_id in self.blocked_chats:
                self.record(method, params, "403")
                return 403, {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                }
            if chat_id in self.moved_chats:
                self.record(method, params, "400")
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: group chat was upgraded to a supergroup chat",
                    "parameters": {"migrate_to_chat_id": self.moved_chats[chat_id]},
                }
        return None

    def answer(self, method: str, params: dict[str, Any], outcome: str = "ok") -> Any:
        """The result for one call (recorded as taking effect)."""
        result: Any = True
        message_id = None
        if method == "getMe":
            result = BOT_USER
        elif method == "getUpdates":
            result = self._get_updates(params)
        elif method == "sendMessage":
            with self._lock:
                self._message_id += 1
                message_id = self._message_id
            chat_id = int(params["chat_id"])
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": BOT_USER,
                "text": params["text"],
            }
            if chat_id > 0:
                result["chat"]["first_name"] = "Tester"
            else:
                result["chat"]["title"] = "Volunteers"
        with self._lock:
            self.log.append(Call(time.monotonic(), method, params, outcome, message_id))
        return result

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        deadline = time.monotonic() + min(float(params.get("timeout", 0) or 0), 0.5)
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
                for update in ready:
                    self.delivered_at.setdefault(update["update_id"], time.monotonic())
            if ready or time.monotonic() >= deadline:
                return ready
            time.sleep(0.02)


def _handler_for(api: LoopbackBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                params = json.loads(body or "{}")
            else:
                params = dict(parse_qsl(body))
            method = self.path.rstrip("/").rsplit("/", 1)[-1]
            refused = api.refusal(method, params)
            if refused is not None:
                self._reply(*refused)
                return
            fault = api.faults.draw(method)
            if fault == "drop":  # hang up without answering: the call never happened
                api.record(method, params, "drop")
                self.close_connection = True
                self.connection.close()
                return
            if fault == "429":
                api.record(method, params, "429")
                retry_after = api.faults.retry_after
                self._reply(
                    429,
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {retry_after}",
                        "parameters": {"retry_after": retry_after},
                    },
                )
                return
            if fault == "500":
                api.record(method, params, "500")
                self._reply(
                    500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
                )
                return
            if fault == "slow":
                time.sleep(api.faults.slow_seconds)
            result = api.answer(method, params, "slow" if fault == "slow" else "ok")
            self._reply(200, {"ok": True, "result": result})
            if api.after_answer is not None:
                api.after_answer(method, params)

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (a timeout, or the bot was killed)
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    """Ignores clients that hang up mid-answer (the bot stopping during a long poll)."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handle_error(request, client_address)


@contextmanager
def serve_bot_api() -> Iterator[tuple[LoopbackBotApi, str]]:
    """Run a LoopbackBotApi on 127.0.0.1; yields it and its root URL."""
    api = LoopbackBotApi()
    server = _QuietServer(("127.0.0.1", 0), _handler_for(api))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.root = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api, api.root
    finally:
        server.shutdown()
        server.server_close()
