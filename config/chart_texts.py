"""User-facing texts drawn on the organisers' charts (/stats and /gaps) and their captions."""

from __future__ import annotations

from config.i18n import N_, NP_, translate_module

# /stats: two panels over the last weeks.
STATS_TITLE = N_("Requests per week, by outcome")
STATS_SPEED_TITLE = N_("Time until a volunteer accepted (median)")
OUTCOME_LABELS: dict[str, str] = {
    "helped": N_("Helped"),
    "in_progress": N_("In progress"),
    "waiting": N_("Waiting"),
    "cancelled": N_("Cancelled"),
}
AXIS_REQUESTS = N_("Requests")
AXIS_MINUTES = N_("Minutes")
AXIS_HOURS = N_("Hours")
AXIS_WEEK_OF = N_("Week starting")
NONE_ACCEPTED = N_("–")  # a week with no accepted request
STATS_CAPTION = NP_(
    "📈 The last {weeks} weeks: {count} request, by outcome, and how long until a volunteer "
    "accepted.",
    "📈 The last {weeks} weeks: {count} requests, by outcome, and how long until a volunteer "
    "accepted.",
)

# /gaps: needs against offers, per category.
GAPS_TITLE = NP_("Needs and offers, last day", "Needs and offers, last {count} days")
GAPS_SERIES: dict[str, str] = {
    "made": N_("Requests made"),
    "short": N_("Unmet or late"),
    "volunteers": N_("Volunteers offering it"),
    "assets": N_("Assets in the directory"),
}
GAPS_CAPTION = N_("📊 {neighbourhood}: needs and offers per category.")
GAPS_MORE_CHARTS = NP_(
    "Charts are drawn for the first {count} neighbourhood only.",
    "Charts are drawn for the first {count} neighbourhoods only.",
)

translate_module(__name__)
