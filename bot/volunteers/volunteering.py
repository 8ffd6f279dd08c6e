"""Volunteering: saving an offer, approval per neighbourhood, pausing and resuming alerts."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import languages
from bot.callback_data import pack
from bot.clock import Clock
from bot.delivery import notify
from bot.model.volunteers import VolunteerProfile
from bot.organising.community import Community
from bot.requests.alerting import Alerting, category_text
from config import request_texts
from storage import audit, people
from storage.database import Database, Tx
from storage.organising import neighbourhoods
from storage.volunteers import offers as volunteers

CATEGORIES: tuple[str, ...] = tuple(request_texts.CATEGORY_LABELS)
ANY_TIME = 7
MAX_TASKS_CHOICES = (1, 2, 3, 5)
OFFER_LANGUAGE_PREFIX = "Speaks "  # directory entries made from the languages in an offer
MAX_SKILLS = 10
MAX_LANGUAGES = 10
SKILL_MAX_LENGTH = 60

# Common community languages, so "Welsh" and "cy" match a resident's Telegram language code.
LANGUAGE_CODES: dict[str, str] = {
    "english": "en",
    "welsh": "cy",
    "cymraeg": "cy",
    "polish": "pl",
    "urdu": "ur",
    "punjabi": "pa",
    "bengali": "bn",
    "gujarati": "gu",
    "arabic": "ar",
    "somali": "so",
    "romanian": "ro",
    "spanish": "es",
    "french": "fr",
    "portuguese": "pt",
    "italian": "it",
    "german": "de",
    "turkish": "tr",
    "chinese": "zh",
    "cantonese": "zh",
    "mandarin": "zh",
    "hindi": "hi",
    "tamil": "ta",
    "farsi": "fa",
    "persian": "fa",
    "kurdish": "ku",
    "ukrainian": "uk",
    "russian": "ru",
    "lithuanian": "lt",
    "bulgarian": "bg",
    "greek": "el",
    "gaelic": "gd",
    "irish": "ga",
    "bsl": "bsl",
    "british sign language": "bsl",
}


@dataclass(frozen=True)
class Offer:
    """What a volunteer offers, as chosen in the /volunteer conversation."""

    categories: frozenset[str]
    availability: int
    max_open_tasks: int = 2
    languages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    share_phone: bool = False
    phone_e164: str | None = None


def language_code(text: str) -> str:
    """A language's code from its English name or code ('Welsh' -> 'cy'); else the text."""
    clean = " ".join(text.strip().lower().split())
    return LANGUAGE_CODES.get(clean, clean)


class Volunteering:
    """The volunteering service."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        community: Community,
        alerting: Alerting,
    ) -> None:
        self._db = db
        self._clock = clock
        self._community = community
        self._alerting = alerting

    async def profile(self, telegram_id: int) -> VolunteerProfile | None:
        """The person's current offer, if any."""
        async with self._db.read() as conn:
            person = await people.by_telegram_id(conn, telegram_id)
            return await volunteers.profile(conn, person.id) if person else None

    async def statuses(self, telegram_id: int) -> dict[str, str]:
        """Neighbourhood name -> volunteer status (pending, approved, suspended)."""
        async with self._db.read() as conn:
            person = await people.by_telegram_id(conn, telegram_id)
            if person is None:
                return {}
            result = {}
            for neighbourhood, _ in await neighbourhoods.memberships_of(conn, person.id):
                status = (await volunteers.statuses(conn, person.id)).get(neighbourhood.id)
                if status:
                    result[neighbourhood.name] = status
            return result

    async def save_offer(self, telegram_id: int, offer: Offer) -> dict[str, str]:
        """Save the offer in every neighbourhood the person belongs to; returns their statuses.

        A new volunteer is pending where the neighbourhood needs approval (its organisers are
        asked), approved where it does not; approved or suspended volunteers keep their status.
        """
        if not offer.categories or not offer.categories <= set(CATEGORIES):
            raise ValueError("an offer needs at least one known category")
        async with self._db.transaction() as tx:
            person = await people.by_telegram_id(tx, telegram_id)
            if person is None or not person.has_consented:
                raise PermissionError("the person has not agreed to the privacy notice")
            languages = tuple(dict.fromkeys(language_code(x) for x in offer.languages))
            await volunteers.save_offer(
                tx,
                person_id=person.id,
                categories=offer.categories,
                availability=offer.availability or ANY_TIME,
                max_open_tasks=offer.max_open_tasks,
                languages=languages[:MAX_LANGUAGES],
                share_phone=offer.share_phone,
                now=tx.now,
            )
            if offer.phone_e164:
                await people.set_phone(tx, person.id, offer.phone_e164, tx.now)
            memberships = await neighbourhoods.memberships_of(tx, person.id)
            current = await volunteers.statuses(tx, person.id)
            result: dict[str, str] = {}
            for neighbourhood, _ in memberships:
                status = current.get(neighbourhood.id)
                if status is None:
                    settings = await neighbourhoods.settings_of(tx, neighbourhood.id)
                    status = "pending" if settings.volunteers_need_approval else "approved"
                    await volunteers.set_status(tx, person.id, neighbourhood.id, status)
                    if status == "pending":
                        await self._ask_organisers(tx, person.id, neighbourhood.id, offer)
                result[neighbourhood.name] = status
            entries = [("individual", category_text(c), "offer") for c in sorted(offer.categories)]
            entries += [("individual", s[:SKILL_MAX_LENGTH], "skill") for s in offer.skills]
            # Stored as typed; shown as the language's name in the reader's language.
            entries += [
                ("cultural", f"{OFFER_LANGUAGE_PREFIX}{x}", "language") for x in offer.languages
            ]
            await volunteers.sync_offer_assets(
                tx,
                person_id=person.id,
                neighbourhood_ids=[n.id for n, _ in memberships],
                entries=entries[: len(offer.categories) + MAX_SKILLS + MAX_LANGUAGES],
                now=tx.now,
            )
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="volunteer.offer_saved",
                subject=f"person:{person.id}",
                now=tx.now,
                after={"categories": sorted(offer.categories), "statuses": result},
            )
        return result

    async def approve(
        self, organiser_telegram_id: int, person_id: int, neighbourhood_id: int
    ) -> str | None:
        """Approve a pending volunteer (its organisers only); returns their name or None."""
        async with self._db.transaction() as tx:
            if not await self._community.organises(tx, organiser_telegram_id, neighbourhood_id):
                raise PermissionError("only the neighbourhood's organisers can approve")
            statuses = await volunteers.statuses(tx, person_id)
            if statuses.get(neighbourhood_id) != "pending":
                return None
            await volunteers.set_status(tx, person_id, neighbourhood_id, "approved")
            volunteer = await people.by_id(tx, person_id)
            neighbourhood = await neighbourhoods.by_id(tx, neighbourhood_id)
            assert volunteer is not None and neighbourhood is not None
            async with languages.speaking_to(tx, volunteer.telegram_id):
                await notify.send(
                    tx,
                    volunteer.telegram_id,
                    request_texts.VOLUNTEER_APPROVED.format(
                        neighbourhood=html.escape(neighbourhood.name)
                    ),
                    purpose="volunteer",
                )
            await audit.record(
                tx,
                actor_telegram_id=organiser_telegram_id,
                action="volunteer.approved",
                subject=f"person:{person_id}",
                now=tx.now,
                before={"status": "pending"},
                after={"status": "approved", "neighbourhood_id": neighbourhood_id},
            )
        return volunteer.display_name or request_texts.THE_VOLUNTEER_START

    async def pause(self, telegram_id: int, days: int | None) -> datetime | None | bool:
        """Stop alerts for some days (None: until /resume); False if not a volunteer."""
        async with self._db.transaction() as tx:
            # "Until /resume" is stored as a far-future time so the matching query stays simple.
            until = tx.now + timedelta(days=days if days else 365 * 100)
            person = await people.by_telegram_id(tx, telegram_id)
            if person is None or not await volunteers.set_paused_until(tx, person.id, until):
                return False
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="volunteer.paused",
                subject=f"person:{person.id}",
                now=tx.now,
                after={"days": days},
            )
        return until if days else None

    async def resume(self, telegram_id: int) -> bool:
        """Restart alerts; False if the person is not a volunteer."""
        async with self._db.transaction() as tx:
            person = await people.by_telegram_id(tx, telegram_id)
            if person is None or not await volunteers.set_paused_until(tx, person.id, None):
                return False
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="volunteer.resumed",
                subject=f"person:{person.id}",
                now=tx.now,
            )
        return True

    async def _ask_organisers(
        self, tx: Tx, person_id: int, neighbourhood_id: int, offer: Offer
    ) -> None:
        volunteer = await people.by_id(tx, person_id)
        neighbourhood = await neighbourhoods.by_id(tx, neighbourhood_id)
        assert volunteer is not None and neighbourhood is not None

        def text() -> str:
            return request_texts.ORGANISER_NEW_VOLUNTEER.format(
                volunteer=html.escape(volunteer.display_name or request_texts.SOMEONE),
                neighbourhood=html.escape(neighbourhood.name),
                categories=", ".join(category_text(c) for c in sorted(offer.categories)),
            )

        def buttons() -> notify.Buttons:
            return [[(request_texts.BUTTON_APPROVE, pack("approve", person_id, neighbourhood_id))]]

        await self._alerting.tell_organisers(tx, neighbourhood_id, text, buttons=buttons)
