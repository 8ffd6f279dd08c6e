"""User-facing texts for the asset register and directory."""

from __future__ import annotations

# Menu entries: (command, description), merged into the scoped menus by config.commands.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("offer", "Add something to the community directory"),
    ("directory", "Search the community directory"),
    ("myassets", "Edit or withdraw what you added"),
)
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("gaps", "Where needs go unmet (e.g. /gaps 30)"),
    ("import", "Import assets from a CSV (/import assets)"),
)
# Lines appended to /help ("/command – what it does\n"), for everyone and for organisers.
HELP_PRIVATE = (
    "/offer – add a skill, group, place or service to the community directory\n"
    "/directory [words] – search the directory, or browse it by kind\n"
    "/myassets – edit or withdraw what you added\n"
)
HELP_ORGANISER = (
    "/gaps [days] – requests made, met and unmet per category, and what is offered\n"
    "/import assets – add or update assets from a CSV file\n"
    "/export assets – the asset register as a CSV file\n"
)

KIND_LABELS: dict[str, str] = {
    "individual": "🙋 Skills, knowledge, time",
    "associational": "🤝 Clubs and groups",
    "organisational": "🏢 Charities, services, shops",
    "physical": "🏠 Places, spaces, equipment",
    "economic": "💷 Funds and local businesses",
    "cultural": "🎭 Languages, traditions, arts",
}
VISIBILITY_LABELS: dict[str, str] = {
    "organisers": "🔒 Organisers only",
    "members": "🏘 Neighbourhood members",
    "public": "🌍 Anyone who asks the bot",
}
STATUS_LABELS: dict[str, str] = {
    "proposed": "waiting for an organiser",
    "published": "in the directory",
    "withdrawn": "withdrawn",
}
# Words that find assets related to a request category (directory search, any word).
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "shopping": ("shopping", "food", "groceries", "foodbank", "pantry", "shop", "supermarket"),
    "prescription": ("prescription", "pharmacy", "chemist", "medicine", "medication"),
    "checkin_call": ("befriending", "phone", "call", "loneliness", "listening", "friendship"),
    "checkin_visit": ("befriending", "visit", "visiting", "loneliness", "friendship"),
    "dog_walking": ("dog", "pet", "walking", "animal"),
    "lift": ("lift", "transport", "car", "driving", "minibus", "taxi", "wheelchair"),
    "other": (),
}

# /offer
OFFER_NOT_MEMBER = "Join a neighbourhood first (send /start), then you can add to its directory."
OFFER_NEIGHBOURHOOD = "Which neighbourhood's directory is this for?"
OFFER_KIND = "What kind of thing can you or your group offer?"
OFFER_TITLE = (
    "What is it called? A short title, e.g. <i>Guitar lessons</i>, <i>St Mary's food bank</i> "
    "or <i>Community hall</i> (up to {limit} characters)."
)
OFFER_DESCRIPTION = "Describe it in a sentence or two (up to {limit} characters)."
OFFER_TAGS = (
    "Add a few tags, separated by commas, so people find it (e.g. <i>food, delivery, "
    "halal</i>), or press Skip."
)
OFFER_AVAILABILITY = "When is it available, in words (e.g. <i>weekday mornings</i>)? Or press Skip."
OFFER_VISIBILITY = "Who may see it in the directory?"
OFFER_CONTACT = (
    "Who should people contact, and how? Send the name, then a comma, then a phone number, "
    "e-mail or website (e.g. <i>Jo Bloggs, 07700 900123</i>)."
)
OFFER_SUMMARY = "Please check:\n\n{asset}\n\nAdd it to the directory?"
OFFER_PUBLISHED = "Thank you! <b>{title}</b> is now in the {neighbourhood} directory."
OFFER_PROPOSED = (
    "Thank you! <b>{title}</b> goes into the {neighbourhood} directory once an organiser "
    "has approved it. I'll let you know."
)
OFFER_CANCELLED = "Cancelled: nothing was added."
OFFER_EXPIRED = "That form has expired. Send /offer to start again."
OFFER_USE_BUTTONS = "Please choose with the buttons above, or send /cancel."
TOO_LONG = "That's too long: please keep it to {limit} characters."
TOO_SHORT = "That's too short: please send at least {minimum} characters."
TOO_MANY_TAGS = "Please use at most {limit} tags of up to {length} characters each."
BUTTON_SKIP = "Skip"
BUTTON_CONFIRM = "✅ Add it"
BUTTON_CANCEL = "✖️ Cancel"

# Approval
ORGANISER_NEW_ASSET = (
    "📚 New for the {neighbourhood} directory, proposed by {owner}:\n\n{asset}\n\n"
    "Approve it to show it to others."
)
BUTTON_APPROVE = "✅ Approve"
BUTTON_REJECT = "✖️ Reject"
OWNER_APPROVED = "✅ <b>{title}</b> is now in the {neighbourhood} directory."
OWNER_REJECTED = (
    "<b>{title}</b> was not added to the {neighbourhood} directory. An organiser can tell you why."
)
APPROVED = "Approved: <b>{title}</b> is in the directory."
REJECTED = "Rejected: <b>{title}</b> stays out of the directory."
ALREADY_DECIDED = "Someone already dealt with that one: it is {status}."

# Directory
DIRECTORY_BROWSE = (
    "📚 <b>Community directory</b>\nChoose a kind, or search with /directory <i>words</i>."
)
DIRECTORY_EMPTY = "The directory has nothing you can see yet. Add something with /offer."
DIRECTORY_NO_MATCH = "Nothing in the directory matches <i>{words}</i>. Try fewer or other words."
DIRECTORY_NO_KIND = "Nothing of that kind yet."
DIRECTORY_PAGE = "📚 <b>{heading}</b> (page {page})\n\n{items}"
DIRECTORY_SEARCH_HEADING = "Results for “{words}”"
BUTTON_NEXT = "Next ▶"
BUTTON_PREVIOUS = "◀ Previous"
BUTTON_KINDS = "📚 Kinds"
ITEM = "{number}. {kind} · <b>{title}</b>{verified}\n{description}{availability}{reach}"
VERIFIED_MARK = " ✔️"
ITEM_AVAILABILITY = "\n🕒 {availability}"
REACH_CONTACT = "\n📞 {contact}"
REACH_PERSON = '\n💬 <a href="tg://user?id={telegram_id}">{name}</a>'
REACH_VIA_ORGANISER = "\n💬 Ask an organiser of {neighbourhood} to put you in touch."
ITEM_NOTE = "\n<i>{note}</i>"

# /myassets and managing
MY_ASSETS_NONE = "You haven't added anything to the directory yet. Send /offer to add something."
MY_ASSETS = "📚 <b>Your assets</b>\n\n{items}"
MY_ASSET_LINE = "{number}. <b>{title}</b> ({neighbourhood}) – {status}{note}"
FROM_OFFER_NOTE = " · from your volunteer offer, change it with /volunteer"
BUTTON_EDIT = "✏️ {number}"
BUTTON_WITHDRAW = "🗑 {number}"
BUTTON_VERIFY = "✔️ {number}"
EDIT_CHOOSE = "What would you like to change in <b>{title}</b>?"
EDIT_ASK = "Send the new {field}."
EDIT_SAVED = "Saved: <b>{title}</b> is updated."
EDIT_CANCELLED = "Nothing was changed."
EDIT_FIELD_LABELS: dict[str, str] = {
    "title": "Title",
    "description": "Description",
    "tags": "Tags",
    "availability": "Availability",
    "contact": "Contact",
}
WITHDRAWN = "Withdrawn: <b>{title}</b> is no longer in the directory."
REMOVED = "Removed: <b>{title}</b> is no longer in the directory."
VERIFIED = "Verified: <b>{title}</b> now shows ✔️."
NOT_ALLOWED = "Only the owner or the neighbourhood's organisers can change that."
NO_LONGER_AVAILABLE = "That asset no longer exists or was withdrawn."
OFFER_ASSET_READ_ONLY = "That comes from a volunteer offer: change it with /volunteer."

# Related assets on a new request
RELATED_ASSETS = (
    "While volunteers are being asked about {ref}, these local resources may help too:\n\n{items}"
)
RELATED_LINE = "• {kind} <b>{title}</b>{contact}"
ALERT_RELATED = "\n\n📚 Local resources that may help:\n{items}"

# /gaps
GAPS_NOT_ORGANISER = "/gaps is for organisers."
GAPS_BAD_DAYS = "Please give a number of days from 1 to {limit}, e.g. /gaps 30."
GAPS_HEADING = "📊 <b>Gaps in {neighbourhood}</b>, last {days} days"
GAPS_ROW = (
    "<b>{category}</b>: {made} asked, {met} met, {unmet} unmet, {late} late · "
    "{volunteers} volunteers, {assets} assets"
)
GAPS_NO_REQUESTS = "No requests in this period."
GAPS_OUTRUN = "Needs outrun what is offered for {list}."
GAPS_OUTRUN_ITEM = "{category} ({short} of {made} unmet or late; {offered})"
GAPS_NOBODY_OFFERS = "nobody offers it"
GAPS_OFFERED = "{volunteers} volunteers, {assets} assets"
GAPS_KEEPING_UP = "What is offered kept up with every need in this period."

# Import and export
IO_NOT_ORGANISER = "Importing and exporting the register is for organisers."
IO_USAGE_IMPORT = "Send /import assets, then the CSV file."
IO_PRIVATE_ONLY = "I only send exports in a private chat: message me directly."
IMPORT_ASK = (
    "Send the CSV file now (a document). The first row must name the columns: {columns}. "
    "<b>title</b> and <b>kind</b> are required; rows with an <b>id</b> update that asset. "
    "Send /cancel to stop."
)
IMPORT_NOT_A_FILE = "Please send the CSV as a document (📎), or /cancel."
IMPORT_TOO_BIG = "That file is too big: the limit is {limit} KB."
IMPORT_MALFORMED = "I couldn't read that file, so nothing was imported: {reason}"
IMPORT_DONE = "Imported: {added} added, {updated} updated, {unchanged} unchanged."
IMPORT_ERRORS = "\n{count} rows were skipped:\n{lines}"
IMPORT_ERROR_LINE = "• line {line}: {error}"
IMPORT_CANCELLED = "Import cancelled: nothing was changed."
EXPORT_CAPTION = "The asset register: {count} assets."
EXPORT_NOTHING = "There are no assets in your neighbourhoods to export yet."
STALE_SEARCH = "That list is out of date. Send /directory to search again."
IMPORT_IGNORED = "Columns I don't know were ignored: {columns}."
IMPORT_MORE_ERRORS = "• …and {count} more"
