"""Bot API object shapes and incoming-update builders for the offline Telegram fake."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Bot, Update

if TYPE_CHECKING:
    from bot.offline.fake_bot_api import FakeTelegram

JSONDict = dict[str, Any]
CHAT_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})


def chat_type_for(chat_id: int) -> str:
    """Return the chat type of an id: >0 private, -100 + 10 digits supergroup, else group."""
    if chat_id > 0:
        return "private"
    is_supergroup = str(chat_id).startswith("-100") and chat_id <= -1_000_000_000_000
    return "supergroup" if is_supergroup else "group"


def default_chat_dict(chat_id: int, *, title: str | None = None) -> JSONDict:
    """Return a Bot API Chat dict for a chat id, naming users User<id> and groups by id."""
    chat_type = chat_type_for(chat_id)
    if chat_type == "private":
        return {"id": chat_id, "type": chat_type, "first_name": f"User{chat_id}"}
    return {"id": chat_id, "type": chat_type, "title": title or f"Test group {chat_id}"}


def chat_member_dict(status: str, user: JSONDict) -> JSONDict:
    """Return a Bot API ChatMember dict with the fields PTB requires for ``status``."""
    if status not in CHAT_MEMBER_STATUSES:
        raise ValueError(f"unsupported chat member status {status!r}")
    member: JSONDict = {"status": status, "user": copy.deepcopy(user)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        rights = (
            "can_manage_chat",
            "can_delete_messages",
            "can_manage_video_chats",
            "can_restrict_members",
            "can_change_info",
            "can_invite_users",
            "can_post_stories",
            "can_edit_stories",
            "can_delete_stories",
            "can_pin_messages",
        )
        member.update(dict.fromkeys(rights, True))
        member.update(can_be_edited=False, is_anonymous=False, can_promote_members=False)
    elif status == "kicked":
        member["until_date"] = 0
    return member


def chat_full_info_dict(chat: JSONDict) -> JSONDict:
    """Return the Bot API ChatFullInfo dict getChat answers for a Chat dict."""
    gift_types = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        False,
    )
    return {
        **chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": gift_types,
    }


class UpdateQueue:
    """Telegram's pending-update queue as getUpdates sees it (offset confirms, timeout waits)."""

    def __init__(self, max_wait_seconds: float = 0.05) -> None:
        self.max_wait_seconds = max_wait_seconds
        self.pending: list[JSONDict] = []
        self._last_update_id = 0
        self._pushed = asyncio.Event()

    def push(self, update: JSONDict) -> int:
        """Queue an update (numbering it if it has no update_id); return its update_id."""
        update_id = update.setdefault("update_id", self._last_update_id + 1)
        self._last_update_id = max(self._last_update_id, update_id)
        self.pending.append(update)
        self._pushed.set()
        return update_id

    async def get(self, offset: int, limit: int, timeout: float) -> list[JSONDict]:
        """Confirm updates below ``offset``, then return up to ``limit``, briefly awaiting one."""
        if offset < 0:
            self.pending = self.pending[offset:]
        elif offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        if not self.pending and timeout > 0:
            self._pushed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._pushed.wait(), min(timeout, self.max_wait_seconds))
        return copy.deepcopy(self.pending[:limit])


@dataclass(frozen=True)
class FakeUser:
    """A human Telegram user who sends updates to the bot."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"

    def to_dict(self) -> JSONDict:
        """Return the user as a Bot API User dict."""
        user: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if (value := getattr(self, key)) is not None:
                user[key] = value
        return user

    def private_chat(self) -> JSONDict:
        """Return the user's private chat with the bot as a Bot API Chat dict."""
        chat: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if (value := getattr(self, key)) is not None:
                chat[key] = value
        return chat


class UpdateBuilder:
    """Build realistic incoming updates and turn them into telegram.Update objects.

    Pass the FakeTelegram as ``fake`` to share its per-chat message ids and let it
    remember incoming messages (so the bot can delete them, and a button press
    carries the bot's stored message including its keyboard).
    """

    def __init__(self, bot: Bot, fake: FakeTelegram | None = None) -> None:
        self.bot = bot
        self.fake = fake
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._message_ids: defaultdict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )

    def text(self, user: FakeUser, text: str) -> Update:
        """Return a private text message from the user."""
        return self._message_update(user, user.private_chat(), text=text)

    def command(self, user: FakeUser, command: str, args: str = "") -> Update:
        """Return a private /command (with a bot_command entity) from the user."""
        return self._message_update(user, user.private_chat(), **_command_fields(command, args))

    def deep_link_start(self, user: FakeUser, payload: str) -> Update:
        """Return the /start <payload> message a t.me/<bot>?start=<payload> link sends."""
        return self.command(user, "start", payload)

    def callback(
        self,
        user: FakeUser,
        data: str,
        *,
        chat_id: int | None = None,
        message_id: int = 1,
        message_text: str = "…",
    ) -> Update:
        """Return a press of an inline button carrying ``data`` on a bot message."""
        target_chat_id = user.id if chat_id is None else chat_id
        message = self.fake.message(target_chat_id, message_id) if self.fake else None
        if message is None:
            chat = user.private_chat() if target_chat_id == user.id else self._chat(target_chat_id)
            message = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": self._bot_user(),
                "text": message_text,
            }
        query = {
            "id": str(next(self._callback_ids)),
            "from": user.to_dict(),
            "chat_instance": str(abs(target_chat_id) * 7 + 11),
            "data": data,
            "message": message,
        }
        return self.raw({"callback_query": query})

    def group_text(
        self, user: FakeUser, chat_id: int, text: str, *, chat_title: str = "Volunteers"
    ) -> Update:
        """Return a text message from the user in a group or supergroup."""
        return self._message_update(user, self._chat(chat_id, chat_title), text=text)

    def group_command(
        self,
        user: FakeUser,
        chat_id: int,
        command: str,
        args: str = "",
        *,
        chat_title: str = "Volunteers",
    ) -> Update:
        """Return a /command (``cmd`` or ``cmd@BotName``) sent in a group or supergroup."""
        chat = self._chat(chat_id, chat_title)
        return self._message_update(user, chat, **_command_fields(command, args))

    def contact(
        self, user: FakeUser, phone_number: str, *, contact_user_id: int | None = None
    ) -> Update:
        """Return a shared contact; pass contact_user_id=user.id for "share my number"."""
        contact: JSONDict = {"phone_number": phone_number, "first_name": user.first_name}
        if user.last_name:
            contact["last_name"] = user.last_name
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self._message_update(user, user.private_chat(), contact=contact)

    def document(
        self, user: FakeUser, file_name: str, content: bytes, *, mime_type: str = "text/csv"
    ) -> Update:
        """Return a private message carrying a document (the fake serves its bytes)."""
        if self.fake is None:
            raise ValueError("documents need the FakeTelegram, to serve the file")
        document = {**self.fake.add_file(file_name, content), "mime_type": mime_type}
        return self._message_update(user, user.private_chat(), document=document)

    def photo(self, user: FakeUser, caption: str | None = None) -> Update:
        """Return a private photo (with an optional caption); the fake keeps its file_id."""
        return self._media_update(user, "photo", caption)

    def voice(self, user: FakeUser, caption: str | None = None) -> Update:
        """Return a private voice note (with an optional caption); the fake keeps its file_id."""
        return self._media_update(user, "voice", caption)

    def _media_update(self, user: FakeUser, kind: str, caption: str | None) -> Update:
        if self.fake is None:
            raise ValueError("photos and voice notes need the FakeTelegram, to keep the file")
        file_id = self.fake.add_media(kind)
        fields: JSONDict = {kind: self.fake.media_dict(kind, file_id)}
        if caption:
            fields["caption"] = caption
        return self._message_update(user, user.private_chat(), **fields)

    def raw(self, update_dict: JSONDict) -> Update:
        """Return an Update from a raw Bot API dict, adding an update_id if it lacks one."""
        update = dict(update_dict)
        update.setdefault("update_id", next(self._update_ids))
        if self.fake is not None:
            self.fake.remember_update(update)
        parsed = Update.de_json(update, self.bot)
        if parsed is None:  # pragma: no cover - de_json only returns None for empty data
            raise ValueError("empty update")
        return parsed

    def _message_update(self, user: FakeUser, chat: JSONDict, **fields: Any) -> Update:
        """Return a message update from ``user`` in ``chat`` with the given message fields."""
        chat_id = chat["id"]
        message_id = (
            self.fake.next_message_id(chat_id)
            if self.fake is not None
            else next(self._message_ids[chat_id])
        )
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": user.to_dict(),
            **fields,
        }
        return self.raw({"message": message})

    def _chat(self, chat_id: int, title: str | None = None) -> JSONDict:
        """Return the Chat dict for a chat id, titling groups with ``title``."""
        return default_chat_dict(chat_id, title=title)

    def _bot_user(self) -> JSONDict:
        """Return the bot's own User dict, even before the bot is initialized."""
        try:
            return self.bot.bot.to_dict()
        except RuntimeError:
            bot_id = int(self.bot.token.split(":", 1)[0])
            return {"id": bot_id, "is_bot": True, "first_name": "Bot"}


def _command_fields(command: str, args: str) -> JSONDict:
    """Return the text and bot_command entity of a ``/command args`` message."""
    command_text = "/" + command.removeprefix("/")
    text = f"{command_text} {args}" if args else command_text
    entity_length = len(command_text.encode("utf-16-le")) // 2
    return {
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": entity_length}],
    }
