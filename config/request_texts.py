"""User-facing texts of the core loop: requests, alerts, tasks, volunteering (HTML)."""

from __future__ import annotations

CATEGORY_LABELS: dict[str, str] = {
    "shopping": "🛒 Shopping",
    "prescription": "💊 Prescription collection",
    "checkin_call": "📞 Check-in call",
    "checkin_visit": "🏠 Check-in visit",
    "dog_walking": "🐕 Dog walking",
    "lift": "🚗 Lift",
    "other": "✨ Something else",
}

PAYMENT_LABELS: dict[str, str] = {
    "doorstep": "Cash or cheque on the doorstep",
    "transfer": "Bank transfer",
    "paid": "Already paid",
}

AVAILABILITY_LABELS: tuple[tuple[int, str], ...] = (
    (1, "Weekday daytimes"),
    (2, "Weekday evenings"),
    (4, "Weekends"),
)
ANY_TIME_LABEL = "Any time"

STATUS_LABELS: dict[str, str] = {
    "open": "⏳ waiting for a volunteer",
    "assigned": "🙋 a volunteer is on it",
    "done": "✅ done – did it go well?",
    "closed": "🎉 finished",
    "cancelled": "✖️ cancelled",
}

# Alerts: only category, neighbourhood, time window and reference. Never private details.
ALERT = (
    "🆕 <b>Can you help?</b> {ref}\n{category} in <b>{neighbourhood}</b>, {when}.\n"
    "Press Accept to take it; you'll see the details once it's yours."
)
GROUP_ALERT = (
    "🆕 <b>Request {ref}</b>: {category} in {neighbourhood}, {when}.\n"
    "Approved volunteers can press Accept; details go to whoever takes it, privately."
)
BUTTON_ACCEPT = "✅ Accept"
BUTTON_NOT_FOR_ME = "Not for me"
ALERT_TAKEN = "✔️ {ref} ({category}) has been taken by another volunteer. Thank you!"
ALERT_YOURS = "✔️ {ref} ({category}) is yours. The details are below."
ALERT_CANCELLED = "✖️ {ref} ({category}) was cancelled. No need to do anything."
ALERT_DECLINED = "Okay, we won't ask you about {ref} again."
GROUP_TAKEN = "✔️ {ref} ({category}) has been taken. Thank you, everyone!"

ACCEPT_TAKEN = "Someone got there first. Thank you for offering – there'll be another chance soon!"
ACCEPT_CANCELLED = "That request was cancelled, so there's nothing to do. Thank you!"
ACCEPT_NOT_ELIGIBLE = (
    "Sorry, only approved volunteers of this neighbourhood who offer this kind of help can take it."
)
ACCEPT_AT_LIMIT = "You already have as many tasks as you asked for. Finish one first – thank you!"
ACCEPT_OWN = "That's your own request, so you can't take it."
DECLINED_OK = "Okay, we won't ask you about this one again."

TASK_DETAILS = (
    "📋 <b>{ref}</b>: {category} in {neighbourhood}, {when}\n\n"
    "<b>For:</b> {name}\n"
    "<b>Phone:</b> {phone}\n"
    "<b>Address or meeting point:</b> {address}\n"
    "<b>What's needed:</b> {description}"
    "{extra}\n\n"
    "Please stay on the doorstep, never ask for cards or PINs, and keep receipts."
)
TASK_PAYMENT = "\n<b>Payment:</b> {payment} (spending cap £{cap})"
TASK_PHARMACY = (
    "\n<b>Pharmacy:</b> {pharmacy}\nYou may be asked for ID. Some controlled medicines can't be "
    "collected by volunteers; if so, please tell the resident and an organiser."
)
TELEGRAM_ONLY = "no phone: contact them on Telegram"
BUTTON_DONE = "✅ Done"
BUTTON_CANT_DO = "Can't do it after all"
BUTTON_CONTACT_ORGANISER = "📞 Contact organiser"

RESIDENT_VOLUNTEER_COMING = "Good news: <b>{volunteer}</b> is going to help with {ref}.{phone}"
RESIDENT_VOLUNTEER_PHONE = " You can reach them on {phone}."
RESIDENT_VOLUNTEER_WITHDREW = (
    "{volunteer} can't help with {ref} after all, sorry. We're asking other volunteers now."
)
RESIDENT_ASK_DONE = "{volunteer} says {ref} is done. Did you get the help you needed?"
BUTTON_YES_THANKS = "💐 Yes, thank them"
BUTTON_NOT_YET = "Not yet"
RESIDENT_CLOSED = "Wonderful. We've passed on your thanks. Take care!"
RESIDENT_NOT_YET = "Sorry to hear that. We've told the organisers and reopened {ref}."
VOLUNTEER_THANKED = "💐 The resident says thank you for {ref}. You made a difference today!"

VOLUNTEER_DONE = "Thank you! {ref} is marked done. We've asked the resident to confirm."
ASK_AMOUNT = (
    "If you'd like to record what you spent, type the amount (for example 12.50), or press Skip."
)
BUTTON_SKIP = "Skip"
AMOUNT_RECORDED = "Recorded £{amount} for {ref}. Thank you!"
AMOUNT_INVALID = "Please type an amount like 12.50 (up to £1,000), or press Skip."
VOLUNTEER_RELEASED = "No problem – thank you for telling us. We'll find someone else for {ref}."
VOLUNTEER_REQUEST_CANCELLED = "✖️ {ref} was cancelled by the resident. No need to go."
ORGANISER_CONTACT = (
    "📞 {volunteer} would like an organiser to get in touch about {ref} ({category})."
)
CONTACT_SENT = "We've asked the organisers to get in touch with you."
NO_ORGANISERS = "Your neighbourhood has no organiser yet, sorry."

ORGANISER_ESCALATION = (
    "⚠️ <b>{ref}</b> ({category}, {when}) in {neighbourhood} has waited {waited} without a "
    "volunteer. {alerted} volunteer(s) were alerted."
)
ORGANISER_NOT_YET = (
    "⚠️ The resident says <b>{ref}</b> ({category}) in {neighbourhood} was not done yet. "
    "It is open again."
)
ORGANISER_NEW_VOLUNTEER = (
    "🤝 <b>{volunteer}</b> has offered to help in {neighbourhood}: {categories}. "
    "Approve them to start sending alerts."
)
BUTTON_APPROVE = "✅ Approve"
VOLUNTEER_APPROVED = "🎉 You're approved as a volunteer in {neighbourhood}. Thank you!"
APPROVED_OK = "{volunteer} is approved in {neighbourhood}."

NOT_YOURS = "That task isn't yours, so nothing was changed."
NO_LONGER_POSSIBLE = "That's no longer possible: {ref} is {status}."
REQUEST_CANCELLED_OK = "{ref} is cancelled. We've told anyone who was going to help."
BUTTON_CANCEL_REQUEST = "Cancel this request"

MY_REQUESTS_NONE = "You have no requests yet. Ask for help with /request."
MY_REQUESTS_ITEM = "<b>{ref}</b> {category}, {when}: {status}"
TASKS_NONE = "You have no tasks right now. Thank you for being ready to help!"
TASKS_ITEM = "<b>{ref}</b> {category} in {neighbourhood}, {when}: {status}"
