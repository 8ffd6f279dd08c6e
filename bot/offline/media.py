"""Photos and voice notes for the offline Telegram: sendPhoto and sendVoice by file_id.

A mixin of bot.offline.fake_bot_api.FakeTelegram. Files people send (UpdateBuilder.photo / .voice)
are
kept with add_media; the bot sends them on by their file_id, as it would on Telegram.
"""

from __future__ import annotations

from bot.offline.support import (
    MAX_CAPTION_LENGTH,
    FileDict,
    JSONDict,
    inline_markup,
    render,
    require_chat,
)
from bot.offline.telegram_html import ApiError

WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"


class MediaMethods:
    """sendPhoto and sendVoice for files the fake knows (needs FakeTelegram's storage)."""

    _files: dict[str, tuple[str, bytes]]

    def _store_new_message(self, chat_id: int, content: JSONDict) -> JSONDict:
        raise NotImplementedError  # provided by FakeTelegram

    def add_media(self, kind: str, content: bytes = b"\x00media") -> str:
        """Keep a photo or voice note a user sends; returns its new file_id."""
        prefix = {"photo": "AgACAgQAAxkBAAFake", "voice": "AwACAgQAAxkBAAFake"}[kind]
        file_id = f"{prefix}{len(self._files) + 1:06d}"
        self._files[file_id] = (f"{kind}.bin", content)
        return file_id

    def media_dict(self, kind: str, file_id: str) -> JSONDict | list[JSONDict]:
        """The Bot API shape of a known photo (its sizes) or voice note."""
        size = len(self._files[file_id][1])
        unique = "AgAD" + file_id[-6:]
        if kind == "photo":
            return [
                {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "width": 800,
                    "height": 600,
                    "file_size": size,
                }
            ]
        return {
            "file_id": file_id,
            "file_unique_id": unique,
            "duration": 4,
            "mime_type": "audio/ogg",
            "file_size": size,
        }

    def _send_media(self, kind: str, params: JSONDict, files: FileDict) -> JSONDict:
        """Answer a send of a known file_id with the new Message (uploads are not needed)."""
        chat_id = require_chat(params)
        file_id = str(params.get(kind))
        if kind in files or file_id not in self._files:
            raise ApiError(400, WRONG_FILE)
        caption, caption_entities = render(params, "caption", MAX_CAPTION_LENGTH)
        return self._store_new_message(
            chat_id,
            {
                kind: self.media_dict(kind, file_id),
                "caption": caption,
                "caption_entities": caption_entities,
                "reply_markup": inline_markup(params),
            },
        )

    def _api_sendPhoto(self, params: JSONDict, files: FileDict) -> JSONDict:  # noqa: N802
        """Answer sendPhoto with the new Message."""
        return self._send_media("photo", params, files)

    def _api_sendVoice(self, params: JSONDict, files: FileDict) -> JSONDict:  # noqa: N802
        """Answer sendVoice with the new Message."""
        return self._send_media("voice", params, files)
