"""The services one running bot shares, built once and handed to every handler."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.community import Community
from bot.dispatch import OutboxDispatcher, Sender
from bot.scheduler import Scheduler
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


def build_services(settings: Settings, clock: Clock, sender: Sender) -> Services:
    """Wire the services together on the configured database file (not opened yet)."""
    db = Database(settings.database_path)
    scheduler = Scheduler(db, clock)
    dispatcher = OutboxDispatcher(db, clock, sender)
    scheduler.after_commit(dispatcher.drain_quietly)
    return Services(
        settings=settings,
        clock=clock,
        db=db,
        scheduler=scheduler,
        dispatcher=dispatcher,
        community=Community(db, clock, settings, PRIVACY_NOTICE_VERSION),
    )
