"""Speaking each person's language: a Welsh-speaking resident's whole request, and /language."""

from __future__ import annotations

import re
import string
from datetime import timedelta
from functools import cache
from typing import Any

from babel.messages.extract import extract_from_dir

from bot.callback_data import pack
from bot.offline.updates import FakeUser
from config import commands, i18n, language_texts, request_flow_texts, request_texts, texts
from handlers.requests import flow as request_flow
from handlers.requests.steps import Step
from tests.conftest import ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, make_volunteer, neighbourhood_with_invite

WELSH_RESIDENT = FakeUser(1005, "Rhiannon", "Jones", language_code="cy")
VOLUNTEER = FakeUser(2001, "Vera", "Volunteer")
REF = re.compile(r"R-[0-9A-Z]{4,6}")
WORD_RUN = re.compile(r"[A-Za-z’']+(?:[ ,;:.–-]+[A-Za-z’']+){2,}")


@cache
def english_only_phrases() -> frozenset[str]:
    """Runs of three or more English words from the source texts that their Welsh lacks."""
    found = extract_from_dir(str(i18n.LOCALE_DIR.parent), method_map=[("**.py", "python")])
    phrases = set()
    for _, _, msgid, _, _ in found:
        if not isinstance(msgid, str):
            continue
        welsh = i18n.gettext(msgid, "cy")
        literal = "".join(text for text, _, _, _ in string.Formatter().parse(msgid))
        for piece in re.split(r"<[^>]+>|\n", literal):
            for phrase in WORD_RUN.findall(piece):
                if phrase not in welsh:
                    phrases.add(phrase)
    return frozenset(phrases)


def seen_by(bot: BotHarness, chat_id: int) -> list[str]:
    """Every text and button label the bot showed in a chat (sent, edited or popped up)."""
    shown: list[str] = []
    for call in bot.fake.calls_to(chat_id=chat_id):
        params: dict[str, Any] = call.params
        if "text" in params:
            shown.append(str(params["text"]))
        markup = params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []) + markup.get("keyboard", []):
            shown += [str(button["text"] if isinstance(button, dict) else button) for button in row]
    return shown


def english_in(shown: list[str]) -> list[tuple[str, str]]:
    """(phrase, text) for every English phrase found in what a person was shown."""
    return [(p, text) for text in shown for p in english_only_phrases() if p in text]


def welsh(text: str) -> str:
    """A source text in Welsh."""
    return i18n.gettext(text, "cy")


async def press(bot: BotHarness, step: Step, value: str) -> None:
    await bot.press(WELSH_RESIDENT, pack(request_flow.KIND, step.token, value))


async def say(bot: BotHarness, text: str) -> None:
    await bot.send(bot.build.text(WELSH_RESIDENT, text))


async def test_a_welsh_speaking_resident_runs_the_whole_request_in_welsh(
    harness: BotHarness,
) -> None:
    nid, code = await neighbourhood_with_invite(harness, "Maes y Llan")
    await make_volunteer(harness, VOLUNTEER, code, categories=frozenset({"shopping"}))

    # Consent and joining, in Welsh because the Telegram app is in Welsh.
    await harness.send(harness.build.command(WELSH_RESIDENT, "start", f"join-{code}"))
    assert harness.fake.texts_to(WELSH_RESIDENT.id)[0] == welsh(texts.PRIVACY_SHORT).format(
        name="Rhiannon"
    )
    await harness.press(WELSH_RESIDENT, pack("consent", "yes", code))
    person = await harness.services.community.person(WELSH_RESIDENT.id)
    assert person is not None and person.language == "cy"

    # The request: every step, a mistake re-asked, Back, then through to Confirm.
    await harness.send(harness.build.command(WELSH_RESIDENT, "request"))
    assert harness.fake.last_text_to(WELSH_RESIDENT.id) == welsh(
        request_flow_texts.CHOOSE_CATEGORY
    ).format(neighbourhood="Maes y Llan")
    await press(harness, Step.CATEGORY, "shopping")
    await say(harness, "Llaeth, bara a menyn o'r siop gornel")
    await press(harness, Step.WHEN, "back")
    await press(harness, Step.CATEGORY, "shopping")
    await say(harness, "Llaeth, bara a menyn o'r siop gornel")
    await press(harness, Step.WHEN, "tomorrow")
    await say(harness, "12")  # too short: asked again, in Welsh
    await say(harness, "+44 7700 100123")
    await say(harness, "2 Stryd y Capel")
    await press(harness, Step.PAYMENT, "doorstep")
    await press(harness, Step.FOR_WHOM, "me")
    summary = harness.fake.last_text_to(WELSH_RESIDENT.id) or ""
    local_now = harness.clock.now().astimezone(harness.settings.timezone)
    with i18n.speaking("cy"):
        tomorrow = i18n.day(local_now + timedelta(days=1))
    assert welsh(request_texts.CATEGORY_LABELS["shopping"]) in summary
    assert welsh(request_texts.PAYMENT_LABELS["doorstep"]) in summary
    assert tomorrow in summary
    await press(harness, Step.SUMMARY, "confirm")
    [request] = await harness.services.requests.for_requester(WELSH_RESIDENT.id)

    # The volunteer reads English; what they do reaches the resident in Welsh.
    assert "Can you help?" in (harness.fake.last_text_to(VOLUNTEER.id) or "")
    await harness.press(VOLUNTEER, pack("accept", request.id))
    await harness.press(VOLUNTEER, pack("done", request.id))
    await harness.press(VOLUNTEER, pack("skipamount", request.id))
    asked = harness.fake.last_text_to(WELSH_RESIDENT.id) or ""
    assert request.ref in asked
    await harness.press(WELSH_RESIDENT, pack("confirm", request.id, "yes"))
    [closed] = await harness.services.requests.for_requester(WELSH_RESIDENT.id)
    assert closed.status == "closed"
    await harness.send(harness.build.command(WELSH_RESIDENT, "myrequests"))
    await harness.send(harness.build.command(WELSH_RESIDENT, "help"))
    assert harness.fake.last_text_to(WELSH_RESIDENT.id) == _welsh_help()

    shown = seen_by(harness, WELSH_RESIDENT.id)
    assert len(shown) > 25
    # The detector itself finds English: the volunteer's alert and the English notice.
    assert english_in([texts.PRIVACY_SHORT, *seen_by(harness, VOLUNTEER.id)])
    assert english_in(shown) == []
    # The volunteer's side stayed in English throughout.
    volunteer_saw = seen_by(harness, VOLUNTEER.id)
    assert any(label == request_texts.BUTTON_ACCEPT for label in volunteer_saw)
    assert not any(welsh(request_texts.BUTTON_ACCEPT) == label for label in volunteer_saw)


def _welsh_help() -> str:
    with i18n.speaking("cy"):
        return commands.help_private()


async def test_language_command_switches_replies_buttons_and_menu(harness: BotHarness) -> None:
    await agree(harness, RESIDENT)
    await harness.send(harness.build.command(RESIDENT, "language"))
    choose = harness.fake.calls_to("sendMessage", RESIDENT.id)[-1].params
    assert choose["text"] == "I'm writing in English now. Which language would you like?"
    labels = [row[0]["text"] for row in choose["reply_markup"]["inline_keyboard"]]
    assert labels == ["✓ English", "Cymraeg"]

    await harness.press(RESIDENT, pack("language", "cy"))
    # Welsh mutates the language's name after "yn": "yn Gymraeg", never "yn Cymraeg".
    chosen = harness.fake.last_text_to(RESIDENT.id)
    assert chosen == welsh(language_texts.CHOSEN).format(in_language="yn Gymraeg")
    assert "yn Gymraeg" in chosen and "yn Cymraeg" not in chosen
    assert await harness.services.community.language(RESIDENT.id) == "cy"
    await harness.send(harness.build.command(RESIDENT, "help"))
    assert harness.fake.last_text_to(RESIDENT.id) == _welsh_help()
    own_menu = harness.fake.commands_for({"type": "chat", "chat_id": RESIDENT.id})
    with i18n.speaking("cy"):
        assert own_menu == [
            {"command": name, "description": text} for name, text in commands.PRIVATE_COMMANDS
        ]

    await harness.send(harness.build.command(RESIDENT, "language", "en"))
    assert harness.fake.last_text_to(RESIDENT.id) == language_texts.CHOSEN.format(
        in_language="in English"
    )
    assert harness.fake.commands_for({"type": "chat", "chat_id": RESIDENT.id}) == []
    await harness.send(harness.build.command(RESIDENT, "language", "en"))
    assert harness.fake.last_text_to(RESIDENT.id) == language_texts.UNCHANGED.format(
        in_language="in English"
    )
    await harness.send(harness.build.command(RESIDENT, "language", "klingon"))
    assert harness.fake.last_text_to(RESIDENT.id) == language_texts.UNKNOWN.format(code="klingon")


async def test_language_chosen_before_consent_is_kept_and_the_notice_is_in_it(
    harness: BotHarness,
) -> None:
    await harness.send(harness.build.command(RESIDENT, "language", "cy"))
    assert harness.fake.last_text_to(RESIDENT.id) == welsh(language_texts.CHOSEN).format(
        in_language="yn Gymraeg"
    )
    assert await harness.services.community.person(RESIDENT.id) is None  # nothing stored yet
    await harness.send(harness.build.command(RESIDENT, "start"))
    assert harness.fake.last_text_to(RESIDENT.id) == welsh(texts.PRIVACY_SHORT).format(
        name=RESIDENT.first_name
    )
    await harness.press(RESIDENT, pack("consent", "yes"))
    assert await harness.services.community.language(RESIDENT.id) == "cy"


async def test_shared_menus_are_set_in_every_language(harness: BotHarness) -> None:
    await neighbourhood_with_invite(harness)  # the organiser's own menu comes with a chat
    private = {"type": "all_private_chats"}
    english = harness.fake.commands_for(private)
    welsh_menu = harness.fake.commands_for(private, "cy")
    assert [c["command"] for c in english] == [c["command"] for c in welsh_menu]
    assert english[0]["description"] == texts.PRIVATE_COMMANDS[0][1]
    assert welsh_menu[0]["description"] == welsh(texts.PRIVATE_COMMANDS[0][1])
    organiser_menu = harness.fake.commands_for({"type": "chat", "chat_id": ORGANISER.id})
    assert organiser_menu and organiser_menu[0]["description"] == texts.PRIVATE_COMMANDS[0][1]


async def test_an_app_in_another_language_gets_english(harness: BotHarness) -> None:
    await harness.send(harness.build.command(FakeUser(1006, "Zofia", language_code="pl"), "start"))
    assert harness.fake.last_text_to(1006) == texts.PRIVACY_SHORT.format(name="Zofia")
