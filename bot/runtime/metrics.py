"""Prometheus metrics for one bot process, in a registry of its own (served at /metrics).

Counters are fed by small wrappers put in at assembly (the outbox's Sender, the network
request) and by the inbox (each handled update); gauges are read from the database at
scrape time (storage.metrics). The domain knows nothing of them.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from telegram.request import BaseRequest, RequestData

from bot.clock import Clock
from bot.delivery.dispatch import (
    ChatMovedError,
    PermanentSendError,
    Sender,
    TransientSendError,
)
from bot.runtime.wrapped_request import WrappedRequest
from storage import metrics as stored
from storage.database import Database

CONTENT_TYPE = CONTENT_TYPE_LATEST
SEND_RESULTS = ("sent", "retry", "failed", "moved")
# Handling one update: a few milliseconds usually, seconds when the database is busy.
HANDLING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class RuntimeMetrics:
    """The process's counters, histogram and gauges, and their text exposition."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.updates_handled = Counter(
            "mutual_aid_updates_handled", "Updates handled (effects committed)", registry=registry
        )
        self.handling_seconds = Histogram(
            "mutual_aid_update_handling_seconds",
            "Time to handle one update, its commit included",
            buckets=HANDLING_BUCKETS,
            registry=registry,
        )
        self.sends = Counter(
            "mutual_aid_sends",
            "Outbox calls to the Bot API, by result",
            ["result"],
            registry=registry,
        )
        for result in SEND_RESULTS:
            self.sends.labels(result=result)
        self.too_many_requests = Counter(
            "mutual_aid_telegram_429",
            "Bot API answers 429 Too Many Requests",
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "mutual_aid_outbox_pending", "Outbox calls not sent yet", registry=registry
        )
        self.jobs_due = Gauge(
            "mutual_aid_scheduled_jobs_due", "Pending scheduled jobs already due", registry=registry
        )
        self.open_requests = Gauge(
            "mutual_aid_open_requests", "Help requests with status open", registry=registry
        )
        self.open_escalations = Gauge(
            "mutual_aid_open_escalations",
            "Check-in escalations without an outcome",
            registry=registry,
        )
        self.partition_leases = Gauge(
            "mutual_aid_partition_leases",
            "Inbox partitions this process holds a lease on (several processes)",
            registry=registry,
        )
        self.outbox_sender = Gauge(
            "mutual_aid_outbox_sender",
            "1 on the process elected to send the outbox (several processes), else 0",
            registry=registry,
        )
        self.gauges_read = Gauge(
            "mutual_aid_gauges_read_ok",
            "1 if the gauges were read from the database at this scrape, 0 if they are stale",
            registry=registry,
        )

    def handled(self, seconds: float) -> None:
        """Count one handled update and how long it took."""
        self.updates_handled.inc()
        self.handling_seconds.observe(seconds)

    async def refresh(self, db: Database, clock: Clock) -> None:
        """Read the gauges from the database (at scrape time)."""
        async with db.read() as conn:
            gauges = await stored.gauges(conn, clock.now())
        self.outbox_pending.set(gauges.outbox_pending)
        self.jobs_due.set(gauges.jobs_due)
        self.open_requests.set(gauges.open_requests)
        self.open_escalations.set(gauges.open_escalations)

    def render(self) -> bytes:
        """Every metric in Prometheus's text format."""
        return generate_latest(self.registry)

    def counting_sender(self, sender: Sender) -> Sender:
        """The outbox's sender, counting each call's result."""
        return CountingSender(sender, self.sends)

    def counting_request(self, request: BaseRequest) -> BaseRequest:
        """The network request, counting 429 answers."""
        return CountingRequest(request, self.too_many_requests)


class CountingSender:
    """A Sender that counts the results of the calls it passes on."""

    def __init__(self, inner: Sender, sends: Counter) -> None:
        self._inner = inner
        self._sends = sends

    async def call(self, method: str, params: dict[str, Any], priority: int = 1) -> int | None:
        """Make the call and count it as sent, retry, failed or moved."""
        result = "sent"
        try:
            return await self._inner.call(method, params, priority)
        except TransientSendError:
            result = "retry"
            raise
        except PermanentSendError:
            result = "failed"
            raise
        except ChatMovedError:
            result = "moved"
            raise
        finally:
            self._sends.labels(result=result).inc()


class CountingRequest(WrappedRequest):
    """Wraps the network and counts the Bot API's 429 answers."""

    def __init__(self, inner: BaseRequest, too_many: Counter) -> None:
        super().__init__(inner)
        self._too_many = too_many

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
        """Pass the call on; count it if Telegram answered 429."""
        code, payload = await self._inner.do_request(
            url,
            method,
            request_data=request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if code == 429:
            self._too_many.inc()
        return code, payload
