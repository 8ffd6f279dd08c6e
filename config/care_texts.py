"""User-facing texts for reminders and welfare check-ins (HTML)."""

from __future__ import annotations

from config.i18n import N_, NP_, translate_module

# Menu entries: (command, description), merged into the scoped menus by config.commands.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("checkin", N_("Set up, pause or stop a daily check-in")),
)
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("checkins", N_("Active check-ins and open escalations")),
    ("checkinbuddy", N_("Set a member's regular check-in volunteer")),
)
# Lines appended to /help ("/command – what it does\n"), for everyone and for organisers.
HELP_PRIVATE = N_("/checkin – a friendly check-in message on the days and time you choose\n")
HELP_ORGANISER = N_(
    "/checkin #number – set up or change a check-in for a member\n"
    "/checkins – active check-ins and open escalations\n"
    "/checkinbuddy #member #volunteer – set a member's regular check-in volunteer\n"
)

DAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
EVERY_DAY = N_("every day")

# Task reminders (to the assignee) and the resident's follow-up.
TASK_REMINDER = N_("⏰ Reminder: <b>{ref}</b> ({category}) is due {when}. Thank you for helping!")
TASK_OVERDUE = N_(
    "👋 Is <b>{ref}</b> ({category}, {when}) done? Please press Done, or Can't do it so we "
    "can find someone else."
)
ORGANISER_TASK_OVERDUE = N_(
    "⚠️ <b>{ref}</b> ({category}, {when}) in {neighbourhood} is overdue and {volunteer} has not "
    "answered a reminder. You may want to get in touch."
)
RESIDENT_FOLLOWUP = N_("Hello again! {volunteer} marked {request} done yesterday. Did all go well?")

# The check-in itself.
CHECKIN_QUESTION = N_("☀️ Good morning, how are you today?")
CHECKIN_QUESTION_AFTERNOON = N_("🌤 Good afternoon, how are you today?")
CHECKIN_QUESTION_EVENING = N_("🌙 Good evening, how are you today?")
CHECKIN_QUESTION_AGAIN = N_(
    "☀️ Just checking in again: how are you today? Please press one of the buttons."
)
BUTTON_OK = N_("🙂 I'm OK")
BUTTON_CHAT = N_("☕ I'd like a chat")
BUTTON_HELP = N_("🆘 I need help")
ANSWER_LABELS = {"ok": N_("I'm OK"), "chat": N_("I'd like a chat"), "help": N_("I need help")}
CHECKIN_ANSWERED = N_("✔️ Thank you – you answered: {answer}.")
REPLY_OK = N_("Lovely, glad to hear it. Have a good day!")
REPLY_CHAT = N_("We'll ask someone to give you a call soon ({ref}).")
REPLY_HELP = N_(
    "We've told the organisers straight away and asked volunteers ({ref}). If you are in "
    "danger or very unwell, please call 999."
)
REPLY_ALREADY = N_("Thank you, we already have your answer for today.")
CHECKIN_CHAT_DESCRIPTION = N_("Would like a friendly chat (asked at their check-in).")
CHECKIN_HELP_DESCRIPTION = N_("URGENT: pressed “I need help” at their check-in. Please call them.")
ORGANISER_CHECKIN_HELP = N_(
    "🆘 <b>{name}</b> in {neighbourhood} pressed “I need help” at their check-in. "
    "Phone: {phone}. Request {ref} was created and volunteers alerted."
)
LATE_ANSWER = N_(
    "ℹ️ {name} answered their check-in after all: {answer}. The escalation stays open until "
    "an outcome is recorded: press They answered to close it."
)

# The escalation ladder.
ESCALATION = N_(
    "🚨 <b>Missed check-in</b>: {name} in {neighbourhood} has not answered today's check-in "
    "(asked {asked}, and again).\n\n"
    "Phone: {phone}\nAddress: {address}\nEmergency contact: {contact}\n\n"
    "Please, in this order:\n"
    "1. Try phoning them, at varied times.\n"
    "2. Ask a volunteer to knock on the door (never go in).\n"
    "3. Contact their named emergency contact.\n"
    "4. If there is real concern, call 101, or 999 in an emergency.\n\n"
    "Press Acknowledge if you are dealing with it."
)
ESCALATION_RESENT = N_("⏰ <b>Still unacknowledged</b> after {waited}.\n\n")
ESCALATION_BUDDY_SILENT = N_(
    "⏰ <b>{buddy}, their check-in volunteer, has not acknowledged this</b> after {waited}.\n\n"
)
BUTTON_ACKNOWLEDGE = N_("🙋 Acknowledge")
ACKNOWLEDGED = N_("Thank you for dealing with this. When you know more, record what happened:")
ACKNOWLEDGED_BY = N_("ℹ️ {who} is dealing with the missed check-in of {name}.")
ALREADY_ACKNOWLEDGED = N_("Someone is already dealing with this; you can still record the outcome.")
BUTTON_REACHED = N_("📞 Reached them")
BUTTON_VISITED = N_("🚪 Visited")
BUTTON_SERVICES = N_("🚑 Escalated to services")
BUTTON_ANSWERED = N_("💬 They answered")
OUTCOME_LABELS = {
    "reached": N_("reached them"),
    "visited": N_("visited"),
    "services": N_("escalated to services"),
    "answered": N_("they answered"),
}
OUTCOME_RECORDED = N_("Recorded: {outcome}. Thank you for looking out for {name}.")
OUTCOME_ALREADY = N_("An outcome was already recorded for this check-in.")
OUTCOME_NEEDS_ACK = N_("Please press Acknowledge first.")
ESCALATION_NOT_YOURS = N_("Sorry, only their check-in volunteer and organisers can do that.")

# /checkin
CHECKIN_NO_NEIGHBOURHOOD = N_(
    "Please join your neighbourhood first (ask an organiser for an invite)."
)
CHECKIN_INTRO = N_(
    "A check-in is a short message on the days you choose, asking how you are. If you don't "
    "answer, someone from your neighbourhood will make sure you're alright.\n\nWhich days?"
)
CHECKIN_FOR_INTRO = N_("Setting up a check-in for <b>{name}</b>. Which days?")
CHECKIN_CURRENT = N_("Your check-in: {schedule}.{paused}{buddy}")
CHECKIN_CURRENT_FOR = N_("{name}'s check-in: {schedule}.{paused}{buddy}")
CHECKIN_PAUSED = N_("\nPaused until {until} (inclusive).")
CHECKIN_BUDDY = N_("\nRegular check-in volunteer: {buddy}.")
CHECKIN_SCHEDULE = N_("{days} at {time}")
BUTTON_CHANGE = N_("✏️ Change days or time")
BUTTON_PAUSE = N_("🏖 Pause (holiday)")
BUTTON_RESUME = N_("▶️ Resume")
BUTTON_STOP = N_("⏹ Stop")
BUTTON_DAYS_DONE = N_("Next ➡️")
BUTTON_EVERY_DAY = N_("Every day")
BUTTON_WEEKDAYS = N_("Mon–Fri")
DAYS_NONE = N_("Please choose at least one day.")
ASK_TIME = N_("What time? For example 10:00 or 9.30am.")
TIME_INVALID = N_("Sorry, I couldn't read that time. Please type it like 10:00 or 9.30am.")
ASK_CONTACT = N_(
    "Who should we contact if there's no answer and we're worried? Type a name and phone "
    "number, or press Skip."
)
BUTTON_SKIP = N_("Skip")
ASK_CHECKIN_PHONE = N_(
    "📞 What number should we ring if there's no answer? Type it, or press a button. Only the "
    "check-in volunteer and the organisers will see it."
)
BUTTON_USE_PHONE = N_("📞 Use {phone}")
ASK_CHECKIN_ADDRESS = N_(
    "🏠 And the address, so a volunteer can knock on the door if we're worried? Type it (up to "
    "{limit} characters), or press a button. Only the check-in volunteer and the organisers will "
    "see it."
)
BUTTON_USE_ADDRESS = N_("🏠 Use {address}")
ADDRESS_TOO_LONG = N_("Please type the address in up to {limit} characters.")
CONTACT_TOO_LONG = N_("That's a bit long; please keep it under 200 characters.")
CHECKIN_SAVED = N_("✅ All set: check-in {schedule}. The first one is {first}.")
ASK_PAUSE_UNTIL = N_("Until when? Type the last day of your holiday, for example 12 Dec or Friday.")
PAUSE_INVALID = N_("Sorry, I couldn't read that date. Please type something like 12 Dec or Friday.")
PAUSED_OK = N_("🏖 Check-ins paused until {until} (inclusive). Enjoy!")
RESUMED_OK = N_("▶️ Check-ins are back on: {schedule}.")
STOPPED_OK = N_("⏹ Check-ins stopped. You can start again any time with /checkin.")
CHECKIN_NOT_ALLOWED = N_(
    "Sorry, you can only set up check-ins for members of neighbourhoods you organise."
)
MEMBER_UNKNOWN = N_("I couldn't find that member. Use their number, like #12.")

# /settings: how long a buddy has to acknowledge a missed check-in.
SETTING_BUDDY_ACK = N_("Check-in volunteer must acknowledge within")
SETTINGS_BUDDY_ACK = N_("Check-in volunteer must acknowledge a missed check-in within: {value}")
BUTTON_BUDDY_ACK = N_("Check-in volunteer's time")

# /checkinbuddy and /checkins
BUDDY_PICK_MEMBER = N_("Whose regular check-in volunteer do you want to set?")
BUDDY_PICK_VOLUNTEER = N_(
    "Who should be #{number}'s regular check-in volunteer? These approved volunteers offer "
    "check-in calls."
)
BUDDY_NOBODY = N_("Nobody in your neighbourhoods has an active check-in yet.")
BUTTON_NO_BUDDY = N_("✖️ No regular volunteer")
BUDDY_USAGE = N_(
    "Usage: /checkinbuddy #member #volunteer (their numbers), or /checkinbuddy #member none."
)
BUDDY_NO_CHECKIN = N_("That member has no active check-in yet.")
BUDDY_NOT_VOLUNTEER = N_(
    "That person isn't an approved volunteer offering check-in calls in the same neighbourhood."
)
BUDDY_SET = N_("✅ {buddy} is now {name}'s regular check-in volunteer.")
BUDDY_CLEARED = N_("✅ {name} has no regular check-in volunteer now.")
BUDDY_TOLD = N_(
    "🤝 You are now {name}'s regular check-in volunteer. If they miss a check-in, you'll hear "
    "first."
)
CHECKINS_HEADER = N_("<b>Check-ins</b> ({count} active)")
CHECKINS_NONE = N_("No active check-ins.")
CHECKINS_ITEM = N_("• #{number} {name} ({neighbourhood}): {schedule}{paused}{buddy}")
CHECKINS_ITEM_PAUSED = N_(", paused until {until}")
CHECKINS_ITEM_BUDDY = N_(", buddy {buddy}")
ESCALATIONS_HEADER = N_("\n<b>Open escalations</b> ({count})")
ESCALATIONS_NONE = N_("\nNo open escalations.")
ESCALATIONS_ITEM = N_("• {name}: missed check-in {asked}, {state}")
ESC_STATE_WAITING = N_("⚠️ not yet acknowledged")
ESC_STATE_HANDLED = N_("being handled by {who}")

# The organiser digest.
DIGEST_HEADER = N_("📰 <b>Daily digest</b> for {date}")
DIGEST_NEIGHBOURHOOD = N_("\n<b>{name}</b>")
DIGEST_UNASSIGNED = N_("Waiting for a volunteer ({count}):")
DIGEST_OVERDUE = N_("Overdue tasks ({count}):")
DIGEST_REQUEST_WAITING = N_("  • {ref} {category}, waiting {waited}")
DIGEST_REQUEST_OVERDUE = N_("  • {ref} {category}, due {due}")
DIGEST_MISSED = N_("Missed check-ins today: {count}")
DIGEST_ESCALATIONS = N_("Open escalations: {count} ({waiting} not acknowledged)")
DIGEST_PENDING_VOLUNTEERS = N_("Volunteers awaiting approval: {count}")
DIGEST_YESTERDAY = NP_(
    "Yesterday: {count} task completed, {thanked} thanked 💐",
    "Yesterday: {count} tasks completed, {thanked} thanked 💐",
)
DIGEST_ALL_QUIET = N_("Nothing waiting. Thank you!")

translate_module(__name__)
