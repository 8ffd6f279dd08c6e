"""Offline Telegram: an in-process Bot API for tests, the demo mode and benchmarks."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.offline.media import MediaMethods
from bot.offline.support import (
    ALWAYS_TRUE,
    COMMAND_NAME,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    SEND_METHODS,
    ApiCall,
    Fault,
    FaultKind,
    FileDict,
    JSONDict,
    chat_id_of,
    decode,
    inline_markup,
    raise_fault,
    render,
    require_chat,
    scope_key,
)
from bot.offline.telegram_html import ApiError, parse_telegram_html
from bot.offline.updates import (
    CHAT_MEMBER_STATUSES,
    FakeUser,
    UpdateBuilder,
    UpdateQueue,
    chat_full_info_dict,
    chat_member_dict,
    chat_type_for,
    default_chat_dict,
)

FILE_URL_MARK = "/file/bot"  # Bot API file downloads live under <root>/file/bot<token>/

__all__ = [
    "ApiCall",
    "ApiError",
    "FakeTelegram",
    "FakeUser",
    "UpdateBuilder",
    "parse_telegram_html",
]


class FakeTelegram(MediaMethods, BaseRequest):
    """An in-process Bot API: answers PTB's requests, keeps chat state and records every call.

    Use one instance as both ``request`` and ``get_updates_request`` of an ApplicationBuilder.
    Empty getUpdates answers are not recorded, so an idle polling loop does not grow ``calls``.
    """

    def __init__(
        self,
        bot_id: int = 1000,
        bot_username: str = "MutualAidTestBot",
        bot_first_name: str = "Mutual Aid",
    ) -> None:
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[ApiCall] = []
        self.updates = UpdateQueue()
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._next_ids: dict[int, int] = {}
        self._documents: dict[int, list[tuple[str, bytes]]] = {}
        self._photos: dict[int, list[bytes]] = {}
        self._files: dict[str, tuple[str, bytes]] = {}
        self._commands: dict[str, list[JSONDict]] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._faults: list[Fault] = []
        self._blocked: set[int] = set()

    @property
    def read_timeout(self) -> float | None:
        """Return the default read timeout (nothing here waits on a network)."""
        return 5.0

    async def initialize(self) -> None:
        """Do nothing: the fake needs no resources."""

    async def shutdown(self) -> None:
        """Do nothing: the fake holds no resources."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one Bot API request as (HTTP status, JSON body) and record it."""
        if FILE_URL_MARK in url:  # a file download (File.download_*), not an API method
            return self._download(url)
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        params, files = decode(request_data)
        await asyncio.sleep(0)  # let concurrent callers interleave, as a network would
        call = ApiCall(api_method, params)
        self.calls.append(call)
        try:
            self._apply_faults(api_method, params)
            if api_method == "getUpdates":
                call.result = await self.updates.get(
                    int(params.get("offset", 0)),
                    int(params.get("limit", 100)),
                    float(params.get("timeout") or 0),
                )
                if not call.result:
                    self.calls.remove(call)
            elif api_method in ALWAYS_TRUE:
                call.result = True
            elif handler := getattr(self, f"_api_{api_method}", None):
                call.result = handler(params, files)
            else:
                unsupported = f"Bad Request: method {api_method} is not supported by the fake"
                raise ApiError(400, unsupported)
        except ApiError as exc:
            call.error = exc.description
            return exc.code, exc.payload()
        except TimedOut:
            call.error = "Timed out"
            raise
        return 200, json.dumps({"ok": True, "result": call.result}).encode()

    def calls_to(self, method: str | None = None, chat_id: int | None = None) -> list[ApiCall]:
        """Return the successful calls, optionally only of one method and/or to one chat."""
        return [
            call
            for call in self.calls
            if call.error is None
            and (method is None or call.method == method)
            and (chat_id is None or chat_id_of(call.params) == chat_id)
        ]

    def texts_to(self, chat_id: int) -> list[str]:
        """Return the text parameters of successful sendMessage/editMessageText calls, in order."""
        return [
            call.params["text"]
            for call in self.calls_to(chat_id=chat_id)
            if call.method in ("sendMessage", "editMessageText")
        ]

    def last_text_to(self, chat_id: int) -> str | None:
        """Return the last text sent or edited into the chat, or None."""
        texts = self.texts_to(chat_id)
        return texts[-1] if texts else None

    def documents_to(self, chat_id: int) -> list[tuple[str, bytes]]:
        """Return (file name, content) of every document sent to the chat, in order."""
        return list(self._documents.get(chat_id, []))

    def photos_to(self, chat_id: int) -> list[bytes]:
        """Return the bytes of every photo sent to the chat, in order."""
        return list(self._photos.get(chat_id, []))

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """Return the current Bot API Message dict (after edits), or None if unknown/deleted."""
        return copy.deepcopy(self._messages.get((chat_id, message_id)))

    def commands_for(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """Return the commands last set for a scope dict (the default scope when None)."""
        return copy.deepcopy(self._commands.get(scope_key(scope, language_code), []))

    def clear(self) -> None:
        """Forget the recorded calls (chat state, faults and queued updates are kept)."""
        self.calls.clear()

    def fail_next(
        self,
        method: str,
        error: FaultKind,
        *,
        times: int = 1,
        retry_after: int = 1,
        chat_id: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally only to one chat) fail."""
        self._faults.append(Fault(method, error, times, retry_after, chat_id, description))

    def block(self, chat_id: int) -> None:
        """Answer every send to the chat with 403 until unblock()."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Let sends to the chat succeed again."""
        self._blocked.discard(chat_id)

    def set_chat_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set what getChatMember answers for the user in the chat (default "member")."""
        if status not in CHAT_MEMBER_STATUSES:
            raise ValueError(f"unsupported chat member status {status!r}")
        self._members[(chat_id, user_id)] = status

    def push_update(self, update: JSONDict) -> int:
        """Queue a raw update dict for getUpdates; return its update_id."""
        update = copy.deepcopy(update)
        update_id = self.updates.push(update)
        self.remember_update(update)
        return update_id

    def next_message_id(self, chat_id: int) -> int:
        """Reserve and return the next message id of a chat (ids start at 1 per chat)."""
        self._next_ids[chat_id] = self._next_ids.get(chat_id, 0) + 1
        return self._next_ids[chat_id]

    def remember_update(self, update: JSONDict) -> None:
        """Learn the users, chats and incoming messages an update mentions."""
        update = copy.deepcopy(update)
        for key in ("message", "edited_message", "callback_query"):
            if not isinstance(item := update.get(key), dict):
                continue
            if isinstance(item.get("from"), dict) and not item["from"].get("is_bot"):
                self._users[item["from"]["id"]] = item["from"]
            message = item.get("message") if key == "callback_query" else item
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                chat_id, message_id = message["chat"]["id"], message["message_id"]
                self._chats[chat_id] = message["chat"]
                self._next_ids[chat_id] = max(self._next_ids.get(chat_id, 0), message_id)
                if key != "callback_query":
                    self._messages[(chat_id, message_id)] = message

    def _apply_faults(self, method: str, params: JSONDict) -> None:
        """Raise the injected failure or the block that applies to this call, if any."""
        chat_id = chat_id_of(params)
        for fault in self._faults:
            if fault.method == method and fault.chat_id in (None, chat_id):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                raise_fault(fault)
        if chat_id in self._blocked and (method.startswith("send") or method in SEND_METHODS):
            reason = {
                "private": "bot was blocked by the user",
                "group": "bot was kicked from the group chat",
                "supergroup": "bot was kicked from the supergroup chat",
            }
            raise ApiError(403, f"Forbidden: {reason[chat_type_for(chat_id)]}")

    def _store_new_message(self, chat_id: int, content: JSONDict) -> JSONDict:
        """Create, store and return a new message from the bot (empty fields left out)."""
        message = {
            "message_id": self.next_message_id(chat_id),
            "from": self._bot_sender(),
            "chat": copy.deepcopy(self._chats.get(chat_id) or default_chat_dict(chat_id)),
            "date": int(time.time()),
        }
        message.update({key: value for key, value in content.items() if value})
        self._messages[(chat_id, message["message_id"])] = message
        return copy.deepcopy(message)

    def _bot_sender(self) -> JSONDict:
        """Return the bot's User as it appears in a message's "from" field."""
        return {key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")}

    def _editable(self, params: JSONDict) -> JSONDict:
        """Return the stored bot message an edit targets, or answer 400."""
        stored = self._messages.get((require_chat(params), int(params.get("message_id", 0))))
        if stored is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if stored.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return stored

    # Bot API methods: do_request dispatches "<method>" to "_api_<method>" (camelCase on purpose).

    def _api_getMe(self, params: JSONDict, files: FileDict) -> JSONDict:
        """Answer getMe with the bot's User."""
        return dict(self.bot_user)

    def _api_sendMessage(self, params: JSONDict, files: FileDict) -> JSONDict:
        """Answer sendMessage with the new Message."""
        chat_id = require_chat(params)
        text, entities = render(params, "text", MAX_TEXT_LENGTH)
        markup = inline_markup(params)
        return self._store_new_message(
            chat_id, {"text": text, "entities": entities, "reply_markup": markup}
        )

    def _api_editMessageText(self, params: JSONDict, files: FileDict) -> JSONDict | bool:
        """Answer editMessageText with the edited Message (True for inline messages)."""
        text, entities = render(params, "text", MAX_TEXT_LENGTH)
        markup = inline_markup(params)
        if "inline_message_id" in params:
            return True
        stored = self._editable(params)
        if "text" not in stored:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        current = (stored["text"], stored.get("entities", []), stored.get("reply_markup"))
        if current == (text, entities, markup):
            raise ApiError(400, NOT_MODIFIED)
        stored.update(text=text, entities=entities, reply_markup=markup, edit_date=int(time.time()))
        for key in ("entities", "reply_markup"):
            if not stored[key]:
                del stored[key]
        return copy.deepcopy(stored)

    def _api_editMessageReplyMarkup(self, params: JSONDict, files: FileDict) -> JSONDict | bool:
        """Answer editMessageReplyMarkup with the edited Message (True for inline messages)."""
        markup = inline_markup(params)
        if "inline_message_id" in params:
            return True
        stored = self._editable(params)
        if stored.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        stored.pop("reply_markup", None)
        if markup:
            stored["reply_markup"] = markup
        stored["edit_date"] = int(time.time())
        return copy.deepcopy(stored)

    def _api_deleteMessage(self, params: JSONDict, files: FileDict) -> bool:
        """Answer deleteMessage, forgetting the message."""
        key = (require_chat(params), int(params.get("message_id", 0)))
        if self._messages.pop(key, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _api_setMyCommands(self, params: JSONDict, files: FileDict) -> bool:
        """Answer setMyCommands, storing the commands per scope and language."""
        commands = params.get("commands") or []
        if not all(COMMAND_NAME.fullmatch(str(c.get("command", ""))) for c in commands):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self._commands[scope_key(params.get("scope"), params.get("language_code"))] = commands
        return True

    def _api_deleteMyCommands(self, params: JSONDict, files: FileDict) -> bool:
        """Answer deleteMyCommands."""
        self._commands.pop(scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    def _api_getMyCommands(self, params: JSONDict, files: FileDict) -> list[JSONDict]:
        """Answer getMyCommands with the commands of exactly that scope and language."""
        return self.commands_for(params.get("scope"), params.get("language_code") or "")

    def _api_getChatMember(self, params: JSONDict, files: FileDict) -> JSONDict:
        """Answer getChatMember with the status set by set_chat_member_status (else member)."""
        chat_id, user_id = require_chat(params), int(params.get("user_id", 0))
        fallback = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        user = (
            self.bot_user if user_id == self.bot_user["id"] else self._users.get(user_id, fallback)
        )
        return chat_member_dict(self._members.get((chat_id, user_id), "member"), user)

    def _api_getChat(self, params: JSONDict, files: FileDict) -> JSONDict:
        """Answer getChat with a ChatFullInfo of the right type."""
        chat_id = require_chat(params)
        return chat_full_info_dict(self._chats.get(chat_id) or default_chat_dict(chat_id))

    def _api_deleteWebhook(self, params: JSONDict, files: FileDict) -> bool:
        """Answer deleteWebhook (sent when polling starts), dropping updates if asked."""
        if params.get("drop_pending_updates"):
            self.updates.pending.clear()
        return True
