"""A Bot API request that wraps another: the base of the network wrappers (capture, metrics)."""

from __future__ import annotations

from telegram.request import BaseRequest


class WrappedRequest(BaseRequest):
    """Delegates the request's life cycle to the wrapped one; subclasses define do_request."""

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner

    @property
    def read_timeout(self) -> float | None:
        """The wrapped request's read timeout."""
        return self._inner.read_timeout

    async def initialize(self) -> None:
        """Initialize the wrapped request."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Shut the wrapped request down."""
        await self._inner.shutdown()
