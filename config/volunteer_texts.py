"""User-facing texts of the offer-help conversation, /pause, /resume and approval (HTML).

Anything a person typed (languages, skills, neighbourhood and volunteer names) is escaped by
the caller before it is put into these templates.
"""

from __future__ import annotations

BUTTON_NEXT = "Next ➡️"
BUTTON_BACK = "⬅️ Back"
BUTTON_CANCEL = "✖️ Cancel"
BUTTON_SKIP = "Skip"
BUTTON_KEEP = "Keep these"
BUTTON_CLEAR = "None"
BUTTON_CONFIRM = "✅ Confirm"
BUTTON_EDIT = "✏️ Edit"
BUTTON_SHARE_PHONE = "📱 Share my number"
BUTTON_NO_PHONE = "Don't share my number"
CHOSEN_MARK = "✓ "

NOT_IN_NEIGHBOURHOOD = (
    "You're not part of a neighbourhood yet. Send /start to join one, then offer help."
)
ASK_CATEGORIES = (
    "🤝 <b>Thank you for offering help!</b>\n\n"
    "<b>Step 1 of 6.</b> What can you help with? Tap everything that fits, then press Next."
)
ASK_CATEGORIES_EXISTING = (
    "🤝 <b>Change your offer</b>\n\n"
    "<b>Step 1 of 6.</b> Here is what you offer now. Tap to add or remove, then press Next."
)
NEED_CATEGORY = "Please choose at least one kind of help first."
ASK_AVAILABILITY = (
    "<b>Step 2 of 6.</b> When are you usually free? Tap all that apply, then press Next."
)
NEED_AVAILABILITY = "Please choose at least one time first."
ASK_MAX_TASKS = (
    "<b>Step 3 of 6.</b> How many tasks would you like to have at most at once? "
    "We won't send you more than that."
)
ASK_LANGUAGES = (
    "<b>Step 4 of 6.</b> Which languages do you speak? Type them separated by commas, for "
    "example: <i>Welsh, Polish</i>. This helps us match you with neighbours. Or press Skip."
)
ASK_LIST_NOW = "\n\nNow: {items}"
LANGUAGES_INVALID = (
    "Please type at most {count} languages separated by commas, each up to {length} "
    "characters, or press Skip."
)
ASK_SKILLS = (
    "<b>Step 5 of 6.</b> Any skills you're happy to share with the community? Type them "
    "separated by commas, for example: <i>DIY, gardening</i>. Or press Skip."
)
ASK_SKILLS_REPLACE = "\n\n(What you type replaces the skills you gave before.)"
SKILLS_INVALID = (
    "Please type at most {count} skills separated by commas, each up to {length} characters, "
    "or press Skip."
)
ASK_PHONE = (
    "<b>Step 6 of 6.</b> May residents you help see your phone number? They only see it once "
    "you take their request.\n\n"
    "Use the buttons below, or type your number (for example 07911 123456)."
)
PHONE_BAD = "{reason} Please type it again, share it with the button, or choose not to share."
PHONE_REASONS: dict[str, str] = {
    "not_a_number": "That doesn't look like a phone number.",
    "too_short": "That number is too short.",
    "too_long": "That number is too long.",
    "invalid_length": "That number has the wrong number of digits.",
    "invalid": "That number doesn't seem to be in use.",
    "local_only": "Please include the area code.",
}
PHONE_NOT_YOURS = "Please share your own number with the button below, or type it."
PHONE_SAVED = "📱 Thanks, residents you help will see your number."
PHONE_NOT_SHARED = "Okay, your number stays private."
GOING_BACK = "Okay, going back."

SUMMARY = (
    "<b>Please check your offer</b>\n\n"
    "<b>Help with:</b> {categories}\n"
    "<b>Usually free:</b> {availability}\n"
    "<b>Most tasks at once:</b> {max_tasks}\n"
    "<b>Languages:</b> {languages}\n"
    "<b>Skills:</b> {skills}\n"
    "<b>Phone:</b> {phone}"
)
NOTHING = "–"
PHONE_SHARED = "shared with residents you help ({phone})"
PHONE_PRIVATE = "not shared"
USE_BUTTONS = "Please use the buttons above, or send /cancel to stop."

SAVED = "✅ <b>Thank you! Your offer is saved.</b>\n"
STATUS_APPROVED = "• <b>{neighbourhood}</b>: you're approved – you'll start getting alerts."
STATUS_PENDING = (
    "• <b>{neighbourhood}</b>: an organiser will check and approve you; we'll tell you."
)
STATUS_SUSPENDED = "• <b>{neighbourhood}</b>: your volunteering is on hold; an organiser can help."
ADDED_TO_DIRECTORY = "\nYour languages and skills were added to the community directory."
SAVED_FOOTER = "\nNeed a break? /pause stops alerts; /volunteer changes your offer."
SAVE_REFUSED = "Sorry, we couldn't save that. Please send /start and try again."

PAUSE_USAGE = (
    "Use /pause to stop alerts until you send /resume, or /pause DAYS (1 to {max_days}) "
    "to stop them for some days, for example: /pause 3"
)
NOT_A_VOLUNTEER = "You haven't offered help yet. Send /volunteer to offer it."
PAUSED_UNTIL_RESUME = "⏸ Alerts are paused. Send /resume when you're ready again."
PAUSED_FOR = "⏸ Alerts are paused for {days} day(s), until {until}. /resume restarts them sooner."
RESUMED = "▶️ Welcome back! Alerts are on again."
NOT_PAUSED = "Your alerts aren't paused, so there's nothing to resume."

APPROVE_REFUSED = "Sorry, only organisers of that neighbourhood can approve volunteers."
APPROVE_ALREADY = "That's already been handled."
