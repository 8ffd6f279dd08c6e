"""/mydata made readable: a short summary in words, and a JSON file whose keys explain themselves.

The file keeps everything storage.privacy.personal_data.export_person finds (a new feature's table
is still
covered, under "other_records"), each record once, with columns renamed where the database's
name would puzzle a reader and internal columns (search tokens) left out.
"""

from __future__ import annotations

import contextlib
import html
import json
from typing import Any
from zoneinfo import ZoneInfo

from config import i18n, language_texts, privacy_texts
from storage.timefmt import optional_from_db

SCHEMA_VERSION = 2
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Tables as the file names them; anything else goes under "other_records" by table name.
SECTIONS = {
    "memberships": "your_neighbourhoods",
    "volunteers": "your_volunteer_offer",
    "volunteer_categories": "kinds_of_help_you_offer",
    "volunteer_languages": "languages_you_speak",
    "volunteer_checks": "checks_organisers_recorded_for_you",
    "checkins": "your_check_ins",
    "assets": "your_entries_in_the_community_directory",
    "request_alerts": "alerts_you_were_sent",
    "audit_log": "log_of_changes",
    "broadcasts": "messages_you_broadcast_as_organiser",
    "invites": "invite_links_you_made",
    "relay_messages": "messages_passed_on_about_a_task",
}
# Column names that would puzzle a reader, as the file names them.
KEYS = {
    "id": "record_number",
    "display_name": "name",
    "phone_e164": "phone",
    "consent_at": "agreed_to_privacy_notice_at",
    "consent_version": "privacy_notice_version_agreed_to",
    "declined_at": "declined_privacy_notice_at",
    "unreachable": "has_blocked_the_bot",
    "person_id": "your_record_number",
    "owner_person_id": "your_record_number",
    "requester_person_id": "your_record_number",
    "assignee_person_id": "volunteer_record_number",
    "buddy_person_id": "check_in_volunteer_record_number",
    "neighbourhood_id": "neighbourhood_number",
    "telegram_only": "reach_by_telegram_only",
    "at_time": "time_of_day",
    "max_open_tasks": "most_tasks_at_once",
    "amount_spent_pence": "amount_spent_in_pence",
    "at": "when",
    "actor_telegram_id": "done_by_telegram_id",
    "subject": "about",
    "before": "value_before",
    "after": "value_after",
    "sender_person_id": "from_record_number",
    "recipient_person_id": "to_record_number",
    "request_id": "request_record_number",
}
# Derived search data (tokens; PostgreSQL's search vector), not information about anyone.
LEFT_OUT = frozenset({"search_scope", "search_doc"})


def readable_document(data: dict[str, Any], *, exported_at: str, notice_version: str) -> bytes:
    """The /mydata JSON file: versioned, each record once, keys that say what they hold."""
    linked: dict[str, list[dict[str, Any]]] = data["linked_records"]
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "about_this_file": "Everything this bot stores about you. Times are in UTC.",
        "exported_at": exported_at,
        "current_privacy_notice_version": notice_version,
        "you": _row(data["person"]),
        "requests_you_made": [_row(r) for r in data["requests_you_made"]],
        "tasks_you_took_on": [_row(r) for r in data["tasks_you_took"]],
        "messages_the_bot_sent_you": data["messages_to_you"],
    }
    for table, section in SECTIONS.items():
        if table in linked:
            document[section] = [_row(r) for r in linked[table]]
    others = {
        table: [_row(r) for r in rows] for table, rows in linked.items() if table not in SECTIONS
    }
    if others:
        document["other_records"] = others
    return json.dumps(document, indent=2, ensure_ascii=False, default=str).encode()


def _row(row: dict[str, Any]) -> dict[str, Any]:
    """A record with readable keys: check-in days as day names, JSON text as JSON."""
    shown: dict[str, Any] = {}
    for key, value in row.items():
        if key in LEFT_OUT:
            continue
        if key == "days" and isinstance(value, int):
            shown["days_of_week"] = [d for bit, d in enumerate(DAY_NAMES) if value & (1 << bit)]
            continue
        if key in ("before", "after") and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        shown[KEYS.get(key, key)] = value
    return shown


def summary(data: dict[str, Any], zone: ZoneInfo) -> str:
    """What is stored, in words: counts and dates, in the current language."""
    person = data["person"]
    linked: dict[str, list[dict[str, Any]]] = data["linked_records"]
    language = person.get("language") or i18n.SOURCE_LANGUAGE
    lines = [
        privacy_texts.MYDATA_HEAD,
        privacy_texts.MYDATA_YOU.format(
            name=html.escape(person.get("display_name") or "–"),
            in_language=language_texts.IN_LANGUAGE.get(
                language, language_texts.IN_LANGUAGE[i18n.SOURCE_LANGUAGE]
            ),
        ),
    ]
    agreed = optional_from_db(person.get("consent_at"))
    if agreed is not None:
        consents = sum(1 for r in linked.get("audit_log", []) if r["action"] == "consent.given")
        lines.append(
            privacy_texts.MYDATA_CONSENTS(
                max(consents, 1), date=i18n.day_with_year(agreed.astimezone(zone))
            )
        )
    counted = (
        (privacy_texts.MYDATA_REQUESTS, data["requests_you_made"], "created_at"),
        (privacy_texts.MYDATA_TASKS, data["tasks_you_took"], "accepted_at"),
        (privacy_texts.MYDATA_CHECKINS, linked.get("checkins", []), "created_at"),
        (privacy_texts.MYDATA_OFFERS, linked.get("assets", []), "updated_at"),
        (privacy_texts.MYDATA_NEIGHBOURHOODS, linked.get("memberships", []), "joined_at"),
        (privacy_texts.MYDATA_RELAYED, linked.get("relay_messages", []), "created_at"),
        (privacy_texts.MYDATA_HISTORY, linked.get("audit_log", []), "at"),
    )
    for text, rows, when in counted:
        dates = [moment for r in rows if (moment := optional_from_db(r.get(when))) is not None]
        if rows:
            latest = i18n.day_with_year(max(dates).astimezone(zone)) if dates else "–"
            lines.append(text(len(rows), date=latest))
    lines.append(privacy_texts.MYDATA_FILE_FOLLOWS)
    return "\n".join(lines)
