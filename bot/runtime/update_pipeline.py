"""Each Telegram update is one unit of work, and its answer is part of it.

Everything an update changes commits in one database transaction (storage.database.Work):
the effects its services decide, the outbox messages they cause, its answer to the person who
acted, its conversation state and user_data, and its inbox mark. The answer is whatever the
handlers send while the update is handled (reply_text, edit_message_text, send_message):
`CapturingRequest` takes those calls off the network and the work writes them to the outbox
at the head of the queue, so they go out first once the work commits, and are retried like
any outbox message. A crash before the commit leaves the update unhandled, to be handled
again; after it, the answer is in the outbox and will be sent.

Callback answers (the spinner on a pressed button) are not durable in Telegram anyway: they go
straight out, best effort, and a refused or failed one never stops a handler.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from telegram import Update
from telegram.error import TelegramError
from telegram.request import BaseRequest, RequestData

from bot.clock import Clock
from bot.runtime.wrapped_request import WrappedRequest
from storage.database import Connection, Database, Work
from storage.delivery import outbox

log = logging.getLogger(__name__)

# Calls a handler makes while handling an update that become its durable answer.
CAPTURED_METHODS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "deleteMessage",
    }
)
# Calls made straight away, whose failure is logged and never raised.
BEST_EFFORT_METHODS = frozenset({"answerCallbackQuery"})
# Files (a chart, an export) are not kept in the outbox. One that follows a captured answer
# waits, in memory, until that answer has been delivered, so people see them in order.
MEDIA_METHODS = frozenset(
    {"sendPhoto", "sendDocument", "sendVoice", "sendAudio", "sendVideo", "sendMediaGroup"}
)
MEDIA_RETRIES = 3
DELIVERY_WAIT_SECONDS = 60.0
REPLY_PRIORITY = outbox.PRIORITY_REPLY
# Synthetic message ids of captured messages -> their outbox ids, for later edits.
REMEMBERED_REPLIES = 10_000
# Test-only: SIGKILL the process right after this update's work commits (crash-point tests).
CRASH_AFTER_COMMIT_VARIABLE = "MUTUAL_AID_TEST_CRASH_AFTER_COMMIT"

_OK_TRUE = json.dumps({"ok": True, "result": True}).encode()


@dataclass
class CapturedCall:
    """One Bot API call a handler made while handling an update, kept for the outbox."""

    method: str
    params: dict[str, Any]
    synthetic_id: int | None = None  # the message id the handler was given, if it sent one


def update_ids(update: object) -> tuple[int | None, int | None]:
    """The update id and the chat of the person who acted, for an UpdateWork."""
    if not isinstance(update, Update):
        return None, None
    chat = update.effective_chat
    return update.update_id, chat.id if chat is not None else None


@runtime_checkable
class StatePersistence(Protocol):
    """A persistence that writes its buffered changes inside a given transaction."""

    @property
    def has_pending(self) -> bool:
        """Whether changes wait to be written."""
        ...

    async def commit(self, conn: Connection) -> int:
        """Write the buffered changes inside the caller's transaction."""
        ...

    async def confirm(self) -> None:
        """The transaction of the last commit has committed."""
        ...


class UpdateWork(Work):
    """The unit of work of one Telegram update: its effects, its answer and its inbox mark.

    Everything queued for the chat of the person who acted (an edit of the message they
    pressed, say, and anything still unsent there) goes out with their answer, first, in the
    order it was decided.
    """

    def __init__(self, update_id: int | None = None, chat_id: int | None = None) -> None:
        super().__init__()
        self.update_id = update_id
        self.chat_id = chat_id
        self.replies: list[CapturedCall] = []
        self.reply_ids: list[int] = []  # the outbox ids the answers were written to
        self.deferred: list[DeferredCall] = []  # files to send once the answers are out
        self._outbox_before = 0
        if chat_id is not None:
            self.first_write(self._note_outbox)
            self.final_write(self._answer_first, needed=lambda: self.began)

    async def _note_outbox(self, conn: Connection) -> None:
        self._outbox_before = await outbox.newest_id(conn)

    async def _answer_first(self, conn: Connection) -> None:
        if self.chat_id is not None:
            await outbox.put_first(conn, self.chat_id, self.update_id, self._outbox_before)


@dataclass
class DeferredCall:
    """A file a handler sent after its text answer: made once that answer is delivered."""

    url: str
    method: str
    request_data: RequestData
    timeouts: dict[str, Any]


class CapturingRequest(WrappedRequest):
    """Wraps the network: while an update is handled, its answers are captured, not sent."""

    def __init__(self, inner: BaseRequest) -> None:
        super().__init__(inner)
        self._db: Database | None = None
        self._clock: Clock | None = None
        self._send: Callable[[], Awaitable[None]] | None = None
        self._delivered: Callable[[list[int]], Awaitable[bool]] | None = None
        self._background: Callable[[Coroutine[Any, Any, None]], None] | None = None
        self._next_synthetic = 0
        self._sent: OrderedDict[int, int] = OrderedDict()  # synthetic id -> outbox id

    def attach(
        self,
        db: Database,
        clock: Clock,
        send: Callable[[], Awaitable[None]],
        delivered: Callable[[list[int]], Awaitable[bool]],
        background: Callable[[Coroutine[Any, Any, None]], None],
    ) -> None:
        """Capture inside this database's units of work.

        `send` starts delivery after commit; `delivered(ids)` waits until those outbox calls
        have ended; `background` runs a coroutine as a task (deferred files).
        """
        self._db, self._clock, self._send = db, clock, send
        self._delivered, self._background = delivered, background

    def captures(self, endpoint: str) -> bool:
        """Whether a call of this method made now would be captured (not sent)."""
        work = self._db.current_work() if self._db is not None else None
        return isinstance(work, UpdateWork) and endpoint in CAPTURED_METHODS

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Capture an update's answer; answer button presses best effort; pass the rest on."""
        endpoint = url.rsplit("/", 1)[-1]
        work = self._db.current_work() if self._db is not None else None
        if isinstance(work, UpdateWork) and endpoint in CAPTURED_METHODS and request_data:
            result = self._capture(work, endpoint, dict(request_data.parameters))
            return 200, json.dumps({"ok": True, "result": result}).encode()
        timeouts = {
            "read_timeout": read_timeout,
            "write_timeout": write_timeout,
            "connect_timeout": connect_timeout,
            "pool_timeout": pool_timeout,
        }
        # A file after a text answer waits for that answer to be delivered first.
        media = isinstance(work, UpdateWork) and endpoint in MEDIA_METHODS and request_data
        if media and isinstance(work, UpdateWork) and work.replies and request_data:
            return 200, self._defer(work, DeferredCall(url, method, request_data, timeouts))
        call = self._inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if endpoint not in BEST_EFFORT_METHODS:
            return await call
        try:
            code, payload = await call
        except TelegramError as error:
            log.info("answering a button press failed (%s); carrying on", error)
            return 200, _OK_TRUE
        if code != 200:
            log.info("Telegram refused a button press answer (HTTP %s); carrying on", code)
            return 200, _OK_TRUE
        return code, payload

    def _capture(self, work: UpdateWork, method: str, params: dict[str, Any]) -> Any:
        """Keep the call for the work's outbox; answer as Telegram would."""
        call = CapturedCall(method, params)
        work.replies.append(call)
        if len(work.replies) == 1:
            work.final_write(self._writer(work), needed=lambda: bool(work.replies))
            if self._send is not None:
                work.after_commit(self._send)
        if method != "sendMessage":
            return True
        self._next_synthetic -= 1
        call.synthetic_id = self._next_synthetic
        chat_id = int(params["chat_id"])
        now = self._clock.now() if self._clock is not None else datetime.now().astimezone()
        return {
            "message_id": call.synthetic_id,
            "date": int(now.timestamp()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "text": params.get("text", ""),
        }

    def _defer(self, work: UpdateWork, call: DeferredCall) -> bytes:
        """Keep a file for after the work's answers; answer as Telegram would."""
        work.deferred.append(call)
        if len(work.deferred) == 1:
            work.after_commit(self._after_answers(work))
        params = call.request_data.parameters
        chat_id = int(str(params.get("chat_id", 0)))
        now = self._clock.now() if self._clock is not None else datetime.now().astimezone()
        result = {
            "message_id": 0,
            "date": int(now.timestamp()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
        }
        return json.dumps({"ok": True, "result": result}).encode()

    def _after_answers(self, work: UpdateWork) -> Callable[[], Awaitable[None]]:
        async def start() -> None:
            if self._background is not None:
                self._background(self._send_deferred(work))

        return start

    async def _send_deferred(self, work: UpdateWork) -> None:
        """Once the work's answers are out, send its files, retrying transient failures."""
        if self._delivered is not None and not await self._delivered(work.reply_ids):
            log.warning(
                "the answers of update %s are not out yet; sending its files", work.update_id
            )
        for call in work.deferred:
            for attempt in range(MEDIA_RETRIES + 1):
                try:
                    code, _ = await self._inner.do_request(
                        call.url, call.method, call.request_data, **call.timeouts
                    )
                except TelegramError as error:
                    code, reason = 0, str(error)
                else:
                    reason = f"HTTP {code}"
                if code == 200 or (400 <= code < 500 and code != 429):
                    if code != 200:
                        log.warning("a file for update %s was refused (%s)", work.update_id, reason)
                    break
                if attempt == MEDIA_RETRIES:
                    log.warning(
                        "a file for update %s could not be sent (%s)", work.update_id, reason
                    )
                    break
                await asyncio.sleep(2**attempt)

    def _writer(self, work: UpdateWork) -> Callable[[Connection], Awaitable[None]]:
        async def write(conn: Connection) -> None:
            await self._write_replies(conn, work)

        return write

    async def _write_replies(self, conn: Connection, work: UpdateWork) -> None:
        """Queue the captured calls at the head of the outbox, in the order they were made."""
        assert self._clock is not None
        now = self._clock.now()
        for call in work.replies:
            params = dict(call.params)
            message_id = params.get("message_id")
            if isinstance(message_id, int) and message_id < 0:  # a message captured earlier
                target = self._sent.get(message_id)
                if target is None:
                    log.info("dropping a %s of a message from before a restart", call.method)
                    continue
                del params["message_id"]
                params["edit_of_outbox"] = target
            outbox_id = await outbox.enqueue(
                conn,
                chat_id=int(params["chat_id"]),
                method=call.method,
                params=params,
                now=now,
                purpose=outbox.ANSWER_PURPOSE,
                priority=REPLY_PRIORITY,
                update_id=work.update_id,
            )
            work.reply_ids.append(outbox_id)
            if call.synthetic_id is not None:
                self._remember(call.synthetic_id, outbox_id)

    def _remember(self, synthetic_id: int, outbox_id: int) -> None:
        self._sent[synthetic_id] = outbox_id
        while len(self._sent) > REMEMBERED_REPLIES:
            self._sent.popitem(last=False)


def crash_after_commit_hook(update_id: int | None) -> Callable[[], Awaitable[None]] | None:
    """Test-only: a hook that SIGKILLs the process after this update commits, if asked to."""
    wanted = os.environ.get(CRASH_AFTER_COMMIT_VARIABLE, "")
    if update_id is None or wanted != str(update_id):
        return None

    async def crash() -> None:
        log.warning("test crash point: killing the process after update %s", update_id)
        os.kill(os.getpid(), signal.SIGKILL)

    return crash
