"""User-facing texts of the offer-help conversation, /pause, /resume and approval (HTML).

Anything a person typed (languages, skills, neighbourhood and volunteer names) is escaped by
the caller before it is put into these templates.
"""

from __future__ import annotations

from config.i18n import N_, NP_, translate_module

BUTTON_NEXT = N_("Next ➡️")
BUTTON_BACK = N_("⬅️ Back")
BUTTON_CANCEL = N_("✖️ Cancel")
BUTTON_SKIP = N_("Skip")
BUTTON_KEEP = N_("Keep these")
BUTTON_CLEAR = N_("None")
BUTTON_CONFIRM = N_("✅ Confirm")
BUTTON_EDIT = N_("✏️ Edit")
BUTTON_SHARE_PHONE = N_("📱 Share my number")
BUTTON_NO_PHONE = N_("Don't share my number")
CHOSEN_MARK = N_("✓ ")

NOT_IN_NEIGHBOURHOOD = N_(
    "You're not part of a neighbourhood yet. Send /start to join one, then offer help."
)
ASK_CATEGORIES = N_(
    "🤝 <b>Thank you for offering help!</b>\n\n"
    "<b>Step 1 of 6.</b> What can you help with? Tap everything that fits, then press Next."
)
ASK_CATEGORIES_EXISTING = N_(
    "🤝 <b>Change your offer</b>\n\n"
    "<b>Step 1 of 6.</b> Here is what you offer now. Tap to add or remove, then press Next."
)
NEED_CATEGORY = N_("Please choose at least one kind of help first.")
ASK_AVAILABILITY = N_(
    "<b>Step 2 of 6.</b> When are you usually free? Tap all that apply, then press Next."
)
NEED_AVAILABILITY = N_("Please choose at least one time first.")
ASK_MAX_TASKS = N_(
    "<b>Step 3 of 6.</b> How many tasks would you like to have at most at once? "
    "We won't send you more than that."
)
ASK_LANGUAGES = N_(
    "<b>Step 4 of 6.</b> Which languages do you speak? Type them separated by commas, for "
    "example: <i>Welsh, Polish</i>. This helps us match you with neighbours. Or press Skip."
)
ASK_LIST_NOW = N_("\n\nNow: {items}")
LANGUAGES_INVALID = N_(
    "Please type at most {count} languages separated by commas, each up to {length} "
    "characters, or press Skip."
)
ASK_SKILLS = N_(
    "<b>Step 5 of 6.</b> Any skills you're happy to share with the community? Type them "
    "separated by commas, for example: <i>DIY, gardening</i>. Or press Skip."
)
ASK_SKILLS_REPLACE = N_("\n\n(What you type replaces the skills you gave before.)")
SKILLS_INVALID = N_(
    "Please type at most {count} skills separated by commas, each up to {length} characters, "
    "or press Skip."
)
ASK_PHONE = N_(
    "<b>Step 6 of 6.</b> May residents you help see your phone number? They only see it once "
    "you take their request.\n\n"
    "Use the buttons below, or type your number (for example 07911 123456)."
)
PHONE_BAD = N_("{reason} Please type it again, share it with the button, or choose not to share.")
PHONE_REASONS: dict[str, str] = {
    "not_a_number": N_("That doesn't look like a phone number."),
    "too_short": N_("That number is too short."),
    "too_long": N_("That number is too long."),
    "invalid_length": N_("That number has the wrong number of digits."),
    "invalid": N_("That number doesn't seem to be in use."),
    "local_only": N_("Please include the area code."),
}
PHONE_NOT_YOURS = N_("Please share your own number with the button below, or type it.")
PHONE_SAVED = N_("📱 Thanks, residents you help will see your number.")
PHONE_NOT_SHARED = N_("Okay, your number stays private.")
GOING_BACK = N_("Okay, going back.")

SUMMARY = N_(
    "<b>Please check your offer</b>\n\n"
    "<b>Help with:</b> {categories}\n"
    "<b>Usually free:</b> {availability}\n"
    "<b>Most tasks at once:</b> {max_tasks}\n"
    "<b>Languages:</b> {languages}\n"
    "<b>Skills:</b> {skills}\n"
    "<b>Phone:</b> {phone}"
)
NOTHING = N_("–")
PHONE_SHARED = N_("shared with residents you help ({phone})")
PHONE_PRIVATE = N_("not shared")
USE_BUTTONS = N_("Please use the buttons above, or send /cancel to stop.")

SAVED = N_("✅ <b>Thank you! Your offer is saved.</b>\n")
STATUS_APPROVED = N_("• <b>{neighbourhood}</b>: you're approved – you'll start getting alerts.")
STATUS_PENDING = N_(
    "• <b>{neighbourhood}</b>: an organiser will check and approve you; we'll tell you."
)
STATUS_SUSPENDED = N_(
    "• <b>{neighbourhood}</b>: your volunteering is on hold; an organiser can help."
)
ADDED_TO_DIRECTORY = N_(
    "\nYour languages and skills are now in the community directory of {neighbourhoods}, where "
    "only its organisers see them, to find the right volunteer for a neighbour."
)
SAVED_FOOTER = N_("\nNeed a break? /pause stops alerts; /volunteer changes your offer.")
SAVE_REFUSED = N_("Sorry, we couldn't save that. Please send /start and try again.")

PAUSE_USAGE = N_(
    "Use /pause to stop alerts until you send /resume, or /pause DAYS (1 to {max_days}) "
    "to stop them for some days, for example: /pause 3"
)
NOT_A_VOLUNTEER = N_("You haven't offered help yet. Send /volunteer to offer it.")
PAUSED_UNTIL_RESUME = N_("⏸ Alerts are paused. Send /resume when you're ready again.")
PAUSED_FOR = NP_(
    "⏸ Alerts are paused for {count} day, until {until}. /resume restarts them sooner.",
    "⏸ Alerts are paused for {count} days, until {until}. /resume restarts them sooner.",
)
RESUMED = N_("▶️ Welcome back! Alerts are on again.")
NOT_PAUSED = N_("Your alerts aren't paused, so there's nothing to resume.")

APPROVE_REFUSED = N_("Sorry, only organisers of that neighbourhood can approve volunteers.")
APPROVE_ALREADY = N_("That's already been handled.")

translate_module(__name__)
