"""User-facing texts of the core loop: requests, alerts, tasks, volunteering (HTML)."""

from __future__ import annotations

from config.i18n import N_, NP_, translate_module

CATEGORY_LABELS: dict[str, str] = {
    "shopping": N_("🛒 Shopping"),
    "prescription": N_("💊 Prescription collection"),
    "checkin_call": N_("📞 Check-in call"),
    "checkin_visit": N_("🏠 Check-in visit"),
    "dog_walking": N_("🐕 Dog walking"),
    "lift": N_("🚗 Lift"),
    "other": N_("✨ Something else"),
}

PAYMENT_LABELS: dict[str, str] = {
    "doorstep": N_("Cash or cheque on the doorstep"),
    "transfer": N_("Bank transfer"),
    "paid": N_("Already paid"),
}

AVAILABILITY_LABELS: tuple[tuple[int, str], ...] = (
    (1, N_("Weekday daytimes")),
    (2, N_("Weekday evenings")),
    (4, N_("Weekends")),
)
ANY_TIME_LABEL = N_("Any time")

STATUS_LABELS: dict[str, str] = {
    "open": N_("⏳ waiting for a volunteer"),
    "assigned": N_("🙋 a volunteer is on it"),
    "done": N_("✅ done – did it go well?"),
    "closed": N_("🎉 finished"),
    "cancelled": N_("✖️ cancelled"),
}

# Alerts: only category, neighbourhood, time window and reference. Never private details.
ALERT = N_(
    "🆕 <b>Can you help?</b> {ref}\n{category} in <b>{neighbourhood}</b>, {when}.\n"
    "Press Accept to take it; you'll see the details once it's yours."
)
GROUP_ALERT = N_(
    "🆕 <b>Request {ref}</b>: {category} in {neighbourhood}, {when}.\n"
    "Approved volunteers can press Accept; details go to whoever takes it, privately."
)
BUTTON_ACCEPT = N_("✅ Accept")
BUTTON_NOT_FOR_ME = N_("Not for me")
ALERT_TAKEN = N_("✔️ {ref} ({category}) has been taken by another volunteer. Thank you!")
ALERT_YOURS = N_("✔️ {ref} ({category}) is yours. The details are below.")
ALERT_CANCELLED = N_("✖️ {ref} ({category}) was cancelled. No need to do anything.")
ALERT_DECLINED = N_("Okay, we won't ask you about {ref} again.")
GROUP_TAKEN = N_("✔️ {ref} ({category}) has been taken. Thank you, everyone!")

ACCEPT_TAKEN = N_(
    "Someone got there first. Thank you for offering – there'll be another chance soon!"
)
ACCEPT_CANCELLED = N_("That request was cancelled, so there's nothing to do. Thank you!")
ACCEPT_NOT_ELIGIBLE = N_(
    "Sorry, only approved volunteers of this neighbourhood who offer this kind of help can take it."
)
ACCEPT_AT_LIMIT = N_(
    "You already have as many tasks as you asked for. Finish one first – thank you!"
)
ACCEPT_OWN = N_("That's your own request, so you can't take it.")
DECLINED_OK = N_("Okay, we won't ask you about this one again.")

TASK_DETAILS = N_(
    "📋 <b>{ref}</b>: {category} in {neighbourhood}, {when}\n\n"
    "<b>For:</b> {name}\n"
    "<b>Phone:</b> {phone}\n"
    "<b>Address or meeting point:</b> {address}\n"
    "<b>What's needed:</b> {description}"
    "{extra}\n\n"
    "Please stay on the doorstep, never ask for cards or PINs, and keep receipts."
)
TASK_PAYMENT = N_("\n<b>Payment:</b> {payment} (spending cap £{cap})")
TASK_PHARMACY = N_(
    "\n<b>Pharmacy:</b> {pharmacy}\nYou may be asked for ID. Some controlled medicines can't be "
    "collected by volunteers; if so, please tell the resident and an organiser."
)
TELEGRAM_ONLY = N_("no phone: press Message below to write to them through the bot")
# A request sent as a voice note or a photo: named in alerts, sent to the assignee only.
MEDIA_LABELS: dict[str, str] = {"photo": N_("📷 a photo"), "voice": N_("🎤 a voice note")}
ALERT_WITH_MEDIA = N_("\nWith {items}: you'll get it once the task is yours.")
TASK_MEDIA = N_("\n<b>Also sent:</b> {items} (below)")
MEDIA_CAPTION = N_("{item} from {name} for {ref}")
BUTTON_DONE = N_("✅ Done")
BUTTON_CANT_DO = N_("Can't do it after all")
BUTTON_CONTACT_ORGANISER = N_("📞 Contact organiser")

RESIDENT_VOLUNTEER_COMING = N_(
    "Good news: <b>{volunteer}</b> is going to help with {request}.{phone}"
)
RESIDENT_VOLUNTEER_PHONE = N_(" You can reach them on {phone}.")
RESIDENT_VOLUNTEER_WITHDREW = N_(
    "{volunteer} can't help with {request} after all, sorry. We're asking other volunteers now."
)
RESIDENT_ASK_DONE = N_("{volunteer} says {request} is done. Did you get the help you needed?")
RESIDENT_DONE_UNDONE = N_(
    "{volunteer} pressed Done by mistake: {request} is still on, and they are still helping."
)
BUTTON_YES_THANKS = N_("💐 Yes, thank them")
BUTTON_NOT_YET = N_("Not yet")
RESIDENT_CLOSED = N_("Wonderful. We've passed on your thanks. Take care!")
RESIDENT_NOT_YET = N_("Sorry to hear that. We've told the organisers, and {request} is open again.")
VOLUNTEER_THANKED = N_("💐 The resident says thank you for {ref}. You made a difference today!")

VOLUNTEER_DONE = N_(
    "Thank you! {ref} is marked done. We've asked the resident to confirm.\n\n"
    "Pressed Done by mistake? You can undo it here for {minutes} minutes."
)
BUTTON_UNDO_DONE = N_("↩️ Undo Done")
UNDONE_OK = N_("Undone: {ref} is yours again, and we've told the resident.")
UNDO_TOO_LATE = N_(
    "It's more than {minutes} minutes since you pressed Done, so it can't be undone here. "
    "If something is wrong, please contact an organiser."
)
ASK_AMOUNT = N_(
    "If you'd like to record what you spent, type the amount (for example 12.50), or press Skip."
)
BUTTON_SKIP = N_("Skip")
AMOUNT_RECORDED = N_("Recorded £{amount} for {ref}. Thank you!")
AMOUNT_INVALID = N_("Please type an amount like 12.50 (up to £1,000), or press Skip.")
VOLUNTEER_RELEASED = N_("No problem – thank you for telling us. We'll find someone else for {ref}.")
VOLUNTEER_REQUEST_CANCELLED = N_("✖️ {ref} was cancelled by the resident. No need to go.")
ORGANISER_CONTACT = N_(
    "📞 {volunteer} would like an organiser to get in touch about {ref} ({category})."
)
CONTACT_SENT = N_("We've asked the organisers to get in touch with you.")
NO_ORGANISERS = N_("Your neighbourhood has no organiser yet, sorry.")

ORGANISER_ESCALATION = N_(
    "⚠️ <b>{ref}</b> ({category}, {when}) in {neighbourhood} has waited {waited} without a "
    "volunteer. {alerted}"
)
# {alerted} in ORGANISER_ESCALATION.
ESCALATION_ALERTED = NP_("{count} volunteer was alerted.", "{count} volunteers were alerted.")
ORGANISER_URGENT = N_(
    "🚨 <b>{ref}</b> ({category}, {when}) in {neighbourhood} can't wait until morning: the "
    "resident pressed It's urgent during quiet hours. {alerted}"
)
# {alerted} in ORGANISER_URGENT.
URGENT_ALERTED = NP_("{count} volunteer was alerted now.", "{count} volunteers were alerted now.")
ORGANISER_NOT_YET = N_(
    "⚠️ The resident says <b>{ref}</b> ({category}) in {neighbourhood} was not done yet. "
    "It is open again."
)
ORGANISER_NEW_VOLUNTEER = N_(
    "🤝 <b>{volunteer}</b> has offered to help in {neighbourhood}: {categories}. "
    "Approve them to start sending alerts."
)
BUTTON_APPROVE = N_("✅ Approve")
VOLUNTEER_APPROVED = N_("🎉 You're approved as a volunteer in {neighbourhood}. Thank you!")
APPROVED_OK = N_("{volunteer} is approved in {neighbourhood}.")

NOT_YOURS = N_("That task isn't yours, so nothing was changed.")
NO_LONGER_POSSIBLE = N_("That's no longer possible: {ref} is {status}.")
REQUEST_CANCELLED_OK = N_("{request} is cancelled. We've told anyone who was going to help.")
BUTTON_CANCEL_REQUEST = N_("Cancel this request")

MY_REQUESTS_NONE = N_("You have no requests yet. Ask for help with /request.")
MY_REQUESTS_ITEM = N_("<b>{ref}</b> {category}, {when}: {status}")
TASKS_NONE = N_("You have no tasks right now. Thank you for being ready to help!")
TASKS_ITEM = N_("<b>{ref}</b> {category} in {neighbourhood}, {when}: {status}")
# A volunteer's own tasks in /tasks: "you", not "a volunteer".
TASK_STATUS_LABELS: dict[str, str] = {
    "assigned": N_("🙋 you're on it"),
    "done": N_("✅ you marked it done"),
}

# A request named for the people it concerns: "your shopping on Tue 8 Dec (R-54YG)".
HELP_NOUNS: dict[str, str] = {
    "shopping": N_("shopping"),
    "prescription": N_("prescription collection"),
    "checkin_call": N_("check-in call"),
    "checkin_visit": N_("check-in visit"),
    "dog_walking": N_("dog walk"),
    "lift": N_("lift"),
    "other": N_("request"),
}
YOUR_REQUEST_ON = N_("your {help} on {day} ({ref})")
YOUR_REQUEST_THIS_WEEK = N_("your {help} this week ({ref})")
THE_REQUEST_ON = N_("the {help} on {day} ({ref})")
THE_REQUEST_THIS_WEEK = N_("the {help} this week ({ref})")

# When help is needed, in words (bot.when); {day} is a short day such as "Fri 27 Nov".
WHEN_TODAY = N_("today ({day})")
WHEN_TOMORROW = N_("tomorrow ({day})")
WHEN_THIS_WEEK = N_("this week (until {day})")
WHEN_ANY_TIME = N_("{day} (any time)")
WHEN_BETWEEN = N_("{day}, {start}–{end}")

# Stand-ins for a name nobody gave, inside messages about other people.
A_VOLUNTEER = N_("A volunteer")
THE_VOLUNTEER = N_("the volunteer")
THE_VOLUNTEER_START = N_("The volunteer")
YOUR_VOLUNTEER = N_("Your volunteer")
VOLUNTEER_NAME = N_("Volunteer")
THE_RESIDENT = N_("the resident")
SOMEONE = N_("Someone")
SOMEONE_LOWER = N_("someone")
THEM = N_("them")
A_MEMBER = N_("a member")
MESSAGE_THEM = N_("Message them")
MEMBER_NUMBER = N_("Member #{number}")

# Why an asset register CSV could not be imported (whole file), or one row of it.
CSV_TOO_LARGE = N_("it is larger than {kilobytes} KB")
CSV_NOT_UTF8 = N_("it is not UTF-8 text (save it as “CSV UTF-8”)")
CSV_BINARY = N_("it contains binary data, not text")
CSV_EMPTY = N_("it is empty (the first row must name the columns)")
CSV_COLUMN_TWICE = N_("a column is named twice in the first row")
CSV_MISSING_COLUMNS = N_("the first row has no {columns} column")
CSV_COLUMNS_OR = N_(" or ")
CSV_TOO_MANY_ROWS = N_("it has more than {rows} rows")
CSV_BAD_LINE = N_("line {line} is not valid CSV ({error})")
CSV_ROW_TOO_MANY_CELLS = N_("it has more cells than the first row has columns")
CSV_ROW_BAD_ID = N_("id '{id}' is not a number")
CSV_ROW_NO_SUCH_ASSET = N_("there is no asset {id} to update")
CSV_ROW_MOVES_NEIGHBOURHOOD = N_("an asset cannot move to another neighbourhood")
CSV_ROW_NO_NEIGHBOURHOOD = N_("say which neighbourhood in the neighbourhood column")
CSV_ROW_NOT_YOUR_ASSET = N_("you don't organise that asset's neighbourhood")
CSV_ROW_NOT_YOUR_NEIGHBOURHOOD = N_("you don't organise a neighbourhood called '{name}'")
CSV_ROW_UNKNOWN_VALUE = N_("unknown {what} '{value}' (use {allowed})")

translate_module(__name__)
