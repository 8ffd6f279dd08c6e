"""Webhook mode (`run --webhook`) and the HTTP endpoints: /healthz, /metrics.

Telegram posts each update to WEBHOOK_PATH with the secret given to setWebhook in the
X-Telegram-Bot-Api-Secret-Token header. A call without the right secret is refused (403)
before its body is read. A good one is stored in the inbox and committed before it is
answered 200, so an update Telegram saw accepted is never lost; the inbox is then drained
by the same exactly-once code as polling (bot.runtime.updates_poller.UpdateInbox). Plain
HTTP: a TLS proxy sits in front. The webhook is left in place when the bot stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from typing import Any

from aiohttp import web

from bot.clock import Clock
from bot.runtime.app import services_of
from bot.runtime.cluster import ClusterMember
from bot.runtime.metrics import CONTENT_TYPE, RuntimeMetrics
from bot.runtime.updates_poller import ALLOWED_UPDATES, Mode, UpdateInbox, poll, retry_until_stopped
from config.settings import ConfigError, Settings
from handlers.context import AidApplication
from storage import metrics as stored
from storage.database import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT_SECONDS = 2.0
# The drainer also wakes this often without a new update (pruning the inbox).
IDLE_WAKE_SECONDS = 60.0
CLUSTER_IDLE_WAKE_SECONDS = 1.0


class WebhookReceiver:
    """Stores each update Telegram posts (secret checked first) and wakes the drainer."""

    def __init__(
        self, updates: UpdateInbox, secret: str, arrived: asyncio.Event | None = None
    ) -> None:
        self._updates = updates
        self._secret = secret.encode()
        self.arrived = arrived or asyncio.Event()
        self.stored = 0

    async def receive(self, request: web.Request) -> web.Response:
        """Check the secret, store the update and commit; only then answer 200."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="forbidden")
        update = _parse_update(await request.read())
        if update is None:
            return web.Response(status=400, text="not an update")
        try:
            self.stored += await self._updates.receive([update])
        except Exception:
            log.exception("webhook update %s could not be stored", update["update_id"])
            return web.Response(status=503, text="not stored")  # Telegram sends it again
        self.arrived.set()
        return web.Response(text="ok")


def _parse_update(body: bytes) -> dict[str, Any] | None:
    """The update in a webhook body: a JSON object with an int update_id, else None."""
    try:
        update = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(update, dict):
        return None
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    return update


class Endpoints:
    """/healthz and /metrics on the running bot's database."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        metrics: RuntimeMetrics,
        member: ClusterMember | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._metrics = metrics
        self._member = member

    async def healthz(self, request: web.Request) -> web.Response:
        """200 `ok` if the database answers SELECT 1 within 2 s (and leases are renewed)."""
        if self._member is not None and not self._member.healthy():
            return web.Response(status=503, text="leases: not renewed within the lease time")
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS), self._db.read() as conn:
                answered = await stored.ping(conn)
        except TimeoutError:
            return web.Response(status=503, text="database: no answer within 2 s")
        except Exception as error:
            return web.Response(status=503, text=f"database: {type(error).__name__}")
        return web.Response(text="ok") if answered else web.Response(status=503, text="database")

    async def metrics(self, request: web.Request) -> web.Response:
        """Prometheus text; the gauges read now (stale, and gauges_read_ok 0, if that fails)."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                await self._metrics.refresh(self._db, self._clock)
            self._metrics.gauges_read.set(1)
        except Exception as error:
            log.warning("metrics: could not read the gauges (%s)", type(error).__name__)
            self._metrics.gauges_read.set(0)
        return web.Response(body=self._metrics.render(), headers={"Content-Type": CONTENT_TYPE})


def http_app(
    endpoints: Endpoints, receiver: WebhookReceiver | None = None, path: str = ""
) -> web.Application:
    """The aiohttp app: /healthz, /metrics, and the webhook at `path` when given a receiver."""
    app = web.Application()
    app.router.add_get("/healthz", endpoints.healthz)
    app.router.add_get("/metrics", endpoints.metrics)
    if receiver is not None:
        app.router.add_post(path, receiver.receive)
    return app


async def start_http(app: web.Application, host: str, port: int, setting: str) -> web.AppRunner:
    """Listen on host:port; ConfigError naming `setting` if that is impossible."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, shutdown_timeout=5.0).start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError(setting, f"cannot listen on {host}:{port} ({error.strerror})") from None
    log.info("HTTP server on %s:%s (/healthz, /metrics)", host, port)
    return runner


async def drain_until_stopped(
    updates: UpdateInbox,
    arrived: asyncio.Event,
    stop: asyncio.Event,
    idle_wake: float = IDLE_WAKE_SECONDS,
) -> None:
    """Handle what the webhook stores, in order, exactly once, until `stop` is set."""
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            woke = asyncio.ensure_future(arrived.wait())
            await asyncio.wait({woke, stopped}, timeout=idle_wake, return_when="FIRST_COMPLETED")
            woke.cancel()
            if stop.is_set():
                return
            arrived.clear()
            await updates.handle_pending()
            await updates.prune_if_due()
    finally:
        stopped.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopped


def webhook_mode(
    settings: Settings, metrics: RuntimeMetrics, member: ClusterMember | None = None
) -> Mode:
    """Receive updates by webhook: serve it, set it at Telegram, drain the inbox until stopped.

    With a cluster `member`, this process handles only the partitions it holds and keeps its
    leases and the sender's election going meanwhile (bot.runtime.cluster).
    """
    url, secret = settings.require_webhook()

    async def run(application: AidApplication, updates: UpdateInbox, stop: asyncio.Event) -> None:
        services = services_of(application)
        arrived = member.arrived if member is not None else None
        receiver = WebhookReceiver(updates, secret.reveal(), arrived)
        endpoints = Endpoints(services.db, services.clock, metrics, member)
        app = http_app(endpoints, receiver, settings.webhook_path)
        runner = await start_http(app, settings.webhook_host, settings.webhook_port, "WEBHOOK_PORT")
        keeping: asyncio.Task[None] | None = None
        try:
            if member is not None:
                await member.heartbeat()  # take a share of the partitions before recovering
                keeping = asyncio.ensure_future(member.run(stop))
            await updates.recover()

            async def set_webhook() -> None:
                await application.bot.set_webhook(
                    url=url,
                    secret_token=secret.reveal(),
                    allowed_updates=ALLOWED_UPDATES,
                    drop_pending_updates=False,
                )

            if not await retry_until_stopped(set_webhook, stop, "setWebhook failed"):
                return
            log.info("webhook set; receiving updates at %s", settings.webhook_path)
            # Several processes: also look now and then, in case a notification went astray.
            idle = IDLE_WAKE_SECONDS if member is None else CLUSTER_IDLE_WAKE_SECONDS
            await drain_until_stopped(updates, receiver.arrived, stop, idle)
        finally:
            if keeping is not None:
                stop.set()
                await keeping
            if member is not None:
                await member.leave()
            await runner.cleanup()  # the webhook stays set: Telegram keeps updates meanwhile

    return run


def polling_with_http(settings: Settings, metrics: RuntimeMetrics, port: int) -> Mode:
    """Long polling, with /healthz and /metrics served on HTTP_PORT meanwhile."""

    async def run(application: AidApplication, updates: UpdateInbox, stop: asyncio.Event) -> None:
        services = services_of(application)
        app = http_app(Endpoints(services.db, services.clock, metrics))
        runner = await start_http(app, settings.webhook_host, port, "HTTP_PORT")
        try:
            await poll(application, updates, stop)
        finally:
            await runner.cleanup()

    return run
