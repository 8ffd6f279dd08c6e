"""User-facing texts (HTML parse mode). Anything a person typed is escaped by the caller."""

from __future__ import annotations

from config.i18n import N_, translate_module

PRIVACY_NOTICE_VERSION = "2026-12-07"  # what is kept after erasure listed

PRIVACY_SHORT = N_(
    "👋 <b>Hello {name}!</b> This bot helps neighbours ask for and offer help.\n\n"
    "<b>Before we start, a word about your data.</b>\n"
    "• We store your Telegram name and id, the neighbourhood you join, and what you "
    "choose to tell us when you ask for or offer help.\n"
    "• Your address, phone number and any health details are shown only to the one volunteer "
    "who takes your request and to your neighbourhood's organisers, and only in private chats. "
    "Group chats see a short summary without them.\n"
    "• Send /mydata at any time for a copy of everything we hold about you, and /forgetme to "
    "erase it.\n\n"
    "Read the full notice with /privacy. Do you agree to us storing this?"
)

PRIVACY_FULL = N_(
    "<b>Privacy notice</b> (version {version})\n\n"
    "<b>Who we are.</b> A volunteer-run mutual-aid group. The organisers of your neighbourhood "
    "are responsible for the data in this bot.\n\n"
    "<b>What we store.</b> Your Telegram id and name; your language; the neighbourhoods you "
    "join; requests you make (what you need, when, your phone number and address if you give "
    "them); what you offer as a volunteer; and a log of changes so that nothing gets lost.\n\n"
    "<b>Who sees it.</b> Private details (address, phone, health notes such as prescriptions) "
    "are shown only to the volunteer who takes your request and to your neighbourhood's "
    "organisers, in private chats. Volunteers' group chats only ever see the kind of help, the "
    "neighbourhood, the time and a reference.\n\n"
    "<b>How long.</b> Once a request is finished or cancelled, a daily clean-up removes its "
    "personal details (what was needed, address, phone numbers, pharmacy, who it was for) "
    "after the retention period, normally 90 days. What stays is anonymous: the kind of help, "
    "the neighbourhood and the dates, for counts. Copies of messages the bot sent are "
    "cleared after the same period. If backups are kept, only the latest few are (normally a "
    "week's worth); older ones are deleted, so erased data disappears from them too. "
    "Your consent and this notice's version are recorded; when the notice changes, we ask you "
    "again.\n\n"
    "<b>Your rights.</b> Send /mydata for a file with everything we hold about you. Send "
    "/forgetme to erase it: after you confirm, your open requests are cancelled (any volunteer "
    "is told), tasks you took on are offered to other volunteers, and your name, phone, "
    "addresses, offers and memberships are deleted, keeping only anonymous counts."
)

CONSENT_YES = N_("✅ I agree")
CONSENT_NO = N_("No thanks")
CONSENT_DECLINED = N_(
    "That's fine: we have stored nothing about you except that you said no. "
    "If you change your mind, send /start at any time."
)
CONSENT_THANKS = N_("Thank you, {name}. Your answer is saved.")
CONSENT_NEEDED = N_(
    "Before we go on, please read the short privacy notice and say whether you agree: /start"
)

CHOOSE_NEIGHBOURHOOD = N_(
    "Which neighbourhood are you in?\n\n"
    "If an organiser sent you an invite link, open it and you'll join straight away. "
    "Or pick one of the neighbourhoods open to everyone:"
)
NO_OPEN_NEIGHBOURHOODS = N_(
    "Which neighbourhood are you in?\n\n"
    "None is open to join without an invite yet. Please ask your local organiser for an "
    "invite link and open it: you'll join straight away."
)

JOINED = N_("🏡 You're in: welcome to <b>{neighbourhood}</b>!")
ALREADY_MEMBER = N_("You're already part of <b>{neighbourhood}</b>.")
INVITE_MALFORMED = N_(
    "That invite link doesn't look right. Please check you copied all of it, or ask your "
    "organiser for a new one."
)
INVITE_UNKNOWN = N_("We couldn't find that invite. Please ask your organiser for a new link.")
INVITE_EXPIRED = N_(
    "That invite to <b>{neighbourhood}</b> has expired. Please ask your organiser for a new link."
)
INVITE_REVOKED = N_(
    "That invite to <b>{neighbourhood}</b> is no longer valid. "
    "Please ask your organiser for a new link."
)
NEIGHBOURHOOD_NOT_OPEN = N_(
    "That neighbourhood can only be joined with an invite now. Please ask its organiser for one."
)

MENU = N_("What would you like to do?")
MENU_REQUEST = N_("🙋 Ask for help")
MENU_VOLUNTEER = N_("🤝 Offer help")
MENU_MY_REQUESTS = N_("📋 My requests")
MENU_DIRECTORY = N_("📚 Community directory")
# The organiser's part of the main menu; each button does what its command does.
MENU_OPEN = N_("📋 Open requests")
MENU_PENDING = N_("🙋 Waiting for approval")
MENU_CHECKINS = N_("☎️ Check-ins needing attention")
MENU_WEEK = N_("📊 This week's numbers")
MENU_SETTINGS = N_("⚙️ Settings")
MENU_INVITE = N_("🔗 Invite link")
MENU_LINK_GROUP = N_("👥 Volunteers' group")
MENU_CREATE = N_("🏡 Create a neighbourhood")
MENU_INVITE_FIRST = N_("🔗 Make an invite link")
MENU_LINK_GROUP_FIRST = N_("👥 Link the volunteers' group")
ORGANISER_FIRST = N_(
    "👋 You're an organiser here. Let's set up your first neighbourhood: press the button "
    "and tell me its name. Then you can make an invite link and link your volunteers' group."
)
ASK_NEIGHBOURHOOD_NAME = N_(
    "What is the neighbourhood called? For example: <i>Elm Park</i> (up to {limit} "
    "characters). /cancel stops."
)
NEIGHBOURHOOD_NAME_TEXT = N_("Please type the neighbourhood's name, or /cancel.")
LINKGROUP_HOW = N_(
    "👥 <b>Linking the volunteers' group of {neighbourhood}</b>\n\n"
    "Press the button below and choose your volunteers' group: I'll join it and link it. "
    "Volunteers there see short summaries of requests, never anyone's private details.\n\n"
    "Already added me to the group? Send /linkgroup in the group instead."
)
BUTTON_CHOOSE_GROUP = N_("👥 Choose the group")
COMING_SOON = N_("That part of the bot is coming soon. Thank you for your patience!")

HELP_PRIVATE = N_(
    "<b>What I can do</b>\n"
    "/start – the main menu\n"
    "/request – ask for help\n"
    "/myrequests – your requests\n"
    "/volunteer – offer help, or change what you offer\n"
    "/tasks – tasks you've taken on\n"
    "/pause [days] and /resume – pause or restart volunteer alerts\n"
    "/help – this list\n"
    "/privacy – what we store and who sees it\n"
    "/cancel – stop what you're doing"
)
HELP_ORGANISER = N_(
    "\n\n<b>For organisers</b>\n"
    "/neighbourhood NAME – create a neighbourhood\n"
    "/invite – make an invite link\n"
    "/revoke CODE – cancel an invite link\n"
    "/selfjoin on|off – let people join from the list, or by invite only\n"
    "/linkgroup – run inside your volunteers' group to link it"
)
# /help for organisers: the menu's buttons first, then the commands in groups, one example each.
HELP_ORGANISER_INTRO = N_(
    "<b>For organisers</b>\nYour menu (/start) has buttons for what you do most: {buttons}.\n"
)
# (heading, one example) per group of organiser commands; config.commands names the commands.
HELP_ORGANISER_GROUPS: tuple[tuple[str, str], ...] = (
    (N_("Your neighbourhood"), N_("/selfjoin on – let anyone join from the list")),
    (
        N_("Volunteers"),
        N_("/checks – pick a volunteer, then record their ID, references or DBS check"),
    ),
    (N_("Requests"), N_("/assign R-7K3Q – give that request to a volunteer you choose")),
    (N_("Check-ins"), N_("/checkins – active check-ins and what needs you")),
    (N_("Numbers and files"), N_("/stats 7 – this week's numbers, with a chart")),
)
HELP_GROUP_LINE = N_("\n<b>{heading}</b>: {commands}\n  e.g. {example}")
HELP_EVERYONE_LINE = N_("\n\n<b>For everyone</b>: {commands}")
HELP_GROUP = N_(
    "I only answer organisers' commands here. To ask for or offer help, message me privately."
)

CANCELLED = N_("Okay, stopped. Nothing was changed.")
NOTHING_TO_CANCEL = N_("There's nothing to cancel. Send /start for the menu.")
UNKNOWN_COMMAND = N_("Sorry, I don't know that command. Here's what I can do:\n\n{help}")
STRAY_MESSAGE = N_(
    "I'm not sure what you mean. Send /start for the menu or /help for the commands."
)
STALE_BUTTON = N_("That button no longer works. Send /start for the menu.")

NOT_ORGANISER = N_("Sorry, only organisers can do that.")
NOT_ORGANISER_HERE = N_("Sorry, only organisers of that neighbourhood can do that.")
NEIGHBOURHOOD_USAGE = N_(
    "Please give the new neighbourhood a name, for example:\n/neighbourhood Elm Park"
)
NEIGHBOURHOOD_BAD_NAME = N_("A neighbourhood name needs 1 to {limit} characters.")
NEIGHBOURHOOD_CREATED = N_(
    "🏡 <b>{neighbourhood}</b> is ready, and you're its organiser.\n\n"
    "It is closed to self-joining: people join with an invite link you send them. To let "
    "anyone join from the list instead, send /selfjoin on.\n\n"
    "Next: make an invite link, and link your volunteers' group."
)
NEIGHBOURHOOD_TAKEN = N_("There is already a neighbourhood called <b>{neighbourhood}</b>.")
NO_NEIGHBOURHOODS_ORGANISED = N_(
    "You don't organise a neighbourhood yet. Create one with /neighbourhood NAME."
)
CHOOSE_NEIGHBOURHOOD_FOR = N_("Which neighbourhood is this for?")
INVITE_CREATED = N_(
    "Here is an invite link for <b>{neighbourhood}</b>:\n{link}\n\n"
    "It works until {expires}. To cancel it early: /revoke {code}"
)
REVOKE_USAGE = N_("Please give the invite code, for example:\n/revoke AbCdEfGhIjKlMnOp")
REVOKED = N_("That invite link no longer works.")
REVOKE_NOT_FOUND = N_("There's no active invite with that code.")
SELFJOIN_USAGE = N_("Use /selfjoin on or /selfjoin off.")
SELFJOIN_ON = N_("Anyone can now join <b>{neighbourhood}</b> from the list.")
SELFJOIN_OFF = N_("<b>{neighbourhood}</b> can now be joined only with an invite link.")
LINKGROUP_PRIVATE = N_("Run /linkgroup inside your volunteers' group, not here.")
LINKGROUP_DONE = N_(
    "✅ This group is now the volunteers' chat for <b>{neighbourhood}</b>. "
    "I'll post short summaries of requests here, never anyone's private details."
)

ERROR_FOR_PERSON = N_(
    "Sorry, something went wrong on our side. Nothing you entered has been lost. "
    "Please try again in a moment."
)

# Command menus: (command, description) in the order Telegram shows them.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Main menu")),
    ("request", N_("Ask for help")),
    ("volunteer", N_("Offer help, or change what you offer")),
    ("myrequests", N_("Your requests")),
    ("tasks", N_("Tasks you've taken on")),
    ("pause", N_("Pause volunteer alerts (optionally for some days)")),
    ("resume", N_("Restart volunteer alerts")),
    ("help", N_("What I can do")),
    ("privacy", N_("What we store and who sees it")),
    ("cancel", N_("Stop what you're doing")),
)
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("neighbourhood", N_("Create a neighbourhood")),
    ("invite", N_("Make an invite link")),
    ("revoke", N_("Cancel an invite link")),
    ("selfjoin", N_("Open or close joining from the list")),
)
GROUP_ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("linkgroup", N_("Link this group as the volunteers' chat")),
)

translate_module(__name__)
