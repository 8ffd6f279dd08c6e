"""The outbox's Sender on top of PTB's Bot: maps Telegram errors to transient or permanent."""

from __future__ import annotations

import inspect
import re
from functools import cache
from typing import Any

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.delivery.dispatch import ChatMovedError, PermanentSendError, TransientSendError

# Methods whose text is HTML: older outbox rows were stored without a parse mode.
_TEXT_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageCaption"})
_NOT_MODIFIED = "message is not modified"


class TelegramSender:
    """Makes outbox calls through the (rate-limited) Bot: any method, with JSON parameters."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def call(self, method: str, params: dict[str, Any], priority: int = 1) -> int | None:
        """Make one Bot API call and return the message id it produced, if any."""
        kwargs = dict(params)
        if method in _TEXT_METHODS and "parse_mode" not in kwargs:
            kwargs["parse_mode"] = ParseMode.HTML
        try:
            result = await self._call(method, kwargs, priority)
        except ChatMigrated as error:
            raise ChatMovedError(error.new_chat_id) from error
        except RetryAfter as error:  # still limited after the rate limiter's own retries
            raise TransientSendError(str(error), retry_after=_seconds(error)) from error
        except Forbidden as error:
            raise PermanentSendError(str(error), unreachable=True) from error
        except BadRequest as error:
            if _NOT_MODIFIED in str(error).lower():  # the message already says this
                return None
            raise PermanentSendError(str(error)) from error
        except TelegramError as error:  # TimedOut, NetworkError, server errors
            raise TransientSendError(str(error)) from error
        if isinstance(result, Message):
            return result.message_id
        return None

    async def _call(self, method: str, kwargs: dict[str, Any], priority: int) -> Any:
        """Call the Bot's own method for `method`; parameters it does not name go as api_kwargs."""
        name = _snake(method)
        bound = getattr(self._bot, name, None)
        if bound is None:
            raise PermanentSendError(f"the Bot API method {method} is not known")
        named = _parameters(type(self._bot), name)
        known = {key: value for key, value in kwargs.items() if key in named}
        extra = {key: value for key, value in kwargs.items() if key not in named}
        if extra:
            known["api_kwargs"] = extra
        if isinstance(self._bot, ExtBot) and "rate_limit_args" in named:
            known["rate_limit_args"] = {"priority": priority}
        return await bound(**known)


def _snake(method: str) -> str:
    """SendMessage -> send_message."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower()


@cache
def _parameters(bot_type: type, name: str) -> frozenset[str]:
    """The keyword parameters of one of the Bot's methods."""
    return frozenset(inspect.signature(getattr(bot_type, name)).parameters)


def _seconds(error: RetryAfter) -> float:
    """Telegram's retry_after in seconds (an int or a timedelta, depending on PTB settings)."""
    value = error.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
