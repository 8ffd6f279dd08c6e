"""Leaving one guided flow for another: /request, /volunteer or /start mid-way switch cleanly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    filters,
)

from bot.callback_data import exact
from handlers.context import AidContext, LanguageScopedApplication

# Commands that start a guided flow; sent mid-flow, they end the current flow and start theirs.
FLOW_COMMANDS = ("request", "volunteer", "start", "offer", "checkin", "log", "broadcast")
FLOW_MENU_BUTTONS = ("request", "volunteer")


async def switch_flow(update: Update, context: AidContext) -> int:
    """End the current flow, then hand the same update on so the flow it asks for starts."""
    # The conversation records END only after this callback returns, so the update is
    # processed again as a separate task, when this flow no longer claims it.
    application = context.application
    if isinstance(application, LanguageScopedApplication):
        application.redispatch(update)
    else:
        application.create_task(application.process_update(update), update=update)
    return ConversationHandler.END


def switch_fallbacks(own_command: str) -> list[BaseHandler[Update, AidContext, int]]:
    """Fallbacks that let another flow's command or menu button end this flow and start that one."""
    others = [c for c in FLOW_COMMANDS if c != own_command]
    buttons = "|".join(exact("menu", b) for b in FLOW_MENU_BUTTONS if b != own_command)
    return [
        CommandHandler(others, switch_flow, filters.ChatType.PRIVATE),
        CallbackQueryHandler(switch_flow, pattern=buttons),
    ]


class StaleFlowHandler(BaseHandler[Update, AidContext, int]):
    """Claims an update for a flow the person has since left for another, and ends it."""

    def __init__(self, name: str, active_flows: dict[int, str]) -> None:
        super().__init__(switch_flow)
        self._name = name
        self._active_flows = active_flows

    def check_update(self, update: object) -> bool:
        """True when this person's most recently started flow is a different one."""
        if not isinstance(update, Update) or update.effective_user is None:
            return False
        return self._active_flows.get(update.effective_user.id, self._name) != self._name


def _tracked(
    name: str, active_flows: dict[int, str], callback: Callable[..., Awaitable[Any]]
) -> Callable[[Update, AidContext], Awaitable[Any]]:
    async def entered(update: Update, context: AidContext) -> Any:
        if update.effective_user is not None:
            active_flows[update.effective_user.id] = name
        return await callback(update, context)

    return entered


def guard_flow(
    conversation: ConversationHandler[AidContext], active_flows: dict[int, str]
) -> ConversationHandler[AidContext]:
    """Make a conversation give way when the person starts another flow.

    Entering records the flow as the person's active one; while another flow is active, any
    update that reaches this conversation ends it and is handed on to the flow it belongs to.
    """
    name = conversation.name or repr(conversation)
    for entry in conversation.entry_points:
        entry.callback = _tracked(name, active_flows, entry.callback)
    for handlers in conversation.states.values():
        handlers.insert(0, StaleFlowHandler(name, active_flows))
    return conversation
