"""The six flows of the crash-point test: how to get each to its step, act, and carry on.

Each flow is prepared in-process (the real Application on the test database), then acted on
and carried on through the real process (tests/test_crash_points.py).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from config import request_texts, volunteer_texts
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from handlers.volunteers import steps as volunteer_steps
from tests.conftest import BotHarness
from tests.flows import agree, make_volunteer, neighbourhood_with_invite
from tests.flows_reliability import JSON, Db, press_update, text_update

RESIDENT = FakeUser(2101, "Rosa", "Resident")
VOLUNTEER = FakeUser(3101, "Vic", "Volunteer")
NEWCOMER = FakeUser(2102, "Nell", "Newcomer")
REF = re.compile(r"R-[0-9A-Z]{4,6}")


@dataclass
class Prepared:
    """What a flow left in place before its action: ids and the invite code."""

    code: str
    request_id: int = 0


@dataclass(frozen=True)
class Flow:
    """One flow: prepared in-process, then one action and one next step through the process."""

    name: str
    actor: FakeUser
    prepare: Callable[[BotHarness], Awaitable[Prepared]]
    action: Callable[[int, Prepared], JSON]  # (update id, prepared) -> the action's update
    answered: Callable[[str], bool]  # is this text the answer to the action?
    carry_on: Callable[[int, Prepared], JSON]
    carried_on: Callable[[str], bool]  # is this text the answer to the next step?
    effects: Callable[[Db, Prepared], bool]  # the action's effects, stored exactly once
    others: bool = True  # whether the action causes messages for someone else


def _step(token: Step, value: str) -> str:
    return pack(request_flow.KIND, token.token, value)


async def _community(bot: BotHarness) -> str:
    _, code = await neighbourhood_with_invite(bot)
    await make_volunteer(bot, VOLUNTEER, code, max_open_tasks=10)
    await agree(bot, RESIDENT, code)
    return code


async def _to_summary(bot: BotHarness) -> None:
    """The resident fills in a shopping request up to its summary (not confirmed)."""

    async def press(step: Step, value: str) -> None:
        await bot.press(RESIDENT, _step(step, value))

    await bot.send(bot.build.command(RESIDENT, "request"))
    await press(Step.CATEGORY, "shopping")
    await bot.send(bot.build.text(RESIDENT, "Milk and bread"))
    await press(Step.WHEN, "today")
    await bot.send(bot.build.text(RESIDENT, "07700 100123"))
    await bot.send(bot.build.text(RESIDENT, "1 Elm Road"))
    await press(Step.PAYMENT, "doorstep")
    await press(Step.FOR_WHOM, "me")


async def _newest_request(bot: BotHarness) -> int:
    async with bot.services.db.read() as conn:
        row = await conn.fetchrow("SELECT MAX(id) FROM help_requests")
    return int(row[0])


async def _prepare_consent(bot: BotHarness) -> Prepared:
    code = await _community(bot)
    await bot.send(bot.build.command(NEWCOMER, "start", f"join-{code}"))  # the notice
    return Prepared(code)


async def _prepare_confirm(bot: BotHarness) -> Prepared:
    code = await _community(bot)
    await _to_summary(bot)
    return Prepared(code)


async def _prepare_accept(bot: BotHarness) -> Prepared:
    prepared = await _prepare_confirm(bot)
    await bot.press(RESIDENT, _step(Step.SUMMARY, "confirm"))
    prepared.request_id = await _newest_request(bot)
    return prepared


async def _prepare_done(bot: BotHarness) -> Prepared:
    prepared = await _prepare_accept(bot)
    await bot.press(VOLUNTEER, pack("accept", prepared.request_id))
    return prepared


async def _prepare_thanks(bot: BotHarness) -> Prepared:
    prepared = await _prepare_done(bot)
    await bot.press(VOLUNTEER, pack("done", prepared.request_id))
    await bot.send(bot.build.text(VOLUNTEER, "12.50"))
    return prepared


async def _prepare_sign_up(bot: BotHarness) -> Prepared:
    _, code = await neighbourhood_with_invite(bot)
    await agree(bot, NEWCOMER, code)

    async def tap(*parts: str | int) -> None:
        await bot.press(NEWCOMER, pack(volunteer_steps.KIND, *parts))

    await bot.send(bot.build.command(NEWCOMER, "volunteer"))
    await tap("pick", "cat", "shopping")
    await tap("next", "cat")
    await tap("pick", "when", 7)
    await tap("next", "when")
    await tap("pick", "tasks", 2)
    await tap("next", "langs")
    await tap("next", "skills")
    await bot.send(bot.build.text(NEWCOMER, volunteer_texts.BUTTON_NO_PHONE))
    return Prepared(code)


def _count(db: Db, sql: str, *args: object) -> int:
    return int(db.value(sql, *args) or 0)


FLOWS = (
    Flow(
        "consent",
        NEWCOMER,
        _prepare_consent,
        lambda uid, p: press_update(uid, NEWCOMER, pack("consent", "yes", p.code)),
        lambda text: "You're in" in text,
        lambda uid, p: text_update(uid, NEWCOMER, "/request"),
        lambda text: "What kind of help" in text,
        lambda db, p: (
            _count(
                db,
                "SELECT COUNT(*) FROM people p JOIN memberships m ON m.person_id = p.id "
                "WHERE p.telegram_id = ? AND p.consent_at IS NOT NULL",
                NEWCOMER.id,
            )
            == 1
        ),
        others=False,
    ),
    Flow(
        "request confirm",
        RESIDENT,
        _prepare_confirm,
        lambda uid, p: press_update(uid, RESIDENT, _step(Step.SUMMARY, "confirm")),
        lambda text: "is in" in text and bool(REF.search(text)),
        lambda uid, p: text_update(uid, RESIDENT, "/myrequests"),
        lambda text: bool(REF.search(text)) and "Shopping" in text,
        lambda db, p: _count(db, "SELECT COUNT(*) FROM help_requests") == 1,
    ),
    Flow(
        "accept",
        VOLUNTEER,
        _prepare_accept,
        lambda uid, p: press_update(uid, VOLUNTEER, pack("accept", p.request_id)),
        lambda text: text.startswith("📋") and bool(REF.search(text)),  # the task's details
        lambda uid, p: press_update(uid, VOLUNTEER, pack("done", p.request_id)),
        lambda text: "is marked done" in text,
        lambda db, p: (
            _count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'request.accepted'") == 1
        ),
    ),
    Flow(
        "done with the amount",
        VOLUNTEER,
        _prepare_done,
        lambda uid, p: press_update(uid, VOLUNTEER, pack("done", p.request_id)),
        lambda text: "is marked done" in text,
        lambda uid, p: text_update(uid, VOLUNTEER, "12.50"),
        lambda text: "Recorded £12.50" in text,
        lambda db, p: (
            _count(
                db,
                "SELECT COUNT(*) FROM help_requests WHERE status = 'done' "
                "AND amount_spent_pence = 1250",
            )
            == 1
        ),
    ),
    Flow(
        "the resident's thanks",
        RESIDENT,
        _prepare_thanks,
        lambda uid, p: press_update(uid, RESIDENT, pack("confirm", p.request_id, "yes")),
        lambda text: text == request_texts.RESIDENT_CLOSED,
        lambda uid, p: text_update(uid, RESIDENT, "/myrequests"),
        lambda text: bool(REF.search(text)),
        lambda db, p: (
            _count(db, "SELECT COUNT(*) FROM help_requests WHERE status = 'closed' AND thanked = 1")
            == 1
        ),
    ),
    Flow(
        "volunteer sign-up confirm",
        NEWCOMER,
        _prepare_sign_up,
        lambda uid, p: press_update(uid, NEWCOMER, pack(volunteer_steps.KIND, "confirm")),
        lambda text: "Your offer is saved" in text,
        lambda uid, p: text_update(uid, NEWCOMER, "/help"),
        lambda text: "/request" in text and "/volunteer" in text,
        lambda db, p: (
            _count(
                db,
                "SELECT COUNT(*) FROM volunteers v JOIN people p ON p.id = v.person_id "
                "WHERE p.telegram_id = ?",
                NEWCOMER.id,
            )
            == 1
        ),
    ),
)
