"""/mydata, /forgetme and privacy-notice versions, through the real Application."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.callback_data import pack
from bot.clock import FakeClock
from bot.offline.updates import FakeUser
from config import privacy_texts, request_texts, texts
from handlers.privacy import FORGET_KIND
from storage.requests import help_requests
from tests.conftest import NEIGHBOUR, RESIDENT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite
from tests.flows_privacy import (
    ADDRESS,
    DESCRIPTION,
    PHONE,
    accept,
    buttons_to,
    count,
    request_row,
    stored_text,
)

VOLUNTEER = FakeUser(2001, "Vera", "Volunteer")
SECOND_VOLUNTEER = FakeUser(2002, "Walt", "Helper")
OTHER_ADDRESS = "3 Other Road"


def my_data(bot: BotHarness, user: FakeUser) -> dict[str, Any]:
    """The newest /mydata document sent to a person, parsed."""
    documents = bot.fake.documents_to(user.id)
    assert documents, bot.fake.texts_to(user.id)[-1:]
    name, content = documents[-1]
    assert name == privacy_texts.MYDATA_FILE_NAME
    return json.loads(content)


async def forget(bot: BotHarness, user: FakeUser) -> None:
    """/forgetme, then confirm with the button it offers."""
    await bot.send(bot.build.command(user, "forgetme"))
    assert bot.fake.last_text_to(user.id) == privacy_texts.FORGET_CONFIRM
    [yes] = [d for d in buttons_to(bot, user.id) if d.startswith(f"v1|{FORGET_KIND}|yes|")]
    await bot.press(user, yes)


async def test_mydata_sends_everything_about_the_person_and_nothing_about_others(
    harness: BotHarness,
) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, VOLUNTEER, code)
    await agree(harness, RESIDENT, code)
    rid, ref = await ask_for_shopping(
        harness, RESIDENT, description=DESCRIPTION, address=ADDRESS, phone=PHONE
    )
    await accept(harness, VOLUNTEER, rid)
    assert (await request_row(harness, rid)).status == "assigned"

    await harness.send(harness.build.command(RESIDENT, "mydata"))
    mine = my_data(harness, RESIDENT)
    assert mine["schema_version"] == 2
    assert mine["you"]["telegram_id"] == RESIDENT.id
    assert mine["you"]["name"] == "Rita Resident"
    assert mine["you"]["privacy_notice_version_agreed_to"] == texts.PRIVACY_NOTICE_VERSION
    [request] = mine["requests_you_made"]
    assert (request["ref"], request["address"], request["description"]) == (
        ref,
        ADDRESS,
        DESCRIPTION,
    )
    assert request["contact_phone"] == PHONE
    assert mine["your_neighbourhoods"][0]["role"] == "member"
    assert any(m["purpose"] for m in mine["messages_the_bot_sent_you"])

    # The volunteer's copy names the task but holds nothing of the resident's details.
    await harness.send(harness.build.command(VOLUNTEER, "mydata"))
    theirs = my_data(harness, VOLUNTEER)
    assert [t["ref"] for t in theirs["tasks_you_took_on"]] == [ref]
    assert "shopping" in {c["category"] for c in theirs["kinds_of_help_you_offer"]}
    raw = harness.fake.documents_to(VOLUNTEER.id)[-1][1].decode()
    for detail in (ADDRESS, PHONE, DESCRIPTION, RESIDENT.first_name):
        assert json.dumps(detail)[1:-1] not in raw

    # Someone the bot never met gets a plain answer, not a file, even before consent.
    await harness.send(harness.build.command(NEIGHBOUR, "mydata"))
    assert harness.fake.last_text_to(NEIGHBOUR.id) == privacy_texts.MYDATA_NOTHING
    assert harness.fake.documents_to(NEIGHBOUR.id) == []


async def test_forgetme_cancels_requests_tells_volunteers_and_erases_the_person(
    harness: BotHarness,
) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await make_volunteer(harness, VOLUNTEER, code)
    await agree(harness, RESIDENT, code)
    taken, taken_ref = await ask_for_shopping(
        harness, RESIDENT, description=DESCRIPTION, address=ADDRESS, phone=PHONE
    )
    waiting, _ = await ask_for_shopping(
        harness, RESIDENT, description="Bin bags", address=ADDRESS, phone=PHONE
    )
    await accept(harness, VOLUNTEER, taken)

    # "No" keeps everything.
    await harness.send(harness.build.command(RESIDENT, "forgetme"))
    await harness.press(RESIDENT, pack(FORGET_KIND, "no"))
    assert harness.fake.last_text_to(RESIDENT.id) == privacy_texts.FORGET_KEPT
    assert await harness.services.community.person(RESIDENT.id) is not None

    await forget(harness, RESIDENT)
    said = harness.fake.last_text_to(RESIDENT.id) or ""
    assert said.startswith("Done: your data has been erased.")
    assert privacy_texts.FORGOTTEN_CANCELLED(2).strip() in said

    # The volunteer on the task is told; both requests are cancelled and anonymous.
    assert request_texts.VOLUNTEER_REQUEST_CANCELLED.format(ref=taken_ref) in harness.fake.texts_to(
        VOLUNTEER.id
    )
    for rid in (taken, waiting):
        row = await request_row(harness, rid)
        assert (row.status, row.requester_person_id) == ("cancelled", None)
        assert (row.address, row.contact_phone, row.description) == (None, None, None)
    assert await harness.services.community.person(RESIDENT.id) is None
    everything = await stored_text(harness)
    for detail in (ADDRESS, PHONE, DESCRIPTION, "Bin bags", RESIDENT.first_name):
        assert detail not in everything
    assert str(RESIDENT.id) not in everything.split("\n")
    assert await count(harness, "SELECT COUNT(*) FROM outbox WHERE chat_id = ?", RESIDENT.id) == 0
    assert await harness.services.privacy.erasure_totals() == {
        "people": 1,
        "requests_cancelled": 2,
        "tasks_reoffered": 0,
    }
    # Counts by kind still add up.
    assert (
        await count(harness, "SELECT COUNT(*) FROM help_requests WHERE category = 'shopping'") == 2
    )

    # Coming back is starting afresh: the privacy notice is asked again.
    await harness.send(harness.build.command(RESIDENT, "myrequests"))
    assert harness.fake.last_text_to(RESIDENT.id) == texts.CONSENT_NEEDED
    await harness.send(harness.build.command(RESIDENT, "forgetme"))
    await harness.press(RESIDENT, pack(FORGET_KIND, "yes", int(harness.clock.now().timestamp())))
    assert harness.fake.last_text_to(RESIDENT.id) == privacy_texts.FORGET_NOTHING


async def test_forgetme_offers_a_volunteers_open_tasks_again(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    volunteer_id = await make_volunteer(harness, VOLUNTEER, code)
    await make_volunteer(harness, SECOND_VOLUNTEER, code)
    await agree(harness, RESIDENT, code)
    rid, ref = await ask_for_shopping(
        harness, RESIDENT, description=DESCRIPTION, address=ADDRESS, phone=PHONE
    )
    await accept(harness, VOLUNTEER, rid)
    before = len(harness.fake.texts_to(SECOND_VOLUNTEER.id))

    await forget(harness, VOLUNTEER)
    assert privacy_texts.FORGOTTEN_REOFFERED(1).strip() in (
        harness.fake.last_text_to(VOLUNTEER.id) or ""
    )
    row = await request_row(harness, rid)
    assert (row.status, row.assignee_person_id) == ("open", None)
    # The request is offered again: the other volunteer gets a new alert with Accept.
    assert len(harness.fake.texts_to(SECOND_VOLUNTEER.id)) > before
    assert harness.message_with_button(SECOND_VOLUNTEER.id, pack("accept", rid)) is not None
    assert any(ref in text for text in harness.fake.texts_to(RESIDENT.id)[-2:])
    assert await harness.services.community.person(VOLUNTEER.id) is None
    assert (
        await count(
            harness,
            "SELECT COUNT(*) FROM volunteers WHERE person_id NOT IN (SELECT id FROM people)",
        )
        == 0
    )
    named = f'%"assignee_person_id": {volunteer_id}}}%'
    assert await count(harness, "SELECT COUNT(*) FROM audit_log WHERE after LIKE ?", named) == 0
    assert (
        await count(
            harness, "SELECT COUNT(*) FROM audit_log WHERE actor_telegram_id = ?", VOLUNTEER.id
        )
        == 0
    )
    await accept(harness, SECOND_VOLUNTEER, rid)
    assert (await request_row(harness, rid)).status == "assigned"
    assert await harness.services.privacy.erasure_totals() == {
        "people": 1,
        "requests_cancelled": 0,
        "tasks_reoffered": 1,
    }


async def test_an_old_or_forged_confirmation_erases_nothing(
    harness: BotHarness, clock: FakeClock
) -> None:
    await agree(harness, RESIDENT)
    await harness.send(harness.build.command(RESIDENT, "forgetme"))
    [yes] = [d for d in buttons_to(harness, RESIDENT.id) if "|yes|" in d]
    clock.advance(timedelta(minutes=11))
    await harness.press(RESIDENT, yes)
    assert harness.fake.last_text_to(RESIDENT.id) == privacy_texts.FORGET_EXPIRED
    for forged in (pack(FORGET_KIND, "yes"), pack(FORGET_KIND, "yes", "１２３"), "v1|forget|yes|x"):
        await harness.press(RESIDENT, forged)
        assert harness.fake.last_text_to(RESIDENT.id) == privacy_texts.FORGET_EXPIRED
    assert await harness.services.community.person(RESIDENT.id) is not None


async def test_a_changed_privacy_notice_is_asked_again_at_the_next_interaction(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await harness.send(harness.build.command(RESIDENT, "myrequests"))
    assert harness.fake.last_text_to(RESIDENT.id) == request_texts.MY_REQUESTS_NONE

    monkeypatch.setattr("bot.runtime.services.PRIVACY_NOTICE_VERSION", "2099-01-01")
    await harness.restart()
    assert harness.services.community.notice_version == "2099-01-01"

    await harness.send(harness.build.command(RESIDENT, "myrequests"))
    asked = harness.fake.last_text_to(RESIDENT.id) or ""
    assert asked.startswith(privacy_texts.NOTICE_CHANGED.strip()[:30])
    assert pack("consent", "yes") in buttons_to(harness, RESIDENT.id)
    # A button press elsewhere is refused with an alert until they agree.
    await harness.press(RESIDENT, pack("menu", "mine"))
    alert = harness.fake.calls_to("answerCallbackQuery")[-1].params
    assert alert.get("text") == privacy_texts.NOTICE_CHANGED_ALERT
    # Reading the notice, help and their data stay open.
    await harness.send(harness.build.command(RESIDENT, "privacy"))
    assert "version 2099-01-01" in (harness.fake.last_text_to(RESIDENT.id) or "")

    await harness.press(RESIDENT, pack("consent", "yes"))
    person = await harness.services.community.person(RESIDENT.id)
    assert person is not None and person.consent_version == "2099-01-01"
    assert person.display_name == "Rita Resident"
    assert [n.id for n, _ in await harness.services.community.memberships(RESIDENT.id)] == [nid]
    await harness.send(harness.build.command(RESIDENT, "myrequests"))
    assert harness.fake.last_text_to(RESIDENT.id) == request_texts.MY_REQUESTS_NONE


async def test_privacy_notice_describes_the_rights_the_bot_offers(harness: BotHarness) -> None:
    await harness.send(harness.build.command(RESIDENT, "privacy"))
    notice = harness.fake.last_text_to(RESIDENT.id) or ""
    for promise in ("/mydata", "/forgetme", "90 days"):
        assert promise in notice
    assert "is being added" not in notice and "ask your" not in texts.PRIVACY_SHORT
    async with harness.services.db.read() as conn:
        assert await help_requests.by_ref(conn, "R-NONE") is None


async def test_forgetme_half_way_through_a_request_drops_the_draft(harness: BotHarness) -> None:
    from handlers.requests import flow as request_flow
    from handlers.requests.steps import Step

    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await harness.send(harness.build.command(RESIDENT, "request"))
    await harness.press(RESIDENT, pack(request_flow.KIND, Step.CATEGORY.token, "shopping"))
    await harness.send(harness.build.text(RESIDENT, DESCRIPTION))
    await forget(harness, RESIDENT)
    assert harness.fake.last_text_to(RESIDENT.id) == privacy_texts.FORGOTTEN.format(details="")
    # Whatever they send next is answered without error and stores nothing of the draft.
    await harness.send(harness.build.text(RESIDENT, OTHER_ADDRESS))
    await harness.press(RESIDENT, pack(request_flow.KIND, Step.WHEN.token, "today"))
    assert DESCRIPTION not in await stored_text(harness)
    assert await harness.services.community.person(RESIDENT.id) is None
    # Agreeing again from an old button, without /start, and typing on: still no error.
    await harness.press(RESIDENT, pack("consent", "yes"))
    await harness.send(harness.build.text(RESIDENT, "tomorrow"))
    await harness.send(harness.build.text(RESIDENT, OTHER_ADDRESS))
    assert DESCRIPTION not in await stored_text(harness)


async def test_mydata_reads_in_words_then_a_file_without_duplicates(harness: BotHarness) -> None:
    _, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    await ask_for_shopping(harness, RESIDENT, description=DESCRIPTION, address=ADDRESS, phone=PHONE)
    # A check-in she set up herself links to her twice (owner and creator): listed once.
    saved = await harness.services.care.checkins.save(RESIDENT.id, None, 0b0010101, "10:00", None)
    assert saved.checkin is not None

    await harness.send(harness.build.command(RESIDENT, "mydata"))
    calls = harness.fake.calls_to(chat_id=RESIDENT.id)
    assert [c.method for c in calls[-2:]] == ["sendMessage", "sendDocument"]
    summary = calls[-2].params["text"]
    assert summary.splitlines() == [
        "📄 <b>What this bot stores about you</b>",
        "• Your name, Rita Resident, and that I write to you in English.",
        "• 1 consent to the privacy notice, given on Mon 2 Nov 2026.",
        "• 1 request you made, on Mon 2 Nov 2026.",
        "• 1 check-in set up for you, on Mon 2 Nov 2026.",
        "• 1 neighbourhood you belong to, joined on Mon 2 Nov 2026.",
        "• 4 entries in the log of changes, the latest on Mon 2 Nov 2026.",
        privacy_texts.MYDATA_FILE_FOLLOWS,
    ]
    mine = my_data(harness, RESIDENT)
    assert mine["schema_version"] == 2
    [checkin] = mine["your_check_ins"]
    assert checkin["days_of_week"] == ["Monday", "Wednesday", "Friday"]
    assert checkin["time_of_day"] == "10:00" and "days" not in checkin
    log = mine["log_of_changes"]
    numbers = [entry["record_number"] for entry in log]
    assert numbers == sorted(set(numbers)) and len(log) == 4
    assert log[0]["value_after"] == {"notice_version": texts.PRIVACY_NOTICE_VERSION}

    def records(value: object) -> list[str]:
        """Every record of the file, as JSON, wherever it sits."""
        if isinstance(value, list):
            return [json.dumps(v, sort_keys=True) for v in value if isinstance(v, dict)] + [
                r for v in value for r in records(v)
            ]
        if isinstance(value, dict):
            return [r for v in value.values() for r in records(v)]
        return []

    everything = records(mine)
    assert len(everything) == len(set(everything))  # no record twice
    raw = harness.fake.documents_to(RESIDENT.id)[-1][1].decode()
    assert "search_scope" not in raw  # internal search tokens are not about anyone
