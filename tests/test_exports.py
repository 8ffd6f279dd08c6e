"""/export: CSV in private chats only, personal columns only for the organiser's own areas."""

from __future__ import annotations

import csv
import io
import json

from bot.exports import REQUEST_PERSONAL, VOLUNTEER_PERSONAL
from config import oversight_texts as ot
from tests.conftest import ORGANISER, VOLUNTEERS_CHAT, BotHarness
from tests.flows_oversight import (
    ELM_ORGANISER,
    OAK_ORGANISER,
    log_phone_in,
    resident_request,
    scalar,
    two_neighbourhoods,
)


def parse(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def export_rows(bot: BotHarness, user_id: int) -> list[dict[str, str]]:
    documents = bot.fake.documents_to(user_id)
    assert documents, bot.fake.texts_to(user_id)[-1:]
    return parse(documents[-1][1])


async def test_exports_scope_personal_columns_and_are_audited(harness: BotHarness) -> None:
    c = await two_neighbourhoods(harness)
    _, elm_ref = await resident_request(harness)
    await log_phone_in(harness, ORGANISER, choose=c.oak)  # a phone-in request in Oak Row
    harness.fake.clear()

    # Oak Row's organiser: both rows, but personal data only for Oak Row's.
    await harness.send(harness.build.command(OAK_ORGANISER, "export", "requests 30"))
    name, _ = harness.fake.documents_to(OAK_ORGANISER.id)[-1]
    assert name.startswith("requests-") and name.endswith(".csv")
    rows = {row["neighbourhood"]: row for row in await export_rows(harness, OAK_ORGANISER.id)}
    assert set(rows) == {"Elm Park", "Oak Row"}
    elm, oak = rows["Elm Park"], rows["Oak Row"]
    assert elm["ref"] == elm_ref and elm["category"] == "shopping" and elm["status"] == "open"
    assert all(elm[column] == "" for column in REQUEST_PERSONAL)
    assert oak["for_name"] == "Mrs <b>Jones</b>" and oak["address"] == "3 Oak Lane"
    assert oak["for_phone"] == "+447700100123" and oak["phone_in"] == "1"

    # Elm Park's organiser sees the resident's details and not the neighbour's.
    await harness.send(harness.build.command(ELM_ORGANISER, "export", "requests"))
    rows = {row["neighbourhood"]: row for row in await export_rows(harness, ELM_ORGANISER.id)}
    assert rows["Elm Park"]["address"] == "1 Elm Road"
    assert rows["Elm Park"]["requester_name"] == "Rita Resident"
    assert all(rows["Oak Row"][column] == "" for column in REQUEST_PERSONAL)

    # Volunteers: Elm Park's two are listed for Oak's organiser without names or numbers.
    await harness.send(harness.build.command(OAK_ORGANISER, "export", "volunteers"))
    volunteers = await export_rows(harness, OAK_ORGANISER.id)
    assert len(volunteers) == 2
    assert all(v["neighbourhood"] == "Elm Park" and v["volunteer_status"] == "approved"
               for v in volunteers)  # fmt: skip
    assert all(v[column] == "" for v in volunteers for column in VOLUNTEER_PERSONAL)
    await harness.send(harness.build.command(ELM_ORGANISER, "export", "volunteers"))
    names = {v["display_name"] for v in await export_rows(harness, ELM_ORGANISER.id)}
    assert names == {"Vera Volunteer", "Walt Volunteer"}

    async with (
        harness.services.db.read() as conn,
        conn.execute(
            "SELECT actor_telegram_id, action, after FROM audit_log "
            "WHERE action LIKE 'export.%' ORDER BY id"
        ) as cursor,
    ):
        entries = [(r[0], r[1], json.loads(r[2])) for r in await cursor.fetchall()]
    assert [(actor, action) for actor, action, _ in entries] == [
        (OAK_ORGANISER.id, "export.requests"),
        (ELM_ORGANISER.id, "export.requests"),
        (OAK_ORGANISER.id, "export.volunteers"),
        (ELM_ORGANISER.id, "export.volunteers"),
    ]
    first = entries[0][2]
    assert first["rows"] == 2 and first["days"] == 30 and first["personal_rows"] == 1


async def test_export_only_in_private_and_with_clear_usage(harness: BotHarness) -> None:
    await two_neighbourhoods(harness)
    await harness.send(
        harness.build.group_command(ELM_ORGANISER, VOLUNTEERS_CHAT, "export", "requests")
    )
    assert harness.fake.texts_to(VOLUNTEERS_CHAT)[-1] == ot.PRIVATE_ONLY
    assert not harness.fake.documents_to(VOLUNTEERS_CHAT)
    for args in ("", "people", "requests abc", "volunteers 0"):
        await harness.send(harness.build.command(ELM_ORGANISER, "export", args))
        assert harness.fake.texts_to(ELM_ORGANISER.id)[-1] == ot.EXPORT_USAGE
    assert not harness.fake.documents_to(ELM_ORGANISER.id)
    exports = await scalar(harness, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'export.%'")
    assert exports == 0
