"""User-facing texts for organiser oversight, broadcast, stats, exports and audit."""

from __future__ import annotations

from config.i18n import N_, NP_, translate_module

# Menu entries: (command, description), merged into the scoped menus by config.commands.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = ()
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("log", N_("Log a request taken by phone")),
    ("open", N_("Requests still waiting for a volunteer")),
    ("assign", N_("Give a request to a volunteer")),
    ("reassign", N_("Move a task to another volunteer")),
    ("broadcast", N_("Message your volunteers")),
    ("stats", N_("How the community is doing")),
    ("export", N_("Download requests or volunteers as CSV")),
    ("audit", N_("A request's history")),
)
# Lines appended to /help ("/command – what it does\n"), for everyone and for organisers.
HELP_PRIVATE = ""
HELP_ORGANISER = N_(
    "/log – log a request taken by phone for a neighbour without Telegram\n"
    "/open – requests still waiting for a volunteer, oldest first\n"
    "/assign REF – give a request to a volunteer you choose\n"
    "/reassign REF – move a task to another volunteer\n"
    "/broadcast – send a message to a neighbourhood's volunteers\n"
    "/stats [days] – what the community did lately\n"
    "/export requests|volunteers|assets [days] – CSV files, in this private chat\n"
    "/audit REF – the history of a request\n"
)

# Shared refusals.
NOT_ORGANISER = N_("Sorry, only organisers can do that.")
NOT_ORGANISER_HERE = N_("Sorry, only organisers of that neighbourhood can do that.")
NO_NEIGHBOURHOODS = N_("You don't organise any neighbourhood yet.")
UNKNOWN_REF = N_("I can't find a request {ref}. References look like R-7K3Q.")
STALE_BUTTON = N_("That button is out of date.")
PRIVATE_ONLY = N_("Please use this command in your private chat with me.")
CHOOSE_NEIGHBOURHOOD = N_("Which neighbourhood is this for?")

# Phone-in requests (/log).
LOG_CHOOSE_NEIGHBOURHOOD = N_(
    "📞 <b>Log a request taken by phone</b>\n\nWhich neighbourhood is the neighbour in?"
)
LOG_CHOOSE_CATEGORY = N_(
    "📞 <b>Phone-in request</b> in {neighbourhood}\n\nWhat kind of help does the neighbour need?"
)
LOG_INTRO = N_(
    "📞 <b>Logging a request taken by phone.</b> I'll ask the same questions as a resident's "
    "request, then the neighbour's name and phone number. Volunteers will phone them, and "
    "you'll get the updates the neighbour would. /cancel stops at any time."
)
LOG_SUMMARY_HEAD = N_("📞 <b>Phone-in request</b> – please check with the neighbour:\n\n")
LOG_CREATED = N_(
    "📞 Logged as <b>{ref}</b> for {name}. {alerted}; they'll phone {name} on {phone}. "
    "I'll keep you posted here."
)
# {alerted} in LOG_CREATED.
LOG_ALERTED = NP_("{count} volunteer was alerted", "{count} volunteers were alerted")
LOG_CREATED_NOBODY_FREE = N_(
    "📞 Logged as <b>{ref}</b> for {name}. Nobody is free to alert right now; I've told "
    "the volunteers' group if there is one, and I'll keep you posted here."
)
LOG_CANCELLED = N_("Okay, nothing was logged.")
LOG_EXPIRED = N_("That form has expired. Send /log to start again.")
ALERT_PHONE_IN = N_("\n📞 Taken by phone: the neighbour has no Telegram, so you'd phone them.")
TASK_PHONE_IN = N_(
    "\n\n📞 <b>Phone-in request:</b> this neighbour has no Telegram. Please phone them on "
    "the number above to arrange things. An organiser logged it and gets the updates."
)

# /open
OPEN_NONE = N_("🎉 Nothing is waiting: every request has a volunteer.")
OPEN_HEAD = N_("<b>Waiting for a volunteer</b> (oldest first):\n")
OPEN_LINE = N_(
    "• <b>{ref}</b> {category}, {neighbourhood}: waiting {waited}, {alerted} alerted{flag}"
)
OPEN_ESCALATED = N_(" ⚠️")
OPEN_PHONE_IN = N_(" 📞")
OPEN_MORE = N_("\n…and {more} more.")
OPEN_FOOTER = N_("\n\nTo give one to a volunteer: /assign REF")

# /assign and /reassign
ASSIGN_USAGE = N_("Please give the request's reference, for example:\n/assign R-7K3Q")
REASSIGN_USAGE = N_("Please give the task's reference, for example:\n/reassign R-7K3Q")
ASSIGN_NOT_OPEN = N_("{ref} isn't waiting for a volunteer any more (it is {status}).")
REASSIGN_NOT_ASSIGNED = N_("{ref} isn't held by a volunteer right now (it is {status}).")
ASSIGN_NOBODY = N_(
    "Nobody eligible is free for {ref} right now (approved, offering this kind of help, "
    "available then and under their task limit)."
)
ASSIGN_CHOOSE = N_(
    "<b>{ref}</b> {category} in {neighbourhood}.\n"
    "Eligible volunteers, in the order matching would ask them:"
)
REASSIGN_CHOOSE = N_(
    "<b>{ref}</b> {category} is held by <b>{current}</b>.\nMove it to (best match first):"
)
CANDIDATE_LABEL = N_("{name} · {recent} recent · {open} open")
BUTTON_CANCEL = N_("✖️ Cancel")
ASSIGN_CANCELLED = N_("Okay, nothing changed.")
ASSIGNED = N_(
    "✅ {ref} is now with <b>{volunteer}</b>. They have the details and can hand it back."
)
REASSIGNED = N_("✅ {ref} moved from <b>{old}</b> to <b>{new}</b>. Both have been told.")
ASSIGN_NOT_ELIGIBLE = N_("{volunteer} can't take {ref} any more. Try /assign {ref} again.")
ASSIGN_CHANGED = N_("{ref} changed in the meantime; nothing was moved. Try again.")
VOLUNTEER_ASSIGNED = N_(
    "🙋 An organiser has asked you to take <b>{ref}</b>. The details follow. If you can't do "
    "it, press “Can't do it” and it goes back to the other volunteers."
)
VOLUNTEER_REASSIGNED_AWAY = N_(
    "🔁 An organiser has moved <b>{ref}</b> to another volunteer, so you don't need to do "
    "it. Thank you for holding it!"
)

# /broadcast
BROADCAST_CHOOSE = N_("📣 Which neighbourhood's volunteers should get the message?")
BROADCAST_ASK = N_(
    "📣 <b>Message to {neighbourhood}'s volunteers</b> ({count} will get it).\n\n"
    "Type the message (up to {limit} characters), or /cancel."
)
BROADCAST_NOBODY = N_("{neighbourhood} has no approved volunteers to message yet.")
BROADCAST_TOO_LONG = N_("That's {length} characters; please keep it to {limit}.")
BROADCAST_TEXT_ONLY = N_("Please type the message as text.")
BROADCAST_PREVIEW = NP_(
    "📣 <b>Preview</b> – to {count} volunteer of {neighbourhood}{skipped}:\n\n{message}",
    "📣 <b>Preview</b> – to {count} volunteers of {neighbourhood}{skipped}:\n\n{message}",
)
BROADCAST_SKIPPED = N_(" ({skipped} who blocked the bot are left out)")
BROADCAST_MESSAGE = N_("📣 <b>From your organisers in {neighbourhood}</b>\n\n{message}")
BUTTON_SEND = N_("📣 Send")
BROADCAST_CANCELLED = N_("Okay, the message was not sent.")
BROADCAST_PROGRESS = N_("📣 Sending… {done} of {total} done.")
BROADCAST_DONE = NP_(
    "📣 <b>Broadcast finished</b> ({count} volunteer of {neighbourhood}):\n"
    "✅ delivered: {delivered}\n"
    "🚫 blocked the bot: {blocked}\n"
    "⚠️ failed: {failed}{pending}",
    "📣 <b>Broadcast finished</b> ({count} volunteers of {neighbourhood}):\n"
    "✅ delivered: {delivered}\n"
    "🚫 blocked the bot: {blocked}\n"
    "⚠️ failed: {failed}{pending}",
)
BROADCAST_PENDING = N_("\n⏳ still queued (they'll go out shortly): {pending}")
BROADCAST_EXPIRED = N_("That broadcast has expired. Send /broadcast to start again.")

# /stats
STATS_USAGE = N_("Please give a number of days from 1 to 366, for example: /stats 30")
STATS_HEAD = NP_(
    "📊 <b>The last day in {where}</b>\n", "📊 <b>The last {count} days in {where}</b>\n"
)
STATS_NEIGHBOURHOODS = NP_("{count} neighbourhood", "{count} neighbourhoods")
STATS_NO_REQUESTS = N_("\nNo requests were made in this period.")
STATS_REQUESTS = NP_(
    "\n<b>{count} request</b> from neighbours:\n{categories}\n",
    "\n<b>{count} requests</b> from neighbours:\n{categories}\n",
)
STATS_CATEGORY_LINE = N_("• {category}: {count}")
STATS_OUTCOMES = N_(
    "<b>Outcomes</b>: 🎉 {helped} helped, 🚶 {in_progress} in progress, "
    "⏳ {waiting} waiting, ✖️ {cancelled} cancelled\n"
)
STATS_SPEED = N_(
    "<b>How quickly neighbours stepped in</b>: half of the accepted requests were taken on "
    "{median}, nine in ten {p90}; {within_hour}% of requests were accepted within an hour.\n"
)
# {median} and {p90} in STATS_SPEED.
STATS_WITHIN = N_("within {duration}")
STATS_UNDER_A_MINUTE = N_("in under a minute")
STATS_NO_SPEED = N_("<b>How quickly neighbours stepped in</b>: no request was accepted yet.\n")
STATS_VOLUNTEERS = N_(
    "\n💪 <b>{volunteers}</b> took on {tasks} (of {approved} approved).{most}{top}\n"
)
# {volunteers}, {tasks} and {most} in STATS_VOLUNTEERS.
STATS_ACTIVE = NP_("{count} volunteer", "{count} volunteers")
STATS_TASKS = NP_("{count} task", "{count} tasks")
STATS_MOST = N_(" {most} of them did more than half of the work.")
STATS_NO_VOLUNTEERS = N_("\n💪 No tasks were taken on in this period ({approved} approved).\n")
STATS_TOP = N_(" Busiest: {counts}.")
STATS_CHECKINS = N_("☎️ <b>Check-ins kept</b>: {kept} of {due} answered.\n")
STATS_NO_CHECKINS = N_("☎️ No welfare check-ins were due in this period.\n")
STATS_THANKS = NP_(
    "💐 <b>{count} thank-you</b> passed on to volunteers. Thank you, everyone!",
    "💐 <b>{count} thank-yous</b> passed on to volunteers. Thank you, everyone!",
)

# /export
EXPORT_USAGE = N_(
    "Please say what to export, and optionally how many days back, for example:\n"
    "/export requests 30\n/export volunteers\n"
    "An export holds the neighbourhoods you organise; bootstrap organisers can add "
    "<code>all</code> for every neighbourhood."
)
# {kind} in the export captions.
EXPORT_KIND_NAMES = {
    "requests": N_("Requests"),
    "volunteers": N_("Volunteers"),
    "assets": N_("Assets"),
}
EXPORT_CAPTION = N_("{kind}: {rows}, {period}, from {scope}.")
EXPORT_CAPTION_ALL_TIME = N_("{kind}: {rows}, from {scope}.")
# {rows} and {period} in the export captions.
EXPORT_ROWS = NP_("{count} row", "{count} rows")
EXPORT_DAYS = NP_("last day", "last {count} days")
EXPORT_SCOPE_ALL = N_("every neighbourhood")
EXPORT_ALL_NOT_ALLOWED = N_(
    "Only the bot's bootstrap organisers can export every neighbourhood, so nothing was "
    "exported. Without <code>all</code> you get the neighbourhoods you organise."
)
EXPORT_NONE_OF_YOUR_OWN = N_(
    "You don't organise a neighbourhood yourself, so there is nothing of your own to export. "
    "To export every neighbourhood, add <code>all</code>: /export {kind} all"
)

# /audit
AUDIT_USAGE = N_("Please give the request's reference, for example:\n/audit R-7K3Q")
# {status} in ASSIGN_NOT_OPEN, REASSIGN_NOT_ASSIGNED and AUDIT_HEAD.
REQUEST_STATUS_WORDS = {
    "open": N_("open"),
    "assigned": N_("assigned"),
    "done": N_("done"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
}
AUDIT_HEAD = N_("🧾 <b>History of {ref}</b> ({status}):\n")
AUDIT_LINE = N_("• {at} – {action} by {actor}{change}")
AUDIT_CHANGE = N_(": {before} → {after}")
AUDIT_BOT = N_("the bot")
AUDIT_ACTIONS = {
    "request.created": N_("created"),
    "request.alerted": N_("volunteers alerted"),
    "request.accepted": N_("accepted"),
    "request.assigned": N_("assigned by an organiser"),
    "request.reassigned": N_("moved to another volunteer"),
    "request.declined": N_("declined by a volunteer"),
    "request.released": N_("handed back"),
    "request.done": N_("marked done"),
    "request.amount_recorded": N_("amount recorded"),
    "request.closed": N_("closed with thanks"),
    "request.reopened": N_("reopened"),
    "request.cancelled": N_("cancelled"),
    "request.escalated": N_("escalated to organisers"),
}

translate_module(__name__)
