"""The services one running bot shares, built once and handed to every handler."""

from __future__ import annotations

from dataclasses import dataclass

from bot.alerting import Alerting
from bot.assets import AssetRegister
from bot.care import Care
from bot.clock import Clock
from bot.community import Community
from bot.core import Core
from bot.delivery_reports import DeliveryReports
from bot.dispatch import OutboxDispatcher, Sender
from bot.help_requests import HelpRequests
from bot.oversight import Oversight
from bot.privacy import Privacy
from bot.relay import Relay
from bot.request_events import RequestEvents
from bot.scheduler import Scheduler
from bot.vetting import Vetting
from bot.volunteering import Volunteering
from config.settings import Settings
from config.texts import PRIVACY_NOTICE_VERSION
from storage.database import Database


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


def build_services(settings: Settings, clock: Clock, sender: Sender) -> Services:
    """Wire the services together on the configured database file (not opened yet)."""
    db = Database(settings.database_path)
    scheduler = Scheduler(db, clock)
    dispatcher = OutboxDispatcher(db, clock, sender)
    scheduler.after_commit(dispatcher.drain_quietly)
    alerting = Alerting(settings, clock, scheduler)
    community = Community(db, clock, settings, PRIVACY_NOTICE_VERSION)
    events = RequestEvents()
    after_commit = dispatcher.after_commit
    requests = HelpRequests(db, clock, settings, alerting, after_commit, events)
    volunteering = Volunteering(db, clock, community, alerting, after_commit)
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
        after_commit=after_commit,
    )
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
        assets=AssetRegister(core),
        care=Care(core),
        vetting=Vetting(core),
        oversight=Oversight(core),
        privacy=Privacy(core),
        delivery_reports=DeliveryReports(db, clock, settings),
        relay=Relay(core),
    )
