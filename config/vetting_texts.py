"""User-facing texts for organiser roles, vetting and settings."""

from __future__ import annotations

from config.i18n import N_, translate_module

# Menu entries: (command, description), merged into the scoped menus by config.commands.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = ()
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("organisers", N_("List a neighbourhood's organisers")),
    ("promote", N_("Make a member an organiser")),
    ("demote", N_("Stop someone being an organiser")),
    ("pending", N_("Volunteers waiting for approval")),
    ("checks", N_("Record a volunteer's ID, references and DBS checks")),
    ("suspend", N_("Stop a volunteer's alerts and take back their tasks")),
    ("unsuspend", N_("Restore a suspended volunteer")),
    ("settings", N_("See and change a neighbourhood's settings")),
)
# Lines appended to /help ("/command – what it does\n"), for everyone and for organisers.
HELP_PRIVATE = ""
HELP_ORGANISER = N_(
    "/organisers – list a neighbourhood's organisers\n"
    "/promote [#number] – make a member an organiser\n"
    "/demote [#number] – stop someone being an organiser\n"
    "/pending – approve or turn down new volunteers\n"
    "/checks [#number] – record ID seen, references and DBS checks\n"
    "/suspend [#number] – stop a volunteer's alerts and re-offer their tasks\n"
    "/unsuspend [#number] – restore a suspended volunteer\n"
    "/settings – alert sizes and delays, approval, checks, spending cap, quiet hours\n"
)

# Shared
PICK_PERSON_USAGE = N_("Please give the person's number as shown in the list, for example #12.")
PERSON_NOT_FOUND = N_("I can't find that person in <b>{neighbourhood}</b>.")
NO_LONGER_POSSIBLE = N_(
    "That's no longer possible: things have changed since. Try the command again."
)
DONE_CANCELLED = N_("Okay, nothing changed.")

# Roles
ORGANISERS_LIST = N_("👥 Organisers of <b>{neighbourhood}</b>:\n{people}")
ORGANISERS_NONE = N_(
    "<b>{neighbourhood}</b> has no organisers of its own yet; the bot's bootstrap organisers "
    "look after it. Use /promote to add one."
)
BOOTSTRAP_NOTE = N_("\n\nBootstrap organisers (from the bot's configuration) organise everywhere.")
PERSON_LINE = N_("• #{number} {name}")
PROMOTE_PICK = N_("Who should become an organiser of <b>{neighbourhood}</b>?")
PROMOTE_NOBODY = N_(
    "Everyone in <b>{neighbourhood}</b> is already an organiser, or nobody joined yet."
)
DEMOTE_PICK = N_("Who should stop being an organiser of <b>{neighbourhood}</b>?")
DEMOTE_NOBODY = N_("<b>{neighbourhood}</b> has no organisers who can be demoted.")
PROMOTED = N_("✅ {name} is now an organiser of <b>{neighbourhood}</b>.")
PROMOTED_ALREADY = N_("{name} is already an organiser of <b>{neighbourhood}</b>.")
DEMOTED = N_("✅ {name} is no longer an organiser of <b>{neighbourhood}</b>.")
DEMOTED_NOT_ORGANISER = N_("{name} isn't an organiser of <b>{neighbourhood}</b>.")
DEMOTE_LAST = N_(
    "{name} is the last organiser of <b>{neighbourhood}</b>. Promote someone else first, "
    "so the neighbourhood always has an organiser."
)
DEMOTE_BOOTSTRAP = N_(
    "{name} is an organiser everywhere through the bot's configuration (ORGANISER_IDS); "
    "that can only be changed there."
)
YOU_ARE_ORGANISER = N_(
    "🎉 You're now an organiser of <b>{neighbourhood}</b>. Your organiser commands are in the "
    "menu; /help lists them."
)
YOU_ARE_NO_LONGER_ORGANISER = N_("You're no longer an organiser of <b>{neighbourhood}</b>.")

# Pending volunteers
PENDING_NONE = N_("Nobody is waiting for approval in <b>{neighbourhood}</b>. 🎉")
PENDING_HEADER = N_("🙋 Waiting for approval in <b>{neighbourhood}</b>:")
PENDING_LINE = N_("#{number} <b>{name}</b> offers: {categories}{languages}")
PENDING_LANGUAGES = N_("; speaks {languages}")
BUTTON_APPROVE = N_("✅ Approve {name}")
BUTTON_REJECT = N_("✖️ Turn down {name}")
NOTE_PROMPT_APPROVE = N_(
    "Approving <b>{name}</b>. Send a short note for them if you like (for example where to "
    "meet), or press the button to approve without one. /cancel stops."
)
NOTE_PROMPT_REJECT = N_(
    "Turning down <b>{name}</b>. Send a short, kind note explaining why if you like, or press "
    "the button to go on without one. /cancel stops."
)
BUTTON_NO_NOTE = N_("Go on without a note")
NOTE_STILL_WAITING = N_(
    "\n\nStill waiting for a note or the button: {names}. A note you type now goes to {latest}."
)
NOTE_TOO_LONG = N_("Please keep the note under {limit} characters.")
APPROVED_DONE = N_("✅ {name} is approved in <b>{neighbourhood}</b>.")
REJECTED_DONE = N_("{name} was turned down in <b>{neighbourhood}</b>; they've been told.")
ALREADY_DECIDED = N_("That volunteer isn't waiting any more: someone already decided.")
VOLUNTEER_REJECTED = N_(
    "Thank you for offering to volunteer in {neighbourhood}. The organisers can't take up your "
    "offer just now."
)
NOTE_FROM_ORGANISERS = N_("\n\nA note from the organisers: {note}")

# Checks
CHECK_LABELS: dict[str, str] = {
    "id": N_("ID seen"),
    "refs": N_("References taken"),
    "dbs": N_("DBS check"),
}
DBS_LEVEL_LABELS: dict[str, str] = {
    "basic": N_("Basic"),
    "standard": N_("Standard"),
    "enhanced": N_("Enhanced"),
}
CHECKS_PICK = N_("Whose checks do you want to see in <b>{neighbourhood}</b>?")
CHECKS_NOBODY = N_("<b>{neighbourhood}</b> has no volunteers yet.")
CHECKS_VIEW = N_("🔎 Checks for <b>{name}</b> in <b>{neighbourhood}</b>:\n{lines}")
CHECK_YES = N_("✅ {label}")
CHECK_NO = N_("▫️ {label}: not recorded")
CHECK_DBS = N_("✅ DBS check: {level}, dated {date}")
BUTTON_CHECK_ADD = N_("Record: {label}")
BUTTON_CHECK_REMOVE = N_("Remove: {label}")
BUTTON_DBS_LEVEL = N_("Record DBS: {level}")
DBS_DATE_PROMPT = N_(
    "What date is on <b>{name}</b>'s {level} DBS certificate? For example 14/03/2025. "
    "/cancel stops."
)
DBS_DATE_BAD = N_("Please send the certificate date as day/month/year, for example 14/03/2025.")
DBS_DATE_FUTURE = N_("That date is in the future. Please check the certificate date.")

# Suspension
SUSPEND_PICK = N_("Whose alerts should stop in <b>{neighbourhood}</b>?")
SUSPEND_NOBODY = N_("<b>{neighbourhood}</b> has no approved volunteers to suspend.")
UNSUSPEND_PICK = N_("Who should get alerts again in <b>{neighbourhood}</b>?")
UNSUSPEND_NOBODY = N_("Nobody is suspended in <b>{neighbourhood}</b>.")
SUSPENDED_DONE = N_(
    "⏸ {name} is suspended in <b>{neighbourhood}</b>: no more alerts. "
    "Tasks taken back and offered again: {tasks}."
)
SUSPEND_NOT_APPROVED = N_("{name} isn't an approved volunteer in <b>{neighbourhood}</b>.")
UNSUSPENDED_DONE = N_("▶️ {name} gets alerts again in <b>{neighbourhood}</b>.")
UNSUSPEND_NOT_SUSPENDED = N_("{name} isn't suspended in <b>{neighbourhood}</b>.")
VOLUNTEER_SUSPENDED = N_(
    "The organisers of {neighbourhood} have paused your volunteering there, so you won't get "
    "alerts for now. Please get in touch with them if you have questions."
)
VOLUNTEER_TASK_TAKEN_BACK = N_(
    "{ref} has been passed to other volunteers, so you don't need to do it. Thank you."
)
RESIDENT_TASK_REOFFERED = N_(
    "Your helper for {ref} is no longer available, sorry. We're asking other volunteers now."
)
VOLUNTEER_UNSUSPENDED = N_("You'll get volunteer alerts in {neighbourhood} again. Thank you!")

# Settings
SETTINGS_VIEW = N_(
    "⚙️ Settings for <b>{neighbourhood}</b>\n\n"
    "Volunteers alerted per round: {batch}\n"
    "Ask more volunteers after: {widen}\n"
    "Tell organisers after: {escalate}\n"
    "New volunteers need approval: {approval}\n"
    "Checks required: {checks}\n"
    "Shopping spending cap: £{cap}\n"
    "Quiet hours: {quiet}\n"
    "Members may publish assets themselves: {assets}\n\n"
    "Press a button to change one."
)
DEFAULT_SUFFIX = N_(" (default)")
YES = N_("yes")
NO = N_("no")
NO_QUIET_HOURS = N_("none")
NO_CHECKS_REQUIRED = N_("none")
BUTTON_BATCH = N_("Alerted per round")
BUTTON_WIDEN = N_("Ask more after")
BUTTON_ESCALATE = N_("Tell organisers after")
BUTTON_APPROVAL = N_("Approval: {value}")
BUTTON_CHECKS = N_("Checks per category")
BUTTON_CAP = N_("Spending cap")
BUTTON_QUIET = N_("Quiet hours")
BUTTON_ASSETS = N_("Self-published assets: {value}")
BUTTON_BACK = N_("⬅️ Back")
BUTTON_DEFAULT = N_("Default ({value})")
CHOOSE_VALUE = N_("{setting} for <b>{neighbourhood}</b> is {value}. Choose a new value:")
CHOOSE_CATEGORY = N_("Which category's checks for <b>{neighbourhood}</b>?")
CATEGORY_CHECKS = N_(
    "Checks a volunteer needs before being offered {category} in <b>{neighbourhood}</b>: "
    "{checks}. Press a check to require it or not."
)
SETTING_NAMES: dict[str, str] = {
    "batch": N_("Volunteers alerted per round"),
    "widen": N_("Ask more volunteers after"),
    "escalate": N_("Tell organisers after"),
    "cap": N_("Shopping spending cap"),
    "quiet": N_("Quiet hours"),
}

translate_module(__name__)
