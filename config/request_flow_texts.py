"""User-facing texts of the "ask for help" conversation (HTML; callers escape what people typed)."""

from __future__ import annotations

# Buttons shared by every step.
BUTTON_BACK = "⬅️ Back"
BUTTON_CANCEL = "✖️ Cancel"

# Starting, stopping and stray input.
NEED_NEIGHBOURHOOD = (
    "To ask for help you first need to join a neighbourhood. Send /start to join one, or open "
    "the invite link your organiser sent you."
)
CANCELLED = "Okay, stopped. Nothing was sent."
BACK_TO_MENU = "Okay, nothing was sent. What would you like to do?"
USE_BUTTONS = "Please use the buttons above."
TYPE_PLEASE = "Please type your answer as a message."
STALE_STEP = "That button belongs to another step. Here's where we are."
EXPIRED = "That request form has expired. Send /request to start again."
NOT_A_MEMBER = (
    "You're no longer part of that neighbourhood, so nothing was sent. Send /start to see "
    "your neighbourhoods."
)

# Step 0: neighbourhood.
CHOOSE_NEIGHBOURHOOD = "🙋 <b>Ask for help</b>\n\nWhich neighbourhood is this request for?"

# Step 1: category.
CHOOSE_CATEGORY = "🙋 <b>Ask for help</b> in {neighbourhood}\n\nWhat kind of help do you need?"

# Step 2: what is needed.
ASK_WHAT = (
    "What do you need? Please describe it in one message, up to {limit} characters.\n\n"
    "For shopping, list the items; for a lift, say from where to where. Please leave out your "
    "address and phone number: we ask for those next, privately."
)
TEXT_TOO_LONG = "That's {length} characters. Please keep it to {limit} characters or fewer."
TEXT_EMPTY = "Please type a few words."

# Step 3: when.
ASK_WHEN = "When do you need the help?"
BUTTON_TODAY = "Today"
BUTTON_TOMORROW = "Tomorrow"
BUTTON_THIS_WEEK = "This week"
BUTTON_TYPE_WHEN = "📅 Type a date and time"
WHEN_EXAMPLES = "<i>tomorrow 3pm</i>, <i>Friday 10:30</i>, <i>12 March</i> or <i>14/03 9am</i>"
ASK_WHEN_TYPED = "Type the day and time you need help, for example " + WHEN_EXAMPLES + "."
WHEN_UNREADABLE = "Sorry, I couldn't read that as a date or time. Try for example " + WHEN_EXAMPLES
WHEN_UNREADABLE += "."
WHEN_IN_THE_PAST = "That time has already passed. Please give a time from now on."
WHEN_TOO_FAR = (
    "That's more than {days} days away, which is too far ahead to plan. Please choose a "
    "sooner date, or ask again nearer the time."
)

# Step 4: contact phone (a reply keyboard, so Back and Cancel are reply buttons here).
ASK_PHONE = (
    "📞 What number can the volunteer call you on?\n\n"
    "Press <b>Share my phone number</b>, type a number, or choose <b>Contact me on Telegram "
    "only</b>. Only the volunteer who takes this and your organisers will see it."
)
BUTTON_SHARE_PHONE = "📱 Share my phone number"
BUTTON_TELEGRAM_ONLY = "💬 Contact me on Telegram only"
PHONE_NOT_YOURS = (
    "That contact isn't your own number. If it's the number the volunteer should call, "
    "please type it instead."
)
PHONE_SAVED = "📞 Thank you. The volunteer who takes this can call you on {phone}."
TELEGRAM_ONLY_SAVED = "💬 Okay: the volunteer will contact you here on Telegram."
KEYBOARD_CLOSED = "Okay."

# One clear sentence per bot.phones.PhoneProblem value.
PHONE_PROBLEMS: dict[str, str] = {
    "not_a_number": (
        "That doesn't look like a phone number: please type it in digits, for example a "
        "mobile starting 07 or an international number starting with +."
    ),
    "too_short": "That number is too short: please check you've typed all the digits.",
    "too_long": "That number has too many digits: please check it and try again.",
    "invalid_length": "That number doesn't have the right number of digits: please check it.",
    "invalid": "That isn't a number in use: please check the digits and the area code.",
    "local_only": (
        "That number needs its area code: please type it in full, for example starting 01, "
        "02 or 07."
    ),
}

# Step 5: address or meeting point.
ASK_ADDRESS = (
    "🔒 What's the address or meeting point? (up to {limit} characters)\n\n"
    "This stays private: only the volunteer who takes this and your organisers will see it."
)

# Step 6: shopping payment or prescription pharmacy.
ASK_PAYMENT = (
    "🛒 How will you pay for the shopping?\n\n"
    "The spending cap in {neighbourhood} is <b>£{cap}</b>. We never ask for card details or "
    "PINs, and a volunteer will never take your bank card."
)
ASK_PHARMACY = (
    "💊 Which pharmacy is the prescription at? Give its name and street, up to {limit} "
    "characters.\n\n"
    "The volunteer who collects it may be asked for ID. Some controlled medicines can't be "
    "collected by volunteers; the pharmacy will tell you if yours is one of them."
)

# Step 7: for whom.
ASK_FOR_WHOM = "Who is the help for?"
BUTTON_FOR_ME = "For me"
BUTTON_FOR_SOMEONE_ELSE = "For someone else"
ASK_FOR_NAME = "What's the name of the person who needs help? (up to {limit} characters)"
ASK_FOR_PHONE = (
    "What's {name}'s phone number? Only the volunteer who takes this and your organisers "
    "will see it."
)
ASK_FOR_AGREED = (
    "Please check that {name} has agreed to you asking for help for them, and to us passing "
    "their name and number to the volunteer who takes it."
)
BUTTON_THEY_AGREED = "✅ They agreed to this"

# Step 8: confirmation.
SUMMARY = (
    "📋 <b>Please check your request</b>\n\n"
    "<b>Neighbourhood:</b> {neighbourhood}\n"
    "<b>Help with:</b> {category}\n"
    "<b>What's needed:</b> {description}\n"
    "<b>When:</b> {when}\n"
    "<b>Your phone:</b> {phone}\n"
    "<b>Address or meeting point:</b> {address}"
    "{extra}\n"
    "<b>For:</b> {for_whom}\n\n"
    "Is this right? Nothing is sent until you press Confirm."
)
SUMMARY_PAYMENT = "\n<b>Payment:</b> {payment}"
SUMMARY_PHARMACY = "\n<b>Pharmacy:</b> {pharmacy}"
SUMMARY_TELEGRAM_ONLY = "none: contact me on Telegram"
SUMMARY_FOR_ME = "you"
SUMMARY_FOR_SOMEONE = "{name}, {phone} (they agreed)"
BUTTON_CONFIRM = "✅ Confirm"
BUTTON_EDIT = "✏️ Edit"

ASK_EDIT = "What would you like to change?"
EDIT_LABELS: dict[str, str] = {  # by the step's name in button data
    "what": "What's needed",
    "when": "When",
    "phone": "Your phone",
    "address": "Address",
    "payment": "Payment",
    "pharmacy": "Pharmacy",
    "for_whom": "Who it's for",
}

CREATED = (
    "✅ Thank you. Your request <b>{ref}</b> is in. We've alerted {count} {volunteers}, and "
    "we'll tell you as soon as someone takes it."
)
CREATED_NOBODY_FREE = (
    "✅ Thank you. Your request <b>{ref}</b> is in. No volunteer is free right now; we've "
    "posted it for the group and will tell the organisers if nobody takes it."
)
