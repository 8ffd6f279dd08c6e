"""Onboarding and neighbourhoods: consent, joining, organisers, invites and volunteers' chats."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock
from bot.model.neighbourhoods import Invite, Neighbourhood
from bot.model.people import Person
from config.settings import Settings
from storage import audit, people
from storage.database import Connection, Database, Tx
from storage.organising import neighbourhoods

INVITE_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16}$")
NAME_MAX_LENGTH = 60


class NotAllowedError(Exception):
    """The person may not do this; the handler answers politely and nothing changes."""


class JoinOutcome(StrEnum):
    """What happened when someone tried to join a neighbourhood."""

    JOINED = "joined"
    ALREADY_MEMBER = "already_member"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_OPEN = "not_open"
    NO_CONSENT = "no_consent"


@dataclass(frozen=True)
class JoinResult:
    """The outcome of a join, with the neighbourhood where one was found."""

    outcome: JoinOutcome
    neighbourhood: Neighbourhood | None = None


class CreateOutcome(StrEnum):
    """What happened when an organiser tried to create a neighbourhood."""

    CREATED = "created"
    NAME_TAKEN = "name_taken"
    BAD_NAME = "bad_name"


class Community:
    """The onboarding and neighbourhood service; every check is against the database."""

    def __init__(self, db: Database, clock: Clock, settings: Settings, notice_version: str) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self.notice_version = notice_version

    # People and consent

    async def person(self, telegram_id: int) -> Person | None:
        """The stored person for a Telegram id, if any (cached for the update)."""
        return await self._db.cached(
            ("person", telegram_id), lambda conn: people.by_telegram_id(conn, telegram_id)
        )

    async def language(self, telegram_id: int) -> str | None:
        """The language stored for a person (their choice, else their app's at consent).

        Read with the person (cached for the update), whom the consent gate reads anyway.
        """
        person = await self.person(telegram_id)
        return person.language if person is not None else None

    async def choose_language(self, telegram_id: int, language: str) -> bool:
        """Store the language a person chose with /language (audited); False if not consented."""
        async with self._db.transaction() as tx:
            before = await people.by_telegram_id(tx, telegram_id)
            if before is None or not before.has_consented:
                return False
            if not await people.set_language(tx, telegram_id, language, tx.now):
                return False
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="person.language",
                subject=f"person:{before.id}",
                now=tx.now,
                before={"language": before.language},
                after={"language": language},
            )
        return True

    async def consent(self, telegram_id: int, display_name: str, language: str | None) -> Person:
        """Record consent to the current privacy notice; creates the person once."""
        async with self._db.transaction() as tx:
            before = await people.by_telegram_id(tx, telegram_id)
            person = await people.record_consent(
                tx,
                telegram_id=telegram_id,
                display_name=display_name,
                language=language,
                notice_version=self.notice_version,
                now=tx.now,
            )
            if before is None or not before.has_consented:
                await audit.record(
                    tx,
                    actor_telegram_id=telegram_id,
                    action="consent.given",
                    subject=f"person:{person.id}",
                    now=tx.now,
                    after={"notice_version": self.notice_version},
                )
        return person

    async def decline(self, telegram_id: int) -> None:
        """Record a refusal and nothing else about the person."""
        async with self._db.transaction() as tx:
            await people.record_refusal(
                tx,
                telegram_id=telegram_id,
                notice_version=self.notice_version,
                now=tx.now,
            )

    # Memberships and roles

    async def memberships(self, telegram_id: int) -> list[tuple[Neighbourhood, str]]:
        """The person's neighbourhoods with their role in each (empty if unknown)."""

        async def load(conn: Connection) -> list[tuple[Neighbourhood, str]]:
            person = await people.by_telegram_id(conn, telegram_id)
            if person is None:
                return []
            return await neighbourhoods.memberships_of(conn, person.id)

        return list(await self._db.cached(("memberships", telegram_id), load))

    def is_bootstrap_organiser(self, telegram_id: int) -> bool:
        """Whether ORGANISER_IDS makes this person an organiser everywhere."""
        return telegram_id in self._settings.organiser_ids

    async def organised_neighbourhoods(self, telegram_id: int) -> list[Neighbourhood]:
        """The neighbourhoods this person may organise (all of them for bootstrap organisers)."""

        async def load(conn: Connection) -> list[Neighbourhood]:
            return await self._organised(conn, telegram_id)

        return list(await self._db.cached(("organised", telegram_id), load))

    async def is_organiser(self, telegram_id: int) -> bool:
        """Whether the person organises anything, or is a bootstrap organiser."""
        if self.is_bootstrap_organiser(telegram_id):
            return True
        return bool(await self.organised_neighbourhoods(telegram_id))

    async def organiser_telegram_ids(self) -> list[int]:
        """Everyone with organiser commands: bootstrap organisers and neighbourhood organisers."""
        async with self._db.read() as conn:
            stored = await neighbourhoods.organiser_telegram_ids(conn)
        return sorted(set(stored) | set(self._settings.organiser_ids))

    async def _organised(self, conn: Connection, telegram_id: int) -> list[Neighbourhood]:
        if self.is_bootstrap_organiser(telegram_id):
            return await neighbourhoods.list_all(conn)
        person = await people.by_telegram_id(conn, telegram_id)
        if person is None or not person.has_consented:
            return []
        return [
            n
            for n, role in await neighbourhoods.memberships_of(conn, person.id)
            if role == "organiser"
        ]

    async def organises(self, conn: Connection, telegram_id: int, neighbourhood_id: int) -> bool:
        """Whether the person organises this neighbourhood, inside the caller's transaction."""
        return any(n.id == neighbourhood_id for n in await self._organised(conn, telegram_id))

    async def _require_organiser_of(
        self, conn: Connection, telegram_id: int, neighbourhood_id: int
    ) -> Neighbourhood:
        for neighbourhood in await self._organised(conn, telegram_id):
            if neighbourhood.id == neighbourhood_id:
                return neighbourhood
        raise NotAllowedError(f"{telegram_id} does not organise {neighbourhood_id}")

    # Neighbourhoods

    async def create_neighbourhood(
        self, telegram_id: int, name: str
    ) -> tuple[CreateOutcome, Neighbourhood | None]:
        """Create a neighbourhood and make its creator its organiser."""
        clean = " ".join(name.split())
        if not clean or len(clean) > NAME_MAX_LENGTH:
            return CreateOutcome.BAD_NAME, None
        async with self._db.transaction() as tx:
            person = await people.by_telegram_id(tx, telegram_id)
            allowed = self.is_bootstrap_organiser(telegram_id) or bool(
                await self._organised(tx, telegram_id)
            )
            if not allowed or person is None or not person.has_consented:
                raise NotAllowedError(f"{telegram_id} may not create neighbourhoods")
            created = await neighbourhoods.create(tx, name=clean, created_by=person.id, now=tx.now)
            if created is None:
                return CreateOutcome.NAME_TAKEN, await neighbourhoods.by_name(tx, clean)
            await neighbourhoods.add_member(
                tx, person_id=person.id, neighbourhood_id=created.id, role="organiser", now=tx.now
            )
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="neighbourhood.created",
                subject=f"neighbourhood:{created.id}",
                now=tx.now,
                after={"name": clean},
            )
        return CreateOutcome.CREATED, created

    async def open_neighbourhoods(self) -> list[Neighbourhood]:
        """Neighbourhoods that anyone may join from the list."""
        async with self._db.read() as conn:
            return await neighbourhoods.list_open_to_self_join(conn)

    async def set_self_join(self, telegram_id: int, neighbourhood_id: int, is_open: bool) -> None:
        """Open or close a neighbourhood to joining without an invite (organisers only)."""
        async with self._db.transaction() as tx:
            await self._require_organiser_of(tx, telegram_id, neighbourhood_id)
            await neighbourhoods.set_open_to_self_join(tx, neighbourhood_id, is_open)
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="neighbourhood.self_join_changed",
                subject=f"neighbourhood:{neighbourhood_id}",
                now=tx.now,
                after={"open_to_self_join": is_open},
            )

    async def link_volunteers_chat(
        self, telegram_id: int, neighbourhood_id: int, chat_id: int
    ) -> Neighbourhood:
        """Link a group as the neighbourhood's volunteers' chat (organisers only)."""
        async with self._db.transaction() as tx:
            neighbourhood = await self._require_organiser_of(tx, telegram_id, neighbourhood_id)
            await neighbourhoods.link_volunteers_chat(tx, neighbourhood_id, chat_id)
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="neighbourhood.group_linked",
                subject=f"neighbourhood:{neighbourhood_id}",
                now=tx.now,
                before={"volunteers_chat_id": neighbourhood.volunteers_chat_id},
                after={"volunteers_chat_id": chat_id},
            )
        return neighbourhood

    # Invites

    async def create_invite(self, telegram_id: int, neighbourhood_id: int) -> Invite:
        """Make a random, unguessable invite code that expires after the configured time."""
        async with self._db.transaction() as tx:
            expires_at = tx.now + self._settings.tunables.invite_ttl
            await self._require_organiser_of(tx, telegram_id, neighbourhood_id)
            person = await people.by_telegram_id(tx, telegram_id)
            invite = await neighbourhoods.create_invite(
                tx,
                code=secrets.token_urlsafe(12),
                neighbourhood_id=neighbourhood_id,
                created_by=person.id if person else None,
                expires_at=expires_at,
                now=tx.now,
            )
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="invite.created",
                subject=f"neighbourhood:{neighbourhood_id}",
                now=tx.now,
                after={"expires_at": expires_at.isoformat()},
            )
        return invite

    async def revoke_invite(self, telegram_id: int, code: str) -> bool:
        """Revoke an invite of a neighbourhood the person organises; False if unknown or done."""
        if not INVITE_CODE_PATTERN.match(code):
            return False
        async with self._db.transaction() as tx:
            invite = await neighbourhoods.invite_by_code(tx, code)
            if invite is None:
                return False
            await self._require_organiser_of(tx, telegram_id, invite.neighbourhood_id)
            revoked = await neighbourhoods.revoke_invite(tx, code, tx.now)
            if revoked:
                await audit.record(
                    tx,
                    actor_telegram_id=telegram_id,
                    action="invite.revoked",
                    subject=f"neighbourhood:{invite.neighbourhood_id}",
                    now=tx.now,
                )
        return revoked

    async def join_by_invite(self, telegram_id: int, code: str) -> JoinResult:
        """Join the neighbourhood an invite code belongs to, if the code is still good."""
        if not INVITE_CODE_PATTERN.match(code):
            return JoinResult(JoinOutcome.MALFORMED)
        async with self._db.transaction() as tx:
            invite = await neighbourhoods.invite_by_code(tx, code)
            if invite is None:
                return JoinResult(JoinOutcome.UNKNOWN)
            neighbourhood = await neighbourhoods.by_id(tx, invite.neighbourhood_id)
            if invite.revoked_at is not None:
                return JoinResult(JoinOutcome.REVOKED, neighbourhood)
            if invite.expires_at is not None and invite.expires_at <= tx.now:
                return JoinResult(JoinOutcome.EXPIRED, neighbourhood)
            result = await self._join(tx, telegram_id, invite.neighbourhood_id, code)
            if result.outcome is JoinOutcome.JOINED:
                await neighbourhoods.count_invite_use(tx, code)
            return result

    async def join_open(self, telegram_id: int, neighbourhood_id: int) -> JoinResult:
        """Join a neighbourhood from the self-join list, if it is (still) open."""
        async with self._db.transaction() as tx:
            neighbourhood = await neighbourhoods.by_id(tx, neighbourhood_id)
            if neighbourhood is None or not neighbourhood.open_to_self_join:
                return JoinResult(JoinOutcome.NOT_OPEN, neighbourhood)
            return await self._join(tx, telegram_id, neighbourhood_id, None)

    async def _join(
        self,
        tx: Tx,
        telegram_id: int,
        neighbourhood_id: int,
        code: str | None,
    ) -> JoinResult:
        neighbourhood = await neighbourhoods.by_id(tx, neighbourhood_id)
        person = await people.by_telegram_id(tx, telegram_id)
        if person is None or not person.has_consented:
            return JoinResult(JoinOutcome.NO_CONSENT, neighbourhood)
        if await neighbourhoods.role_in(tx, person.id, neighbourhood_id) is not None:
            return JoinResult(JoinOutcome.ALREADY_MEMBER, neighbourhood)
        await neighbourhoods.add_member(
            tx, person_id=person.id, neighbourhood_id=neighbourhood_id, role="member", now=tx.now
        )
        await audit.record(
            tx,
            actor_telegram_id=telegram_id,
            action="neighbourhood.joined",
            subject=f"neighbourhood:{neighbourhood_id}",
            now=tx.now,
            after={"person_id": person.id, "via": "invite" if code else "list"},
        )
        return JoinResult(JoinOutcome.JOINED, neighbourhood)
