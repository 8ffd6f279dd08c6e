"""An organiser's first hour with buttons only, the organiser menu, vetting several in a row,
and refused invites that never lead in by another door."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.callback_data import pack
from bot.clock import FakeClock
from bot.offline.updates import FakeUser
from config import commands, texts, vetting_texts
from handlers.menu_keyboards import ORGANISER_KIND
from storage.organising import neighbourhoods
from tests.conftest import NEIGHBOUR, ORGANISER, RESIDENT, VOLUNTEERS_CHAT, BotHarness
from tests.flows import INVITE_LINK, agree, make_volunteer, neighbourhood_with_invite
from tests.flows_vetting import ELM_ORG, PENDING, build_world

MENU_ITEMS = ("open", "pending", "checkins", "week", "settings", "invite", "linkgroup")


def buttons(bot: BotHarness, chat_id: int) -> list[dict[str, str]]:
    """The buttons of the newest message in a chat."""
    call = bot.fake.calls_to("sendMessage", chat_id)[-1]
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


async def test_first_hour_with_buttons_only(harness: BotHarness) -> None:
    # The bootstrap organiser's first screen after consent offers to create a neighbourhood,
    # never "ask your local organiser for an invite".
    await agree(harness, ORGANISER)
    assert harness.fake.last_text_to(ORGANISER.id) == texts.ORGANISER_FIRST
    assert texts.NO_OPEN_NEIGHBOURHOODS not in harness.fake.texts_to(ORGANISER.id)
    [create] = buttons(harness, ORGANISER.id)
    assert create["text"] == texts.MENU_CREATE

    await harness.press(ORGANISER, create["callback_data"])
    assert "What is the neighbourhood called?" in (harness.fake.last_text_to(ORGANISER.id) or "")
    await harness.send(harness.build.text(ORGANISER, "Elm  Park"))
    created = harness.fake.last_text_to(ORGANISER.id) or ""
    assert created.startswith("🏡 <b>Elm Park</b> is ready")
    assert "closed to self-joining" in created  # the organiser is told at creation
    invite_button, group_button = buttons(harness, ORGANISER.id)
    assert [invite_button["text"], group_button["text"]] == [
        texts.MENU_INVITE_FIRST,
        texts.MENU_LINK_GROUP_FIRST,
    ]
    [elm] = await harness.services.community.organised_neighbourhoods(ORGANISER.id)
    assert elm.name == "Elm Park" and not elm.open_to_self_join

    await harness.press(ORGANISER, invite_button["callback_data"])
    link = INVITE_LINK.search(harness.fake.last_text_to(ORGANISER.id) or "")
    assert link is not None

    await harness.press(ORGANISER, group_button["callback_data"])
    assert "Linking the volunteers' group of Elm Park" in (
        harness.fake.last_text_to(ORGANISER.id) or ""
    )
    [choose] = buttons(harness, ORGANISER.id)
    assert choose["url"] == f"https://t.me/MutualAidTestBot?startgroup=link-{elm.id}"
    # Telegram adds the bot to the group the organiser picks and sends the payload there.
    await harness.send(
        harness.build.group_command(ORGANISER, VOLUNTEERS_CHAT, "start", f"link-{elm.id}")
    )
    assert "is now the volunteers' chat for <b>Elm Park</b>" in (
        harness.fake.last_text_to(VOLUNTEERS_CHAT) or ""
    )
    async with harness.services.db.read() as conn:
        linked = await neighbourhoods.by_id(conn, elm.id)
        invite = await neighbourhoods.invite_by_code(conn, link.group(1))
    assert linked is not None and linked.volunteers_chat_id == VOLUNTEERS_CHAT
    assert invite is not None and invite.neighbourhood_id == elm.id

    # A resident joins with the link: "You're in" comes only now, after the join.
    await agree(harness, RESIDENT, link.group(1))
    assert "🏡 You're in: welcome to <b>Elm Park</b>!" in harness.fake.texts_to(RESIDENT.id)


async def test_naming_is_checked_and_only_organisers_may_create(harness: BotHarness) -> None:
    await agree(harness, ORGANISER)
    await harness.press(ORGANISER, pack(ORGANISER_KIND, "create"))
    await harness.send(harness.build.text(ORGANISER, "x" * 61))
    assert harness.fake.last_text_to(ORGANISER.id) == texts.NEIGHBOURHOOD_BAD_NAME.format(limit=60)
    await harness.send(harness.build.command(ORGANISER, "cancel"))
    assert harness.fake.last_text_to(ORGANISER.id) == texts.CANCELLED
    assert await harness.services.community.organised_neighbourhoods(ORGANISER.id) == []
    # A forged "create" press by someone else is refused, and nothing is asked.
    await agree(harness, RESIDENT)
    await harness.press(RESIDENT, pack(ORGANISER_KIND, "create"))
    answer = harness.fake.calls_to("answerCallbackQuery")[-1].params
    assert answer["text"] == texts.NOT_ORGANISER
    await harness.press(RESIDENT, pack(ORGANISER_KIND, "pending"))
    assert harness.fake.calls_to("answerCallbackQuery")[-1].params["text"] == texts.NOT_ORGANISER


async def test_every_organiser_menu_button_does_what_its_command_does(
    harness: BotHarness,
) -> None:
    await build_world(harness)
    await harness.send(harness.build.command(ELM_ORG, "start"))
    menu = {b["callback_data"] for b in buttons(harness, ELM_ORG.id)}
    assert {pack(ORGANISER_KIND, item) for item in MENU_ITEMS} <= menu
    assert pack("menu", "request") in menu  # an organiser who is a member can still ask
    await harness.send(harness.build.command(PENDING, "start"))
    assert not any(
        b["callback_data"].startswith(f"v1|{ORGANISER_KIND}") for b in buttons(harness, PENDING.id)
    )

    commands_for = {
        "open": ("open", ""),
        "pending": ("pending", ""),
        "checkins": ("checkins", ""),
        "week": ("stats", "7"),
        "settings": ("settings", ""),
    }
    for item, (command, args) in commands_for.items():
        await harness.send(harness.build.command(ELM_ORG, command, args))
        by_command = harness.fake.texts_to(ELM_ORG.id)[-1]
        await harness.press(ELM_ORG, pack(ORGANISER_KIND, item))
        assert harness.fake.texts_to(ELM_ORG.id)[-1] == by_command, item
    # An invite link is new each time: the same message around a different link.
    await harness.send(harness.build.command(ELM_ORG, "invite"))
    by_command = INVITE_LINK.sub("LINK", harness.fake.texts_to(ELM_ORG.id)[-1])
    await harness.press(ELM_ORG, pack(ORGANISER_KIND, "invite"))
    by_button = INVITE_LINK.sub("LINK", harness.fake.texts_to(ELM_ORG.id)[-1])
    assert re.sub(r"/revoke \S+", "", by_button) == re.sub(r"/revoke \S+", "", by_command)
    await harness.press(ELM_ORG, pack(ORGANISER_KIND, "linkgroup"))
    assert "/linkgroup" in harness.fake.texts_to(ELM_ORG.id)[-1]


async def test_two_approvals_in_a_row_lose_nothing(harness: BotHarness) -> None:
    world = await build_world(harness)
    second = FakeUser(3104, "Quinn", "Queue")
    await make_volunteer(harness, second, world.elm_code, approve=False, languages=("cy", "pl"))
    quinn = (await harness.services.community.person(second.id)).id  # type: ignore[union-attr]
    pip = world.pid(PENDING)
    await harness.send(harness.build.command(ELM_ORG, "pending"))
    listing = harness.fake.last_text_to(ELM_ORG.id) or ""
    assert "speaks Welsh and Polish" in listing  # names, not codes

    # Approve Pip, then Quinn, before adding any note; then a note for Quinn, none for Pip.
    await harness.press(ELM_ORG, pack("vet", "a", world.elm, pip))
    await harness.press(ELM_ORG, pack("vet", "a", world.elm, quinn))
    await harness.send(harness.build.text(ELM_ORG, "Welcome, see you Monday"))
    told_organiser = harness.fake.last_text_to(ELM_ORG.id) or ""
    assert told_organiser.startswith("✅ Quinn Queue is approved in <b>Elm Park</b>.")
    assert "Still waiting for a note or the button: Pip Pending" in told_organiser
    await harness.press(ELM_ORG, pack("vetnote", "a", world.elm, pip))
    assert (harness.fake.last_text_to(ELM_ORG.id) or "").startswith(
        "✅ Pip Pending is approved in <b>Elm Park</b>."
    )
    statuses = await harness.services.vetting.volunteers(ELM_ORG.id, world.elm, "approved")
    approved = {v.person_id for v in statuses[1]}
    assert {pip, quinn} <= approved
    assert "Welcome, see you Monday" in (harness.fake.last_text_to(second.id) or "")
    assert "Welcome, see you Monday" not in "\n".join(harness.fake.texts_to(PENDING.id))
    # The old buttons now answer plainly: someone already decided.
    await harness.press(ELM_ORG, pack("vetnote", "a", world.elm, pip))
    assert harness.fake.last_text_to(ELM_ORG.id) == vetting_texts.ALREADY_DECIDED


async def test_a_refused_invite_is_never_a_way_in(harness: BotHarness, clock: FakeClock) -> None:
    elm, code = await neighbourhood_with_invite(harness)
    await harness.send(harness.build.command(ORGANISER, "selfjoin", "on"))  # Elm Park is open
    await harness.send(harness.build.command(ORGANISER, "revoke", code))

    await agree(harness, RESIDENT, code)  # a revoked link
    said = harness.fake.texts_to(RESIDENT.id)
    assert texts.INVITE_REVOKED.format(neighbourhood="Elm Park") in said
    assert not any("You're in" in text for text in said)
    assert texts.CHOOSE_NEIGHBOURHOOD not in said  # not offered the open list instead
    assert await harness.services.community.memberships(RESIDENT.id) == []

    await agree(harness, NEIGHBOUR, "not a code!")  # a malformed link, through consent
    said = harness.fake.texts_to(NEIGHBOUR.id)
    assert texts.INVITE_MALFORMED in said and texts.CHOOSE_NEIGHBOURHOOD not in said
    assert not any("You're in" in text for text in said)

    late = FakeUser(1090, "Lena", "Late")
    expiring = await harness.services.community.create_invite(ORGANISER.id, elm)
    clock.advance(harness.settings.tunables.invite_ttl + timedelta(seconds=1))
    await agree(harness, late, expiring.code)
    said = harness.fake.texts_to(late.id)
    assert texts.INVITE_EXPIRED.format(neighbourhood="Elm Park") in said
    assert texts.CHOOSE_NEIGHBOURHOOD not in said
    assert await harness.services.community.memberships(late.id) == []
    # Without a link, the open list is still there for whoever comes.
    await harness.send(harness.build.command(late, "start"))
    assert harness.fake.last_text_to(late.id) == texts.CHOOSE_NEIGHBOURHOOD


async def test_organiser_help_is_short_buttons_first_then_grouped_commands(
    harness: BotHarness,
) -> None:
    await neighbourhood_with_invite(harness)
    await harness.send(harness.build.command(ORGANISER, "help"))
    shown = harness.fake.last_text_to(ORGANISER.id) or ""
    assert shown == commands.help_for_organisers()
    assert len(shown.splitlines()) <= 24
    assert shown.index(texts.MENU_OPEN) < shown.index("/pending")  # the buttons come first
    organiser_commands = {name for name, _ in commands.ORGANISER_COMMANDS}
    missing = [name for name in organiser_commands if f"/{name}" not in shown]
    assert missing == []
    assert "/checkinbuddy #member #volunteer" not in shown  # no syntax walls


async def test_checkinbuddy_without_numbers_offers_pick_lists(harness: BotHarness) -> None:
    from tests.flows_care import person_number, set_phone, set_up_checkin

    _, code = await neighbourhood_with_invite(harness)
    bea = FakeUser(2001, "Bea", "Buddy")
    await make_volunteer(harness, bea, code, categories=frozenset({"checkin_call"}))
    await make_volunteer(harness, NEIGHBOUR, code, categories=frozenset({"shopping"}))
    await agree(harness, RESIDENT, code)
    await set_phone(harness, RESIDENT.id, "+447700900123")
    await set_up_checkin(harness, RESIDENT, contact="Sam (son) +44 7700 900456")
    member = await person_number(harness, RESIDENT.id)
    buddy = await person_number(harness, bea.id)

    await harness.send(harness.build.command(ORGANISER, "checkinbuddy"))
    assert [b["text"] for b in buttons(harness, ORGANISER.id)] == [f"#{member} Rita"]
    await harness.press(ORGANISER, pack("cbud", member))
    # Only volunteers who offer check-in calls, and "none".
    offered = [b["text"] for b in buttons(harness, ORGANISER.id)]
    assert offered == [f"#{buddy} Bea Buddy", "✖️ No regular volunteer"]
    await harness.press(ORGANISER, pack("cbud", member, buddy))
    assert "Bea is now Rita's regular check-in volunteer" in (
        harness.fake.last_text_to(ORGANISER.id) or ""
    )
    # A forged press by a member is refused by the same checks as the command.
    await harness.press(NEIGHBOUR, pack("cbud", member, "none"))
    assert harness.fake.last_text_to(NEIGHBOUR.id) == texts.NOT_ORGANISER_HERE


async def test_directory_shows_volunteers_languages_by_name(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, FakeUser(2005, "Pawel", "Volunteer"), code, languages=("pl",))
    await harness.send(harness.build.command(ORGANISER, "directory", "speaks"))
    listing = harness.fake.last_text_to(ORGANISER.id) or ""
    assert "Speaks Polish" in listing and "Speaks pl" not in listing
    await harness.send(harness.build.command(ORGANISER, "language", "cy"))
    await harness.send(harness.build.command(ORGANISER, "directory", "speaks"))
    assert "Pwyleg" in (harness.fake.last_text_to(ORGANISER.id) or "")
