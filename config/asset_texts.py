"""User-facing texts for the asset register and directory."""

from __future__ import annotations

from config.i18n import N_, NP_, translate_module

# Menu entries: (command, description), merged into the scoped menus by config.commands.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("offer", N_("Add something to the community directory")),
    ("directory", N_("Search the community directory")),
    ("myassets", N_("Edit or withdraw what you added")),
)
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("gaps", N_("Where needs go unmet (e.g. /gaps 30)")),
    ("import", N_("Import assets from a CSV (/import assets)")),
)
# Lines appended to /help ("/command – what it does\n"), for everyone and for organisers.
HELP_PRIVATE = N_(
    "/offer – add a skill, group, place or service to the community directory\n"
    "/directory [words] – search the directory, or browse it by kind\n"
    "/myassets – edit or withdraw what you added\n"
)
HELP_ORGANISER = N_(
    "/gaps [days] – requests made, met and unmet per category, and what is offered\n"
    "/import assets – add or update assets from a CSV file\n"
    "/export assets – the asset register as a CSV file\n"
)

KIND_LABELS: dict[str, str] = {
    "individual": N_("🙋 Skills, knowledge, time"),
    "associational": N_("🤝 Clubs and groups"),
    "organisational": N_("🏢 Charities, services, shops"),
    "physical": N_("🏠 Places, spaces, equipment"),
    "economic": N_("💷 Funds and local businesses"),
    "cultural": N_("🎭 Languages, traditions, arts"),
}
VISIBILITY_LABELS: dict[str, str] = {
    "organisers": N_("🔒 Organisers only"),
    "members": N_("🏘 Neighbourhood members"),
    "public": N_("🌍 Anyone who asks the bot"),
}
# Who sees an entry, in messages about it ("shown to {audience}").
AUDIENCE: dict[str, str] = {
    "organisers": N_("the organisers of {neighbourhood} only"),
    "members": N_("members of {neighbourhood}"),
    "public": N_("anyone who asks the bot"),
}
STATUS_LABELS: dict[str, str] = {
    "proposed": N_("waiting for an organiser"),
    "published": N_("in the directory"),
    "withdrawn": N_("withdrawn"),
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
OFFER_NOT_MEMBER = N_(
    "Join a neighbourhood first (send /start), then you can add to its directory."
)
OFFER_NEIGHBOURHOOD = N_("Which neighbourhood's directory is this for?")
OFFER_KIND = N_("What kind of thing can you or your group offer?")
OFFER_TITLE = N_(
    "What is it called? A short title, e.g. <i>Guitar lessons</i>, <i>St Mary's food bank</i> "
    "or <i>Community hall</i> (up to {limit} characters)."
)
OFFER_DESCRIPTION = N_("Describe it in a sentence or two (up to {limit} characters).")
OFFER_TAGS = N_(
    "Add a few tags, separated by commas, so people find it (e.g. <i>food, delivery, "
    "halal</i>), or press Skip."
)
OFFER_AVAILABILITY = N_(
    "When is it available, in words (e.g. <i>weekday mornings</i>)? Or press Skip."
)
OFFER_VISIBILITY = N_("Who may see it in the directory?")
OFFER_CONTACT = N_(
    "Who should people contact, and how? Send the name, then a comma, then a phone number, "
    "e-mail or website (e.g. <i>Jo Bloggs, 07700 900123</i>)."
)
OFFER_SUMMARY = N_("Please check:\n\n{asset}\n\nAdd it to the directory?")
OFFER_PUBLISHED = N_(
    "Thank you! <b>{title}</b> is now in the {neighbourhood} community directory, shown to "
    "{audience}."
)
OFFER_PROPOSED = N_(
    "Thank you! <b>{title}</b> goes into the {neighbourhood} community directory once an "
    "organiser has approved it, then shown to {audience}. I'll let you know."
)
OFFER_CANCELLED = N_("Cancelled: nothing was added.")
OFFER_EXPIRED = N_("That form has expired. Send /offer to start again.")
OFFER_USE_BUTTONS = N_("Please choose with the buttons above, or send /cancel.")
TOO_LONG = N_("That's too long: please keep it to {limit} characters.")
TOO_SHORT = N_("That's too short: please send at least {minimum} characters.")
TOO_MANY_TAGS = N_("Please use at most {limit} tags of up to {length} characters each.")
BUTTON_SKIP = N_("Skip")
BUTTON_CONFIRM = N_("✅ Add it")
BUTTON_CANCEL = N_("✖️ Cancel")

# Approval
ORGANISER_NEW_ASSET = N_(
    "📚 New for the {neighbourhood} directory, proposed by {owner}:\n\n{asset}\n\n"
    "Approve it to show it to others."
)
BUTTON_APPROVE = N_("✅ Approve")
BUTTON_REJECT = N_("✖️ Reject")
OWNER_APPROVED = N_(
    "✅ <b>{title}</b> is now in the {neighbourhood} community directory, shown to {audience}."
)
OWNER_REJECTED = N_(
    "<b>{title}</b> was not added to the {neighbourhood} directory. An organiser can tell you why."
)
APPROVED = N_("Approved: <b>{title}</b> is in the directory.")
REJECTED = N_("Rejected: <b>{title}</b> stays out of the directory.")
ALREADY_DECIDED = N_("Someone already dealt with that one: it is {status}.")

# Directory
DIRECTORY_BROWSE = N_(
    "📚 <b>Community directory</b>\nChoose a kind, or search with /directory <i>words</i>."
)
DIRECTORY_EMPTY = N_(
    "Nothing in the community directory is shown to you yet. Whoever adds an entry chooses "
    "who sees it: members of the neighbourhood, anyone, or its organisers only (as with the "
    "languages and skills volunteers offer). Add something with /offer."
)
DIRECTORY_NO_MATCH = N_(
    "Nothing in the directory matches <i>{words}</i>. Try fewer or other words."
)
DIRECTORY_NO_KIND = N_("Nothing of that kind yet.")
DIRECTORY_PAGE = N_("📚 <b>{heading}</b> (page {page})\n\n{items}")
DIRECTORY_SEARCH_HEADING = N_("Results for “{words}”")
BUTTON_NEXT = N_("Next ▶")
BUTTON_PREVIOUS = N_("◀ Previous")
BUTTON_KINDS = N_("📚 Kinds")
ITEM = N_("{number}. {kind} · <b>{title}</b>{verified}\n{description}{availability}{reach}")
VERIFIED_MARK = N_(" ✔️")
SPEAKS = N_("Speaks {language}")  # a volunteer's language, as a directory entry
ITEM_AVAILABILITY = N_("\n🕒 {availability}")
REACH_CONTACT = N_("\n📞 {contact}")
REACH_PERSON = N_('\n💬 <a href="tg://user?id={telegram_id}">{name}</a>')
REACH_VIA_ORGANISER = N_("\n💬 Ask an organiser of {neighbourhood} to put you in touch.")
ITEM_NOTE = N_("\n<i>{note}</i>")

# /myassets and managing
MY_ASSETS_NONE = N_(
    "You haven't added anything to the directory yet. Send /offer to add something."
)
MY_ASSETS = N_("📚 <b>What you added to the community directory</b>\n\n{items}")
MY_ASSET_LINE = N_("{number}. <b>{title}</b> – {status}, shown to {audience}{note}")
FROM_OFFER_NOTE = N_(" · from your volunteer offer, change it with /volunteer")
BUTTON_EDIT = N_("✏️ {number}")
BUTTON_WITHDRAW = N_("🗑 {number}")
BUTTON_VERIFY = N_("✔️ {number}")
EDIT_CHOOSE = N_("What would you like to change in <b>{title}</b>?")
EDIT_ASK = N_("Send the new {field}.")
EDIT_SAVED = N_("Saved: <b>{title}</b> is updated.")
EDIT_CANCELLED = N_("Nothing was changed.")
EDIT_FIELD_LABELS: dict[str, str] = {
    "title": N_("Title"),
    "description": N_("Description"),
    "tags": N_("Tags"),
    "availability": N_("Availability"),
    "contact": N_("Contact"),
}
WITHDRAWN = N_("Withdrawn: <b>{title}</b> is no longer in the directory.")
REMOVED = N_("Removed: <b>{title}</b> is no longer in the directory.")
VERIFIED = N_("Verified: <b>{title}</b> now shows ✔️.")
NOT_ALLOWED = N_("Only the owner or the neighbourhood's organisers can change that.")
NO_LONGER_AVAILABLE = N_("That directory entry no longer exists or was withdrawn.")
OFFER_ASSET_READ_ONLY = N_("That comes from a volunteer offer: change it with /volunteer.")

# Related assets on a new request
RELATED_ASSETS = N_(
    "While volunteers are being asked about {ref}, these local resources may help too:\n\n{items}"
)
RELATED_LINE = N_("• {kind} <b>{title}</b>{contact}")
ALERT_RELATED = N_("\n\n📚 Local resources that may help:\n{items}")

# /gaps
GAPS_NOT_ORGANISER = N_("/gaps is for organisers.")
GAPS_BAD_DAYS = N_("Please give a number of days from 1 to {limit}, e.g. /gaps 30.")
GAPS_HEADING = NP_(
    "📊 <b>Gaps in {neighbourhood}</b>, last day",
    "📊 <b>Gaps in {neighbourhood}</b>, last {count} days",
)
GAPS_ROW = N_("<b>{category}</b>: {asked} · {offered}")
# {asked} in GAPS_ROW: how the category's requests went, or that none was made.
GAPS_ASKED = N_("{made} asked, {met} met, {unmet} unmet, {late} late")
GAPS_NONE_ASKED = N_("nothing asked")
GAPS_QUIET = N_("Nothing asked and nothing offered: {categories}.")
GAPS_NO_REQUESTS = N_("No requests in this period.")
GAPS_OUTRUN = N_("Needs outrun what is offered for {list}.")
GAPS_LIST_AND = N_(" and ")  # between the last two items of {list}
GAPS_OUTRUN_ITEM = N_("{category} ({short} of {made} unmet or late; {offered})")
GAPS_NOBODY_OFFERS = N_("nobody offers it")
GAPS_OFFERED = N_("{volunteers}, {assets}")
# {volunteers} and {assets} in GAPS_OFFERED.
GAPS_VOLUNTEERS = NP_("{count} volunteer", "{count} volunteers")
GAPS_ASSETS = NP_("{count} asset", "{count} assets")
GAPS_KEEPING_UP = N_("What is offered kept up with every need in this period.")

# Import and export
IO_NOT_ORGANISER = N_("Importing and exporting the register is for organisers.")
IO_USAGE_IMPORT = N_("Send /import assets, then the CSV file.")
IO_PRIVATE_ONLY = N_("I only send exports in a private chat: message me directly.")
IMPORT_ASK = N_(
    "Send the CSV file now (a document). The first row must name the columns: {columns}. "
    "<b>title</b> and <b>kind</b> are required; rows with an <b>id</b> update that asset. "
    "Send /cancel to stop."
)
IMPORT_NOT_A_FILE = N_("Please send the CSV as a document (📎), or /cancel.")
IMPORT_TOO_BIG = N_("That file is too big: the limit is {limit} KB.")
IMPORT_MALFORMED = N_("I couldn't read that file, so nothing was imported: {reason}")
IMPORT_DONE = N_("Imported: {added} added, {updated} updated, {unchanged} unchanged.")
IMPORT_ERRORS = NP_("\n{count} row was skipped:\n{lines}", "\n{count} rows were skipped:\n{lines}")
IMPORT_ERROR_LINE = N_("• line {line}: {error}")
IMPORT_CANCELLED = N_("Import cancelled: nothing was changed.")
EXPORT_CAPTION = NP_("The asset register: {count} asset.", "The asset register: {count} assets.")
EXPORT_NOTHING = N_("There are no assets in your neighbourhoods to export yet.")
STALE_SEARCH = N_("That list is out of date. Send /directory to search again.")
IMPORT_IGNORED = N_("Columns I don't know were ignored: {columns}.")
IMPORT_MORE_ERRORS = N_("• …and {count} more")

translate_module(__name__)
