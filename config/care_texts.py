"""User-facing texts for reminders and welfare check-ins (HTML)."""

from __future__ import annotations

# Menu entries: (command, description), merged into the scoped menus by config.commands.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("checkin", "Set up, pause or stop a daily check-in"),
)
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("checkins", "Active check-ins and open escalations"),
    ("checkinbuddy", "Set a member's regular check-in volunteer"),
)
# Lines appended to /help ("/command – what it does\n"), for everyone and for organisers.
HELP_PRIVATE = "/checkin – a friendly check-in message on the days and time you choose\n"
HELP_ORGANISER = (
    "/checkin #number – set up or change a check-in for a member\n"
    "/checkins – active check-ins and open escalations\n"
    "/checkinbuddy #member #volunteer – set a member's regular check-in volunteer\n"
)

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EVERY_DAY = "every day"

# Task reminders (to the assignee) and the resident's follow-up.
TASK_REMINDER = "⏰ Reminder: <b>{ref}</b> ({category}) is due {when}. Thank you for helping!"
TASK_OVERDUE = (
    "👋 Is <b>{ref}</b> ({category}, {when}) done? Please press Done, or Can't do it so we "
    "can find someone else."
)
ORGANISER_TASK_OVERDUE = (
    "⚠️ <b>{ref}</b> ({category}, {when}) in {neighbourhood} is overdue and {volunteer} has not "
    "answered a reminder. You may want to get in touch."
)
RESIDENT_FOLLOWUP = "Hello again! {volunteer} marked <b>{ref}</b> done yesterday. Did all go well?"

# The check-in itself.
CHECKIN_QUESTION = "☀️ Good morning, how are you today?"
CHECKIN_QUESTION_AGAIN = (
    "☀️ Just checking in again: how are you today? Please press one of the buttons."
)
BUTTON_OK = "🙂 I'm OK"
BUTTON_CHAT = "☕ I'd like a chat"
BUTTON_HELP = "🆘 I need help"
ANSWER_LABELS = {"ok": "I'm OK", "chat": "I'd like a chat", "help": "I need help"}
CHECKIN_ANSWERED = "✔️ Thank you – you answered: {answer}."
REPLY_OK = "Lovely, glad to hear it. Have a good day!"
REPLY_CHAT = "We'll ask someone to give you a call soon ({ref})."
REPLY_HELP = (
    "We've told the organisers straight away and asked volunteers ({ref}). If you are in "
    "danger or very unwell, please call 999."
)
REPLY_ALREADY = "Thank you, we already have your answer for today."
CHECKIN_CHAT_DESCRIPTION = "Would like a friendly chat (asked at their check-in)."
CHECKIN_HELP_DESCRIPTION = "URGENT: pressed “I need help” at their check-in. Please call them."
ORGANISER_CHECKIN_HELP = (
    "🆘 <b>{name}</b> in {neighbourhood} pressed “I need help” at their check-in. "
    "Phone: {phone}. Request {ref} was created and volunteers alerted."
)
LATE_ANSWER = (
    "ℹ️ {name} answered their check-in after all: {answer}. The escalation stays open until "
    "an outcome is recorded."
)

# The escalation ladder.
ESCALATION = (
    "🚨 <b>Missed check-in</b>: {name} in {neighbourhood} has not answered today's check-in "
    "(asked {asked}, and again).\n\n"
    "Phone: {phone}\nEmergency contact: {contact}\n\n"
    "Please, in this order:\n"
    "1. Try phoning them, at varied times.\n"
    "2. Ask a volunteer to knock on the door (never go in).\n"
    "3. Contact their named emergency contact.\n"
    "4. If there is real concern, call 101, or 999 in an emergency.\n\n"
    "Press Acknowledge if you are dealing with it."
)
ESCALATION_RESENT = "⏰ <b>Still unacknowledged</b> after {waited}.\n\n"
BUTTON_ACKNOWLEDGE = "🙋 Acknowledge"
ACKNOWLEDGED = "Thank you for dealing with this. When you know more, record what happened:"
ACKNOWLEDGED_BY = "ℹ️ {who} is dealing with the missed check-in of {name}."
ALREADY_ACKNOWLEDGED = "Someone is already dealing with this; you can still record the outcome."
BUTTON_REACHED = "📞 Reached them"
BUTTON_VISITED = "🚪 Visited"
BUTTON_SERVICES = "🚑 Escalated to services"
OUTCOME_LABELS = {
    "reached": "reached them",
    "visited": "visited",
    "services": "escalated to services",
}
OUTCOME_RECORDED = "Recorded: {outcome}. Thank you for looking out for {name}."
OUTCOME_ALREADY = "An outcome was already recorded for this check-in."
OUTCOME_NEEDS_ACK = "Please press Acknowledge first."
ESCALATION_NOT_YOURS = "Sorry, only their check-in volunteer and organisers can do that."

# /checkin
CHECKIN_NO_NEIGHBOURHOOD = "Please join your neighbourhood first (ask an organiser for an invite)."
CHECKIN_INTRO = (
    "A check-in is a short message on the days you choose, asking how you are. If you don't "
    "answer, someone from your neighbourhood will make sure you're alright.\n\nWhich days?"
)
CHECKIN_FOR_INTRO = "Setting up a check-in for <b>{name}</b>. Which days?"
CHECKIN_CURRENT = "Your check-in: {schedule}.{paused}{buddy}"
CHECKIN_CURRENT_FOR = "{name}'s check-in: {schedule}.{paused}{buddy}"
CHECKIN_PAUSED = "\nPaused until {until} (inclusive)."
CHECKIN_BUDDY = "\nRegular check-in volunteer: {buddy}."
CHECKIN_SCHEDULE = "{days} at {time}"
BUTTON_CHANGE = "✏️ Change days or time"
BUTTON_PAUSE = "🏖 Pause (holiday)"
BUTTON_RESUME = "▶️ Resume"
BUTTON_STOP = "⏹ Stop"
BUTTON_DAYS_DONE = "Next ➡️"
BUTTON_EVERY_DAY = "Every day"
BUTTON_WEEKDAYS = "Mon–Fri"
DAYS_NONE = "Please choose at least one day."
ASK_TIME = "What time? For example 10:00 or 9.30am."
TIME_INVALID = "Sorry, I couldn't read that time. Please type it like 10:00 or 9.30am."
ASK_CONTACT = (
    "Who should we contact if there's no answer and we're worried? Type a name and phone "
    "number, or press Skip."
)
BUTTON_SKIP = "Skip"
CONTACT_TOO_LONG = "That's a bit long; please keep it under 200 characters."
CHECKIN_SAVED = "✅ All set: check-in {schedule}. The first one is {first}."
ASK_PAUSE_UNTIL = "Until when? Type the last day of your holiday, for example 12 Dec or Friday."
PAUSE_INVALID = "Sorry, I couldn't read that date. Please type something like 12 Dec or Friday."
PAUSED_OK = "🏖 Check-ins paused until {until} (inclusive). Enjoy!"
RESUMED_OK = "▶️ Check-ins are back on: {schedule}."
STOPPED_OK = "⏹ Check-ins stopped. You can start again any time with /checkin."
CHECKIN_NOT_ALLOWED = (
    "Sorry, you can only set up check-ins for members of neighbourhoods you organise."
)
MEMBER_UNKNOWN = "I couldn't find that member. Use their number, like #12."

# /checkinbuddy and /checkins
BUDDY_USAGE = (
    "Usage: /checkinbuddy #member #volunteer (their numbers), or /checkinbuddy #member none."
)
BUDDY_NO_CHECKIN = "That member has no active check-in yet."
BUDDY_NOT_VOLUNTEER = (
    "That person isn't an approved volunteer offering check-in calls in the same neighbourhood."
)
BUDDY_SET = "✅ {buddy} is now {name}'s regular check-in volunteer."
BUDDY_CLEARED = "✅ {name} has no regular check-in volunteer now."
BUDDY_TOLD = (
    "🤝 You are now {name}'s regular check-in volunteer. If they miss a check-in, you'll hear "
    "first."
)
CHECKINS_HEADER = "<b>Check-ins</b> ({count} active)"
CHECKINS_NONE = "No active check-ins."
CHECKINS_ITEM = "• #{number} {name} ({neighbourhood}): {schedule}{paused}{buddy}"
CHECKINS_ITEM_PAUSED = ", paused until {until}"
CHECKINS_ITEM_BUDDY = ", buddy {buddy}"
ESCALATIONS_HEADER = "\n<b>Open escalations</b> ({count})"
ESCALATIONS_NONE = "\nNo open escalations."
ESCALATIONS_ITEM = "• {name}: missed check-in {asked}, {state}"
ESC_STATE_WAITING = "⚠️ not yet acknowledged"
ESC_STATE_HANDLED = "being handled by {who}"

# The organiser digest.
DIGEST_HEADER = "📰 <b>Daily digest</b> for {date}"
DIGEST_NEIGHBOURHOOD = "\n<b>{name}</b>"
DIGEST_UNASSIGNED = "Waiting for a volunteer ({count}):"
DIGEST_OVERDUE = "Overdue tasks ({count}):"
DIGEST_REQUEST_WAITING = "  • {ref} {category}, waiting {waited}"
DIGEST_REQUEST_OVERDUE = "  • {ref} {category}, due {due}"
DIGEST_MISSED = "Missed check-ins today: {count}"
DIGEST_ESCALATIONS = "Open escalations: {count} ({waiting} not acknowledged)"
DIGEST_PENDING_VOLUNTEERS = "Volunteers awaiting approval: {count}"
DIGEST_YESTERDAY = "Yesterday: {done} task(s) completed, {thanked} thanked 💐"
DIGEST_ALL_QUIET = "Nothing waiting. Thank you!"
