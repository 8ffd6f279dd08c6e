"""PTB's rate-limiter seam, holding every call to Telegram's limits (bot.delivery.send_limits).

Outbox calls (which pass `rate_limit_args` with their priority) are not retried here on a
429: the limiter pauses the chat and the outbox holds the call for Telegram's retry_after, so
a lane is never blocked. Other calls made directly (a document, a chart, a command menu) are
retried here a few times after the pause. Calls that an update's unit of work captures
(its answer, written to the outbox) do not reach the network and pass straight through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.delivery.send_limits import SendLimits

log = logging.getLogger(__name__)

DIRECT_RETRIES = 3
DEFAULT_PRIORITY = 1
# Calls that put a message into a chat (counted in every window) and edits (counted overall
# and in groups only).
_EDITS = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup"}
)
_MESSAGES = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})

RateLimitArgs = dict[str, Any]


def counts_against_limits(endpoint: str) -> bool:
    """Whether a Bot API method counts against Telegram's message limits."""
    new_message = endpoint.startswith("send") and endpoint != "sendChatAction"
    return new_message or endpoint in _MESSAGES or endpoint in _EDITS


class SlidingWindowRateLimiter(BaseRateLimiter[RateLimitArgs]):
    """Admits message calls under SendLimits; urgent first; 429 pauses only its chat."""

    def __init__(self, limits: SendLimits | None = None) -> None:
        self.limits = limits or SendLimits()
        self._bypass: Callable[[str], bool] = lambda endpoint: False

    def bypass_when(self, captured: Callable[[str], bool]) -> None:
        """Let through, unlimited, the calls `captured(endpoint)` says never reach Telegram."""
        self._bypass = captured

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[Any] | None]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | dict[str, Any] | list[Any] | None:
        """Wait for a slot, make the call, and on a 429 pause what it applies to."""
        if not counts_against_limits(endpoint) or self._bypass(endpoint):
            return await callback(*args, **kwargs)
        chat_id = _chat(data.get("chat_id"))
        from_outbox = rate_limit_args is not None
        priority = int((rate_limit_args or {}).get("priority", DEFAULT_PRIORITY))
        retries = 0 if from_outbox else DIRECT_RETRIES
        for attempt in range(retries + 1):
            await self.limits.acquire(chat_id, priority, in_chat=endpoint not in _EDITS)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = _seconds(error)
                log.info("429 for chat %s: pausing it for %.0fs", chat_id, seconds)
                self.limits.pause(chat_id, seconds)
                if attempt == retries:
                    raise
        raise AssertionError("unreachable")


def _chat(value: object) -> int | None:
    """A numeric chat id, or None (no chat, or a @channel username)."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
