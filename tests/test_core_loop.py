"""The core loop through the real Application: fair alerts, one-press accept, done, thanks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.callback_data import pack
from bot.clock import FakeClock
from bot.offline.updates import FakeUser
from bot.requests.request_types import Created, RequestDraft
from bot.when import WhenKind, window_for
from config import request_texts
from storage import audit
from storage.organising import neighbourhoods
from storage.requests import help_requests
from tests.conftest import ORGANISER, RESIDENT, VOLUNTEERS_CHAT, BotHarness
from tests.flows import agree, ask_for_shopping, make_volunteer, neighbourhood_with_invite

PHONE = "+447700100123"
ADDRESS = "12 Test Street, Flat <b>2</b> & co"
DESCRIPTION = "Milk, bread </i> and 🍌 bananas"


def volunteer(number: int) -> FakeUser:
    return FakeUser(2000 + number, f"Vol{number}", "Unteer")


async def draft(bot: BotHarness, nid: int, category: str = "shopping") -> RequestDraft:
    return RequestDraft(
        neighbourhood_id=nid,
        category=category,
        description=DESCRIPTION,
        window=window_for(WhenKind.TODAY, bot.clock.now(), bot.settings.timezone),
        contact_phone=PHONE,
        telegram_only=False,
        address=ADDRESS,
        payment_method="doorstep" if category == "shopping" else None,
    )


async def alerted_chats(bot: BotHarness, request_id: int) -> set[int]:
    async with bot.services.db.read() as conn:
        alerts = await help_requests.live_alerts(conn, request_id)
    return {a.chat_id for a in alerts if a.person_id is not None}


async def request_row(bot: BotHarness, request_id: int) -> help_requests.HelpRequest:
    async with bot.services.db.read() as conn:
        request = await help_requests.by_id(conn, request_id)
    assert request is not None
    return request


async def test_full_loop_alerts_exactly_k_eligible_and_finishes(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    other_nid, other_code = await neighbourhood_with_invite(harness, "Oak Row")
    eligible = [volunteer(n) for n in range(1, 8)]
    for user in eligible:
        await make_volunteer(harness, user, code)
    # Ineligible: another neighbourhood, paused, at task limit, not offering shopping,
    # pending approval, and the requester.
    await make_volunteer(harness, volunteer(20), other_code)
    await make_volunteer(harness, volunteer(21), code)
    assert await harness.services.volunteering.pause(volunteer(21).id, None) is None
    await make_volunteer(harness, volunteer(22), code, categories=frozenset({"dog_walking"}))
    await make_volunteer(harness, volunteer(23), code, approve=False)
    busy = volunteer(24)
    await make_volunteer(harness, busy, code, max_open_tasks=1)
    await make_volunteer(harness, RESIDENT, code)
    earlier = await harness.services.requests.create(RESIDENT.id, await draft(harness, nid))
    # `busy` (limit 1) already holds a task.
    busy_person = await harness.services.community.person(busy.id)
    assert busy_person is not None
    async with harness.services.db.transaction() as conn:
        assert await help_requests.try_accept(
            conn, earlier.request_id, busy_person.id, harness.clock.now()
        )
    harness.fake.clear()

    request_id, ref = await ask_for_shopping(
        harness, RESIDENT, description=DESCRIPTION, address=ADDRESS, phone="07700 100123"
    )
    assert "alerted 5 volunteers" in (harness.fake.last_text_to(RESIDENT.id) or "")
    created = Created(request_id, ref, 5)
    chats = await alerted_chats(harness, created.request_id)
    assert len(chats) == 5 and chats <= {u.id for u in eligible}
    for outsider in (volunteer(20), volunteer(21), volunteer(22), volunteer(23), busy, RESIDENT):
        assert not any("Can you help" in x for x in harness.fake.texts_to(outsider.id)), outsider
    alert = harness.fake.calls_to("sendMessage", min(chats))[-1]
    assert created.ref in alert.params["text"] and "Shopping" in alert.params["text"]

    winner = next(u for u in eligible if u.id in chats)
    await harness.press(winner, pack("accept", created.request_id))
    details = harness.fake.last_text_to(winner.id) or ""
    assert "12 Test Street, Flat &lt;b&gt;2&lt;/b&gt; &amp; co" in details
    assert "07700 100123" in details and "Cash or cheque" in details
    assert f"<b>Vol{winner.id - 2000}</b> is going to help" in (
        harness.fake.last_text_to(RESIDENT.id) or ""
    )
    await harness.press(winner, pack("done", created.request_id))
    await harness.send(harness.build.text(winner, "£12.50"))
    assert "Recorded £12.50" in (harness.fake.last_text_to(winner.id) or "")
    await harness.press(RESIDENT, pack("confirm", created.request_id, "yes"))
    closed = await request_row(harness, created.request_id)
    assert closed.status == "closed" and closed.thanked and closed.amount_spent_pence == 1250
    assert request_texts.VOLUNTEER_THANKED.format(ref=created.ref) in harness.fake.texts_to(
        winner.id
    )
    async with harness.services.db.read() as conn:
        actions = await audit.actions_for(conn, f"request:{created.ref}")
    assert actions == [
        "request.created",
        "request.alerted",
        "request.accepted",
        "request.done",
        "request.amount_recorded",
        "request.closed",
    ]


async def test_ten_concurrent_accepts_leave_exactly_one_assignee(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    async with harness.services.db.transaction() as conn:
        await neighbourhoods.update_settings(conn, nid, alert_batch_size=10)
    people = [volunteer(n) for n in range(1, 11)]
    for user in people:
        await make_volunteer(harness, user, code)
    await agree(harness, RESIDENT, code)
    created = await harness.services.requests.create(RESIDENT.id, await draft(harness, nid))
    assert created.alerted == 10
    presses = [
        harness.build.callback(
            user,
            pack("accept", created.request_id),
            message_id=harness.message_with_button(user.id, pack("accept", created.request_id))
            or 1,
        )
        for user in people
    ]
    await asyncio.gather(*(harness.send(update) for update in presses))
    request = await request_row(harness, created.request_id)
    assert request.status == "assigned"
    taken_answers = [
        c
        for c in harness.fake.calls_to("answerCallbackQuery")
        if c.params.get("text") == request_texts.ACCEPT_TAKEN
    ]
    assert len(taken_answers) == 9
    for user in people:
        [alert] = [
            c
            for c in harness.fake.calls_to("sendMessage", user.id)
            if created.ref in c.params["text"] and "Can you help" in c.params["text"]
        ]
        stored = harness.fake.message(user.id, alert.result["message_id"])
        assert stored is not None and "reply_markup" not in stored, user  # buttons gone
        assert "taken" in stored["text"] or "is yours" in stored["text"]


async def test_private_details_only_reach_the_assignee(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    await harness.send(harness.build.group_command(ORGANISER, VOLUNTEERS_CHAT, "linkgroup"))
    people = [volunteer(n) for n in range(1, 4)]
    for user in people:
        await make_volunteer(harness, user, code)
    await agree(harness, RESIDENT, code)
    request_id, ref = await ask_for_shopping(
        harness, RESIDENT, description=DESCRIPTION, address=ADDRESS, phone="07700 100123"
    )
    created = Created(request_id, ref, 3)
    harness.clock.advance(harness.settings.tunables.alert_widening_delay)  # type: ignore[attr-defined]
    await harness.services.scheduler.run_due()
    assert any("Request" in x for x in harness.fake.texts_to(VOLUNTEERS_CHAT))
    await harness.press(people[0], pack("accept", created.request_id))
    await harness.press(people[0], pack("release", created.request_id))
    await harness.press(people[1], pack("accept", created.request_id))
    await harness.send(harness.build.command(people[1], "tasks"))
    await harness.press(people[1], pack("done", created.request_id))
    await harness.press(RESIDENT, pack("confirm", created.request_id, "yes"))
    secrets = ("7700 100123", "7700100123", "Test Street", "Milk, bread")
    allowed = {people[0].id, people[1].id, RESIDENT.id, ORGANISER.id}
    for call in harness.fake.calls:
        text = str(call.params.get("text", ""))
        if any(secret in text for secret in secrets):
            assert call.params.get("chat_id") in allowed, call
            assert int(call.params["chat_id"]) > 0  # never a group
    assert any("Test Street" in x for x in harness.fake.texts_to(people[1].id))
    assert not any("Test Street" in x for x in harness.fake.texts_to(people[2].id))


async def test_forged_and_stale_presses_change_nothing(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    _, other_code = await neighbourhood_with_invite(harness, "Oak Row")
    helper = volunteer(1)
    await make_volunteer(harness, helper, code)
    outsider = volunteer(2)
    await make_volunteer(harness, outsider, other_code)
    stranger = volunteer(3)
    await agree(harness, stranger, code)
    await agree(harness, RESIDENT, code)
    created = await harness.services.requests.create(RESIDENT.id, await draft(harness, nid))
    rid = created.request_id
    for user in (outsider, stranger):  # another neighbourhood; not a volunteer
        await harness.press(user, pack("accept", rid))
        assert harness.fake.calls_to("answerCallbackQuery")[-1].params["text"] == (
            request_texts.ACCEPT_NOT_ELIGIBLE
        )
    await harness.press(stranger, pack("done", rid))
    await harness.press(stranger, pack("decline", rid))  # never asked: refused
    stranger_person = await harness.services.community.person(stranger.id)
    assert stranger_person is not None
    query = "SELECT COUNT(*) FROM request_alerts WHERE request_id = ? AND person_id = ?"
    async with harness.services.db.read() as conn:
        assert await conn.fetchval(query, rid, stranger_person.id) == 0
    await harness.press(RESIDENT, pack("accept", rid))
    await harness.press(helper, pack("accept", "999"))
    await harness.press(helper, pack("accept", "abc"))
    assert (await request_row(harness, rid)).status == "open"
    await harness.press(helper, pack("accept", rid))
    await harness.press(outsider, pack("release", rid))
    await harness.press(stranger, pack("confirm", rid, "yes"))
    assert (await request_row(harness, rid)).status == "assigned"
    await harness.press(helper, pack("done", rid))
    await harness.press(RESIDENT, pack("confirm", rid, "yes"))
    await harness.press(helper, pack("release", rid))  # finished: no longer possible
    await harness.press(RESIDENT, pack("cancelreq", rid))
    assert (await request_row(harness, rid)).status == "closed"
    answer = harness.fake.calls_to("answerCallbackQuery")[-1].params["text"]
    assert answer == request_texts.NO_LONGER_POSSIBLE.format(
        ref=created.ref, status=request_texts.STATUS_LABELS["closed"]
    )


async def test_widening_and_escalation_fire_across_a_restart(
    harness: BotHarness, clock: FakeClock
) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    await harness.send(harness.build.group_command(ORGANISER, VOLUNTEERS_CHAT, "linkgroup"))
    async with harness.services.db.transaction() as conn:
        await neighbourhoods.update_settings(conn, nid, alert_batch_size=2)
    people = [volunteer(n) for n in range(1, 6)]
    for user in people:
        await make_volunteer(harness, user, code)
    await agree(harness, RESIDENT, code)
    created = await harness.services.requests.create(RESIDENT.id, await draft(harness, nid))
    assert len(await alerted_chats(harness, created.request_id)) == 2
    await harness.restart()
    tunables = harness.settings.tunables
    clock.advance(tunables.alert_widening_delay - timedelta(seconds=1))
    assert await harness.services.scheduler.run_due() == 0
    clock.advance(timedelta(seconds=1))
    assert await harness.services.scheduler.run_due() == 1
    assert len(await alerted_chats(harness, created.request_id)) == 4
    assert any(created.ref in x for x in harness.fake.texts_to(VOLUNTEERS_CHAT))
    await harness.restart()
    clock.advance(tunables.escalation_delay - tunables.alert_widening_delay)
    await harness.services.scheduler.run_due()
    escalation = [x for x in harness.fake.texts_to(ORGANISER.id) if "without a volunteer" in x]
    assert len(escalation) == 1 and created.ref in escalation[0]
    assert (await request_row(harness, created.request_id)).escalated
    # The group post's Accept works for an eligible volunteer, and every alert is edited.
    await harness.press(people[4], pack("accept", created.request_id), chat_id=VOLUNTEERS_CHAT)
    assert (await request_row(harness, created.request_id)).assignee_person_id is not None
    group_post = harness.fake.calls_to("sendMessage", VOLUNTEERS_CHAT)[-1]
    stored = harness.fake.message(VOLUNTEERS_CHAT, group_post.result["message_id"])
    assert stored is not None and "has been taken" in stored["text"]


async def test_not_for_me_cancel_and_release(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    people = [volunteer(n) for n in range(1, 4)]
    for user in people:
        await make_volunteer(harness, user, code)
    await agree(harness, RESIDENT, code)
    async with harness.services.db.transaction() as conn:
        await neighbourhoods.update_settings(conn, nid, alert_batch_size=2)
    created = await harness.services.requests.create(RESIDENT.id, await draft(harness, nid))
    first_round = await alerted_chats(harness, created.request_id)
    decliner = next(u for u in people if u.id in first_round)
    await harness.press(decliner, pack("decline", created.request_id))
    taker = next(u for u in people if u.id in first_round and u != decliner)
    await harness.press(taker, pack("accept", created.request_id))
    await harness.press(taker, pack("release", created.request_id))
    assert "can't help with" in (harness.fake.last_text_to(RESIDENT.id) or "")
    # Re-alerted: neither the decliner nor the one who handed it back.
    realerted = {
        c.params["chat_id"]
        for c in harness.fake.calls_to("sendMessage")
        if "Can you help" in c.params["text"]
    }
    third = next(u for u in people if u.id not in first_round)
    assert third.id in realerted
    assert (await request_row(harness, created.request_id)).status == "open"
    await harness.send(harness.build.command(RESIDENT, "myrequests"))
    await harness.press(RESIDENT, pack("cancelreq", created.request_id))
    assert (await request_row(harness, created.request_id)).status == "cancelled"
    await harness.press(third, pack("accept", created.request_id))
    assert (
        harness.fake.calls_to("answerCallbackQuery")[-1].params["text"]
        == request_texts.ACCEPT_CANCELLED
    )


async def test_user_text_arrives_intact_through_strict_html(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    helper = volunteer(1)
    await make_volunteer(harness, helper, code)
    resident = FakeUser(1009, "Ann<b>&</i>🌼", "Smith")
    await agree(harness, resident, code)
    base = await draft(harness, nid)
    created = await harness.services.requests.create(
        resident.id,
        RequestDraft(
            **{**base.__dict__, "for_name": "Bob </i>& <b>Co</b> 🐕", "for_phone": "+442079460123"}
        ),
    )
    await harness.press(helper, pack("accept", created.request_id))
    details = harness.fake.calls_to("sendMessage", helper.id)[-1]
    visible = harness.fake.message(helper.id, details.result["message_id"])
    assert visible is not None
    for raw in (
        "Bob </i>& <b>Co</b> 🐕",
        "Milk, bread </i> and 🍌 bananas",
        "12 Test Street, Flat <b>2</b> & co",
        "020 7946 0123",
    ):
        assert raw in visible["text"], raw
    greetings = [
        (harness.fake.message(resident.id, c.result["message_id"]) or {}).get("text", "")
        for c in harness.fake.calls_to("sendMessage", resident.id)
    ]
    assert any("Thank you, Ann<b>&</i>🌼" in text for text in greetings)
