"""The demo's Stage: the real bot on a throwaway database, played through a fake Telegram.

The Stage here drives the real Application (bot.runtime.app.build_application with the offline
FakeTelegram as its network) the way people would: typed messages, commands and button
presses built with bot.offline.updates. After each update it prints what every chat saw.
The story itself is in bot.runtime.demo_story; nothing here is used by the running bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from telegram import Update

from bot.clock import FakeClock
from bot.offline.fake_bot_api import ApiCall, FakeTelegram
from bot.offline.updates import FakeUser, UpdateBuilder
from bot.runtime.app import (
    services_of,
    settle,
)
from bot.runtime.services import Services
from config.settings import Settings, load_settings
from handlers.context import AidApplication, AidContext

if TYPE_CHECKING:
    pass

DEMO_TOKEN = "1000:DEMO-token-not-real-0123456789abcdef"
# Monday 2 November 2026, 10:00 in London: a weekday morning, so "today" is weekday daytime.
DEMO_START = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
INDENT = "      "
SHOWN_METHODS = frozenset({"sendMessage", "editMessageText", "sendDocument", "answerCallbackQuery"})

Pause = Callable[[], Awaitable[None]]


class DemoError(RuntimeError):
    """The story could not go on: the bot did not show what the script expected."""


@dataclass(frozen=True)
class Actor:
    """A person in the story: their Telegram user and the part they play."""

    user: FakeUser
    role: str

    @property
    def name(self) -> str:
        """The first name the transcript calls them by."""
        return self.user.first_name

    @property
    def id(self) -> int:
        """Their Telegram id, which is also their private chat's id."""
        return self.user.id


def demo_settings(directory: Path, organiser_id: int) -> Settings:
    """Settings for a throwaway deployment in directory; the caller's environment is ignored."""
    return load_settings(
        {
            "BOT_TOKEN": DEMO_TOKEN,
            "DATABASE_PATH": str(directory / "demo.sqlite3"),
            "ORGANISER_IDS": str(organiser_id),
            "TIMEZONE": "Europe/London",
        }
    )


def _labels(markup: dict[str, Any] | None) -> list[str]:
    """A message's buttons as "[Label] [Label]", one line per row; ⌨ marks a reply keyboard."""
    markup = markup or {}
    rows, mark = markup.get("inline_keyboard") or [], ""
    if not rows and markup.get("keyboard"):
        rows, mark = markup["keyboard"], "⌨ "
    return [mark + " ".join(f"[{b.get('text', '')}]" for b in row) for row in rows]


@dataclass
class Stage:
    """The running bot, the people in the story and the transcript of what each chat saw."""

    app: AidApplication
    fake: FakeTelegram
    clock: FakeClock
    out: TextIO
    pause: Pause | None = None
    condensed: bool = False  # show each message's first line only, without buttons
    language: str | None = None  # every person's Telegram app language (None: as cast)
    actors: dict[int, Actor] = field(default_factory=dict)
    builder: UpdateBuilder | None = None
    errors: list[BaseException] = field(default_factory=list)
    _shown: int = 0
    _queries: dict[str, Actor] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        """The running bot's services (for reading state the story reports on)."""
        return services_of(self.app)

    @property
    def build(self) -> UpdateBuilder:
        """The update builder bound to the running bot and the fake network."""
        if self.builder is None:
            self.builder = UpdateBuilder(self.app.bot, self.fake)
        return self.builder

    def cast(self, *actors: Actor) -> None:
        """Introduce the people of the story."""
        for actor in actors:
            self.actors[actor.id] = actor

    def user(self, actor: Actor) -> FakeUser:
        """The actor's Telegram user, speaking the stage's language when one is set."""
        if self.language is None:
            return actor.user
        return dataclasses.replace(actor.user, language_code=self.language)

    def chat_name(self, chat_id: int) -> str:
        """Whose chat this is, as the transcript names it."""
        actor = self.actors.get(chat_id)
        return f"{actor.name}'s chat ({actor.role})" if actor else f"chat {chat_id}"

    # Printing

    def line(self, text: str = "") -> None:
        """Print one line of the transcript."""
        print(text, file=self.out, flush=True)

    def scene(self, title: str) -> None:
        """Print a scene heading."""
        self.line()
        self.line("=" * 72)
        self.line(f"  {title}")
        self.line("=" * 72)

    def note(self, text: str) -> None:
        """Print the narrator's remark."""
        self.line(f"  ({text})")

    @contextlib.asynccontextmanager
    async def exchange(self, title: str) -> AsyncIterator[None]:
        """One exchange of the story: a heading, the actions, then (with --step) a pause."""
        self.line()
        self.line(f"--- {title}")
        yield
        if self.pause is not None:
            await self.pause()

    def _show_new_calls(self) -> None:
        """Print the Bot API calls made since the last time, grouped by chat."""
        calls = self.fake.calls[self._shown :]
        self._shown = len(self.fake.calls)
        by_chat: dict[int, list[str]] = {}
        for call in calls:
            if call.error is None and call.method in SHOWN_METHODS:
                shown = self._describe(call)
                if shown is not None:
                    by_chat.setdefault(shown[0], []).append(shown[1])
        for chat_id, entries in by_chat.items():
            self.line(f"    {self.chat_name(chat_id)}:")
            for entry in entries:
                self.line(entry)

    def _describe(self, call: ApiCall) -> tuple[int, str] | None:
        """The chat a call showed something in, and that thing as indented text."""
        if call.method == "answerCallbackQuery":
            actor = self._queries.get(str(call.params.get("callback_query_id")))
            text = call.params.get("text")
            if actor is None or not text:
                return None  # a silent answer only stops the button's spinner
            return actor.id, f"{INDENT}💬 pop-up: {text}"
        chat_id = int(call.params["chat_id"])
        result = call.result if isinstance(call.result, dict) else {}
        if call.method == "sendDocument":
            name = (result.get("document") or {}).get("file_name", "a file")
            return chat_id, f"{INDENT}📎 {name}"
        body = str(result.get("text") or "").splitlines() or [""]
        prefix = "✏️ (earlier message now reads) " if call.method == "editMessageText" else "🤖 "
        if self.condensed:
            first = body[0] if len(body[0]) <= 90 else body[0][:89] + "…"
            return chat_id, f"{INDENT}{prefix}{first}"
        # Telegram echoes inline keyboards; a reply keyboard is only in what was sent.
        lines = [prefix + body[0], *body[1:], *_labels(call.params.get("reply_markup"))]
        return chat_id, "\n".join(INDENT + text if text else "" for text in lines)

    # Acting

    async def _settle(self) -> None:
        """Wait for what the updates started in the background: broadcasts, outbox drains."""
        await settle(self.app)

    async def record_error(self, update: object, context: AidContext) -> None:
        """Keep a handler's error: PTB only logs them, and the story must not go on past one."""
        if context.error is not None:
            self.errors.append(context.error)

    async def deliver(self, *updates: Update) -> None:
        """Hand updates to the real Application at once, wait for their handlers, show replies."""
        await asyncio.gather(*(self.app.process_update(update) for update in updates))
        await self._settle()
        self._show_new_calls()
        if self.errors:
            raise DemoError(f"the bot failed while handling an update: {self.errors[0]!r}")

    async def say(self, actor: Actor, text: str) -> None:
        """The person types a message in their private chat with the bot."""
        self.line(f"  {actor.name} types: {text}")
        await self.deliver(self.build.text(self.user(actor), text))

    async def command(self, actor: Actor, command: str, args: str = "") -> None:
        """The person sends a /command in their private chat with the bot."""
        shown = f"/{command} {args}".rstrip()
        self.line(f"  {actor.name} sends: {shown}")
        await self.deliver(self.build.command(self.user(actor), command, args))

    async def open_link(self, actor: Actor, payload: str) -> None:
        """The person opens a t.me deep link, which sends /start <payload>."""
        self.line(f"  {actor.name} opens the invite link")
        await self.deliver(self.build.deep_link_start(self.user(actor), payload))

    async def tap_keyboard(self, actor: Actor, label: str) -> None:
        """The person taps a reply-keyboard button, which sends its label as a message."""
        self.line(f"  {actor.name} taps ⌨ [{label}]")
        await self.deliver(self.build.text(self.user(actor), label))

    def button(self, chat_id: int, data: str) -> tuple[int, str] | None:
        """(message id, label) of the newest message in the chat now showing this button."""
        for call in reversed(self.fake.calls):
            if call.method != "sendMessage" or call.error or call.params.get("chat_id") != chat_id:
                continue
            message_id = int(call.result["message_id"])
            message = self.fake.message(chat_id, message_id) or {}
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("callback_data") == data:
                        return message_id, str(button.get("text", ""))
        return None

    def buttons_like(self, chat_id: int, prefix: str) -> list[str]:
        """The data of every button now shown in the chat whose data starts with prefix."""
        found: list[str] = []
        for call in self.fake.calls_to("sendMessage", chat_id):
            message = self.fake.message(chat_id, int(call.result["message_id"])) or {}
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                found += [
                    str(b["callback_data"])
                    for b in row
                    if str(b.get("callback_data", "")).startswith(prefix)
                ]
        return found

    def _press_update(self, actor: Actor, data: str) -> Update:
        """The update of the person pressing the button with this data on their screen."""
        shown = self.button(actor.id, data)
        if shown is None:
            raise DemoError(f"{actor.name} sees no button {data!r}")
        message_id, label = shown
        self.line(f"  {actor.name} presses [{label}]")
        update = self.build.callback(self.user(actor), data, message_id=message_id)
        if update.callback_query is not None:
            self._queries[update.callback_query.id] = actor
        return update

    async def press(self, actor: Actor, data: str) -> None:
        """The person presses a button they can see in their private chat."""
        await self.deliver(self._press_update(actor, data))

    async def press_together(self, presses: list[tuple[Actor, str]]) -> None:
        """Several people press their buttons at the same moment (handled concurrently)."""
        await self.deliver(*(self._press_update(actor, data) for actor, data in presses))

    async def advance_to(self, moment: datetime) -> None:
        """Move the story's clock on, fire every scheduled job now due, and show what was sent."""
        local = moment.astimezone(self.services.settings.timezone)
        self.line(f"  ⏩ The clock moves on to {local:%a %d %b, %H:%M}")
        self.clock.set(moment)
        for _ in range(20):  # a fired job may make another one due
            if not await self.services.scheduler.run_due():
                break
        await self.services.dispatcher.drain()
        self._show_new_calls()
        if self.errors:
            raise DemoError(f"the bot failed while running a scheduled job: {self.errors[0]!r}")

    def messages_now(self, actor: Actor) -> list[str]:
        """The text of every message the bot sent the person, as it reads after any edits."""
        texts: list[str] = []
        for call in self.fake.calls_to("sendMessage", actor.id):
            message = self.fake.message(actor.id, int(call.result["message_id"])) or {}
            texts.append(str(message.get("text", "")))
        return texts

    def chats_showing(self, secret: str) -> set[int]:
        """Every chat where a message containing this text was shown."""
        return {
            int(call.params["chat_id"])
            for call in self.fake.calls_to()
            if call.method in ("sendMessage", "editMessageText", "sendDocument")
            and isinstance(call.result, dict)
            and secret in str(call.result.get("text") or call.result.get("caption") or "")
        }
