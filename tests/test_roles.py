"""Organiser roles through the real Application: list, promote, demote, menus, at once."""

from __future__ import annotations

from bot.callback_data import pack
from config import texts, vetting_texts
from tests.conftest import ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, create_neighbourhood
from tests.flows_vetting import (
    ELM_ORG,
    ELM_ORG_2,
    PENDING,
    actions_for,
    build_world,
    last_markup_data,
    member_of,
    run_for,
    snapshot,
)


def menu(bot: BotHarness, telegram_id: int) -> list[str]:
    scope = {"type": "chat", "chat_id": telegram_id}
    return [c["command"] for c in bot.fake.commands_for(scope)]


async def role_of(bot: BotHarness, neighbourhood_id: int, person_id: int) -> str | None:
    """The person's stored role in the neighbourhood (None when not a member)."""
    member = await member_of(bot, neighbourhood_id, person_id)
    return member.role if member else None


async def test_organisers_lists_the_neighbourhoods_organisers(harness: BotHarness) -> None:
    world = await build_world(harness)
    await harness.send(harness.build.command(ELM_ORG, "organisers"))
    reply = harness.fake.last_text_to(ELM_ORG.id) or ""
    assert "Organisers of <b>Elm Park</b>" in reply
    assert f"#{world.pid(ELM_ORG)} Elena Elm" in reply and f"#{world.pid(ELM_ORG_2)}" in reply
    assert "Olive" in reply  # the creator organises it too
    assert f"#{world.pid(RESIDENT)}" not in reply


async def test_promote_from_list_gives_role_menu_and_audit(harness: BotHarness) -> None:
    world = await build_world(harness)
    assert "pending" not in menu(harness, RESIDENT.id)
    await harness.send(harness.build.command(ELM_ORG, "promote"))
    listed = last_markup_data(harness, ELM_ORG.id)
    choice = pack("vrole", "p", world.elm, world.pid(RESIDENT))
    assert choice in listed
    assert pack("vrole", "p", world.elm, world.pid(ELM_ORG_2)) not in listed  # already organiser
    await harness.press(ELM_ORG, choice)
    assert (harness.fake.last_text_to(ELM_ORG.id) or "").startswith("✅ Rita Resident is now")
    assert await role_of(harness, world.elm, world.pid(RESIDENT)) == "organiser"
    assert "You're now an organiser of <b>Elm Park</b>" in (
        harness.fake.last_text_to(RESIDENT.id) or ""
    )
    assert {"pending", "settings", "suspend", "promote"} <= set(menu(harness, RESIDENT.id))
    actions = await actions_for(harness, f"person:{world.pid(RESIDENT)}")
    assert actions[-1] == "role.promoted"
    # The new organiser can use the tools straight away.
    await harness.send(harness.build.command(RESIDENT, "pending"))
    assert "Pip Pending" in (harness.fake.last_text_to(RESIDENT.id) or "")


async def test_promote_by_number_and_bad_numbers(harness: BotHarness) -> None:
    world = await build_world(harness)
    await harness.send(harness.build.command(ELM_ORG, "promote", "Rita"))
    assert harness.fake.last_text_to(ELM_ORG.id) == vetting_texts.PICK_PERSON_USAGE
    await harness.send(harness.build.command(ELM_ORG, "promote", "#999999"))
    assert "can't find that person in <b>Elm Park</b>" in (
        harness.fake.last_text_to(ELM_ORG.id) or ""
    )
    await harness.send(harness.build.command(ELM_ORG, "promote", f"#{world.pid(ELM_ORG_2)}"))
    assert "already an organiser" in (harness.fake.last_text_to(ELM_ORG.id) or "")
    await harness.send(harness.build.command(ELM_ORG, "promote", f"{world.pid(RESIDENT)}"))
    assert await role_of(harness, world.elm, world.pid(RESIDENT)) == "organiser"


async def test_demotion_takes_effect_at_once(harness: BotHarness) -> None:
    world = await build_world(harness)
    assert "settings" in menu(harness, ELM_ORG_2.id)
    # ELM_ORG_2 has a settings screen and a note prompt open when the demotion happens.
    await harness.send(harness.build.command(ELM_ORG_2, "settings"))
    toggle = pack("vset", world.elm, "approval", "0")
    assert toggle in last_markup_data(harness, ELM_ORG_2.id)
    await harness.send(harness.build.command(ELM_ORG_2, "pending"))
    await harness.press(ELM_ORG_2, pack("vet", "a", world.elm, world.pid(PENDING)))
    assert "Send a short note" in (harness.fake.last_text_to(ELM_ORG_2.id) or "")

    await run_for(harness, ELM_ORG, "demote", world.elm, f"#{world.pid(ELM_ORG_2)}")
    assert "is no longer an organiser of <b>Elm Park</b>" in (
        harness.fake.last_text_to(ELM_ORG.id) or ""
    )
    assert menu(harness, ELM_ORG_2.id) == []
    before = await snapshot(harness, world.elm)

    # The very next message, press and command are refused; nothing changes.
    await harness.send(harness.build.text(ELM_ORG_2, "Welcome aboard"))
    assert harness.fake.last_text_to(ELM_ORG_2.id) == texts.NOT_ORGANISER_HERE
    await harness.press(ELM_ORG_2, toggle)
    answer = harness.fake.calls_to("answerCallbackQuery")[-1].params
    assert answer.get("text") == texts.NOT_ORGANISER_HERE
    await harness.send(harness.build.command(ELM_ORG_2, "settings"))
    assert harness.fake.last_text_to(ELM_ORG_2.id) == texts.NOT_ORGANISER
    assert await snapshot(harness, world.elm) == before
    assert not any("approved" in t for t in harness.fake.texts_to(PENDING.id))
    actions = await actions_for(harness, f"person:{world.pid(ELM_ORG_2)}")
    assert actions[-1] == "role.demoted"


async def test_last_and_bootstrap_organisers_are_not_demoted(harness: BotHarness) -> None:
    world = await build_world(harness)
    await run_for(harness, ORGANISER, "demote", world.oak, f"#{world.pid(ORGANISER)}")
    assert "through the bot's configuration" in (harness.fake.last_text_to(ORGANISER.id) or "")
    assert await role_of(harness, world.oak, world.pid(ORGANISER)) == "organiser"
    # ELM_ORG creates Ash Lane and is its only stored organiser: it keeps one.
    ash = await create_neighbourhood(harness, ELM_ORG, "Ash Lane")
    await run_for(harness, ORGANISER, "demote", ash, f"#{world.pid(ELM_ORG)}")
    assert "is the last organiser of <b>Ash Lane</b>" in (
        harness.fake.last_text_to(ORGANISER.id) or ""
    )
    assert await role_of(harness, ash, world.pid(ELM_ORG)) == "organiser"
    # Where others remain, an organiser may step down themselves.
    await run_for(harness, ELM_ORG, "demote", world.elm, f"#{world.pid(ELM_ORG)}")
    assert await role_of(harness, world.elm, world.pid(ELM_ORG)) == "member"
    assert "settings" in menu(harness, ELM_ORG.id)  # still organises Ash Lane


async def test_organiser_of_several_picks_the_neighbourhood(harness: BotHarness) -> None:
    await agree(harness, ORGANISER)
    await harness.send(harness.build.command(ORGANISER, "settings"))
    assert harness.fake.last_text_to(ORGANISER.id) == texts.NO_NEIGHBOURHOODS_ORGANISED
    world = await build_world(harness)
    await harness.send(harness.build.command(ORGANISER, "organisers"))
    assert last_markup_data(harness, ORGANISER.id) == [
        pack("vnb", "organisers", world.elm),
        pack("vnb", "organisers", world.oak),
    ]
    await harness.press(ORGANISER, pack("vnb", "organisers", world.oak))
    reply = harness.fake.last_text_to(ORGANISER.id) or ""
    assert "Organisers of <b>Oak Row</b>" in reply and "Oscar Oak" in reply
    assert "Elena" not in reply
