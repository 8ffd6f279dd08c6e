"""Telegram's HTML parse mode, checked as strictly as Telegram does (for the offline fake)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

JSONDict = dict[str, Any]

_TAG_START = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>")
_ENTITY_REF = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "blockquote": "blockquote",
}


class ApiError(Exception):
    """A Bot API error answer (HTTP status, description and optional parameters)."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> bytes:
        """Return the JSON body Telegram sends for this error."""
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return json.dumps(body).encode()


def _utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, as Telegram counts offsets."""
    return len(text.encode("utf-16-le")) // 2


class _TelegramHtml(HTMLParser):
    """Check Telegram-flavoured HTML and collect its visible text and message entities."""

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.visible: list[str] = []
        self.utf16_offset = 0
        self.open_tags: list[tuple[str, dict[str, str | None], int, int]] = []
        self.entities: list[JSONDict] = []
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]

    def fail(self, reason: str) -> None:
        """Raise a parse error located at the parser's current position."""
        line, column = self.getpos()
        byte_offset = len(self.raw[: self.line_starts[line - 1] + column].encode())
        raise ApiError(
            400, f"Bad Request: can't parse entities: {reason} at byte offset {byte_offset}"
        )

    def add_text(self, text: str) -> None:
        """Append visible text."""
        self.visible.append(text)
        self.utf16_offset += _utf16_len(text)

    def handle_data(self, data: str) -> None:
        """Collect plain text."""
        self.add_text(data)

    def handle_entityref(self, name: str) -> None:
        """Decode one of the four named entities Telegram supports."""
        self.add_text(_NAMED_REFS[name])

    def handle_charref(self, name: str) -> None:
        """Decode a numeric character reference."""
        code = int(name[1:], 16) if name[0] in "xX" else int(name)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            self.fail(f'Invalid character reference "&#{name};"')
        self.add_text(chr(code))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an entity, rejecting tags and spans Telegram does not support."""
        attributes = dict(attrs)
        if tag not in _SIMPLE_TAGS:
            self.fail(f'Unsupported start tag "{tag}"')
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            self.fail('Tag "span" must have class "tg-spoiler"')
        self.open_tags.append((tag, attributes, self.utf16_offset, len(self.visible)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Reject self-closing tags, which Telegram reads as an unknown tag name."""
        self.fail(f'Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost entity, rejecting unexpected or mismatched end tags."""
        if not self.open_tags:
            self.fail("Unexpected end tag")
        open_tag, attributes, start, first_chunk = self.open_tags.pop()
        if tag != open_tag:
            self.fail(f'Unmatched end tag, expected "</{open_tag}>", found "</{tag}>"')
        if self.utf16_offset > start:
            self.entities.append(self.entity(tag, attributes, start, first_chunk))

    def entity(
        self, tag: str, attributes: dict[str, str | None], start: int, first_chunk: int
    ) -> JSONDict:
        """Return the MessageEntity dict for a closed tag."""
        entity: JSONDict = {
            "type": _SIMPLE_TAGS[tag],
            "offset": start,
            "length": self.utf16_offset - start,
        }
        if tag == "a":
            entity["url"] = attributes.get("href") or "".join(self.visible[first_chunk:])
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id") or ""
        elif tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif tag == "code" and (attributes.get("class") or "").startswith("language-"):
            entity["language"] = (attributes["class"] or "")[len("language-") :]
        elif tag == "pre" and self.entities:
            inner = self.entities[-1]
            same_span = (inner["offset"], inner["length"]) == (start, entity["length"])
            if inner["type"] == "code" and same_span and "language" in inner:
                entity["language"] = self.entities.pop()["language"]
        return entity


def parse_telegram_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse HTML the way Telegram does; return visible text and entities, or raise ApiError."""
    for match in re.finditer(r"[<&]", text):
        position = match.start()
        pattern = _TAG_START if match.group() == "<" else _ENTITY_REF
        if not pattern.match(text, position):
            byte_offset = len(text[:position].encode())
            if match.group() == "&":
                reason = 'Character "&" must be escaped as "&amp;"'
            else:
                name = re.match(r"[^\s>]*", text[position + 1 :])
                tag_name = name.group() if name else ""
                if position + 1 + len(tag_name) == len(text):
                    reason = "Unclosed start tag"
                else:
                    reason = f'Unsupported start tag "{tag_name}"'
            raise ApiError(
                400, f"Bad Request: can't parse entities: {reason} at byte offset {byte_offset}"
            )
    parser = _TelegramHtml(text)
    parser.feed(text)
    parser.close()
    if parser.open_tags:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding "
            f'to start tag "{parser.open_tags[-1][0]}"',
        )
    for entity in parser.entities:
        if entity["type"] == "code":  # a language only counts on <pre><code class=...>
            entity.pop("language", None)
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.visible), entities
