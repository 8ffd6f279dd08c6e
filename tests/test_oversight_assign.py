"""/open, /assign, /reassign and /audit through the real Application."""

from __future__ import annotations

from datetime import timedelta

from bot.callback_data import pack
from config import oversight_texts, request_texts
from handlers.organising.assigning import ASSIGN_KIND, CANCEL_DATA, REASSIGN_KIND
from storage import audit
from tests.conftest import RESIDENT, BotHarness
from tests.flows_oversight import (
    ELM_ORGANISER,
    SECOND_VOLUNTEER,
    VOLUNTEER,
    request_row,
    resident_request,
    seed_volunteers,
    two_neighbourhoods,
)


def buttons_of(bot: BotHarness, chat_id: int) -> list[str]:
    call = bot.fake.calls_to("sendMessage", chat_id)[-1]
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


async def test_open_assign_reassign_and_audit(harness: BotHarness) -> None:
    c = await two_neighbourhoods(harness)
    request_id, ref = await resident_request(harness)
    harness.clock.advance(timedelta(minutes=95))  # type: ignore[attr-defined]

    await harness.send(harness.build.command(ELM_ORGANISER, "open"))
    listing = harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    assert ref in listing and "waiting 1 hour 35 minutes, 2 alerted" in listing

    # /assign lists both eligible volunteers, in matching's order, with Cancel.
    await harness.send(harness.build.command(ELM_ORGANISER, "assign", ref.lower()))
    call = harness.fake.calls_to("sendMessage", ELM_ORGANISER.id)[-1]
    labels = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[:2] == [
        "Vera Volunteer · 0 recent · 0 open",
        "Walt Volunteer · 0 recent · 0 open",
    ]
    assert buttons_of(harness, ELM_ORGANISER.id) == [
        pack(ASSIGN_KIND, request_id, c.volunteer_person),
        pack(ASSIGN_KIND, request_id, c.second_volunteer_person),
        CANCEL_DATA,
    ]
    harness.fake.clear()
    await harness.press(ELM_ORGANISER, pack(ASSIGN_KIND, request_id, c.second_volunteer_person))
    assigned = await request_row(harness, request_id)
    assert assigned.status == "assigned"
    assert assigned.assignee_person_id == c.second_volunteer_person
    assert "Walt" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    walt = harness.fake.texts_to(SECOND_VOLUNTEER.id)
    assert oversight_texts.VOLUNTEER_ASSIGNED.format(ref=ref) in walt
    assert any("1 Elm Road" in text for text in walt)  # the usual private details
    assert "Walt" in harness.fake.texts_to(RESIDENT.id)[-1]
    # Vera's alert no longer offers the task.
    vera_alert = harness.fake.calls_to("editMessageText", VOLUNTEER.id)[-1].params["text"]
    assert vera_alert == request_texts.ALERT_TAKEN.format(
        ref=ref, category=request_texts.CATEGORY_LABELS["shopping"]
    )

    # /reassign moves it to Vera: both are told.
    harness.fake.clear()
    await harness.send(harness.build.command(ELM_ORGANISER, "reassign", ref))
    move = pack(REASSIGN_KIND, request_id, c.second_volunteer_person, c.volunteer_person)
    assert buttons_of(harness, ELM_ORGANISER.id) == [move, CANCEL_DATA]
    await harness.press(ELM_ORGANISER, move)
    moved = await request_row(harness, request_id)
    assert moved.status == "assigned" and moved.assignee_person_id == c.volunteer_person
    assert moved.accepted_at == assigned.accepted_at
    assert harness.fake.texts_to(SECOND_VOLUNTEER.id) == [
        oversight_texts.VOLUNTEER_REASSIGNED_AWAY.format(ref=ref)
    ]
    assert any("1 Elm Road" in text for text in harness.fake.texts_to(VOLUNTEER.id))
    assert "Vera" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    # A stale press of the old button changes nothing.
    await harness.press(ELM_ORGANISER, move)
    assert (await request_row(harness, request_id)).assignee_person_id == c.volunteer_person
    assert harness.fake.texts_to(ELM_ORGANISER.id)[-1] == oversight_texts.ASSIGN_CHANGED.format(
        ref=ref
    )

    # The assignee may decline (hand it back): it is open again and re-offered.
    await harness.press(VOLUNTEER, pack("release", request_id))
    assert (await request_row(harness, request_id)).status == "open"

    async with harness.services.db.read() as conn:
        actions = await audit.actions_for(conn, f"request:{ref}")
    assert actions[:5] == [
        "request.created",
        "request.alerted",
        "request.assigned",
        "request.reassigned",
        "request.released",
    ]
    await harness.send(harness.build.command(ELM_ORGANISER, "audit", ref))
    history = harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    assert f"History of {ref}" in history
    assert "assigned by an organiser by Olga" in history
    assert "moved to another volunteer by Olga" in history
    assert "created by Rita" in history and "handed back by Vera" in history


async def test_assign_refuses_volunteers_matching_would_not_offer(harness: BotHarness) -> None:
    c = await two_neighbourhoods(harness)
    request_id, ref = await resident_request(harness)
    await harness.press(VOLUNTEER, pack("decline", request_id))  # Vera said "not for me"
    await harness.send(harness.build.command(ELM_ORGANISER, "assign", ref))
    assert pack(ASSIGN_KIND, request_id, c.volunteer_person) not in buttons_of(
        harness, ELM_ORGANISER.id
    )
    # A forged press for her changes nothing.
    await harness.press(ELM_ORGANISER, pack(ASSIGN_KIND, request_id, c.volunteer_person))
    assert (await request_row(harness, request_id)).status == "open"
    assert "can't take" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    # Cancel changes nothing either.
    await harness.press(ELM_ORGANISER, CANCEL_DATA)
    assert harness.fake.texts_to(ELM_ORGANISER.id)[-1] == oversight_texts.ASSIGN_CANCELLED
    # Unknown references and bad usage get a clear answer.
    await harness.send(harness.build.command(ELM_ORGANISER, "assign", "R-ZZZZ"))
    assert "can't find a request R-ZZZZ" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    await harness.send(harness.build.command(ELM_ORGANISER, "assign"))
    assert harness.fake.texts_to(ELM_ORGANISER.id)[-1] == oversight_texts.ASSIGN_USAGE
    await harness.send(harness.build.command(ELM_ORGANISER, "reassign", ref))
    assert "isn't held by a volunteer" in harness.fake.texts_to(ELM_ORGANISER.id)[-1]


async def test_timers_are_in_the_audit_history_and_open_list(harness: BotHarness) -> None:
    c = await two_neighbourhoods(harness)
    await seed_volunteers(harness, c.elm, 6000, 8)
    request_id, ref = await resident_request(harness)
    tunables = harness.settings.tunables
    first = (await request_row(harness, request_id)).alert_round
    harness.clock.advance(tunables.alert_widening_delay)  # type: ignore[attr-defined]
    await harness.services.scheduler.run_due()
    assert (await request_row(harness, request_id)).alert_round == first + 1
    harness.clock.advance(tunables.escalation_delay)  # type: ignore[attr-defined]
    await harness.services.scheduler.run_due()
    assert (await request_row(harness, request_id)).escalated

    await harness.send(harness.build.command(ELM_ORGANISER, "open"))
    listing = harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    assert ref in listing and "10 alerted ⚠️" in listing, listing
    await harness.send(harness.build.command(ELM_ORGANISER, "audit", ref))
    history = harness.fake.texts_to(ELM_ORGANISER.id)[-1]
    assert history.count("volunteers alerted by the bot") == 2
    assert "escalated to organisers by the bot" in history


async def test_a_long_history_is_split_into_messages_telegram_accepts(harness: BotHarness) -> None:
    await two_neighbourhoods(harness)
    _, ref = await resident_request(harness)
    async with harness.services.db.transaction() as conn:
        for n in range(97):
            await audit.record(
                conn,
                actor_telegram_id=VOLUNTEER.id,
                action="request.declined",
                subject=f"request:{ref}",
                now=harness.clock.now(),
                after={"status": "open", "note": n},
            )
    harness.fake.clear()
    await harness.send(harness.build.command(ELM_ORGANISER, "audit", ref))
    parts = harness.fake.texts_to(ELM_ORGANISER.id)
    assert len(parts) >= 2 and all(len(part) <= 4096 for part in parts)
    assert "".join(parts).count("declined by a volunteer by Vera") == 97
