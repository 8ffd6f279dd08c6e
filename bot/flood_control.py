"""Per-person flood control: messages and button presses per minute, requests per hour.

Counts live in memory (a restart forgives everyone); requests are counted in the database.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core import Core
from storage import flood_control

WINDOW = timedelta(minutes=1)
REQUEST_WINDOW = timedelta(hours=1)
# Buttons are quick to press and cheap to answer: a guided flow is mostly presses.
PRESSES_PER_MESSAGE = 3
# Updates remembered per person, so a flow switch's second pass is not counted twice.
SEEN_UPDATES = 8
# Forget idle people every so many checks, so memory follows the active few.
PRUNE_EVERY = 1000


class Verdict(StrEnum):
    """What to do with one update."""

    ALLOW = "allow"
    WARN = "warn"  # over the limit for the first time in this window: answer politely once
    DROP = "drop"  # still over the limit: already told, stay quiet


@dataclass
class _Window:
    """One person's recent updates of one kind, and whether they were told."""

    times: deque[datetime] = field(default_factory=deque)
    told: bool = False


@dataclass
class _Person:
    messages: _Window = field(default_factory=_Window)
    presses: _Window = field(default_factory=_Window)
    seen: deque[tuple[int, Verdict]] = field(default_factory=lambda: deque(maxlen=SEEN_UPDATES))


class FloodControl:
    """Decides whether a person's update goes through, by the deployment's tunables."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._people: dict[int, _Person] = {}
        self._checks = 0

    @property
    def messages_per_minute(self) -> int:
        """How many messages a person may send in a minute."""
        return self._core.settings.tunables.messages_per_minute

    @property
    def presses_per_minute(self) -> int:
        """How many button presses a person may make in a minute."""
        return self.messages_per_minute * PRESSES_PER_MESSAGE

    def check(self, telegram_id: int, update_id: int, *, is_press: bool) -> Verdict:
        """Count one update (once, even if handled twice) and judge it against the limit."""
        self._checks += 1
        if self._checks % PRUNE_EVERY == 0:
            self.prune()
        person = self._people.setdefault(telegram_id, _Person())
        for seen_id, verdict in person.seen:
            if seen_id == update_id:  # handled again (a flow switch): same answer, said once
                return Verdict.ALLOW if verdict is Verdict.ALLOW else Verdict.DROP
        verdict = self._judge(person.presses if is_press else person.messages, is_press)
        person.seen.append((update_id, verdict))
        return verdict

    def _judge(self, window: _Window, is_press: bool) -> Verdict:
        now = self._core.clock.now()
        limit = self.presses_per_minute if is_press else self.messages_per_minute
        while window.times and window.times[0] <= now - WINDOW:
            window.times.popleft()
        if len(window.times) < limit:
            window.times.append(now)
            window.told = False
            return Verdict.ALLOW
        if window.told:
            return Verdict.DROP
        window.told = True
        return Verdict.WARN

    async def may_make_request(self, telegram_id: int) -> bool:
        """Whether the person has made fewer requests in the last hour than allowed."""
        since = self._core.clock.now() - REQUEST_WINDOW
        async with self._core.db.read() as conn:
            made = await flood_control.requests_made_since(conn, telegram_id, since)
        return made < self._core.settings.tunables.requests_per_hour

    def forget(self, telegram_id: int) -> None:
        """Drop what is counted about a person (after /forgetme)."""
        self._people.pop(telegram_id, None)

    def forget_where(self, chosen: Callable[[int], bool]) -> None:
        """Drop what is counted about the people `chosen` picks (their chats left this process)."""
        for telegram_id in [t for t in self._people if chosen(t)]:
            del self._people[telegram_id]

    def prune(self) -> int:
        """Drop people with nothing counted in the last minute; returns how many remain."""
        cutoff = self._core.clock.now() - WINDOW
        for telegram_id in [
            t
            for t, p in self._people.items()
            if all(not w.times or w.times[-1] <= cutoff for w in (p.messages, p.presses))
        ]:
            del self._people[telegram_id]
        return len(self._people)
