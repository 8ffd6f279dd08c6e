"""User-facing texts of messages passed between a task's resident and volunteer (HTML)."""

from __future__ import annotations

from config.i18n import N_, translate_module

# Buttons on the task's details, the resident's "who is coming", and every relayed message.
BUTTON_MESSAGE = N_("💬 Message {name}")
BUTTON_MESSAGE_ORGANISER = N_("💬 Message {name} (organiser)")
BUTTON_REPLY = N_("↩️ Reply")
BUTTON_WRITE_AGAIN = N_("💬 Write again")
BUTTON_ASK_ORGANISER = N_("🆘 Ask an organiser to help")
BUTTON_YES_ASK = N_("✅ Yes, share them")
BUTTON_NO = N_("No")

COMPOSE = N_(
    "✍️ Type your message to <b>{name}</b> about {request}, or send a photo or a voice note. "
    "They'll see your first name, never your username or number. /cancel to stop."
)
SENT = N_("✅ Sent to {name}.")
NOT_SENT = N_("Okay, nothing was sent.")
TYPE_OR_MEDIA = N_("Please type a message, or send a photo or a voice note (or /cancel).")
TOO_LONG = N_("That's {length} characters; please keep a message to {limit}.")

# What the other side receives.
RELAYED = N_("💬 <b>{name}</b> about {request}:\n\n{text}")
RELAYED_MEDIA = N_("💬 {item} from <b>{name}</b> about {request}")

# Presses that can no longer pass anything on.
FINISHED = N_("That task is finished, so messages are no longer passed on. Thank you!")
NOBODY = N_("No volunteer is on this task right now, so there is nobody to pass a message to.")
NOT_A_PARTICIPANT = N_("Only the resident and the volunteer of this task can message each other.")

# Ask an organiser to help: the last few messages go to the organisers, after a confirmation.
ASK_ORGANISER_CONFIRM = N_(
    "This shares your last messages with {name} about {request} with your neighbourhood's "
    "organisers, so that one of them can help. {name} will be told. Share them?"
)
ASKED_ORGANISER = N_(
    "We've shared your last messages with the organisers; one of them will be in touch."
)
PEER_TOLD = N_(
    "ℹ️ {name} asked an organiser to help with {request} and shared your last messages with them."
)
ORGANISER_HELP = N_(
    "🆘 <b>{name}</b> asked for an organiser's help with {request} in {neighbourhood}, and "
    "shared their last messages with {peer}:\n\n{lines}"
)
TRANSCRIPT_LINE = N_("{time} <b>{name}</b>: {text}")
MEDIA_FROM = N_("{item} from {name}, {time}")

translate_module(__name__)
