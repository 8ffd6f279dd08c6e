"""User-facing texts of the "ask for help" conversation (HTML; callers escape what people typed)."""

from __future__ import annotations

from config.i18n import N_, translate_module

# Buttons shared by every step.
BUTTON_BACK = N_("⬅️ Back")
BUTTON_CANCEL = N_("✖️ Cancel")

# Starting, stopping and stray input.
NEED_NEIGHBOURHOOD = N_(
    "To ask for help you first need to join a neighbourhood. Send /start to join one, or open "
    "the invite link your organiser sent you."
)
CANCELLED = N_("Okay, stopped. Nothing was sent.")
BACK_TO_MENU = N_("Okay, nothing was sent. What would you like to do?")
USE_BUTTONS = N_("Please use the buttons above.")
TYPE_PLEASE = N_("Please type your answer as a message.")
STALE_STEP = N_("That button belongs to another step. Here's where we are.")
EXPIRED = N_("That request form has expired. Send /request to start again.")
NOT_A_MEMBER = N_(
    "You're no longer part of that neighbourhood, so nothing was sent. Send /start to see "
    "your neighbourhoods."
)

# Step 0: neighbourhood.
CHOOSE_NEIGHBOURHOOD = N_("🙋 <b>Ask for help</b>\n\nWhich neighbourhood is this request for?")

# Step 1: category.
CHOOSE_CATEGORY = N_("🙋 <b>Ask for help</b> in {neighbourhood}\n\nWhat kind of help do you need?")

# Step 2: what is needed.
ASK_WHAT = N_(
    "What do you need? Please describe it in one message, up to {limit} characters, or send "
    "a voice note or a photo (a shopping list, a note from the pharmacy).\n\n"
    "For shopping, list the items; for a lift, say from where to where. Please leave out your "
    "address and phone number: we ask for those next, privately."
)
# A message outside any flow: an invitation, with buttons.
STRAY_INVITE = N_(
    "Would you like to ask your neighbours for help with this? I can start a request with it "
    "filled in."
)
BUTTON_STRAY_REQUEST = N_("🙋 Ask for help with this")
BUTTON_MENU = N_("☰ Menu")
BUTTON_HELP = N_("❓ Help")
PREFILLED = N_("I've put what you sent as what's needed; you can change it before you confirm.")
MEDIA_LIMIT = N_("That's enough voice notes and photos for one request ({limit}).")
# Voice notes and photos with a request, in the summary: "Bread (+ 📷 a photo)".
SUMMARY_MEDIA = N_(" (+ {items})")
TEXT_TOO_LONG = N_("That's {length} characters. Please keep it to {limit} characters or fewer.")
TEXT_EMPTY = N_("Please type a few words.")

# Step 3: when.
ASK_WHEN = N_("When do you need the help?")
BUTTON_TODAY = N_("Today")
BUTTON_TOMORROW = N_("Tomorrow")
BUTTON_THIS_WEEK = N_("This week")
BUTTON_TYPE_WHEN = N_("📅 Type a date and time")
ASK_WHEN_TYPED = N_(
    "Type the day and time you need help, for example <i>tomorrow 3pm</i>, <i>Friday "
    "morning</i>, <i>next Tuesday 10:30</i>, <i>in 2 hours</i> or <i>14/03 9am</i>."
)
WHEN_UNREADABLE = N_(
    "Sorry, I couldn't read that as a date or time. Try for example <i>tomorrow 3pm</i>, "
    "<i>Friday morning</i>, <i>next Tuesday 10:30</i>, <i>in 2 hours</i> or <i>14/03 9am</i>."
)
ASK_AM_PM = N_("🕑 In the morning or the afternoon?")
BUTTON_AM = N_("🌅 {when}")
BUTTON_PM = N_("🌇 {when}")
WHEN_IN_THE_PAST = N_("That time has already passed. Please give a time from now on.")
WHEN_TOO_FAR = N_(
    "That's more than {days} days away, which is too far ahead to plan. Please choose a "
    "sooner date, or ask again nearer the time."
)

# Step 4: contact phone (a reply keyboard, so Back and Cancel are reply buttons here).
ASK_PHONE = N_(
    "📞 What number can the volunteer call you on?\n\n"
    "Press <b>Share my phone number</b>, type a number, or choose <b>Contact me on Telegram "
    "only</b>. Only the volunteer who takes this and your organisers will see it."
)
BUTTON_SHARE_PHONE = N_("📱 Share my phone number")
BUTTON_TELEGRAM_ONLY = N_("💬 Contact me on Telegram only")
PHONE_NOT_YOURS = N_(
    "That contact isn't your own number. If it's the number the volunteer should call, "
    "please type it instead."
)
PHONE_SAVED = N_("📞 Thank you. The volunteer who takes this can call you on {phone}.")
TELEGRAM_ONLY_SAVED = N_("💬 Okay: the volunteer will contact you here on Telegram.")
KEYBOARD_CLOSED = N_("Okay.")

# One clear sentence per bot.phones.PhoneProblem value.
PHONE_PROBLEMS: dict[str, str] = {
    "not_a_number": (
        N_(
            "That doesn't look like a phone number: please type it in digits, for example a "
            "mobile starting 07 or an international number starting with +."
        )
    ),
    "too_short": N_("That number is too short: please check you've typed all the digits."),
    "too_long": N_("That number has too many digits: please check it and try again."),
    "invalid_length": N_("That number doesn't have the right number of digits: please check it."),
    "invalid": N_("That isn't a number in use: please check the digits and the area code."),
    "local_only": (
        N_(
            "That number needs its area code: please type it in full, for example starting 01, "
            "02 or 07."
        )
    ),
}

# Step 5: address or meeting point.
ASK_ADDRESS = N_(
    "🔒 What's the address or meeting point? (up to {limit} characters)\n\n"
    "This stays private: only the volunteer who takes this and your organisers will see it."
)

# Step 6: shopping payment or prescription pharmacy.
ASK_PAYMENT = N_(
    "🛒 How will you pay for the shopping?\n\n"
    "The spending cap in {neighbourhood} is <b>£{cap}</b>. We never ask for card details or "
    "PINs, and a volunteer will never take your bank card."
)
ASK_PHARMACY = N_(
    "💊 Which pharmacy is the prescription at? Give its name and street, up to {limit} "
    "characters.\n\n"
    "The volunteer who collects it may be asked for ID. Some controlled medicines can't be "
    "collected by volunteers; the pharmacy will tell you if yours is one of them."
)

# Step 7: for whom.
ASK_FOR_WHOM = N_("Who is the help for?")
BUTTON_FOR_ME = N_("For me")
BUTTON_FOR_SOMEONE_ELSE = N_("For someone else")
ASK_FOR_NAME = N_("What's the name of the person who needs help? (up to {limit} characters)")
ASK_FOR_PHONE = N_(
    "What's {name}'s phone number? Only the volunteer who takes this and your organisers "
    "will see it."
)
ASK_FOR_AGREED = N_(
    "Please check that {name} has agreed to you asking for help for them, and to us passing "
    "their name and number to the volunteer who takes it."
)
BUTTON_THEY_AGREED = N_("✅ They agreed to this")

# Step 8: confirmation.
SUMMARY = N_(
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
SUMMARY_PAYMENT = N_("\n<b>Payment:</b> {payment}")
SUMMARY_PHARMACY = N_("\n<b>Pharmacy:</b> {pharmacy}")
SUMMARY_TELEGRAM_ONLY = N_("none: contact me on Telegram")
SUMMARY_FOR_ME = N_("you")
SUMMARY_FOR_SOMEONE = N_("{name}, {phone} (they agreed)")
BUTTON_CONFIRM = N_("✅ Confirm")
BUTTON_EDIT = N_("✏️ Edit")

ASK_EDIT = N_("What would you like to change?")
EDIT_LABELS: dict[str, str] = {  # by the step's name in button data
    "what": N_("What's needed"),
    "when": N_("When"),
    "phone": N_("Your phone"),
    "address": N_("Address"),
    "payment": N_("Payment"),
    "pharmacy": N_("Pharmacy"),
    "for_whom": N_("Who it's for"),
}

# {volunteers} in CREATED, after the count.
VOLUNTEER_ONE = N_("volunteer")
VOLUNTEER_MANY = N_("volunteers")
CREATED = N_(
    "✅ Thank you. <b>{request}</b> is in. We've alerted {count} {volunteers}, and "
    "we'll tell you as soon as someone takes it."
)
CREATED_NOBODY_FREE = N_(
    "✅ Thank you. <b>{request}</b> is in. No volunteer is free right now; we've "
    "posted it for the group and will tell the organisers if nobody takes it."
)

# Confirmed in quiet hours: the alerts wait, and the resident is told when they will go.
CREATED_HELD = N_(
    "✅ Thank you. <b>{request}</b> is in. It's night-time, so volunteers will be alerted "
    "{when}, and we'll tell you as soon as someone takes it.\n\n"
    "If it can't wait until then, press <b>It's urgent – alert now</b>."
)
CREATED_HELD_NOBODY_FREE = N_(
    "✅ Thank you. <b>{request}</b> is in. It's night-time and no volunteer is free right now, "
    "so we'll post it for the group {when} and tell the organisers if nobody takes it.\n\n"
    "If it can't wait until then, press <b>It's urgent – alert now</b>."
)
HELD_AT = N_("at {time}")
HELD_TOMORROW_AT = N_("tomorrow at {time}")
HELD_ON_DAY_AT = N_("on {day} at {time}")
BUTTON_URGENT = N_("🚨 It's urgent – alert now")
URGENT_OK = N_(
    "🚨 Understood: we've alerted volunteers now and told the organisers about {request}. If "
    "you are in danger or very unwell, please call 999."
)
URGENT_ALREADY = N_("We're already treating this as urgent.")
URGENT_ALERTS_SENT = N_(
    "Volunteers have been alerted already. We'll tell you when someone takes it."
)

translate_module(__name__)
