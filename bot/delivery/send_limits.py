"""Telegram's send limits as sliding windows, with priorities: one place for the rules.

Telegram allows about 30 messages a second overall, about one a second in a private chat (a
short burst is tolerated) and 20 a minute in a group, and answers 429 with retry_after beyond
that. A fixed-rate bucket lets a burst through at once and then refills, so a busy second can
carry twice the limit; sliding windows never do. A call counts from when it leaves (calls
admitted together leave in turn), and each window holds a small safety margin, because a call
that leaves here reaches Telegram a moment later.

A call waits for a slot in every window it falls in (overall; its chat's), and waiting calls go
in priority order: the answer to the person who acted and urgent messages first, broadcasts
last. A 429 pauses only what it applies to: its chat, or everything when it named no chat.
The state is kept in memory for one process; `SendLimits` is the seam where a shared (database)
implementation would go for several processes.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

OVERALL_PER_SECOND = 30
PRIVATE_BURST = 3  # at most 3 in any 3 seconds: one a second, with a short burst
PRIVATE_PERIOD = 3.0
GROUP_PER_MINUTE = 20
SAFETY = 1.02  # windows 2% longer than Telegram's, for the time a call takes to arrive


class SlidingWindow:
    """At most `limit` events in any `period` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._times: list[float] = []  # ascending

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0 if it fits now)."""
        del self._times[: bisect.bisect_right(self._times, now - self.period)]
        if len(self._times) < self.limit:
            return 0.0
        return self._times[len(self._times) - self.limit] + self.period - now

    def record(self, now: float) -> None:
        """Count one event at `now`."""
        bisect.insort(self._times, now)

    def moved(self, recorded: float, happened: float) -> None:
        """An event counted at `recorded` happened later, at `happened`: count it then."""
        index = bisect.bisect_left(self._times, recorded)
        if index < len(self._times) and self._times[index] == recorded:
            del self._times[index]
        bisect.insort(self._times, happened)

    @property
    def idle(self) -> bool:
        """Whether the window has forgotten every event (it can be dropped)."""
        return not self._times


@dataclass(order=True)
class _Waiter:
    priority: int
    sequence: int
    chat_id: int | None = field(compare=False)
    counts_in_chat: bool = field(compare=False)
    ready: asyncio.Future[None] = field(compare=False)
    admitted_at: float | None = field(default=None, compare=False)


class SendLimits:
    """Admits calls under Telegram's limits, most urgent first; see the module docstring."""

    def __init__(
        self,
        *,
        overall_per_second: int = OVERALL_PER_SECOND,
        private_burst: int = PRIVATE_BURST,
        private_period: float = PRIVATE_PERIOD,
        group_per_minute: int = GROUP_PER_MINUTE,
        safety: float = SAFETY,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._overall = SlidingWindow(overall_per_second, 1.0 * safety)
        self._private = (private_burst, private_period * safety)
        self._group = (group_per_minute, 60.0 * safety)
        self._chats: dict[int, SlidingWindow] = {}
        self._paused: dict[int | None, float] = {}  # chat (None: everything) -> until
        self._waiting: list[_Waiter] = []
        self._sequence = itertools.count()
        self._clock = clock
        self._timer: asyncio.TimerHandle | None = None
        self.admitted = 0

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def acquire(self, chat_id: int | None, priority: int, *, in_chat: bool = True) -> None:
        """Wait for a slot; `in_chat` False counts the call overall (and in groups) only."""
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(priority, next(self._sequence), chat_id, in_chat, ready)
        heapq.heappush(self._waiting, waiter)
        self._pump()
        try:
            await ready
        except asyncio.CancelledError:
            if not ready.done() or ready.cancelled():
                self._waiting = [w for w in self._waiting if w is not waiter]
                heapq.heapify(self._waiting)
            raise
        self._leaving(waiter)

    def _leaving(self, waiter: _Waiter) -> None:
        """Count the call when it leaves, not when it was admitted.

        Calls admitted together leave one after another (the loop runs them in turn); counted
        at admission, a late one would let the next second's calls crowd it at Telegram.
        """
        admitted, now = waiter.admitted_at, self._now()
        if admitted is None or now <= admitted:
            return
        self._overall.moved(admitted, now)
        if waiter.chat_id is not None and self._counts_in_chat(waiter):
            self._window_of(waiter.chat_id).moved(admitted, now)

    def pause(self, chat_id: int | None, seconds: float) -> None:
        """Telegram said 429: hold this chat (or everything, for None) for `seconds`."""
        until = self._now() + seconds
        self._paused[chat_id] = max(self._paused.get(chat_id, 0.0), until)
        self._pump()

    @property
    def waiting(self) -> int:
        """How many calls wait for a slot."""
        return len(self._waiting)

    def _pump(self) -> None:
        """Admit every waiter that fits now, most urgent first; time the next look."""
        now = self._now()
        next_look: float | None = None
        held: list[_Waiter] = []
        while self._waiting:
            waiter = heapq.heappop(self._waiting)
            if waiter.ready.done():  # cancelled while waiting
                continue
            overall = max(self._overall.wait(now), self._paused_for(None, now))
            if overall > 0:  # nobody fits until the overall window moves
                held.append(waiter)
                next_look = overall if next_look is None else min(next_look, overall)
                break
            chat_wait = self._chat_wait(waiter, now)
            if chat_wait > 0:  # only this chat is full: others may go
                held.append(waiter)
                next_look = chat_wait if next_look is None else min(next_look, chat_wait)
                continue
            self._admit(waiter, now)
        for waiter in held:
            heapq.heappush(self._waiting, waiter)
        self._arm(next_look)

    def _chat_wait(self, waiter: _Waiter, now: float) -> float:
        """How long the waiter's chat makes it wait (0: it fits)."""
        if waiter.chat_id is None:
            return 0.0
        paused = self._paused_for(waiter.chat_id, now)
        if not self._counts_in_chat(waiter):
            return paused
        return max(paused, self._window_of(waiter.chat_id).wait(now))

    def _counts_in_chat(self, waiter: _Waiter) -> bool:
        """Groups count every call; a private chat only new messages."""
        return waiter.chat_id is not None and (waiter.counts_in_chat or waiter.chat_id < 0)

    def _admit(self, waiter: _Waiter, now: float) -> None:
        self._overall.record(now)
        if waiter.chat_id is not None and self._counts_in_chat(waiter):
            self._window_of(waiter.chat_id).record(now)
        self.admitted += 1
        waiter.admitted_at = now
        waiter.ready.set_result(None)

    def _paused_for(self, chat_id: int | None, now: float) -> float:
        until = self._paused.get(chat_id)
        if until is None:
            return 0.0
        if until <= now:
            del self._paused[chat_id]
            return 0.0
        return until - now

    def _window_of(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) > 10_000:  # forget chats whose windows are empty
                self._chats = {c: w for c, w in self._chats.items() if not w.idle}
            limit, period = self._group if chat_id < 0 else self._private
            window = self._chats[chat_id] = SlidingWindow(limit, period)
        return window

    def _arm(self, delay: float | None) -> None:
        """Look again after `delay` seconds (the earliest a held waiter can go)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if delay is not None:
            self._timer = asyncio.get_running_loop().call_later(delay + 0.001, self._pump)


def unlimited() -> SendLimits:
    """Limits that never hold a call: for an offline Telegram that enforces none.

    For tests that are not about limits, the demo and the handling benchmarks.
    """
    return SendLimits(
        overall_per_second=10**9, private_burst=10**9, group_per_minute=10**9, safety=1.0
    )
