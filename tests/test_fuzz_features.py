"""Nothing a person sends can raise, in the conversations added after the core flows.

The same approach as tests/test_fuzz.py (whose FuzzBot and inputs this reuses): a person is
walked into each state of /offer, the asset edit, /import assets, /checkin, /log, /broadcast,
the /pending note and the /checks DBS date through the real Application, the state is checked,
then one generated input is sent: text, a command, a contact, button data (random, near-valid
for these features, or a real button of the current message) or a document of random bytes.
The organiser commands with free arguments get generated arguments (and, when they ask which
neighbourhood, a press on the buttons they show). Any handler error fails the test.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from bot.callback_data import pack
from bot.care.checkin_schedule import ALL_DAYS
from bot.offline.updates import FakeUser
from handlers.care import flow as checkin_flow
from handlers.directory import editing as asset_edit
from handlers.directory import files as asset_io
from handlers.directory import offering as asset_offer
from handlers.directory.offering import Step as OfferStep
from handlers.organising import broadcasting as oversight_broadcast
from handlers.organising import checks as vetting_checks
from handlers.organising import pending as vetting_pending
from handlers.organising import phone_in
from handlers.requests.steps import Step as RequestStep
from storage import people
from storage.organising import neighbourhoods
from storage.volunteers import offers as volunteers
from tests.conftest import ORGANISER
from tests.flows_assets import seed as seed_asset
from tests.flows_privacy import PHONE, buttons_to, conversation_state, tap
from tests.fuzz_feature_inputs import (
    ARGS,
    FEATURE_PAYLOADS,
    FORGED,
    MUTATIONS,
    ORGANISER_COMMANDS,
    Document,
    fits,
)
from tests.fuzz_inputs import UNPRESSED, Payload
from tests.test_fuzz import FUZZ_PROFILE, FUZZ_VOLUNTEER, FUZZER, FuzzBot

EXAMPLES_PER_STATE = 25
SEED = 20261127
# test_fuzz's profile (no example database, no deadline), with fewer examples per state.
FEATURE_PROFILE = settings(FUZZ_PROFILE, max_examples=EXAMPLES_PER_STATE)

# Button kinds of these features, for near-valid button data.

Action = tuple[str, str]  # ("cmd" | "tap" | "say" | "press" | <a set-up step>, value)


@dataclass(frozen=True)
class Target:
    """A state to fuzz (or, with `command`, an organiser command to give arguments to)."""

    name: str
    user: FakeUser
    conversation: str | None
    state: object | None
    walk: list[Action]
    command: str = ""


def _offer_walks() -> dict[OfferStep, list[Action]]:
    nb: list[Action] = [("cmd", "offer")]
    kind = [*nb, ("tap", r"\|aoffer\|nb\|\d+$")]
    title = [*kind, ("tap", r"\|aoffer\|kind\|physical$")]
    desc = [*title, ("say", "Ladder")]
    tags = [*desc, ("say", "A tall one")]
    avail = [*tags, ("tap", r"\|aoffer\|tags\|skip$")]
    vis = [*avail, ("tap", r"\|aoffer\|avail\|skip$")]
    contact = [*nb, ("tap", r"\|aoffer\|nb\|\d+$"), ("tap", r"\|aoffer\|kind\|organisational$"),
               ("say", "Food bank"), ("say", "Tins"), ("tap", r"\|tags\|skip$"),
               ("tap", r"\|avail\|skip$"), ("tap", r"\|aoffer\|vis\|public$")]  # fmt: skip
    confirm = [*contact, ("say", "Jo Bloggs, 07700 900123")]
    return {
        OfferStep.NEIGHBOURHOOD: nb,
        OfferStep.KIND: kind,
        OfferStep.TITLE: title,
        OfferStep.DESCRIPTION: desc,
        OfferStep.TAGS: tags,
        OfferStep.AVAILABILITY: avail,
        OfferStep.VISIBILITY: vis,
        OfferStep.CONTACT: contact,
        OfferStep.CONFIRM: confirm,
    }


def _log_walks() -> dict[RequestStep, list[Action]]:
    nb: list[Action] = [("cmd", "log")]
    category = [*nb, ("tap", r"\|neighbourhood\|\d+$")]
    what = [*category, ("tap", r"\|category\|shopping$")]
    when = [*what, ("say", "Bread and tea")]
    address = [*when, ("tap", r"\|when\|today$")]
    payment = [*address, ("say", "3 Oak Lane")]
    for_name = [*payment, ("tap", r"\|payment\|")]
    for_phone = [*for_name, ("say", "Mrs Jones")]
    summary = [*for_phone, ("say", PHONE)]
    return {
        RequestStep.NEIGHBOURHOOD: nb,
        RequestStep.CATEGORY: category,
        RequestStep.WHAT: what,
        RequestStep.WHEN: when,
        RequestStep.WHEN_TYPED: [*when, ("tap", r"\|when\|type$")],
        RequestStep.ADDRESS: address,
        RequestStep.PAYMENT: payment,
        RequestStep.FOR_NAME: for_name,
        RequestStep.FOR_PHONE: for_phone,
        RequestStep.SUMMARY: summary,
        RequestStep.EDIT: [*summary, ("tap", r"\|summary\|edit$")],
    }


def _checkin_walks() -> dict[int, list[Action]]:
    days: list[Action] = [("no_checkin", ""), ("cmd", "checkin")]
    time = [*days, ("press", pack(checkin_flow.KIND, "days", ALL_DAYS)),
            ("press", pack(checkin_flow.KIND, "next"))]  # fmt: skip
    menu: list[Action] = [("has_checkin", ""), ("cmd", "checkin")]
    phone = [*time, ("say", "10:00")]
    address = [*phone, ("press", pack(checkin_flow.KIND, "skip"))]
    return {
        checkin_flow.DAYS: days,
        checkin_flow.TIME: time,
        checkin_flow.PHONE: phone,
        checkin_flow.ADDRESS: address,
        checkin_flow.CONTACT: [*address, ("press", pack(checkin_flow.KIND, "skip"))],
        checkin_flow.MENU: menu,
        checkin_flow.PAUSE: [*menu, ("tap", r"\|cif\|pause$")],
    }


def targets() -> list[Target]:
    """Every state of the newer conversations, and each organiser command with arguments."""
    found = [
        Target(f"offer:{step.name}", FUZZER, asset_offer.NAME, step, walk)
        for step, walk in _offer_walks().items()
    ]
    edit: list[Action] = [("asset", "")]
    found += [
        Target("edit:CHOOSE", ORGANISER, asset_edit.NAME, asset_edit.State.CHOOSE, edit),
        Target("edit:VALUE", ORGANISER, asset_edit.NAME, asset_edit.State.VALUE,
               [*edit, ("press", pack(asset_edit.KIND, "f", "title"))]),
        Target("edit:VALUE-contact", ORGANISER, asset_edit.NAME, asset_edit.State.VALUE,
               [*edit, ("press", pack(asset_edit.KIND, "f", "contact"))]),
        Target("import:WAIT_FILE", ORGANISER, asset_io.NAME, asset_io.WAIT_FILE,
               [("cmd", "import assets")]),
    ]  # fmt: skip
    found += [
        Target(f"checkin:{state}", FUZZER, checkin_flow.NAME, state, walk)
        for state, walk in _checkin_walks().items()
    ]
    found += [
        Target(f"log:{step.name}", ORGANISER, phone_in.NAME, step, walk)
        for step, walk in _log_walks().items()
    ]
    choosing: list[Action] = [("cmd", "broadcast")]
    typing = [*choosing, ("tap", r"\|ovbcast\|nb\|\d+$")]
    found += [
        Target("broadcast:CHOOSING", ORGANISER, oversight_broadcast.NAME, 0, choosing),
        Target("broadcast:TYPING", ORGANISER, oversight_broadcast.NAME, 1, typing),
        Target("broadcast:PREVIEW", ORGANISER, oversight_broadcast.NAME, 2,
               [*typing, ("say", "Litter pick <Saturday>")]),
        Target("pending:NOTE", ORGANISER, vetting_pending.NAME, vetting_pending.NOTE,
               [("pending", "")]),
        Target("checks:DBS_DATE", ORGANISER, vetting_checks.NAME, vetting_checks.DBS_DATE,
               [("dbs", "")]),
    ]  # fmt: skip
    found += [
        Target(f"/{command}", ORGANISER, None, None, [], command=command)
        for command in ORGANISER_COMMANDS
    ]
    found.append(Target("/checkin #", ORGANISER, None, None, [], command="checkin"))
    return found


class FeatureFuzzBot(FuzzBot):
    """test_fuzz's bot, with the features' walks and documents as inputs."""

    def __init__(self, tmp_path: Path, database_url: str | None) -> None:
        super().__init__(tmp_path, database_url)
        self.applicants = itertools.count(4000)
        self.other_neighbourhood = 0

    async def set_up(self) -> None:
        """The core set-up, plus published assets for the commands to find."""
        await super().set_up()
        organised = await self.bot.services.community.organised_neighbourhoods(ORGANISER.id)
        self.other_neighbourhood = max(n.id for n in organised)
        await seed_asset(self.bot, self.neighbourhood_id, "Ladder", tags="tools diy")

    async def walk(self, target: Target) -> None:  # type: ignore[override]
        """Walk the person into the target state and check they got there."""
        bot, user = self.bot, target.user
        await self.reset(user)
        checkins = bot.services.care.checkins
        for action, value in target.walk:
            if action == "cmd":
                command, _, args = value.partition(" ")
                await bot.send(bot.build.command(user, command, args))
            elif action == "say":
                await bot.send(bot.build.text(user, value))
            elif action == "tap":
                await tap(bot, user, value)
            elif action == "press":
                await bot.press(user, value)
            elif action == "no_checkin":
                await checkins.stop(user.id, None)
            elif action == "has_checkin":
                await checkins.save(user.id, None, ALL_DAYS, "10:00", None)
            elif action == "asset":  # a fresh asset each time: an input may have changed it
                asset_id = await seed_asset(bot, self.neighbourhood_id, "Van", kind="physical")
                await bot.press(user, pack("asset", "edit", asset_id))
            elif action == "pending":  # a fresh applicant: a note decides the last one
                person_id = await self._applicant()
                choice = "a" if person_id % 2 else "r"
                await bot.press(user, pack("vet", choice, self.neighbourhood_id, person_id))
            elif action == "dbs":
                volunteer = await bot.services.community.person(FUZZ_VOLUNTEER.id)
                assert volunteer is not None
                await bot.press(user, pack("vdbs", self.neighbourhood_id, volunteer.id, "basic"))
        if target.conversation is not None:
            state = conversation_state(bot, target.conversation, user)
            assert state == target.state, (target.name, state, bot.fake.texts_to(user.id)[-2:])

    async def _applicant(self) -> int:
        """Store a new member whose offer to volunteer waits for an organiser."""
        bot, telegram_id, now = self.bot, next(self.applicants), self.bot.clock.now()
        async with bot.services.db.transaction() as conn:
            person = await people.record_consent(
                conn,
                telegram_id=telegram_id,
                display_name=f"Applicant {telegram_id}",
                language="en",
                notice_version=bot.services.community.notice_version,
                now=now,
            )
            await neighbourhoods.add_member(
                conn,
                person_id=person.id,
                neighbourhood_id=self.neighbourhood_id,
                role="member",
                now=now,
            )
            await volunteers.save_offer(
                conn,
                person_id=person.id,
                categories=frozenset({"shopping"}),
                availability=7,
                max_open_tasks=2,
                languages=(),
                share_phone=False,
                now=now,
            )
            await volunteers.set_status(conn, person.id, self.neighbourhood_id, "pending")
        return person.id

    async def run_command(self, target: Target, payload: Payload) -> None:
        """The command with generated arguments; then press one of the buttons it showed."""
        bot, user = self.bot, target.user
        args = payload.extra
        if target.name == "/checkin #":
            args = "#" + args
        before = len(bot.fake.calls)
        await bot.send(bot.build.command(user, target.command, args))
        if len(bot.fake.calls) == before:
            return
        shown = [d for d in buttons_to(bot, user.id) if not UNPRESSED.search(d)]
        if shown and payload.index:
            await bot.press(user, shown[payload.index % len(shown)])

    async def _press_mutated(self, user: FakeUser, payload: Payload) -> None:
        """Press a shown button whose data has one argument replaced."""
        shown = buttons_to(self.bot, user.id)
        if not shown:
            return
        parts = shown[payload.index % len(shown)].split("|")
        if len(parts) > 2:
            parts[2 + payload.index % (len(parts) - 2)] = payload.text
        data = "|".join(parts)
        if fits(data) and not UNPRESSED.search(data):
            await self.bot.press(user, data)

    async def try_feature_input(self, target: Target, payload: Payload | Document) -> None:
        """Walk into the state, send the input, and fail on any handler error."""
        if target.command:
            await self.reset(target.user)
            assert isinstance(payload, Payload)
            await self.run_command(target, payload)
        else:
            await self.walk(target)
            if isinstance(payload, Document):
                build = self.bot.build
                document = build.document(
                    target.user, payload.name, payload.content, mime_type=payload.mime
                )
                await self.bot.send(document)
            elif payload.kind == "mutated_button":
                await self._press_mutated(target.user, payload)
            else:
                await self.send(target, payload)  # type: ignore[arg-type]
        self.tried[target.name] += 1
        self.kinds["document" if isinstance(payload, Document) else payload.kind] += 1
        errors = self.bot.take_errors()
        assert not errors, f"{target.name}: {payload!r} raised {errors!r}"


def fuzz_target(fuzz: FeatureFuzzBot, target: Target, number: int) -> None:
    """Feed one state (or command) its generated inputs."""
    inputs = (
        st.builds(
            Payload,
            kind=st.just("command"),
            text=st.just(target.command),
            extra=ARGS,
            index=st.integers(0, 30),
        )
        if target.command
        else FEATURE_PAYLOADS
    )

    @seed(SEED + number)
    @FEATURE_PROFILE
    @given(payload=inputs)
    def one_input(payload: Payload | Document) -> None:
        fuzz.run(fuzz.try_feature_input(target, payload))

    one_input()


def test_no_input_in_any_feature_state_raises(
    tmp_path: Path, database_url: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    fuzz = FeatureFuzzBot(tmp_path, database_url)
    try:
        fuzz.run(fuzz.set_up())
        every = targets()
        for number, target in enumerate(every):
            fuzz_target(fuzz, target, number)
        assert set(fuzz.tried) == {t.name for t in every}  # every state got its inputs
    finally:
        fuzz.close()
    total = sum(fuzz.tried.values())
    states = sum(1 for t in every if not t.command)
    summary = (
        f"fuzz (features): {total} generated inputs tried across {states} states and "
        f"{len(every) - states} organiser commands (at least {min(fuzz.tried.values())} each); "
        "by kind: " + ", ".join(f"{kind} {n}" for kind, n in sorted(fuzz.kinds.items()))
    )
    with capsys.disabled():
        print("\n" + summary)
    assert total >= len(every) * 5


def test_forged_feature_buttons_never_raise(
    tmp_path: Path, database_url: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every feature's button kinds, with each argument forged, outside and inside the flows."""
    fuzz = FeatureFuzzBot(tmp_path, database_url)
    pressed = 0
    try:
        fuzz.run(fuzz.set_up())
        inside = {t.name: t for t in targets()}
        places = [None, inside["checkin:0"], inside["edit:CHOOSE"], inside["broadcast:CHOOSING"]]
        for place in places:
            for user in (FUZZER, ORGANISER) if place is None else (place.user,):
                for template in FORGED:
                    for mutation in MUTATIONS:
                        data = "v1|" + template.format(x=mutation)
                        if place is not None:
                            fuzz.run(fuzz.walk(place))
                        fuzz.run(fuzz.bot.press(user, data))
                        pressed += 1
                        errors = fuzz.bot.take_errors()
                        assert not errors, f"{data!r} by {user.id} raised {errors!r}"
        # Forged ids in an imported CSV: refused by line, not raised.
        for forged_id in MUTATIONS:
            fuzz.run(fuzz.walk(inside["import:WAIT_FILE"]))
            content = f"id,title,kind\n{forged_id},Van,physical\n".encode()
            fuzz.run(fuzz.bot.send(fuzz.bot.build.document(ORGANISER, "a.csv", content)))
            errors = fuzz.bot.take_errors()
            assert not errors, f"id {forged_id!r} raised {errors!r}"
    finally:
        fuzz.close()
    with capsys.disabled():
        print(f"\nfuzz (features): {pressed} forged button presses, none raised")
    assert pressed >= len(FORGED) * len(MUTATIONS) * 5
