"""/gaps through the real Application, checked against a seeded history of requests."""

from __future__ import annotations

from datetime import timedelta

from bot.offline.support import png_size
from bot.offline.updates import FakeUser
from bot.organising import charts
from bot.requests.request_types import RequestDraft
from bot.when import WhenKind, window_for
from config import asset_texts
from storage.requests import help_requests
from tests.conftest import ORGANISER, RESIDENT, BotHarness
from tests.flows import agree, make_volunteer, neighbourhood_with_invite
from tests.flows_assets import seed


def volunteer(number: int) -> FakeUser:
    return FakeUser(3000 + number, f"Gap{number}", "Volunteer")


async def ask(bot: BotHarness, nid: int, category: str) -> int:
    draft = RequestDraft(
        neighbourhood_id=nid,
        category=category,
        description="Seeded",
        window=window_for(WhenKind.TODAY, bot.clock.now(), bot.settings.timezone),
        contact_phone=None,
        telegram_only=True,
        address="1 Seed Street",
        payment_method="doorstep" if category == "shopping" else None,
    )
    return (await bot.services.requests.create(RESIDENT.id, draft)).request_id


async def test_gap_report_numbers_match_a_seeded_history(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    await agree(harness, RESIDENT, code)
    shoppers = [volunteer(1), volunteer(2), volunteer(3)]
    for user in shoppers:
        await make_volunteer(harness, user, code)
    await harness.services.volunteering.pause(shoppers[2].id, None)  # paused: not active
    walker = volunteer(4)
    await make_volunteer(harness, walker, code, categories=frozenset({"dog_walking"}))
    await seed(harness, nid, "Food bank", tags="food")
    await seed(harness, nid, "Old food store", tags="food", status="withdrawn")
    await seed(harness, nid, "Pharmacy delivery", tags="prescription")
    requests = harness.services.requests

    await ask(harness, nid, "shopping")  # 40 days before the report: outside /gaps 30
    harness.clock.advance(timedelta(days=40))
    met = await ask(harness, nid, "shopping")
    await requests.accept(shoppers[0].id, met)
    await requests.mark_done(shoppers[0].id, met)
    await requests.confirm(RESIDENT.id, met, satisfied=True)
    late = await ask(harness, nid, "shopping")
    async with harness.services.db.transaction() as conn:
        assert await help_requests.set_escalated(conn, late, harness.clock.now())
    cancelled = await ask(harness, nid, "shopping")
    await requests.cancel(RESIDENT.id, cancelled)
    in_progress = await ask(harness, nid, "shopping")
    await requests.accept(shoppers[1].id, in_progress)
    await ask(harness, nid, "prescription")
    walk = await ask(harness, nid, "dog_walking")
    await requests.accept(walker.id, walk)
    await requests.mark_done(walker.id, walk)
    harness.clock.advance(timedelta(hours=1))

    await harness.send(harness.build.command(ORGANISER, "gaps", "30"))
    report = harness.fake.last_text_to(ORGANISER.id) or ""
    lines = report.split("\n")
    assert lines[0] == "📊 <b>Gaps in Elm Park</b>, last 30 days"
    assert "<b>🛒 Shopping</b>: 4 asked, 1 met, 2 unmet, 1 late · 2 volunteers, 1 asset" in lines
    assert (
        "<b>💊 Prescription collection</b>: 1 asked, 0 met, 1 unmet, 0 late · "
        "0 volunteers, 1 asset" in lines
    )
    assert "<b>🐕 Dog walking</b>: 1 asked, 1 met, 0 unmet, 0 late · 1 volunteer, 0 assets" in lines
    # Categories with nothing asked and nothing offered share one line, not rows of zeros.
    assert not any("Lift" in line and "0 asked" in line for line in lines)
    assert (
        "Nothing asked and nothing offered: Check-in call, Check-in visit, Lift and "
        "Something else." in lines
    )
    assert lines[-1] == (
        "Needs outrun what is offered for Shopping (2 of 4 unmet or late; 2 volunteers, "
        "1 asset) and Prescription collection (1 of 1 unmet or late; 0 volunteers, 1 asset)."
    )
    # After the text, one chart of the same numbers: needs against offers per category.
    [png] = harness.fake.photos_to(ORGANISER.id)
    assert png_size(png) == (1080, 1350)
    assert 20_000 < len(png) < 1_000_000
    assert charts.counts_in(png) == {
        "days": 30,
        "categories": ["shopping", "prescription", "dog_walking"],
        "made": [4, 1, 1],
        "short": [2, 1, 0],
        "volunteers": [2, 0, 1],
        "assets": [1, 1, 0],
    }
    assert harness.fake.calls_to(chat_id=ORGANISER.id)[-1].method == "sendPhoto"
    # A longer period takes in the older request too.
    await harness.send(harness.build.command(ORGANISER, "gaps", "60"))
    longer = harness.fake.last_text_to(ORGANISER.id) or ""
    assert "<b>🛒 Shopping</b>: 5 asked, 1 met, 3 unmet, 1 late" in longer

    await harness.send(harness.build.command(ORGANISER, "gaps", "soon"))
    assert harness.fake.last_text_to(ORGANISER.id) == asset_texts.GAPS_BAD_DAYS.format(limit=365)
    await harness.send(harness.build.command(RESIDENT, "gaps"))
    assert harness.fake.last_text_to(RESIDENT.id) == asset_texts.GAPS_NOT_ORGANISER


async def test_gap_report_says_plainly_when_offers_keep_up(harness: BotHarness) -> None:
    nid, code = await neighbourhood_with_invite(harness)
    await harness.send(harness.build.command(ORGANISER, "gaps"))
    assert (harness.fake.last_text_to(ORGANISER.id) or "").endswith(asset_texts.GAPS_NO_REQUESTS)
    assert harness.fake.photos_to(ORGANISER.id) == []  # nothing asked or offered: no chart
    await agree(harness, RESIDENT, code)
    helper = volunteer(1)
    await make_volunteer(harness, helper, code)
    request_id = await ask(harness, nid, "shopping")
    await harness.services.requests.accept(helper.id, request_id)
    await harness.services.requests.mark_done(helper.id, request_id)
    await harness.send(harness.build.command(ORGANISER, "gaps", "7"))
    assert (harness.fake.last_text_to(ORGANISER.id) or "").endswith(asset_texts.GAPS_KEEPING_UP)
