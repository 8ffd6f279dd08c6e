"""Request lifecycle events: features react to request changes inside the same transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.model.requests import HelpRequest
from storage.database import Tx

# (the transaction, action such as "request.accepted", state before, state after)
RequestListener = Callable[[Tx, str, HelpRequest | None, HelpRequest | None], Awaitable[None]]


class RequestEvents:
    """Tells every subscribed listener about each audited request change, in its transaction."""

    def __init__(self) -> None:
        self._listeners: list[RequestListener] = []

    def subscribe(self, listener: RequestListener) -> None:
        """Call this listener for every request change from now on."""
        self._listeners.append(listener)

    async def publish(
        self,
        tx: Tx,
        action: str,
        before: HelpRequest | None,
        after: HelpRequest | None,
    ) -> None:
        """Run every listener in the caller's transaction (a failure rolls the change back)."""
        for listener in self._listeners:
            await listener(tx, action, before, after)
