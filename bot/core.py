"""The shared parts every feature service is built from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

# For the annotations only: the feature services take a Core, so importing them here would make
# every feature package depend on every other (the assembly in bot.runtime.services builds them).
if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.delivery.dispatch import OutboxDispatcher
    from bot.organising.community import Community
    from bot.requests.alerting import Alerting
    from bot.requests.events import RequestEvents
    from bot.requests.help_requests import HelpRequests
    from bot.scheduler import Scheduler
    from bot.volunteers.volunteering import Volunteering
    from config.settings import Settings
    from storage.database import Database


@dataclass(frozen=True)
class Core:
    """Settings, storage, scheduling, delivery and the core-loop services."""

    settings: Settings
    clock: Clock
    db: Database
    scheduler: Scheduler
    dispatcher: OutboxDispatcher
    community: Community
    alerting: Alerting
    requests: HelpRequests
    volunteering: Volunteering
    events: RequestEvents
