"""Files for the offline Telegram: photos, voice notes and documents, uploaded or by file_id.

A mixin of bot.offline.fake_bot_api.FakeTelegram. Files people send (UpdateBuilder.photo,
.voice, .document) are kept with add_media and add_file; the bot sends them on by their
file_id, as it would on Telegram, and its own uploads are kept for tests to read.
"""

from __future__ import annotations

import json

from bot.offline.support import (
    MAX_CAPTION_LENGTH,
    FileDict,
    JSONDict,
    inline_markup,
    png_size,
    render,
    require_chat,
)
from bot.offline.telegram_html import ApiError

WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"


class MediaMethods:
    """sendPhoto and sendVoice for files the fake knows (needs FakeTelegram's storage)."""

    _files: dict[str, tuple[str, bytes]]
    _photos: dict[int, list[bytes]]
    _documents: dict[int, list[tuple[str, bytes]]]

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

    def _api_sendVoice(self, params: JSONDict, files: FileDict) -> JSONDict:  # noqa: N802
        """Answer sendVoice with the new Message."""
        return self._send_media("voice", params, files)

    def _upload(self, params: JSONDict, files: FileDict, field: str) -> tuple[str, str, bytes]:
        """(file_id, file name, bytes) of an uploaded file, or of a known file_id."""
        if field in files:
            file_name, content = files[field]
            if not content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            file_id = f"BQACAgQAAxkBAAFake{len(self._files) + 1:06d}"
            self._files[file_id] = (file_name, content)
            return file_id, file_name, content
        if (file_id := str(params.get(field))) in self._files:
            return file_id, *self._files[file_id]
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _api_sendPhoto(self, params: JSONDict, files: FileDict) -> JSONDict:
        """Answer sendPhoto: an upload is read as a PNG and kept; a file_id is sent on."""
        if "photo" not in files:  # a photo someone sent, passed on by its file_id
            return self._send_media("photo", params, files)
        chat_id = require_chat(params)
        file_id, _, content = self._upload(params, files, "photo")
        width, height = png_size(content)
        caption, caption_entities = render(params, "caption", MAX_CAPTION_LENGTH)
        size = {"file_id": file_id, "file_unique_id": "AgAD" + file_id[-6:], "width": width,
                "height": height, "file_size": len(content)}  # fmt: skip
        self._photos.setdefault(chat_id, []).append(content)
        return self._store_new_message(
            chat_id, {"photo": [size], "caption": caption, "caption_entities": caption_entities}
        )

    def _api_sendDocument(self, params: JSONDict, files: FileDict) -> JSONDict:
        """Answer sendDocument, keeping the uploaded bytes (or reusing a known file_id)."""
        chat_id = require_chat(params)
        file_id, file_name, content = self._upload(params, files, "document")
        caption, caption_entities = render(params, "caption", MAX_CAPTION_LENGTH)
        markup = inline_markup(params)
        document = {
            "file_id": file_id,
            "file_unique_id": "AgAD" + file_id[-6:],
            "file_name": file_name,
            "file_size": len(content),
        }
        self._documents.setdefault(chat_id, []).append((file_name, content))
        return self._store_new_message(
            chat_id,
            {
                "document": document,
                "caption": caption,
                "caption_entities": caption_entities,
                "reply_markup": markup,
            },
        )

    def add_file(self, file_name: str, content: bytes) -> JSONDict:
        """Keep a file a user sends (see UpdateBuilder.document); returns its Document dict."""
        file_id = f"BQACAgQAAxkBAAFake{len(self._files) + 1:06d}"
        self._files[file_id] = (file_name, content)
        return {
            "file_id": file_id,
            "file_unique_id": "AgAD" + file_id[-6:],
            "file_name": file_name,
            "file_size": len(content),
        }

    def _api_getFile(self, params: JSONDict, files: FileDict) -> JSONDict:
        """Answer getFile for a known file with a path that _download serves."""
        file_id = str(params.get("file_id"))
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": "AgAD" + file_id[-6:],
            "file_size": len(self._files[file_id][1]),
            "file_path": f"documents/{file_id}",
        }

    def _download(self, url: str) -> tuple[int, bytes]:
        """Serve a known file's bytes at its download URL; 404 for anything else."""
        file_id = url.rstrip("/").rsplit("/", 1)[-1]
        if file_id not in self._files:
            return 404, json.dumps({"ok": False, "error_code": 404}).encode()
        return 200, self._files[file_id][1]
