"""The outbox's Sender on top of PTB's Bot: maps Telegram errors to transient or permanent."""

from __future__ import annotations

from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.dispatch import ChatMovedError, PermanentSendError, TransientSendError


class TelegramSender:
    """Makes outbox calls through the (rate-limited) Bot, with the bot's Defaults applied."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def call(self, method: str, params: dict[str, Any]) -> int | None:
        """Make one Bot API call and return the message id it produced, if any."""
        markup = params.get("reply_markup")
        reply_markup = InlineKeyboardMarkup.de_json(markup, self._bot) if markup else None
        try:
            if method == "sendMessage":
                result: Message | bool = await self._bot.send_message(
                    params["chat_id"], params["text"], reply_markup=reply_markup
                )
            elif method == "editMessageText":
                result = await self._bot.edit_message_text(
                    params["text"],
                    chat_id=params["chat_id"],
                    message_id=params["message_id"],
                    reply_markup=reply_markup,
                )
            elif method == "sendPhoto":  # a photo passed on by its file_id (no upload)
                result = await self._bot.send_photo(
                    params["chat_id"],
                    params["photo"],
                    caption=params.get("caption"),
                    reply_markup=reply_markup,
                )
            elif method == "sendVoice":
                result = await self._bot.send_voice(
                    params["chat_id"],
                    params["voice"],
                    caption=params.get("caption"),
                    reply_markup=reply_markup,
                )
            elif method == "editMessageReplyMarkup":
                result = await self._bot.edit_message_reply_markup(
                    chat_id=params["chat_id"],
                    message_id=params["message_id"],
                    reply_markup=reply_markup,
                )
            else:
                raise PermanentSendError(f"the outbox cannot send {method}")
        except ChatMigrated as error:
            raise ChatMovedError(error.new_chat_id) from error
        except RetryAfter as error:  # still limited after the rate limiter's own retries
            raise TransientSendError(str(error), retry_after=_seconds(error)) from error
        except Forbidden as error:
            raise PermanentSendError(str(error), unreachable=True) from error
        except BadRequest as error:
            raise PermanentSendError(str(error)) from error
        except TelegramError as error:  # RetryAfter, TimedOut, NetworkError, server errors
            raise TransientSendError(str(error)) from error
        return result.message_id if isinstance(result, Message) else None


def _seconds(error: RetryAfter) -> float:
    """Telegram's retry_after in seconds (an int or a timedelta, depending on PTB settings)."""
    value = error.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
