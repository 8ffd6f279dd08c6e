"""Nothing a person sends can raise: hypothesis-generated input at every conversation state.

For each state of the request flow, the offer-help flow and the amount question (and outside
any flow, and in a group), a person is walked into that state through the real Application,
then sent one generated input: text (any unicode, right-to-left and zero-width marks,
full-width digits, emoji, over-long), a command with arguments, a shared contact, or button
data (random, near-valid, or a real button of the current message). Any handler error fails
the test (the harness records them). The profile is derandomized, so CI runs the same inputs.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings

from bot.callback_data import pack
from bot.clock import FakeClock
from bot.offline.updates import FakeUser
from bot.organising.community import NAME_MAX_LENGTH
from bot.requests.request_types import RequestDraft
from bot.when import WhenKind, window_for
from config import texts, volunteer_texts
from handlers.requests import tasks
from handlers.requests.steps import Step
from tests.conftest import ORGANISER, RESIDENT, VOLUNTEERS_CHAT, BotHarness, make_settings
from tests.flows import agree, create_neighbourhood, invite_code, make_volunteer
from tests.flows_privacy import (
    ADDRESS,
    PHONE,
    buttons_to,
    conversation_state,
    stored_text,
    tap,
    with_tunables,
)
from tests.fuzz_inputs import PAYLOADS, UNPRESSED, Payload

EXAMPLES_PER_STATE = 16
SEED = 20261126
FUZZER = FakeUser(3001, "Fuzz", "Tester")
FUZZ_VOLUNTEER = FakeUser(3002, "Vol", "Fuzz")

Action = tuple[str, str]  # ("cmd" | "tap" | "say" | "keyboard", value)


def _request_walks() -> dict[Step, list[Action]]:
    neighbourhood: list[Action] = [("cmd", "request")]
    category = [*neighbourhood, ("tap", r"\|neighbourhood\|\d+$")]
    what = [*category, ("tap", r"\|category\|shopping$")]
    when = [*what, ("say", "Milk and bread")]
    phone = [*when, ("tap", r"\|when\|today$")]
    address = [*phone, ("say", PHONE)]
    payment = [*address, ("say", ADDRESS)]
    for_whom = [*payment, ("tap", r"\|payment\|")]
    for_name = [*for_whom, ("tap", r"\|for_whom\|other$")]
    for_phone = [*for_name, ("say", "Ann")]
    for_agreed = [*for_phone, ("say", "+447700100124")]
    summary = [*for_agreed, ("tap", r"\|for_agreed\|yes$")]
    pharmacy = [*category, ("tap", r"\|category\|prescription$"), ("say", "Inhaler"),
                ("tap", r"\|when\|today$"), ("say", PHONE), ("say", ADDRESS)]  # fmt: skip
    return {
        Step.NEIGHBOURHOOD: neighbourhood,
        Step.CATEGORY: category,
        Step.WHAT: what,
        Step.WHEN: when,
        Step.WHEN_TYPED: [*when, ("tap", r"\|when\|type$")],
        Step.PHONE: phone,
        Step.ADDRESS: address,
        Step.PAYMENT: payment,
        Step.PHARMACY: pharmacy,
        Step.FOR_WHOM: for_whom,
        Step.FOR_NAME: for_name,
        Step.FOR_PHONE: for_phone,
        Step.FOR_AGREED: for_agreed,
        Step.SUMMARY: summary,
        Step.EDIT: [*summary, ("tap", r"\|summary\|edit$")],
    }


def _volunteer_walks() -> list[list[Action]]:
    walk: list[Action] = [("cmd", "volunteer")]
    walks = [list(walk)]
    for step in (r"\|pick\|cat\|shopping$", r"\|next\|cat$", r"\|pick\|when\|", r"\|next\|when$",
                 r"\|pick\|tasks\|", r"\|next\|langs$", r"\|next\|skills$"):  # fmt: skip
        walk.append(("tap", step))
        if not step.startswith(r"\|pick\|cat") and not step.startswith(r"\|pick\|when"):
            walks.append(list(walk))
    walks.append([*walk, ("keyboard", volunteer_texts.BUTTON_NO_PHONE)])
    return walks  # states 0 to 6, in order


@dataclass(frozen=True)
class Target:
    """A state to fuzz: who sends, how to get there, and the state to check."""

    name: str
    user: FakeUser
    conversation: str | None
    state: object | None
    walk: list[Action]


def targets() -> list[Target]:
    """Every state of the core flows, outside any flow, and a group chat."""
    found = [
        Target(f"request:{step.name}", FUZZER, "request_flow", step, walk)
        for step, walk in _request_walks().items()
    ]
    found += [
        Target(f"volunteer:{state}", FUZZER, "volunteer_flow", state, walk)
        for state, walk in enumerate(_volunteer_walks())
    ]
    found.append(Target("amount", FUZZ_VOLUNTEER, "done_amount", tasks.AMOUNT, [("task", "")]))
    found.append(Target("idle", FUZZER, None, None, []))
    found.append(Target("group", FUZZER, None, None, [("group", "")]))
    return found


class FuzzBot:
    """The real bot on its own event loop, so hypothesis can drive it example by example."""

    def __init__(self, tmp_path: Path, database_url: str | None) -> None:
        self.loop = asyncio.new_event_loop()
        backend = {"DATABASE_URL": database_url} if database_url else {}
        fuzz_settings = with_tunables(
            make_settings(tmp_path, **backend),
            messages_per_minute=100_000,
            requests_per_hour=100_000,
        )
        self.bot = BotHarness(settings=fuzz_settings, clock=FakeClock())
        self.tried: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.neighbourhood_id = 0

    def run(self, step: Awaitable[Any]) -> Any:
        """Run one coroutine to completion on the bot's loop."""
        return self.loop.run_until_complete(step)

    async def set_up(self) -> None:
        """Two neighbourhoods; the fuzzer in both; an approved volunteer; a resident."""
        bot = self.bot
        await bot.start()
        await agree(bot, ORGANISER)
        self.neighbourhood_id = await create_neighbourhood(bot, ORGANISER, "Elm Park")
        other = await create_neighbourhood(bot, ORGANISER, "Oak Row")
        code = await invite_code(bot, ORGANISER, self.neighbourhood_id)
        other_code = await invite_code(bot, ORGANISER, other)
        await agree(bot, FUZZER, code)
        await bot.send(bot.build.command(FUZZER, "start", f"join-{other_code}"))
        await agree(bot, RESIDENT, code)
        await make_volunteer(bot, FUZZ_VOLUNTEER, code, max_open_tasks=50)
        assert not bot.errors, bot.errors

    async def reset(self, user: FakeUser) -> None:
        """Out of any flow, agreed to the notice, alerts on: as the walks expect."""
        bot = self.bot
        await bot.send(bot.build.command(user, "cancel"))
        person = await bot.services.community.person(user.id)
        if person is None or not person.has_consented:
            await bot.send(bot.build.command(user, "start"))
            await bot.press(user, pack("consent", "yes"))
        if user is FUZZ_VOLUNTEER:
            await bot.send(bot.build.command(user, "resume"))

    async def walk(self, target: Target) -> None:
        """Walk the person into the target state and check they got there."""
        bot, user = self.bot, target.user
        await self.reset(user)
        for action, value in target.walk:
            if action == "cmd":
                await bot.send(bot.build.command(user, value))
            elif action in ("say", "keyboard"):
                await bot.send(bot.build.text(user, value))
            elif action == "tap":
                await tap(bot, user, value)
            elif action == "task":
                await self._new_task_done()
        if target.conversation is not None:
            state = conversation_state(bot, target.conversation, user)
            assert state == target.state, (target.name, state, bot.fake.texts_to(user.id)[-2:])

    async def _new_task_done(self) -> None:
        bot = self.bot
        created = await bot.services.requests.create(
            RESIDENT.id,
            RequestDraft(
                neighbourhood_id=self.neighbourhood_id,
                category="shopping",
                description="Fuzz shopping",
                window=window_for(WhenKind.TODAY, bot.clock.now(), bot.settings.timezone),
                contact_phone=PHONE,
                telegram_only=False,
                address=ADDRESS,
                payment_method="doorstep",
            ),
        )
        await bot.press(FUZZ_VOLUNTEER, pack("accept", created.request_id))
        await bot.press(FUZZ_VOLUNTEER, pack("done", created.request_id))

    async def send(self, target: Target, payload: Payload) -> None:
        """Send one generated input in the target's chat."""
        bot, user = self.bot, target.user
        build = bot.build
        if target.name == "group":
            if payload.kind == "command":
                update = build.group_command(user, VOLUNTEERS_CHAT, payload.text, payload.extra)
            elif payload.kind == "button":
                update = build.callback(user, payload.text, chat_id=VOLUNTEERS_CHAT)
            else:
                update = build.group_text(user, VOLUNTEERS_CHAT, payload.text or "?")
            await bot.send(update)
            return
        if payload.kind == "text":
            await bot.send(build.text(user, payload.text))
        elif payload.kind == "command":
            await bot.send(build.command(user, payload.text, payload.extra))
        elif payload.kind == "contact":
            owner = {"own": user.id, "other": user.id + 1, "none": None}[payload.extra]
            await bot.send(build.contact(user, payload.text, contact_user_id=owner))
        elif payload.kind == "button":
            await bot.press(user, payload.text)
        else:  # a real button of the current message, except those that confirm or erase
            shown = [d for d in buttons_to(bot, user.id) if not UNPRESSED.search(d)]
            if shown:
                await bot.press(user, shown[payload.index % len(shown)])

    async def try_input(self, target: Target, payload: Payload) -> None:
        """Walk into the state, send the input, and fail on any handler error."""
        await self.walk(target)
        await self.send(target, payload)
        self.tried[target.name] += 1
        self.kinds[payload.kind] += 1
        errors = self.bot.take_errors()
        assert not errors, f"{target.name}: {payload!r} raised {errors!r}"

    def close(self) -> None:
        """Stop the bot and close the loop."""
        self.run(self.bot.stop())
        self.loop.close()


# Fixed seeds (one per state, so each state gets different inputs) and no example database:
# CI runs exactly the same inputs every time.
FUZZ_PROFILE = settings(
    max_examples=EXAMPLES_PER_STATE,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def fuzz_state(fuzz: FuzzBot, target: Target, number: int) -> None:
    """Feed one state its generated inputs (shrinking to the smallest failing one)."""

    @seed(SEED + number)
    @FUZZ_PROFILE
    @given(payload=PAYLOADS)
    def one_input(payload: Payload) -> None:
        fuzz.run(fuzz.try_input(target, payload))

    one_input()


def test_no_input_in_any_state_raises(
    tmp_path: Path, database_url: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    fuzz = FuzzBot(tmp_path, database_url)
    try:
        fuzz.run(fuzz.set_up())
        every = targets()
        for number, target in enumerate(every):
            fuzz_state(fuzz, target, number)
        assert set(fuzz.tried) == {t.name for t in every}  # every state got its inputs
    finally:
        fuzz.close()
    total = sum(fuzz.tried.values())
    summary = (
        f"fuzz: {total} generated inputs tried across {len(fuzz.tried)} states "
        f"(at least {min(fuzz.tried.values())} each); by kind: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(fuzz.kinds.items()))
    )
    with capsys.disabled():
        print("\n" + summary)
    assert total >= len(every) * 5


def test_over_long_text_is_refused_at_every_step(tmp_path: Path, database_url: str | None) -> None:
    """5,000 characters at any state: answered, the state stays, and nothing of it is stored."""
    fuzz = FuzzBot(tmp_path, database_url)
    long_text = "9" * 5000
    try:
        fuzz.run(fuzz.set_up())
        for target in targets():
            if target.conversation is None:
                continue
            fuzz.run(fuzz.walk(target))
            before = len(fuzz.bot.fake.calls)
            fuzz.run(fuzz.bot.send(fuzz.bot.build.text(target.user, long_text)))
            assert not fuzz.bot.take_errors(), target.name
            assert len(fuzz.bot.fake.calls) > before, f"{target.name}: no answer"
            state = conversation_state(fuzz.bot, target.conversation, target.user)
            assert state == target.state, (target.name, state)
        stored = fuzz.run(stored_text(fuzz.bot))
        assert long_text[:1001] not in stored
        # The longest deep link Telegram allows, with a code that is not an invite's.
        stranger = FakeUser(3999, "New", "Comer")
        fuzz.run(fuzz.bot.send(fuzz.bot.build.command(stranger, "start", "join-" + "A" * 59)))
        assert not fuzz.bot.take_errors()
        assert texts.INVITE_MALFORMED in fuzz.bot.fake.texts_to(stranger.id)
        # Organisers' free text: a neighbourhood name.
        fuzz.run(fuzz.bot.send(fuzz.bot.build.command(ORGANISER, "neighbourhood", long_text)))
        assert fuzz.bot.fake.last_text_to(ORGANISER.id) == texts.NEIGHBOURHOOD_BAD_NAME.format(
            limit=NAME_MAX_LENGTH
        )
    finally:
        fuzz.close()
