"""Onboarding through the real Application: consent, joining, /start twice, /help, gates."""

from __future__ import annotations

from datetime import timedelta

from bot.callback_data import pack
from bot.clock import FakeClock
from config import asset_texts, commands, texts
from config.request_flow_texts import STRAY_INVITE
from storage import people
from tests.conftest import NEIGHBOUR, ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, create_neighbourhood, invite_code


async def count_people(bot: BotHarness) -> int:
    async with bot.services.db.read() as conn:
        row = await conn.fetchrow("SELECT COUNT(*) FROM people")
    return int(row[0])


async def test_start_shows_privacy_notice_and_consent_buttons(harness: BotHarness) -> None:
    await harness.send(harness.build.command(RESIDENT, "start"))
    [call] = harness.fake.calls_to("sendMessage", RESIDENT.id)
    assert "Before we start, a word about your data" in call.params["text"]
    buttons = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == [texts.CONSENT_YES, texts.CONSENT_NO]
    assert await count_people(harness) == 0  # nothing stored before an answer


async def test_consent_accepted_stores_person_with_notice_version(harness: BotHarness) -> None:
    await agree(harness, RESIDENT)
    async with harness.services.db.read() as conn:
        person = await people.by_telegram_id(conn, RESIDENT.id)
    assert person is not None and person.has_consented
    assert person.consent_version == texts.PRIVACY_NOTICE_VERSION
    assert person.display_name == "Rita Resident"
    assert "Thank you, Rita" in "\n".join(harness.fake.texts_to(RESIDENT.id))
    # No neighbourhood exists yet, so the resident is told to ask for an invite.
    assert harness.fake.last_text_to(RESIDENT.id) == texts.NO_OPEN_NEIGHBOURHOODS


async def test_consent_declined_stores_only_the_refusal(harness: BotHarness) -> None:
    await harness.send(harness.build.command(RESIDENT, "start"))
    await harness.press(RESIDENT, pack("consent", "no"))
    async with harness.services.db.read() as conn:
        person = await people.by_telegram_id(conn, RESIDENT.id)
    assert person is not None and not person.has_consented
    assert person.declined_at is not None
    assert person.display_name is None and person.language is None and person.phone_e164 is None
    assert harness.fake.last_text_to(RESIDENT.id) == texts.CONSENT_DECLINED
    # Anything but the open commands is met with a request for consent.
    await harness.send(harness.build.command(RESIDENT, "invite"))
    assert harness.fake.last_text_to(RESIDENT.id) == texts.CONSENT_NEEDED


async def test_start_twice_shows_menu_and_never_duplicates(harness: BotHarness) -> None:
    await agree(harness, ORGANISER)
    nid = await create_neighbourhood(harness, ORGANISER, "Elm Park")
    code = await invite_code(harness, ORGANISER, nid)
    await agree(harness, RESIDENT, code)
    assert await count_people(harness) == 2
    await harness.send(harness.build.command(RESIDENT, "start"))
    await harness.send(harness.build.command(RESIDENT, "start"))
    assert await count_people(harness) == 2
    menu_calls = [
        c
        for c in harness.fake.calls_to("sendMessage", RESIDENT.id)
        if c.params["text"] == texts.MENU
    ]
    assert len(menu_calls) == 3  # after joining, and after each /start
    labels = [
        b["text"] for row in menu_calls[-1].params["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert labels == [
        texts.MENU_REQUEST,
        texts.MENU_VOLUNTEER,
        texts.MENU_MY_REQUESTS,
        texts.MENU_DIRECTORY,
    ]


async def test_join_by_valid_invite(harness: BotHarness) -> None:
    await agree(harness, ORGANISER)
    nid = await create_neighbourhood(harness, ORGANISER, "Elm Park")
    code = await invite_code(harness, ORGANISER, nid)
    await agree(harness, RESIDENT, code)
    memberships = await harness.services.community.memberships(RESIDENT.id)
    assert [(n.name, role) for n, role in memberships] == [("Elm Park", "member")]
    said = harness.fake.texts_to(RESIDENT.id)
    assert said[-3:] == [
        texts.CONSENT_THANKS.format(name="Rita"),
        "🏡 You're in: welcome to <b>Elm Park</b>!",
        texts.MENU,
    ]


async def test_join_by_expired_invite_is_refused(harness: BotHarness, clock: FakeClock) -> None:
    await agree(harness, ORGANISER)
    nid = await create_neighbourhood(harness, ORGANISER, "Elm Park")
    code = await invite_code(harness, ORGANISER, nid)
    clock.advance(harness.settings.tunables.invite_ttl + timedelta(seconds=1))
    await agree(harness, RESIDENT, code)
    assert await harness.services.community.memberships(RESIDENT.id) == []
    assert texts.INVITE_EXPIRED.format(neighbourhood="Elm Park") in harness.fake.texts_to(
        RESIDENT.id
    )


async def test_join_by_revoked_invite_is_refused(harness: BotHarness) -> None:
    await agree(harness, ORGANISER)
    nid = await create_neighbourhood(harness, ORGANISER, "Elm Park")
    code = await invite_code(harness, ORGANISER, nid)
    await harness.send(harness.build.command(ORGANISER, "revoke", code))
    assert harness.fake.last_text_to(ORGANISER.id) == texts.REVOKED
    await agree(harness, RESIDENT, code)
    assert await harness.services.community.memberships(RESIDENT.id) == []
    assert texts.INVITE_REVOKED.format(neighbourhood="Elm Park") in harness.fake.texts_to(
        RESIDENT.id
    )
    # Revoking twice says so and changes nothing.
    await harness.send(harness.build.command(ORGANISER, "revoke", code))
    assert harness.fake.last_text_to(ORGANISER.id) == texts.REVOKE_NOT_FOUND


async def test_join_by_malformed_or_unknown_invite_is_refused(harness: BotHarness) -> None:
    await agree(harness, RESIDENT, "not a code!")
    assert texts.INVITE_MALFORMED in harness.fake.texts_to(RESIDENT.id)
    await harness.send(harness.build.command(NEIGHBOUR, "start", "something-else"))
    assert texts.INVITE_MALFORMED in harness.fake.texts_to(NEIGHBOUR.id)
    await harness.send(harness.build.command(RESIDENT, "start", "join-AAAAAAAAAAAAAAAA"))
    assert texts.INVITE_UNKNOWN in harness.fake.texts_to(RESIDENT.id)
    assert await harness.services.community.memberships(RESIDENT.id) == []


async def test_join_from_self_join_list(harness: BotHarness) -> None:
    await agree(harness, ORGANISER)
    nid = await create_neighbourhood(harness, ORGANISER, "Elm Park")
    # New neighbourhoods are closed to self-joining, and the organiser is told so.
    created = harness.fake.calls_to("sendMessage", ORGANISER.id)[-1].params["text"]
    assert "It is closed to self-joining" in created and "/selfjoin on" in created
    await agree(harness, RESIDENT)
    assert harness.fake.last_text_to(RESIDENT.id) == texts.NO_OPEN_NEIGHBOURHOODS
    await harness.send(harness.build.command(ORGANISER, "selfjoin", "on"))
    await harness.send(harness.build.command(RESIDENT, "start"))
    choice = harness.fake.calls_to("sendMessage", RESIDENT.id)[-1]
    assert choice.params["text"] == texts.CHOOSE_NEIGHBOURHOOD
    [[button]] = choice.params["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Elm Park"
    await harness.press(RESIDENT, button["callback_data"])
    assert [n.id for n, _ in await harness.services.community.memberships(RESIDENT.id)] == [nid]
    # Once the organiser closes it, a stale list button is refused politely.
    await harness.send(harness.build.command(ORGANISER, "selfjoin", "off"))
    await agree(harness, NEIGHBOUR)
    assert harness.fake.last_text_to(NEIGHBOUR.id) == texts.NO_OPEN_NEIGHBOURHOODS
    await harness.press(NEIGHBOUR, button["callback_data"])
    assert harness.fake.last_text_to(NEIGHBOUR.id) == texts.NEIGHBOURHOOD_NOT_OPEN
    assert await harness.services.community.memberships(NEIGHBOUR.id) == []


async def test_help_lists_commands_for_role(harness: BotHarness) -> None:
    await agree(harness, RESIDENT)
    await harness.send(harness.build.command(RESIDENT, "help"))
    resident_help = harness.fake.last_text_to(RESIDENT.id) or ""
    assert resident_help == commands.help_private()
    assert "/invite" not in resident_help and "/broadcast" not in resident_help
    await agree(harness, ORGANISER)
    await harness.send(harness.build.command(ORGANISER, "help"))
    organiser_help = harness.fake.last_text_to(ORGANISER.id) or ""
    assert organiser_help == commands.help_for_organisers()
    for command in ("/invite", "/pending", "/broadcast", "/checkins", "/gaps"):
        assert command in organiser_help


async def test_privacy_cancel_unknown_and_stray_input(harness: BotHarness) -> None:
    await harness.send(harness.build.command(RESIDENT, "privacy"))
    assert texts.PRIVACY_NOTICE_VERSION in (harness.fake.last_text_to(RESIDENT.id) or "")
    await agree(harness, RESIDENT)
    await harness.send(harness.build.command(RESIDENT, "cancel"))
    assert harness.fake.last_text_to(RESIDENT.id) == texts.NOTHING_TO_CANCEL
    await harness.send(harness.build.command(RESIDENT, "frobnicate"))
    assert (harness.fake.last_text_to(RESIDENT.id) or "").startswith("Sorry, I don't know")
    await harness.send(harness.build.text(RESIDENT, "hello <b>there</b> & you"))
    assert harness.fake.last_text_to(RESIDENT.id) == STRAY_INVITE
    await harness.press(RESIDENT, "v0|whatever")
    answer = harness.fake.calls_to("answerCallbackQuery")[-1]
    assert answer.params["text"] == texts.STALE_BUTTON


async def test_directory_menu_button_opens_the_directory(harness: BotHarness) -> None:
    await agree(harness, RESIDENT)
    await harness.press(RESIDENT, pack("menu", "directory"))
    assert harness.fake.last_text_to(RESIDENT.id) == asset_texts.DIRECTORY_EMPTY


async def test_buttons_with_non_ascii_digits_are_stale_not_errors(harness: BotHarness) -> None:
    await agree(harness, RESIDENT)
    for data in (pack("join", "²"), pack("accept", "٣"), pack("done", "9" * 30)):
        await harness.press(RESIDENT, data)
        answers = harness.fake.calls_to("answerCallbackQuery")
        replies = [answers[-1].params.get("text"), harness.fake.last_text_to(RESIDENT.id)]
        assert texts.STALE_BUTTON in replies or any("no longer" in (r or "") for r in replies)
