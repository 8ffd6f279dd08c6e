"""User-facing texts for personal data (/mydata, /forgetme), the notice changing, and floods."""

from __future__ import annotations

from config.i18n import N_, NP_, translate_module

# Menu entries: (command, description), merged into the scoped menus by config.commands.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("mydata", N_("Get a copy of everything we store about you")),
    ("forgetme", N_("Erase your data from the bot")),
)
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = ()
# Lines appended to /help ("/command – what it does\n"), for everyone and for organisers.
HELP_PRIVATE = N_(
    "/mydata – a copy of everything we store about you\n/forgetme – erase your data from the bot"
)
HELP_ORGANISER = ""

MYDATA_CAPTION = N_(
    "📄 Everything this bot stores about you, as a JSON file. It includes your requests with "
    "the details you gave; for tasks you took on it shows only the reference, kind and dates, "
    "never the other person's details."
)
# The summary sent before the file, one line per kind of record the person has.
MYDATA_HEAD = N_("📄 <b>What this bot stores about you</b>")
MYDATA_YOU = N_("• Your name, {name}, and that I write to you {in_language}.")
MYDATA_CONSENTS = NP_(
    "• {count} consent to the privacy notice, given on {date}.",
    "• {count} consents to the privacy notice, the latest on {date}.",
)
MYDATA_REQUESTS = NP_(
    "• {count} request you made, on {date}.",
    "• {count} requests you made, the latest on {date}.",
)
MYDATA_TASKS = NP_(
    "• {count} task you took on, on {date}.",
    "• {count} tasks you took on, the latest on {date}.",
)
MYDATA_CHECKINS = NP_(
    "• {count} check-in set up for you, on {date}.",
    "• {count} check-ins set up for you, the latest on {date}.",
)
MYDATA_OFFERS = NP_(
    "• {count} offer in the community directory, last changed on {date}.",
    "• {count} offers in the community directory, the latest changed on {date}.",
)
MYDATA_NEIGHBOURHOODS = NP_(
    "• {count} neighbourhood you belong to, joined on {date}.",
    "• {count} neighbourhoods you belong to, the latest joined on {date}.",
)
MYDATA_HISTORY = NP_(
    "• {count} entry in the log of changes, on {date}.",
    "• {count} entries in the log of changes, the latest on {date}.",
)
MYDATA_RELAYED = NP_(
    "• {count} message passed on by the bot about a task, on {date}.",
    "• {count} messages passed on by the bot about tasks, the latest on {date}.",
)
MYDATA_FILE_FOLLOWS = N_("The file below holds all of it, with every detail.")
MYDATA_FILE_NAME = N_("my-data.json")
MYDATA_NOTHING = N_("We don't store anything about you.")

FORGET_CONFIRM = N_(
    "<b>Erase your data?</b>\n\n"
    "This removes your name, phone number, addresses, what you offer, your neighbourhoods "
    "and the details of your requests. It can't be undone.\n"
    "• Your open requests will be cancelled, and any volunteer on them told.\n"
    "• Tasks you've taken on and not finished will be offered to other volunteers.\n"
    "We keep only anonymous counts (for example, that a shopping request was made in a "
    "neighbourhood), with nothing that points to you."
)
BUTTON_FORGET_YES = N_("Yes, erase my data")
BUTTON_FORGET_NO = N_("No, keep it")
FORGOTTEN = N_(
    "Done: your data has been erased.{details}\nIf you ever want to use the bot again, send /start."
)
FORGOTTEN_CANCELLED = NP_("\n{count} open request cancelled.", "\n{count} open requests cancelled.")
FORGOTTEN_REOFFERED = NP_(
    "\n{count} task offered to other volunteers.", "\n{count} tasks offered to other volunteers."
)
FORGET_NOTHING = N_("We don't store anything about you, so there is nothing to erase.")
FORGET_KEPT = N_("Okay, nothing was erased.")
FORGET_EXPIRED = N_("That confirmation has expired. Send /forgetme again if you still want it.")

# The end of the full privacy notice (/privacy): what stays once someone is forgotten.
NOTICE_KEPT_AFTER_ERASURE = N_(
    "<b>What is kept after /forgetme.</b> For each day, three numbers: how many people asked "
    "to be forgotten, how many open requests that cancelled, and how many tasks it offered to "
    "other volunteers. Your past requests stay only as anonymous rows (the kind of help, the "
    "neighbourhood, the status and the dates), and the log of changes keeps what happened "
    "without saying who. Nothing of it names you: no name, Telegram id, phone number, address "
    "or message. Backups made before you asked still hold your data until they are deleted in "
    "turn (normally after a week). The bot's logs never hold your name, phone number, address "
    "or what you wrote."
)

NOTICE_CHANGED = N_(
    "📜 <b>Our privacy notice has changed</b> since you last agreed to it. "
    "Please read it again and tell us whether you agree.\n\n"
)
NOTICE_CHANGED_ALERT = N_(
    "Our privacy notice has changed. Please open a private chat with me and send /start."
)

FLOOD_MESSAGES = N_(
    "You're sending messages faster than I can keep up with. Please wait a minute, then "
    "carry on: nothing you already sent is lost."
)
FLOOD_PRESSES = N_("That's a lot of presses at once. Please wait a minute and try again.")
FLOOD_REQUESTS = N_(
    "You've asked for help {limit} times in the last hour, which is as many as one person can "
    "in an hour. Your requests are with the volunteers; see them with /myrequests. If it's "
    "urgent, please contact your neighbourhood's organisers, or call 999 in an emergency."
)

translate_module(__name__)
