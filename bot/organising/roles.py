"""Organiser roles: who organises a neighbourhood, promoting and demoting (audited)."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot import languages
from bot.core import Core
from bot.delivery import notify
from bot.model.neighbourhoods import Neighbourhood
from bot.organising.community import Community, NotAllowedError
from config import request_texts, vetting_texts
from storage import audit
from storage.database import Connection, Tx
from storage.organising import neighbourhoods, roles
from storage.organising.roles import Member


async def require_organiser(
    conn: Connection, community: Community, telegram_id: int, neighbourhood_id: int
) -> Neighbourhood:
    """The neighbourhood, if the person organises it now; else NotAllowedError."""
    neighbourhood = await neighbourhoods.by_id(conn, neighbourhood_id)
    if neighbourhood is None or not await community.organises(conn, telegram_id, neighbourhood_id):
        raise NotAllowedError(f"{telegram_id} does not organise {neighbourhood_id}")
    return neighbourhood


async def organised_member(
    conn: Connection,
    community: Community,
    telegram_id: int,
    neighbourhood_id: int,
    person_id: int,
) -> tuple[Neighbourhood, Member | None]:
    """The neighbourhood (NotAllowedError unless the person organises it now) and one member."""
    where = await require_organiser(conn, community, telegram_id, neighbourhood_id)
    return where, await roles.member(conn, neighbourhood_id, person_id)


async def tell_member(
    tx: Tx,
    member: Member,
    where: Neighbourhood,
    template: Callable[[], str],
    *,
    purpose: str,
    suffix: Callable[[], str] | None = None,
) -> None:
    """Queue a message to a member from a template naming the (escaped) neighbourhood.

    template() (and suffix(), added after it) are called in the member's language.
    """
    async with languages.speaking_to(tx, member.telegram_id):
        text = template().format(neighbourhood=html.escape(where.name))
        if suffix is not None:
            text += suffix()
        await notify.send(tx, member.telegram_id, text, purpose=purpose)


def name_of(member: Member) -> str:
    """A member's name as organisers see it (not escaped), in the current language."""
    return member.display_name or request_texts.MEMBER_NUMBER.format(number=member.person_id)


class RoleOutcome(StrEnum):
    """How a promotion or demotion ended."""

    DONE = "done"
    UNCHANGED = "unchanged"
    NOT_FOUND = "not_found"
    LAST_ORGANISER = "last_organiser"
    BOOTSTRAP = "bootstrap"


@dataclass(frozen=True)
class RoleChange:
    """The outcome of a role change, with who and where."""

    outcome: RoleOutcome
    neighbourhood: Neighbourhood
    member: Member | None = None


class Roles:
    """Lists and changes a neighbourhood's organisers; every call re-checks the actor."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def organisers(
        self, actor_telegram_id: int, neighbourhood_id: int
    ) -> tuple[Neighbourhood, list[Member]]:
        """The neighbourhood's stored organisers."""
        return await self._with_role(actor_telegram_id, neighbourhood_id, "organiser")

    async def candidates(
        self, actor_telegram_id: int, neighbourhood_id: int, *, for_promotion: bool
    ) -> tuple[Neighbourhood, list[Member]]:
        """Members who could be promoted, or organisers who could be demoted."""
        role = "member" if for_promotion else "organiser"
        return await self._with_role(actor_telegram_id, neighbourhood_id, role)

    async def promote(
        self, actor_telegram_id: int, neighbourhood_id: int, person_id: int
    ) -> RoleChange:
        """Make a member an organiser of the neighbourhood."""
        return await self._change(actor_telegram_id, neighbourhood_id, person_id, "organiser")

    async def demote(
        self, actor_telegram_id: int, neighbourhood_id: int, person_id: int
    ) -> RoleChange:
        """Make an organiser an ordinary member; takes effect on their next command or press."""
        return await self._change(actor_telegram_id, neighbourhood_id, person_id, "member")

    async def _with_role(
        self, actor_telegram_id: int, neighbourhood_id: int, role: str
    ) -> tuple[Neighbourhood, list[Member]]:
        """The neighbourhood's members with one role, for an organiser of it."""
        async with self._core.db.read() as conn:
            where = await require_organiser(
                conn, self._core.community, actor_telegram_id, neighbourhood_id
            )
            return where, await roles.members(conn, neighbourhood_id, role=role)

    async def _change(
        self, actor_telegram_id: int, neighbourhood_id: int, person_id: int, role: str
    ) -> RoleChange:
        """Set a member's role (refusing the bootstrap and last organisers); audited, told."""
        core = self._core
        async with core.db.transaction() as tx:
            where, member = await organised_member(
                tx, core.community, actor_telegram_id, neighbourhood_id, person_id
            )
            if member is None:
                return RoleChange(RoleOutcome.NOT_FOUND, where)
            if role == "member":
                if core.community.is_bootstrap_organiser(member.telegram_id):
                    return RoleChange(RoleOutcome.BOOTSTRAP, where, member)
                if member.role == "organiser" and await roles.organiser_count(tx, where.id) < 2:
                    return RoleChange(RoleOutcome.LAST_ORGANISER, where, member)
            if not await roles.set_role(tx, neighbourhood_id, person_id, role):
                return RoleChange(RoleOutcome.UNCHANGED, where, member)
            promoted = role == "organiser"
            await audit.record(
                tx,
                actor_telegram_id=actor_telegram_id,
                action="role.promoted" if promoted else "role.demoted",
                subject=f"person:{person_id}",
                now=tx.now,
                before={"role": member.role, "neighbourhood_id": neighbourhood_id},
                after={"role": role, "neighbourhood_id": neighbourhood_id},
            )
            await tell_member(
                tx,
                member,
                where,
                lambda: (
                    vetting_texts.YOU_ARE_ORGANISER
                    if promoted
                    else vetting_texts.YOU_ARE_NO_LONGER_ORGANISER
                ),
                purpose="role",
            )
        return RoleChange(RoleOutcome.DONE, where, member)
