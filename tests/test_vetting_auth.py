"""The authorisation matrix: every organiser-tools command and button (roles, vetting,
suspension, settings) tried by a resident, a volunteer, an organiser of another neighbourhood
and an organiser of the right one. Only the last succeeds; the others change nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from config import texts
from storage.organising import neighbourhoods, roles, vetting
from tests.conftest import RESIDENT, BotHarness
from tests.flows_vetting import (
    ELM_ORG,
    ELM_ORG_2,
    OAK_ORG,
    PENDING,
    SUSPENDED,
    VOLUNTEER,
    World,
    build_world,
    snapshot,
)


@dataclass(frozen=True)
class Facts:
    """What the success checks look at, read from the database."""

    pid: dict[int, int]  # Telegram id -> person id
    role: dict[int, str]  # person id -> role in Elm Park
    status: dict[int, str | None]  # person id -> volunteer status in Elm Park
    checks: set[str]  # VOLUNTEER's recorded checks in Elm Park
    approval: bool
    batch: int | None
    required: dict[str, frozenset[str]]


@dataclass(frozen=True)
class Attempt:
    """A command (with args) or a button press, plus any follow-up steps of its flow."""

    name: str
    command: str | None  # command name, or None for a press
    data: Callable[[World], str]  # command args, or the button data
    follow_up: tuple[tuple[str, Callable[[World], str]], ...]
    succeeded: Callable[[Facts, str], bool]


async def facts(bot: BotHarness, world: World) -> Facts:
    """Read the facts the success checks look at."""
    async with bot.services.db.read() as conn:
        members = {m.person_id: m for m in await roles.members(conn, world.elm, limit=1000)}
        checks = await vetting.checks_of(conn, world.pid(VOLUNTEER), world.elm)
        local = await neighbourhoods.settings_of(conn, world.elm)
        required = await vetting.required_checks(conn, world.elm)
    return Facts(
        pid=world.person,
        role={pid: m.role for pid, m in members.items()},
        status={pid: m.volunteer_status for pid, m in members.items()},
        checks=set(checks),
        approval=local.volunteers_need_approval,
        batch=local.alert_batch_size,
        required=required,
    )


def _role(user: FakeUser, role: str) -> Callable[[Facts, str], bool]:
    return lambda f, _: f.role.get(f.pid[user.id]) == role


def _status(user: FakeUser, status: str | None) -> Callable[[Facts, str], bool]:
    return lambda f, _: f.pid[user.id] in f.status and f.status[f.pid[user.id]] == status


def _says(fragment: str) -> Callable[[Facts, str], bool]:
    return lambda _, reply: fragment in reply


def _n(user: FakeUser) -> Callable[[World], str]:
    return lambda w: f"#{w.pid(user)}"


def _none(_: World) -> str:
    return ""


ELM = "<elm>"  # stands for Elm Park's id in _button


def _button(kind: str, *parts: str | int | FakeUser) -> Callable[[World], str]:
    """Button data made once the world exists: ELM becomes Elm Park's id, a user their number."""

    def data(w: World) -> str:
        values = [w.elm if p == ELM else w.pid(p) if isinstance(p, FakeUser) else p for p in parts]
        return pack(kind, *values)

    return data


def command(name: str, args: Callable[[World], str], ok: Callable[[Facts, str], bool]) -> Attempt:
    return Attempt(f"/{name}", name, args, (), ok)


def press(
    name: str,
    data: Callable[[World], str],
    ok: Callable[[Facts, str], bool],
    *follow_up: tuple[str, Callable[[World], str]],
) -> Attempt:
    return Attempt(name, None, data, tuple(follow_up), ok)


ATTEMPTS = [
    command("organisers", _none, _says("Organisers of <b>Elm Park</b>")),
    command("promote", _n(RESIDENT), _role(RESIDENT, "organiser")),
    command("demote", _n(ELM_ORG_2), _role(ELM_ORG_2, "member")),
    command("pending", _none, _says("Pip Pending")),
    command("checks", _n(VOLUNTEER), _says("Checks for <b>Vera Volunteer</b>")),
    command("suspend", _n(VOLUNTEER), _status(VOLUNTEER, "suspended")),
    command("unsuspend", _n(SUSPENDED), _status(SUSPENDED, "approved")),
    command("settings", _none, _says("Settings for <b>Elm Park</b>")),
    *(
        press(f"pick-{action}", _button("vnb", action, ELM), _says("Elm Park"))
        for action in ("organisers", "promote", "demote", "pending", "checks", "settings")
    ),
    press(
        "pick-suspend-by-number",
        _button("vnb", "suspend", ELM, VOLUNTEER),
        _status(VOLUNTEER, "suspended"),
    ),
    press("promote-button", _button("vrole", "p", ELM, RESIDENT), _role(RESIDENT, "organiser")),
    press("demote-button", _button("vrole", "d", ELM, ELM_ORG_2), _role(ELM_ORG_2, "member")),
    press(
        "approve-with-note",
        _button("vet", "a", ELM, PENDING),
        _status(PENDING, "approved"),
        ("text", lambda w: "Welcome!"),
    ),
    press(
        "reject-without-note",
        _button("vet", "r", ELM, PENDING),
        _status(PENDING, None),
        ("press", _button("vetnote", "r", ELM, PENDING)),
    ),
    press(
        "checks-view", _button("vchk", ELM, VOLUNTEER), _says("Checks for <b>Vera Volunteer</b>")
    ),
    press("check-id", _button("vchk", ELM, VOLUNTEER, "id", 1), lambda f, _: f.checks == {"id"}),
    press(
        "check-dbs",
        _button("vdbs", ELM, VOLUNTEER, "basic"),
        lambda f, _: f.checks == {"dbs"},
        ("text", lambda w: "01/02/2024"),
    ),
    press("suspend-button", _button("vsus", "s", ELM, VOLUNTEER), _status(VOLUNTEER, "suspended")),
    press("unsuspend-button", _button("vsus", "u", ELM, SUSPENDED), _status(SUSPENDED, "approved")),
    press(
        "settings-approval", _button("vset", ELM, "approval", "0"), lambda f, _: f.approval is False
    ),
    press(
        "settings-batch-menu",
        _button("vset", ELM, "batch"),
        _says("Volunteers alerted per round for <b>Elm Park</b>"),
    ),
    press("settings-batch", _button("vset", ELM, "batch", "8"), lambda f, _: f.batch == 8),
    press(
        "settings-required-check",
        _button("vset", ELM, "rc", "prescription", "id"),
        lambda f, _: f.required == {"prescription": frozenset({"id"})},
    ),
]


async def attempt(bot: BotHarness, world: World, user: FakeUser, how: Attempt) -> None:
    """Make one attempt as this user, with its follow-up steps."""
    if how.command is not None:
        await bot.send(bot.build.command(user, how.command, how.data(world)))
    else:
        await bot.press(user, how.data(world))
    for kind, value in how.follow_up:
        if kind == "text":
            await bot.send(bot.build.text(user, value(world)))
        else:
            await bot.press(user, value(world))


@pytest.mark.parametrize("how", ATTEMPTS, ids=[a.name for a in ATTEMPTS])
async def test_only_the_right_organiser_succeeds(harness: BotHarness, how: Attempt) -> None:
    world = await build_world(harness)
    before = (await snapshot(harness, world.elm), await snapshot(harness, world.oak))
    for outsider in (RESIDENT, VOLUNTEER, OAK_ORG):
        harness.fake.clear()
        await attempt(harness, world, outsider, how)
        after = (await snapshot(harness, world.elm), await snapshot(harness, world.oak))
        assert after == before, (how.name, outsider)
        replies = harness.fake.texts_to(outsider.id)
        assert not any("Elm Park" in r for r in replies), (how.name, outsider, replies)
        if how.command is None:
            answer = harness.fake.calls_to("answerCallbackQuery")[0].params
            assert answer.get("text") == texts.NOT_ORGANISER_HERE, (how.name, outsider)
        elif outsider is not OAK_ORG:
            assert replies[0] == texts.NOT_ORGANISER, (how.name, outsider)
    harness.fake.clear()
    await attempt(harness, world, ELM_ORG, how)
    replies = "\n".join(harness.fake.texts_to(ELM_ORG.id))
    assert how.succeeded(await facts(harness, world), replies), (how.name, replies)
    assert texts.NOT_ORGANISER not in replies and texts.NOT_ORGANISER_HERE not in replies
