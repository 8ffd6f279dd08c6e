"""User-facing texts for organiser roles, vetting and settings."""

from __future__ import annotations

# Menu entries: (command, description), merged into the scoped menus by config.commands.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = ()
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("organisers", "List a neighbourhood's organisers"),
    ("promote", "Make a member an organiser"),
    ("demote", "Stop someone being an organiser"),
    ("pending", "Volunteers waiting for approval"),
    ("checks", "Record a volunteer's ID, references and DBS checks"),
    ("suspend", "Stop a volunteer's alerts and take back their tasks"),
    ("unsuspend", "Restore a suspended volunteer"),
    ("settings", "See and change a neighbourhood's settings"),
)
# Lines appended to /help ("/command – what it does\n"), for everyone and for organisers.
HELP_PRIVATE = ""
HELP_ORGANISER = (
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
PICK_PERSON_USAGE = "Please give the person's number as shown in the list, for example #12."
PERSON_NOT_FOUND = "I can't find that person in <b>{neighbourhood}</b>."
NO_LONGER_POSSIBLE = "That's no longer possible: things have changed since. Try the command again."
DONE_CANCELLED = "Okay, nothing changed."

# Roles
ORGANISERS_LIST = "👥 Organisers of <b>{neighbourhood}</b>:\n{people}"
ORGANISERS_NONE = (
    "<b>{neighbourhood}</b> has no organisers of its own yet; the bot's bootstrap organisers "
    "look after it. Use /promote to add one."
)
BOOTSTRAP_NOTE = "\n\nBootstrap organisers (from the bot's configuration) organise everywhere."
PERSON_LINE = "• #{number} {name}"
PROMOTE_PICK = "Who should become an organiser of <b>{neighbourhood}</b>?"
PROMOTE_NOBODY = "Everyone in <b>{neighbourhood}</b> is already an organiser, or nobody joined yet."
DEMOTE_PICK = "Who should stop being an organiser of <b>{neighbourhood}</b>?"
DEMOTE_NOBODY = "<b>{neighbourhood}</b> has no organisers who can be demoted."
PROMOTED = "✅ {name} is now an organiser of <b>{neighbourhood}</b>."
PROMOTED_ALREADY = "{name} is already an organiser of <b>{neighbourhood}</b>."
DEMOTED = "✅ {name} is no longer an organiser of <b>{neighbourhood}</b>."
DEMOTED_NOT_ORGANISER = "{name} isn't an organiser of <b>{neighbourhood}</b>."
DEMOTE_LAST = (
    "{name} is the last organiser of <b>{neighbourhood}</b>. Promote someone else first, "
    "so the neighbourhood always has an organiser."
)
DEMOTE_BOOTSTRAP = (
    "{name} is an organiser everywhere through the bot's configuration (ORGANISER_IDS); "
    "that can only be changed there."
)
YOU_ARE_ORGANISER = (
    "🎉 You're now an organiser of <b>{neighbourhood}</b>. Your organiser commands are in the "
    "menu; /help lists them."
)
YOU_ARE_NO_LONGER_ORGANISER = "You're no longer an organiser of <b>{neighbourhood}</b>."

# Pending volunteers
PENDING_NONE = "Nobody is waiting for approval in <b>{neighbourhood}</b>. 🎉"
PENDING_HEADER = "🙋 Waiting for approval in <b>{neighbourhood}</b>:"
PENDING_LINE = "#{number} <b>{name}</b> offers: {categories}{languages}"
PENDING_LANGUAGES = "; speaks {languages}"
BUTTON_APPROVE = "✅ Approve {name}"
BUTTON_REJECT = "✖️ Turn down {name}"
NOTE_PROMPT_APPROVE = (
    "Approving <b>{name}</b>. Send a short note for them if you like (for example where to "
    "meet), or press the button to approve without one. /cancel stops."
)
NOTE_PROMPT_REJECT = (
    "Turning down <b>{name}</b>. Send a short, kind note explaining why if you like, or press "
    "the button to go on without one. /cancel stops."
)
BUTTON_NO_NOTE = "Go on without a note"
NOTE_TOO_LONG = "Please keep the note under {limit} characters."
APPROVED_DONE = "✅ {name} is approved in <b>{neighbourhood}</b>."
REJECTED_DONE = "{name} was turned down in <b>{neighbourhood}</b>; they've been told."
ALREADY_DECIDED = "That volunteer isn't waiting any more: someone already decided."
VOLUNTEER_REJECTED = (
    "Thank you for offering to volunteer in {neighbourhood}. The organisers can't take up your "
    "offer just now."
)
NOTE_FROM_ORGANISERS = "\n\nA note from the organisers: {note}"

# Checks
CHECK_LABELS: dict[str, str] = {"id": "ID seen", "refs": "References taken", "dbs": "DBS check"}
DBS_LEVEL_LABELS: dict[str, str] = {
    "basic": "Basic",
    "standard": "Standard",
    "enhanced": "Enhanced",
}
CHECKS_PICK = "Whose checks do you want to see in <b>{neighbourhood}</b>?"
CHECKS_NOBODY = "<b>{neighbourhood}</b> has no volunteers yet."
CHECKS_VIEW = "🔎 Checks for <b>{name}</b> in <b>{neighbourhood}</b>:\n{lines}"
CHECK_YES = "✅ {label}"
CHECK_NO = "▫️ {label}: not recorded"
CHECK_DBS = "✅ DBS check: {level}, dated {date}"
BUTTON_CHECK_ADD = "Record: {label}"
BUTTON_CHECK_REMOVE = "Remove: {label}"
BUTTON_DBS_LEVEL = "Record DBS: {level}"
DBS_DATE_PROMPT = (
    "What date is on <b>{name}</b>'s {level} DBS certificate? For example 14/03/2025. "
    "/cancel stops."
)
DBS_DATE_BAD = "Please send the certificate date as day/month/year, for example 14/03/2025."
DBS_DATE_FUTURE = "That date is in the future. Please check the certificate date."

# Suspension
SUSPEND_PICK = "Whose alerts should stop in <b>{neighbourhood}</b>?"
SUSPEND_NOBODY = "<b>{neighbourhood}</b> has no approved volunteers to suspend."
UNSUSPEND_PICK = "Who should get alerts again in <b>{neighbourhood}</b>?"
UNSUSPEND_NOBODY = "Nobody is suspended in <b>{neighbourhood}</b>."
SUSPENDED_DONE = (
    "⏸ {name} is suspended in <b>{neighbourhood}</b>: no more alerts. "
    "Tasks taken back and offered again: {tasks}."
)
SUSPEND_NOT_APPROVED = "{name} isn't an approved volunteer in <b>{neighbourhood}</b>."
UNSUSPENDED_DONE = "▶️ {name} gets alerts again in <b>{neighbourhood}</b>."
UNSUSPEND_NOT_SUSPENDED = "{name} isn't suspended in <b>{neighbourhood}</b>."
VOLUNTEER_SUSPENDED = (
    "The organisers of {neighbourhood} have paused your volunteering there, so you won't get "
    "alerts for now. Please get in touch with them if you have questions."
)
VOLUNTEER_TASK_TAKEN_BACK = (
    "{ref} has been passed to other volunteers, so you don't need to do it. Thank you."
)
RESIDENT_TASK_REOFFERED = (
    "Your helper for {ref} is no longer available, sorry. We're asking other volunteers now."
)
VOLUNTEER_UNSUSPENDED = "You'll get volunteer alerts in {neighbourhood} again. Thank you!"

# Settings
SETTINGS_VIEW = (
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
DEFAULT_SUFFIX = " (default)"
YES, NO = "yes", "no"
NO_QUIET_HOURS = "none"
NO_CHECKS_REQUIRED = "none"
BUTTON_BATCH = "Alerted per round"
BUTTON_WIDEN = "Ask more after"
BUTTON_ESCALATE = "Tell organisers after"
BUTTON_APPROVAL = "Approval: {value}"
BUTTON_CHECKS = "Checks per category"
BUTTON_CAP = "Spending cap"
BUTTON_QUIET = "Quiet hours"
BUTTON_ASSETS = "Self-published assets: {value}"
BUTTON_BACK = "⬅️ Back"
BUTTON_DEFAULT = "Default ({value})"
CHOOSE_VALUE = "{setting} for <b>{neighbourhood}</b> is {value}. Choose a new value:"
CHOOSE_CATEGORY = "Which category's checks for <b>{neighbourhood}</b>?"
CATEGORY_CHECKS = (
    "Checks a volunteer needs before being offered {category} in <b>{neighbourhood}</b>: "
    "{checks}. Press a check to require it or not."
)
SETTING_NAMES: dict[str, str] = {
    "batch": "Volunteers alerted per round",
    "widen": "Ask more volunteers after",
    "escalate": "Tell organisers after",
    "cap": "Shopping spending cap",
    "quiet": "Quiet hours",
}
