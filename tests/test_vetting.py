"""Vetting through the real Application: /pending with notes, checks, required checks, DBS."""

from __future__ import annotations

from datetime import date

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from config import vetting_texts
from storage.organising import vetting
from storage.requests import help_requests
from tests.conftest import BotHarness
from tests.flows_vetting import (
    ELM_ORG,
    PENDING,
    VOLUNTEER,
    World,
    actions_for,
    alerted,
    build_world,
    elm_shopping,
    last_markup_data,
    member_of,
    offer,
    run_for,
)

CAREFUL = FakeUser(3101, "Cara", "Careful")  # ID seen
CASUAL = FakeUser(3102, "Cass", "Casual")  # no checks


async def status_of(bot: BotHarness, world: World, user: FakeUser) -> str | None:
    """The user's volunteer status in Elm Park (None when not a member, or no status)."""
    member = await member_of(bot, world.elm, world.pid(user))
    return member.volunteer_status if member else None


async def test_pending_lists_offers_and_approves_with_a_note(harness: BotHarness) -> None:
    world = await build_world(harness)
    await harness.send(harness.build.command(ELM_ORG, "pending"))
    listing = harness.fake.last_text_to(ELM_ORG.id) or ""
    assert f"#{world.pid(PENDING)} <b>Pip Pending</b> offers: 🛒 Shopping" in listing
    assert "Vera" not in listing  # already approved
    await harness.press(ELM_ORG, pack("vet", "a", world.elm, world.pid(PENDING)))
    await harness.send(harness.build.text(ELM_ORG, "Meet us at the <hall> on Monday"))
    assert "✅ Pip Pending is approved in <b>Elm Park</b>" in (
        harness.fake.last_text_to(ELM_ORG.id) or ""
    )
    told = harness.fake.last_text_to(PENDING.id) or ""
    assert "approved as a volunteer in Elm Park" in told
    assert "Meet us at the &lt;hall&gt; on Monday" in told
    assert await status_of(harness, world, PENDING) == "approved"
    # A second press on the old button is answered, and changes nothing.
    await harness.press(ELM_ORG, pack("vet", "r", world.elm, world.pid(PENDING)))
    answer = harness.fake.calls_to("answerCallbackQuery")[-1].params
    assert answer.get("text") == vetting_texts.ALREADY_DECIDED
    assert await status_of(harness, world, PENDING) == "approved"


async def test_reject_without_note_and_cancel(harness: BotHarness) -> None:
    world = await build_world(harness)
    await harness.press(ELM_ORG, pack("vet", "r", world.elm, world.pid(PENDING)))
    await harness.send(harness.build.command(ELM_ORG, "cancel"))
    assert harness.fake.last_text_to(ELM_ORG.id) == vetting_texts.DONE_CANCELLED
    assert await status_of(harness, world, PENDING) == "pending"
    await harness.press(ELM_ORG, pack("vet", "r", world.elm, world.pid(PENDING)))
    await harness.press(ELM_ORG, pack("vetnote", "r", world.elm, world.pid(PENDING)))
    assert "turned down" in (harness.fake.last_text_to(ELM_ORG.id) or "")
    assert await status_of(harness, world, PENDING) is None
    told = harness.fake.last_text_to(PENDING.id) or ""
    assert "can't take up your offer" in told and "note" not in told
    actions = await actions_for(harness, f"person:{world.pid(PENDING)}")
    assert actions[-1] == "volunteer.rejected"


async def test_checks_are_recorded_removed_and_dbs_dated(harness: BotHarness) -> None:
    world = await build_world(harness)
    who = world.pid(VOLUNTEER)
    await harness.send(harness.build.command(ELM_ORG, "checks"))
    await harness.press(ELM_ORG, pack("vchk", world.elm, who))
    assert "▫️ ID seen: not recorded" in (harness.fake.last_text_to(ELM_ORG.id) or "")
    await harness.press(ELM_ORG, pack("vchk", world.elm, who, "id", 1))
    await harness.press(ELM_ORG, pack("vchk", world.elm, who, "refs", 1))
    await harness.press(ELM_ORG, pack("vchk", world.elm, who, "refs", 0))
    await harness.press(ELM_ORG, pack("vdbs", world.elm, who, "enhanced"))
    assert "enhanced DBS certificate" in (harness.fake.last_text_to(ELM_ORG.id) or "")
    await harness.send(harness.build.text(ELM_ORG, "31/02/2024"))
    assert harness.fake.last_text_to(ELM_ORG.id) == vetting_texts.DBS_DATE_BAD
    await harness.send(harness.build.text(ELM_ORG, "01/01/2999"))
    assert harness.fake.last_text_to(ELM_ORG.id) == vetting_texts.DBS_DATE_FUTURE
    await harness.send(harness.build.text(ELM_ORG, "14/03/2024"))
    shown = harness.fake.last_text_to(ELM_ORG.id) or ""
    assert "✅ ID seen" in shown and "▫️ References taken: not recorded" in shown
    assert "✅ DBS check: Enhanced, dated 14/03/2024" in shown
    async with harness.services.db.read() as conn:
        checks = await vetting.checks_of(conn, who, world.elm)
        other = await vetting.checks_of(conn, who, world.oak)
    actions = await actions_for(harness, f"person:{who}")
    assert set(checks) == {"id", "dbs"} and other == {}
    assert checks["dbs"].dbs_date == date(2024, 3, 14) and checks["dbs"].dbs_level == "enhanced"
    assert actions.count("volunteer.check_recorded") == 3
    assert actions.count("volunteer.check_removed") == 1


async def test_approval_with_required_checks_changes_who_is_alerted(harness: BotHarness) -> None:
    world = await build_world(harness)
    careful = await offer(harness, CAREFUL, world.elm_code, {"shopping"})
    casual = await offer(harness, CASUAL, world.elm_code, {"shopping"})
    # Shopping in Elm Park needs ID seen; VOLUNTEER (approved, no checks) no longer qualifies.
    await run_for(harness, ELM_ORG, "settings", world.elm)
    await harness.press(ELM_ORG, pack("vset", world.elm, "rc"))
    await harness.press(ELM_ORG, pack("vset", world.elm, "rc", "shopping"))
    await harness.press(ELM_ORG, pack("vset", world.elm, "rc", "shopping", "id"))
    assert "Shopping in <b>Elm Park</b>: ID seen" in (harness.fake.last_text_to(ELM_ORG.id) or "")
    await run_for(harness, ELM_ORG, "checks", world.elm, f"#{careful}")
    await harness.press(ELM_ORG, pack("vchk", world.elm, careful, "id", 1))

    first, _ = await elm_shopping(harness, "Bread")
    assert await alerted(harness, first) == set()  # nobody approved holds the check

    for person in (careful, casual):
        await harness.press(ELM_ORG, pack("vet", "a", world.elm, person))
        await harness.press(ELM_ORG, pack("vetnote", "a", world.elm, person))
    second, _ = await elm_shopping(harness, "Milk")
    assert await alerted(harness, second) == {CAREFUL.id}
    # An unchecked volunteer cannot accept either, even with a forged press.
    await harness.press(CASUAL, pack("accept", second))
    async with harness.services.db.read() as conn:
        request = await help_requests.by_id(conn, second)
    assert request is not None and request.status == "open"
    # Without the requirement, everyone approved is alerted again.
    await harness.press(ELM_ORG, pack("vset", world.elm, "rc", "shopping", "id"))
    third, _ = await elm_shopping(harness, "Eggs")
    assert await alerted(harness, third) == {CAREFUL.id, CASUAL.id, VOLUNTEER.id}
    assert pack("vset", world.elm, "rc", "shopping", "id") in last_markup_data(harness, ELM_ORG.id)
