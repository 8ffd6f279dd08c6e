"""Application assembly: the real PTB Application with rate limiting, defaults and services."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.jobstores.base import JobLookupError
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import ApplicationBuilder, BaseRateLimiter, Defaults, Job, JobQueue
from telegram.request import BaseRequest, HTTPXRequest

from bot.clock import Clock, SystemClock
from bot.delivery.send_limits import SendLimits
from bot.runtime.cluster import ClusterMember
from bot.runtime.persistence import DatabasePersistence
from bot.runtime.services import Services, build_services
from bot.runtime.telegram_limiter import SlidingWindowRateLimiter
from bot.runtime.telegram_sender import TelegramSender
from bot.runtime.update_pipeline import CapturingRequest
from bot.runtime.updates_poller import Backoff, InboxShare, UpdateInbox
from bot.scheduler import Scheduler
from config import i18n
from config.settings import Settings
from handlers import chat_migration, register_all
from handlers.context import (
    CONTEXT_TYPES,
    AidApplication,
    AidContext,
    LanguageScopedApplication,
)
from handlers.menus import set_command_menus, set_organiser_menus

if TYPE_CHECKING:
    from bot.runtime.metrics import RuntimeMetrics

log = logging.getLogger(__name__)

# How often the outbox is looked at for calls whose back-off has passed (a cheap query).
OUTBOX_RETRY_INTERVAL = timedelta(seconds=2)
DELIVERY_REPORT_INTERVAL = timedelta(minutes=10)
DUE_QUEUE_INTERVAL = timedelta(seconds=1)  # several processes: how often each looks for due jobs
CONNECTION_POOL_SIZE = 256  # PTB's default for the main request
FIRE_JOB_PREFIX = "scheduled-job-"
SWEEP_JOB_NAME = "scheduled-jobs-sweep"
MENUS_JOB_NAME = "command-menus"


class LateJobsRunQueue(JobQueue[AidContext]):
    """PTB's JobQueue, except that a job that fell due while start-up was slow still runs.

    APScheduler drops a run more than a second late by default; a start-up that waits for the
    Bot API (or migrates a large database) would then silently skip jobs set for `when=0`.
    """

    @property
    def scheduler_configuration(self) -> dict[str, Any]:
        """The scheduler's settings, with late runs kept (and collapsed into one)."""
        configuration = dict(super().scheduler_configuration)
        configuration["job_defaults"] = {"misfire_grace_time": None, "coalesce": True}
        return configuration


class JobQueueArmer:
    """Arms the scheduler store's timers on PTB's JobQueue (APScheduler underneath)."""

    def __init__(self, job_queue: JobQueue[AidContext], scheduler: Scheduler) -> None:
        self._job_queue = job_queue
        self._scheduler = scheduler
        # Our own index of timers: JobQueue.get_jobs_by_name scans every job.
        self._timers: dict[int, list[Job[AidContext]]] = {}

    def arm(self, job_id: int, delay_seconds: float) -> None:
        """Call the scheduler back for this job after the delay."""
        timer = self._job_queue.run_once(
            self._fire, when=delay_seconds, data=job_id, name=f"{FIRE_JOB_PREFIX}{job_id}"
        )
        self._timers.setdefault(job_id, []).append(timer)

    def disarm(self, job_id: int) -> None:
        """Drop the timers for this job."""
        for timer in self._timers.pop(job_id, []):
            with contextlib.suppress(JobLookupError):  # it may have run already
                timer.schedule_removal()

    async def _fire(self, context: AidContext) -> None:
        if context.job is not None and isinstance(context.job.data, int):
            timers = self._timers.get(context.job.data, [])
            if context.job in timers:
                timers.remove(context.job)
                if not timers:
                    self._timers.pop(context.job.data, None)
            await self._scheduler.fire(context.job.data)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
    limits: SendLimits | None = None,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    metrics: RuntimeMetrics | None = None,
    several_processes: bool = False,
) -> AidApplication:
    """Build the Application for these settings; `request` replaces the network (tests, demo).

    `limits` replaces Telegram's send limits (bot.delivery.send_limits), for an offline Telegram;
    `rate_limiter` replaces the limiter itself (a benchmark's baseline); `metrics` counts sends
    and 429s (bot.runtime.metrics); `several_processes` when others share the database.
    """
    token = settings.require_token().reveal()
    i18n.load_catalogs()  # a missing compiled catalog stops start-up, not a reply
    root = settings.telegram_api_url
    persistence = DatabasePersistence()
    limiter = SlidingWindowRateLimiter(limits)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(CONTEXT_TYPES)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.timezone))
        .rate_limiter(rate_limiter or limiter)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .persistence(persistence)
        .job_queue(LateJobsRunQueue())
        .application_class(LanguageScopedApplication)
    )
    # Replies made while an update is handled are captured into its unit of work.
    network = (
        request if request is not None else HTTPXRequest(connection_pool_size=CONNECTION_POOL_SIZE)
    )
    capturing = CapturingRequest(
        metrics.counting_request(network) if metrics is not None else network
    )
    builder = builder.request(capturing)
    if request is not None:
        builder = builder.get_updates_request(request)
    application: AidApplication = builder.build()  # type: ignore[assignment]
    sender = TelegramSender(application.bot)
    counted = metrics.counting_sender(sender) if metrics is not None else sender
    services = build_services(settings, clock or SystemClock(), counted)
    services.several_processes = several_processes
    capturing.attach(
        services.db,
        services.clock,
        services.dispatcher.kick,
        services.dispatcher.delivered,
        application.run_background,
    )
    limiter.bypass_when(capturing.captures)
    application.bot_data.attach(services)
    persistence.attach(services.db, lambda: _open_database(services))
    chat_migration.register(application)
    register_all(application)
    return application


def update_inbox(
    application: AidApplication,
    on_handled: Callable[[float], None] | None = None,
    share: InboxShare | None = None,
) -> UpdateInbox:
    """The exactly-once inbox that handles this application's updates (runtime.updates_poller).

    `on_handled` is told how many seconds each handled update took (bot.runtime.metrics);
    `share` is this process's part when several share the inbox (bot.runtime.cluster).
    """
    services = services_of(application)
    return UpdateInbox(
        application, services.db, _persistence_of(application), services.clock, on_handled, share
    )


def cluster_member(application: AidApplication, metrics: RuntimeMetrics) -> ClusterMember:
    """The process's part in a cluster of processes sharing one PostgreSQL database."""
    services = services_of(application)
    return ClusterMember(application, services, _persistence_of(application), metrics)


def _persistence_of(application: AidApplication) -> DatabasePersistence:
    persistence = application.persistence
    if not isinstance(persistence, DatabasePersistence):
        raise RuntimeError("the application was not built by build_application")
    return persistence


async def _open_database(services: Services) -> None:
    """Open and migrate the database (idempotent: persistence needs it before post_init)."""
    await services.db.open()
    await services.db.migrate()
    await services.care.record_quiet_defaults()


def services_of(application: AidApplication) -> Services:
    """The services attached to an application."""
    return application.bot_data.services


async def _post_init(application: AidApplication) -> None:
    """Open the database, migrate, set menus, re-arm stored jobs and flush the outbox."""
    services = services_of(application)
    await _open_database(services)
    version = await services.db.schema_version()
    log.info("database %s at schema version %s", services.db.describe(), version)
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("the job-queue extra of python-telegram-bot is not installed")
    if not await _try_command_menus(application.bot, services):
        job_queue.run_once(_retry_command_menus, when=0, data=Backoff(), name=MENUS_JOB_NAME)
    if services.several_processes:
        # Whichever process is free claims due jobs from the database; the elected sender
        # (bot.runtime.cluster) resends what its predecessor had in flight.
        job_queue.run_repeating(
            _claim_due_jobs, interval=DUE_QUEUE_INTERVAL, first=0, name="due-queue"
        )
    else:
        await services.dispatcher.in_flight_at_last_stop()
        await _arm_stored_jobs(job_queue, services)
    job_queue.run_repeating(
        _drain_outbox, interval=OUTBOX_RETRY_INTERVAL, first=0, name="outbox-retry"
    )
    job_queue.run_repeating(
        _report_delivery_trouble,
        interval=DELIVERY_REPORT_INTERVAL,
        first=DELIVERY_REPORT_INTERVAL,
        name="delivery-report",
    )
    # One call per organiser: done once polling has started, so it never delays start-up.
    job_queue.run_once(_set_organiser_menus, when=0, name="organiser-menus")


async def _arm_stored_jobs(job_queue: JobQueue[AidContext], services: Services) -> None:
    """One process: arm timers for the jobs due soon; a sweep arms later ones as they near."""
    scheduler = services.scheduler
    armed = await scheduler.attach(JobQueueArmer(job_queue, scheduler))
    log.info("armed %s stored jobs due within %s", armed, scheduler.horizon)
    interval = scheduler.sweep_interval
    job_queue.run_repeating(_sweep_jobs, interval=interval, first=interval, name=SWEEP_JOB_NAME)


async def _claim_due_jobs(context: AidContext) -> None:
    await context.services.scheduler.claim_due()


async def _try_command_menus(bot: object, services: Services) -> bool:
    """Set the command menus; False (logged) while the Bot API is down or failing."""
    try:
        await set_command_menus(bot, services)  # type: ignore[arg-type]
    except InvalidToken:
        raise
    except TelegramError as error:
        log.warning("could not set the command menus (%s); will retry", error)
        return False
    return True


async def _retry_command_menus(context: AidContext) -> None:
    """Retry setting the menus with back-off until the Bot API accepts them."""
    backoff = context.job.data if context.job is not None else None
    if not isinstance(backoff, Backoff):
        backoff = Backoff()
    delay = backoff.next_delay()
    if await _try_command_menus(context.bot, context.services):
        log.info("command menus set")
        return
    if context.job_queue is not None:
        context.job_queue.run_once(
            _retry_command_menus, when=delay, data=backoff, name=MENUS_JOB_NAME
        )


async def _drain_outbox(context: AidContext) -> None:
    await context.services.dispatcher.drain_quietly()


async def _report_delivery_trouble(context: AidContext) -> None:
    services = context.services
    if await services.delivery_reports.report_if_due():
        await services.dispatcher.drain_quietly()


async def _set_organiser_menus(context: AidContext) -> None:
    await set_organiser_menus(context.bot, context.services)


async def _sweep_jobs(context: AidContext) -> None:
    await context.services.scheduler.sweep()


async def _post_shutdown(application: AidApplication) -> None:
    """Stop arming timers and close the database."""
    services = services_of(application)
    services.scheduler.detach()
    await services.dispatcher.stop()
    await services.db.close()


async def settle(application: AidApplication) -> None:
    """Wait for what handled updates started in the background: broadcasts, outbox drains."""
    background: set[asyncio.Task[Any]] = getattr(application, "background", set())
    while background:
        await asyncio.gather(*background, return_exceptions=True)
    await services_of(application).dispatcher.settle()


async def start_application(application: AidApplication) -> None:
    """Start without polling, as run_polling would (tests, demo and benchmarks)."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()


async def stop_application(application: AidApplication) -> None:
    """Stop an application started with start_application (persistence flushed, then closed)."""
    if application.running:
        await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
