"""Application assembly: the real PTB Application with rate limiting, defaults and services."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from apscheduler.jobstores.base import JobLookupError
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ApplicationBuilder, Defaults, Job, JobQueue
from telegram.request import BaseRequest

from bot.clock import Clock, SystemClock
from bot.scheduler import Scheduler
from bot.services import Services, build_services
from bot.telegram_sender import TelegramSender
from config.settings import Settings
from handlers import register_all
from handlers.context import CONTEXT_TYPES, AidApplication, AidContext
from handlers.menus import set_command_menus, set_organiser_menus

log = logging.getLogger(__name__)

OUTBOX_RETRY_INTERVAL = timedelta(seconds=10)
RATE_LIMIT_RETRIES = 5
FIRE_JOB_PREFIX = "scheduled-job-"
SWEEP_JOB_NAME = "scheduled-jobs-sweep"


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
) -> AidApplication:
    """Build the Application for these settings; `request` replaces the network (tests, demo)."""
    token = settings.require_token().reveal()
    root = settings.telegram_api_url
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(CONTEXT_TYPES)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.timezone))
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application: AidApplication = builder.build()  # type: ignore[assignment]
    services = build_services(settings, clock or SystemClock(), TelegramSender(application.bot))
    application.bot_data.attach(services)
    register_all(application)
    return application


def services_of(application: AidApplication) -> Services:
    """The services attached to an application."""
    return application.bot_data.services


async def _post_init(application: AidApplication) -> None:
    """Open the database, migrate, set menus, re-arm stored jobs and flush the outbox."""
    services = services_of(application)
    await services.db.open()
    version = await services.db.migrate()
    log.info("database %s at schema version %s", services.db.path, version)
    await set_command_menus(application.bot, services)
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("the job-queue extra of python-telegram-bot is not installed")
    scheduler = services.scheduler
    armed = await scheduler.attach(JobQueueArmer(job_queue, scheduler))
    log.info("armed %s stored jobs due within %s", armed, scheduler.horizon)
    job_queue.run_repeating(
        _drain_outbox, interval=OUTBOX_RETRY_INTERVAL, first=0, name="outbox-retry"
    )
    # Later jobs get their timer when their due time comes within the horizon.
    interval = scheduler.sweep_interval
    job_queue.run_repeating(_sweep_jobs, interval=interval, first=interval, name=SWEEP_JOB_NAME)
    # One call per organiser: done once polling has started, so it never delays start-up.
    job_queue.run_once(_set_organiser_menus, when=0, name="organiser-menus")


async def _drain_outbox(context: AidContext) -> None:
    await context.services.dispatcher.drain_quietly()


async def _set_organiser_menus(context: AidContext) -> None:
    await set_organiser_menus(context.bot, context.services)


async def _sweep_jobs(context: AidContext) -> None:
    await context.services.scheduler.sweep()


async def _post_shutdown(application: AidApplication) -> None:
    """Stop arming timers and close the database."""
    services = services_of(application)
    services.scheduler.detach()
    await services.db.close()


async def start_application(application: AidApplication) -> None:
    """Start without polling, as run_polling would (tests, demo and benchmarks)."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()


async def stop_application(application: AidApplication) -> None:
    """Stop an application started with start_application."""
    if application.running:
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()
