"""The services one running bot shares, built once and handed to every handler."""

from __future__ import annotations

from dataclasses import dataclass

from bot.care.care_service import Care
from bot.clock import Clock
from bot.core import Core
from bot.delivery.dispatch import OutboxDispatcher, Sender
from bot.delivery.reports import DeliveryReports
from bot.directory.assets import AssetRegister
from bot.organising.community import Community
from bot.organising.oversight import Oversight
from bot.organising.vetting import Vetting
from bot.privacy.privacy_service import Privacy
from bot.requests.alerting import Alerting
from bot.requests.events import RequestEvents
from bot.requests.help_requests import HelpRequests
from bot.requests.relay import Relay
from bot.scheduler import Scheduler
from bot.volunteers.volunteering import Volunteering
from config.settings import Settings
from config.texts import PRIVACY_NOTICE_VERSION
from storage.backends import database_for
from storage.database import Database
from storage.delivery.outbox import OUTBOX_TABLE


@dataclass
class Services:
    """Settings, storage and the domain services of one running bot."""

    settings: Settings
    clock: Clock
    db: Database
    scheduler: Scheduler
    dispatcher: OutboxDispatcher
    community: Community
    requests: HelpRequests
    volunteering: Volunteering
    core: Core
    assets: AssetRegister
    care: Care
    vetting: Vetting
    oversight: Oversight
    privacy: Privacy
    delivery_reports: DeliveryReports
    relay: Relay
    # Several processes share the database (bot.runtime.cluster): jobs are claimed from it.
    several_processes: bool = False


def build_services(settings: Settings, clock: Clock, sender: Sender) -> Services:
    """Wire the services together on the configured database file (not opened yet)."""
    db = database_for(settings.database_path, settings.database_url)
    db.use_clock(clock.now)  # every transaction's `tx.now`
    scheduler = Scheduler(db, clock)
    dispatcher = OutboxDispatcher(db, clock, sender)
    # Every commit that wrote to the outbox starts sending it (storage.database's write hooks).
    db.after_writes_to(OUTBOX_TABLE, dispatcher.outbox_written)
    alerting = Alerting(settings, clock, scheduler)
    community = Community(db, clock, settings, PRIVACY_NOTICE_VERSION)
    events = RequestEvents()
    requests = HelpRequests(db, clock, settings, alerting, events)
    volunteering = Volunteering(db, clock, community, alerting)
    core = Core(
        settings=settings,
        clock=clock,
        db=db,
        scheduler=scheduler,
        dispatcher=dispatcher,
        community=community,
        alerting=alerting,
        requests=requests,
        volunteering=volunteering,
        events=events,
    )
    assets = AssetRegister(core)
    care = Care(core)
    # Who joins a request's path, all in one place. On each lifecycle event
    # (bot.requests.events: created, accepted, released, done, closed, cancelled) the task
    # reminders arm or cancel their jobs, and the directory offers what could help; each alert
    # carries the directory's extra line. Quiet hours apply to every held send (bot.delivery.
    # quiet_hours, from the deployment's settings recorded at start-up). Timers register their
    # job kinds with the scheduler in their constructors (alerting, reminders, check-ins,
    # escalations, digest, retention, backups).
    events.subscribe(assets.on_request_event)
    events.subscribe(care.reminders.on_request_change)
    alerting.add_alert_extra(assets.alert_extra)
    return Services(
        settings=settings,
        clock=clock,
        db=db,
        scheduler=scheduler,
        dispatcher=dispatcher,
        community=community,
        requests=requests,
        volunteering=volunteering,
        core=core,
        assets=assets,
        care=care,
        vetting=Vetting(core),
        oversight=Oversight(core),
        privacy=Privacy(core),
        delivery_reports=DeliveryReports(db, clock, settings),
        relay=Relay(core),
    )
