"""A small Bot API server on loopback, for tests that run the real `mutual-aid-bot` process."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = {"id": 1000, "is_bot": True, "first_name": "Mutual Aid", "username": "MutualAidTestBot"}


class LoopbackBotApi:
    """Serves getMe, commands, getUpdates from a queue, and records every call with its time."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str, dict[str, Any]]] = []
        self._updates: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._message_id = 0
        self.delivered_at: dict[int, float] = {}

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for the next getUpdates."""
        with self._lock:
            self._updates.append(update)

    def methods(self) -> list[str]:
        """The methods called so far, in order."""
        with self._lock:
            return [method for _, method, _ in self.calls]

    def sent_to(self, chat_id: int) -> list[tuple[float, str]]:
        """(time, text) of each sendMessage to a chat."""
        with self._lock:
            return [
                (at, params["text"])
                for at, method, params in self.calls
                if method == "sendMessage" and int(params["chat_id"]) == chat_id
            ]

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        """The result for one call."""
        with self._lock:
            self.calls.append((time.monotonic(), method, params))
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "sendMessage":
            with self._lock:
                self._message_id += 1
                message_id = self._message_id
            chat_id = int(params["chat_id"])
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Tester"},
                "from": BOT_USER,
                "text": params["text"],
            }
        return True

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
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                params = json.loads(body or "{}")
            else:
                params = dict(parse_qsl(body))
            method = self.path.rstrip("/").rsplit("/", 1)[-1]
            payload = json.dumps({"ok": True, "result": api.answer(method, params)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    """Ignores clients that hang up mid-answer (the bot stopping during a long poll)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve_bot_api() -> Iterator[tuple[LoopbackBotApi, str]]:
    """Run a LoopbackBotApi on 127.0.0.1; yields it and its root URL."""
    api = LoopbackBotApi()
    server = _QuietServer(("127.0.0.1", 0), _handler_for(api))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
