"""The demo's last scene: a welfare check-in goes unanswered and climbs the escalation ladder.

Rita sets up a daily check-in with /checkin. The story's clock then moves on: she is asked,
asked again after the grace period, and when she still does not answer the organisers get the
escalation with the agreed steps. It is re-sent while nobody acknowledges it; Olive presses
Acknowledge and records what happened. No timer ever closes it.
"""

from __future__ import annotations

from datetime import datetime, time

from bot.callback_data import pack, unpack
from bot.care.checkin_schedule import ALL_DAYS
from bot.runtime.demo_stage import Actor, DemoError, Stage
from storage.care import checkins

KIND = "cif"  # handlers.care.flow's button kind
CHECKIN_TIME = time(11, 0)
EMERGENCY_CONTACT = "Sam (son) 07700 100456"


def escalation_button(stage: Stage, actor: Actor, action: str) -> str:
    """The data of the escalation button for this action (ack, or out|<outcome>) on screen."""
    for data in stage.buttons_like(actor.id, pack("esc") + "|"):
        parsed = unpack(data)
        if parsed is not None and "|".join(parsed[1][1:]) == action:
            return data
    raise DemoError(f"{actor.name} sees no escalation button {action!r}")


async def set_up_checkin(stage: Stage, resident: Actor) -> None:
    """Go through /checkin: every day, at 11:00, the phone and address of her request, a contact."""
    async with stage.exchange(f"{resident.name} sets up a daily check-in"):
        await stage.command(resident, "checkin")
        await stage.press(resident, pack(KIND, "days", ALL_DAYS))
        await stage.press(resident, pack(KIND, "next"))
        await stage.say(resident, CHECKIN_TIME.strftime("%H:%M"))
    stage.note("the bot offers the phone number and address she gave with her request")
    async with stage.exchange(f"{resident.name} uses them and adds an emergency contact"):
        await stage.press(resident, pack(KIND, "usephone"))
        await stage.press(resident, pack(KIND, "useaddr"))
        await stage.say(resident, EMERGENCY_CONTACT)


async def unanswered_checkin(stage: Stage, resident: Actor, organiser: Actor) -> int:
    """Let the check-in go unanswered up the ladder until the organiser acknowledges it.

    Returns how many times the escalation was sent before it was acknowledged.
    """
    tunables = stage.services.settings.tunables
    zone = stage.services.settings.timezone
    today = stage.clock.now().astimezone(zone).date()
    asked_at = datetime.combine(today, CHECKIN_TIME, zone)
    if asked_at <= stage.clock.now():
        raise DemoError("the check-in time must come after the story's start")
    await set_up_checkin(stage, resident)
    async with stage.exchange(f"{CHECKIN_TIME:%H:%M}: the check-in; {resident.name} is out"):
        await stage.advance_to(asked_at)
    grace = tunables.checkin_grace
    async with stage.exchange(f"No answer within the grace period: {resident.name} is asked again"):
        await stage.advance_to(asked_at + grace)
    async with stage.exchange("Still no answer: the escalation ladder starts"):
        await stage.advance_to(asked_at + 2 * grace)
    stage.note(f"the organisers are told: {resident.name} has no regular check-in volunteer")
    async with stage.exchange("Nobody acknowledges it: it is sent again"):
        await stage.advance_to(asked_at + 2 * grace + tunables.escalation_resend)
    async with stage.exchange(f"{organiser.name} presses Acknowledge and records the outcome"):
        await stage.press(organiser, escalation_button(stage, organiser, "ack"))
        await stage.press(organiser, escalation_button(stage, organiser, "out|reached"))
    async with stage.exchange(f"{organiser.name} looks at the check-ins overview"):
        await stage.command(organiser, "checkins")
    async with stage.services.db.read() as conn:
        escalation = await checkins.escalation(conn, escalation_id(stage, organiser))
    if escalation is None or escalation.outcome != "reached":
        raise DemoError("the escalation's outcome was not recorded")
    return 1 + escalation.resends


def escalation_id(stage: Stage, organiser: Actor) -> int:
    """The escalation id carried by the buttons the organiser was sent."""
    for call in stage.fake.calls_to("sendMessage", organiser.id):
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in (b for row in rows for b in row):
            parsed = unpack(button.get("callback_data"))
            if parsed is not None and parsed[0] == "esc" and parsed[1][0].isdigit():
                return int(parsed[1][0])
    raise DemoError(f"{organiser.name} was sent no escalation")
