"""Telegram adapters, one module per role or flow, composed by `register_all`."""

from __future__ import annotations

import warnings

from telegram.warnings import PTBUserWarning

from handlers import general, language, onboarding, privacy
from handlers.care import commands as care
from handlers.context import AidApplication
from handlers.directory import commands as assets
from handlers.errors import on_error
from handlers.flow_switch import guard_flow
from handlers.organising import menu as organiser_menu
from handlers.organising import neighbourhoods as organisers
from handlers.organising import oversight, vetting
from handlers.requests import flow as request_flow
from handlers.requests import relay, tasks
from handlers.requests import urgent as request_urgent
from handlers.volunteers import commands as volunteer_commands
from handlers.volunteers import flow as volunteer_flow

# Our conversations mix message and button steps per chat and user, by design.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)

# Later features, each with conversations() and register(application).
FEATURES = (assets, care, vetting, oversight, privacy, language, organiser_menu, relay)


def register_all(application: AidApplication) -> None:
    """Register every handler in its group.

    Group -2 and -1 hold gatekeepers (groups, consent) that may stop an update. Group 0 holds
    the features, then the fallbacks, which only run when no feature handler matched.
    """
    general.register_gatekeepers(application)
    # Guided flows come first, so that /start, /request or /volunteer sent mid-flow reach the
    # flow's own fallbacks, which end it and hand the update on.
    active_flows = application.bot_data.active_flows
    for conversation in (
        request_flow.build_conversation(),
        volunteer_flow.build_conversation(),
        tasks.build_amount_conversation(),
        *(conv for feature in FEATURES for conv in feature.conversations()),
    ):
        application.add_handler(guard_flow(conversation, active_flows))
    onboarding.register(application)
    organisers.register(application)
    tasks.register(application)
    request_urgent.register(application)
    volunteer_commands.register(application)
    for feature in FEATURES:
        feature.register(application)
    onboarding.register_menu_fallback(application)
    general.register_fallbacks(application)
    application.add_error_handler(on_error)
