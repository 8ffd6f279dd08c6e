"""/settings through the real Application: every tunable changes with buttons, audited, used."""

from __future__ import annotations

from datetime import timedelta

from bot.callback_data import pack
from bot.requests.alerting import ESCALATE_JOB, WIDEN_JOB
from storage import audit, jobs
from storage.organising import neighbourhoods
from tests.conftest import BotHarness
from tests.flows_vetting import ELM_ORG, build_world, elm_shopping, last_markup_data, run_for


async def test_settings_shows_and_changes_every_tunable(harness: BotHarness) -> None:
    world = await build_world(harness)
    await run_for(harness, ELM_ORG, "settings", world.elm)
    shown = harness.fake.last_text_to(ELM_ORG.id) or ""
    assert "Volunteers alerted per round: 5 (default)" in shown
    assert "Ask more volunteers after: 20 min (default)" in shown
    assert "Quiet hours: 21:00–08:00 (default)" in shown
    assert "Shopping spending cap: £30.00" in shown
    presses = [
        ("batch", "8"),
        ("widen", "600"),
        ("escalate", "14400"),
        ("approval", "0"),
        ("cap", "5000"),
        ("quiet", "22:00-07:00"),
        ("assets", "1"),
    ]
    for key, value in presses:
        await harness.press(ELM_ORG, pack("vset", world.elm, key))
        assert pack("vset", world.elm, key, value) in last_markup_data(harness, ELM_ORG.id) or (
            key in ("approval", "assets")
        )
        await harness.press(ELM_ORG, pack("vset", world.elm, key, value))
    shown = harness.fake.last_text_to(ELM_ORG.id) or ""
    assert "Volunteers alerted per round: 8\n" in shown
    assert "Ask more volunteers after: 10 min\n" in shown
    assert "Tell organisers after: 4 h\n" in shown
    assert "New volunteers need approval: no" in shown
    assert "Shopping spending cap: £50.00" in shown
    assert "Quiet hours: 22:00–07:00" in shown
    assert "publish assets themselves: yes" in shown
    async with harness.services.db.read() as conn:
        local = await neighbourhoods.settings_of(conn, world.elm)
        untouched = await neighbourhoods.settings_of(conn, world.oak)
        actions = await audit.actions_for(conn, f"neighbourhood:{world.elm}")
    assert (local.alert_batch_size, local.alert_widening_delay_s) == (8, 600)
    assert local.escalation_delay_s == 14400 and not local.volunteers_need_approval
    assert local.spending_cap_pence == 5000 and local.assets_self_publish
    assert (local.quiet_hours_start, local.quiet_hours_end) == ("22:00", "07:00")
    assert untouched.alert_batch_size is None and untouched.volunteers_need_approval
    assert actions.count("settings.changed") == len(presses)
    # Back to the defaults, and no quiet hours at all.
    await harness.press(ELM_ORG, pack("vset", world.elm, "batch", "d"))
    await harness.press(ELM_ORG, pack("vset", world.elm, "quiet", "00:00-00:00"))
    assert "Quiet hours: none" in (harness.fake.last_text_to(ELM_ORG.id) or "")
    async with harness.services.db.read() as conn:
        local = await neighbourhoods.settings_of(conn, world.elm)
    assert local.alert_batch_size is None and local.quiet_hours_start == "00:00"


async def test_forged_values_are_refused(harness: BotHarness) -> None:
    world = await build_world(harness)
    for data in (
        pack("vset", world.elm, "batch", "5000"),
        pack("vset", world.elm, "nonsense", "1"),
        pack("vset", world.elm, "rc", "shopping", "passport"),
    ):
        await harness.press(ELM_ORG, data)
        answer = harness.fake.calls_to("answerCallbackQuery")[-1].params
        assert answer.get("show_alert") is True
    async with harness.services.db.read() as conn:
        assert (await neighbourhoods.settings_of(conn, world.elm)).alert_batch_size is None


async def test_delay_overrides_are_used_by_alerting(harness: BotHarness) -> None:
    world = await build_world(harness)
    await run_for(harness, ELM_ORG, "settings", world.elm)
    await harness.press(ELM_ORG, pack("vset", world.elm, "widen", "600"))
    await harness.press(ELM_ORG, pack("vset", world.elm, "escalate", "3600"))
    request_id, _ = await elm_shopping(harness, "Tea")
    now = harness.clock.now()
    async with harness.services.db.read() as conn:
        widen = await jobs.pending_for(conn, WIDEN_JOB, str(request_id))
        escalate = await jobs.pending_for(conn, ESCALATE_JOB, str(request_id))
    assert [j.due_at - now for j in widen] == [timedelta(minutes=10)]
    assert [j.due_at - now for j in escalate] == [timedelta(hours=1)]
