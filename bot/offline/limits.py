"""An offline Telegram that enforces Telegram's send limits and answers 429 as Telegram does."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.offline.fake_bot_api import FakeTelegram
from bot.offline.support import ApiCall, chat_id_of, decode
from bot.offline.telegram_html import ApiError

# Calls that put a new message into a chat; edits are counted too when asked to.
MESSAGE_METHODS = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})
EDIT_METHODS = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup"}
)


# Written again on purpose, not imported from bot.delivery.send_limits: the fake is the judge of
# the bot's limiter, so a mistake in one must not be copied into the other.
class SlidingWindow:
    """At most `limit` events in any `period` seconds, on a monotonic clock."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0 if it fits now)."""
        while self._times and self._times[0] <= now - self.period:
            self._times.popleft()
        if len(self._times) < self.limit:
            return 0.0
        return self._times[len(self._times) - self.limit] + self.period - now

    def record(self, now: float) -> None:
        """Count one event at `now`."""
        self._times.append(now)


class LimitedFakeTelegram(FakeTelegram):
    """FakeTelegram that refuses calls over Telegram's flood limits with HTTP 429.

    Limits, each a sliding window on time.monotonic() (or the `now` given): about 30 messages
    per second overall; 1 per second in a private chat, tolerating a burst of 3 (at most 3 in
    any 3 seconds); 20 per minute in a group (any negative chat id). Only message-sending calls
    count (and edits, with `count_edits`); a refused call is recorded in `calls` with its error
    and counted in `too_many`, and changes nothing.
    """

    def __init__(
        self,
        *,
        overall_per_second: int = 30,
        private_burst: int = 3,
        private_per_second: float = 1.0,
        group_per_minute: int = 20,
        count_edits: bool = False,
        latency: float = 0.0,
        now: Callable[[], float] = time.monotonic,
        **fake_args: Any,
    ) -> None:
        super().__init__(**fake_args)
        self.too_many = 0
        self.refused: list[tuple[str, int | None, int]] = []  # (method, chat id, retry_after)
        self.admitted: list[tuple[float, int | None]] = []  # (monotonic time, chat id)
        self.count_edits = count_edits
        self.latency = latency
        self._now = now
        self._overall = SlidingWindow(overall_per_second, 1.0)
        self._private_window = (private_burst, private_burst / private_per_second)
        self._group_window = (group_per_minute, 60.0)
        self._windows: dict[int, SlidingWindow] = {}

    def counts(self, method: str) -> bool:
        """Whether a call of this method counts against the message limits."""
        if method.startswith("send") and method != "sendChatAction":
            return True
        return method in MESSAGE_METHODS or (self.count_edits and method in EDIT_METHODS)

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
        """Answer 429 if the call would exceed a limit, else as FakeTelegram does."""
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        if self.counts(api_method):
            params, _ = decode(request_data)
            refusal = self._admit(api_method, chat_id_of(params))
            if refusal is not None:
                self.calls.append(ApiCall(api_method, params, error=refusal.description))
                await self._travel(api_method)
                return refusal.code, refusal.payload()
        answer = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        await self._travel(api_method)
        return answer

    async def _travel(self, method: str) -> None:
        """Wait for the answer's way back, if a latency is set (long polls wait anyway)."""
        if self.latency and method != "getUpdates":
            await asyncio.sleep(self.latency)

    def _admit(self, method: str, chat_id: int | None) -> ApiError | None:
        """Count the call in every window it falls in, or return the 429 that refuses it."""
        now = self._now()
        windows = [self._overall]
        if chat_id is not None:
            windows.append(self._chat_window(chat_id))
        wait = max(window.wait(now) for window in windows)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))  # Telegram answers whole seconds
            self.too_many += 1
            self.refused.append((method, chat_id, retry_after))
            return ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        for window in windows:
            window.record(now)
        self.admitted.append((now, chat_id))
        return None

    def _chat_window(self, chat_id: int) -> SlidingWindow:
        """The window of one chat: a private chat's or a group's."""
        window = self._windows.get(chat_id)
        if window is None:
            limit, period = self._group_window if chat_id < 0 else self._private_window
            window = self._windows[chat_id] = SlidingWindow(limit, period)
        return window
