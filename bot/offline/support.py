"""Shapes, limits and request decoding shared by the offline Telegram fake."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from telegram.error import TimedOut
from telegram.request import RequestData

from bot.offline.telegram_html import ApiError, parse_telegram_html

JSONDict = dict[str, Any]
FileDict = dict[str, tuple[str, bytes]]
FaultKind = Literal["400", "403", "429", "500", "timeout"]


MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "scope",
        "commands",
        "entities",
        "caption_entities",
        "menu_button",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
    }
)
SEND_METHODS = frozenset(
    {"copyMessage", "forwardMessage", "editMessageText", "editMessageReplyMarkup"}
)
ALWAYS_TRUE = frozenset(
    {"answerCallbackQuery", "sendChatAction", "setChatMenuButton", "close", "logOut"}
)
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


@dataclass
class ApiCall:
    """One Bot API call the fake received, with its result or its error description."""

    method: str
    params: dict[str, Any]
    result: Any = None
    error: str | None = None


@dataclass
class Fault:
    """A pending injected failure for the next calls of one method."""

    method: str
    error: FaultKind
    remaining: int
    retry_after: int
    chat_id: int | None
    description: str | None


def chat_id_of(params: JSONDict) -> int | None:
    """Return the numeric chat_id parameter, or None if absent or not numeric."""
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


def decode(request_data: RequestData | None) -> tuple[JSONDict, FileDict]:
    """Return a call's parameters as plain JSON values, and its uploaded files' bytes."""
    if request_data is None:
        return {}, {}
    params: JSONDict = {}
    for name, value in request_data.parameters.items():
        if isinstance(value, str) and name in JSON_PARAMS:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        params[name] = value
    files = {
        name: (file_name, content if isinstance(content, bytes) else content.read())
        for name, (file_name, content, _mime) in request_data.multipart_data.items()
    }
    return json.loads(json.dumps(params)), files


def raise_fault(fault: Fault) -> None:
    """Raise the error an injected fault stands for."""
    if fault.error == "timeout":
        raise TimedOut()
    if fault.error == "429":
        raise ApiError(
            429,
            f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
        )
    defaults = {
        "400": "Bad Request: chat not found",
        "403": "Forbidden: bot was blocked by the user",
        "500": "Internal Server Error",
    }
    raise ApiError(int(fault.error), fault.description or defaults[fault.error])


def scope_key(scope: JSONDict | None, language_code: str | None) -> str:
    """Return the storage key of a command scope and language."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True) + "|" + (language_code or "")


def require_chat(params: JSONDict) -> int:
    """Return the call's numeric chat_id or answer 400 "chat not found"."""
    chat_id = chat_id_of(params)
    if not chat_id:
        raise ApiError(400, "Bad Request: chat not found")
    return chat_id


def render(params: JSONDict, field: str, limit: int) -> tuple[str, list[JSONDict]]:
    """Return the visible text and entities of a text or caption, validated like Telegram."""
    raw = params.get(field) or ""
    if str(params.get("parse_mode", "")).upper() == "HTML":
        visible, entities = parse_telegram_html(raw)
    else:
        entities_field = "entities" if field == "text" else "caption_entities"
        visible, entities = raw, list(params.get(entities_field) or [])
    if field == "text" and not visible.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(visible) > limit:
        what = "message" if field == "text" else "message caption"
        raise ApiError(400, f"Bad Request: {what} is too long")
    return visible, entities


def inline_markup(params: JSONDict) -> JSONDict | None:
    """Return the inline keyboard to echo (None for other markups), checking button data."""
    markup = params.get("reply_markup")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    for button in (button for row in rows for button in row):
        if len(str(button.get("callback_data", "")).encode()) > MAX_CALLBACK_DATA_BYTES:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup if rows else None


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(content: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR header, as Telegram reads a photo; 400 if not one."""
    if len(content) < 24 or not content.startswith(PNG_SIGNATURE) or content[12:16] != b"IHDR":
        raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
    return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
