"""The asset register and community directory (issue 4): propose, approve, edit, search."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from enum import StrEnum

from bot import languages
from bot.callback_data import pack
from bot.core import Core
from bot.delivery import notify
from bot.directory.gaps import GapReport
from bot.directory.rules import (
    AVAILABILITY_MAX,
    DESCRIPTION_MAX,
    InvalidAssetError,
    clean_tags,
    clean_text,
    clean_title,
    split_contact,
)
from bot.directory.transfer import AssetTransfer
from bot.directory.views import related_line, summary
from bot.model.assets import VOLUNTEER_OFFER, Asset, AssetFields
from bot.model.requests import HelpRequest
from config import asset_texts, request_texts
from storage import audit, people
from storage.database import Connection, Tx
from storage.directory import assets
from storage.directory import search as asset_search
from storage.directory.search import Scope
from storage.organising import neighbourhoods

PAGE_SIZE = 5
RELATED_LIMIT = 3
EDITABLE = ("title", "description", "tags", "availability", "contact")


class AssetOutcome(StrEnum):
    """How an action on an asset ended."""

    OK = "ok"
    NOT_ALLOWED = "not_allowed"
    GONE = "gone"
    READ_ONLY = "read_only"
    ALREADY = "already"


@dataclass(frozen=True)
class Done:
    """An outcome with the asset it concerned (as it is now)."""

    outcome: AssetOutcome
    asset: Asset | None = None


@dataclass(frozen=True)
class Page:
    """One page of directory results, with the scope they were chosen for."""

    items: list[Asset]
    page: int
    has_more: bool
    scope: Scope


class AssetRegister:
    """The asset register and community directory (issue 4)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.transfer = AssetTransfer(core)
        self.gaps = GapReport(core)

    async def scope_of(self, conn: Connection, telegram_id: int) -> Scope:
        """What this person may see, from the database now."""
        if self._core.community.is_bootstrap_organiser(telegram_id):
            return Scope(everywhere=True)
        person = await people.by_telegram_id(conn, telegram_id)
        if person is None or not person.has_consented:
            return Scope()
        memberships = await neighbourhoods.memberships_of(conn, person.id)
        return Scope(
            member_of=frozenset(n.id for n, _ in memberships),
            organiser_of=frozenset(n.id for n, role in memberships if role == "organiser"),
        )

    async def offer_neighbourhoods(self, telegram_id: int) -> list[tuple[int, str]]:
        """(id, name) of the neighbourhoods the person may add assets to."""
        return [(n.id, n.name) for n, _ in await self._core.community.memberships(telegram_id)]

    async def propose(self, telegram_id: int, neighbourhood_id: int, values: AssetFields) -> Asset:
        """Add an asset: published at once by organisers or with self-publishing, else proposed.

        A proposed asset shows to others only once an organiser approves it; they are asked.
        """
        async with self._core.db.transaction() as tx:
            person = await people.by_telegram_id(tx, telegram_id)
            if person is None or not person.has_consented:
                raise PermissionError("the person has not agreed to the privacy notice")
            organiser = await self._core.community.organises(tx, telegram_id, neighbourhood_id)
            if not organiser and not await neighbourhoods.role_in(tx, person.id, neighbourhood_id):
                raise PermissionError("only members can add to a neighbourhood's directory")
            published = organiser or await assets.self_publish(tx, neighbourhood_id)
            asset_id = await assets.insert(
                tx,
                neighbourhood_id=neighbourhood_id,
                owner_person_id=person.id,
                values=values,
                status="published" if published else "proposed",
                source="proposed",
                now=tx.now,
            )
            asset = await assets.by_id(tx, asset_id)
            assert asset is not None
            await self._audit(tx, telegram_id, "asset.proposed", asset)
            if not published:
                owner, where = person.display_name, asset.neighbourhood_name

                def text() -> str:
                    return asset_texts.ORGANISER_NEW_ASSET.format(
                        neighbourhood=html.escape(where),
                        owner=html.escape(owner or request_texts.A_MEMBER),
                        asset=summary(values, where),
                    )

                def buttons() -> notify.Buttons:
                    return [
                        [
                            (asset_texts.BUTTON_APPROVE, pack("asset", "approve", asset_id)),
                            (asset_texts.BUTTON_REJECT, pack("asset", "reject", asset_id)),
                        ]
                    ]

                await self._core.alerting.tell_organisers(
                    tx, neighbourhood_id, text, buttons=buttons
                )
        return asset

    async def decide(self, telegram_id: int, asset_id: int, approve: bool) -> Done:
        """An organiser approves (publishes) or rejects (withdraws) a proposed asset."""
        async with self._core.db.transaction() as tx:
            asset = await assets.by_id(tx, asset_id)
            if asset is None:
                return Done(AssetOutcome.GONE)
            if not await self._core.community.organises(tx, telegram_id, asset.neighbourhood_id):
                return Done(AssetOutcome.NOT_ALLOWED, asset)
            status = "published" if approve else "withdrawn"
            if not await assets.set_status(tx, asset_id, status, tx.now, only_from="proposed"):
                return Done(AssetOutcome.ALREADY, asset)
            decided = await assets.by_id(tx, asset_id)
            assert decided is not None
            action = "asset.approved" if approve else "asset.rejected"
            await self._audit(tx, telegram_id, action, decided)
            if decided.owner_telegram_id is not None:
                async with languages.speaking_to(tx, decided.owner_telegram_id):
                    text = asset_texts.OWNER_APPROVED if approve else asset_texts.OWNER_REJECTED
                    await notify.send(
                        tx,
                        decided.owner_telegram_id,
                        text.format(
                            title=html.escape(decided.title),
                            neighbourhood=html.escape(decided.neighbourhood_name),
                            audience=asset_texts.AUDIENCE.get(decided.visibility, "").format(
                                neighbourhood=html.escape(decided.neighbourhood_name)
                            ),
                        ),
                        purpose="asset",
                    )
        return Done(AssetOutcome.OK, decided)

    async def directory(
        self, telegram_id: int, words: list[str], kind: str | None, page: int
    ) -> Page:
        """One page of the assets this person may see, matching the words or of one kind."""
        async with self._core.db.read() as conn:
            scope = await self.scope_of(conn, telegram_id)
            found = await asset_search.search(
                conn, scope, words, kind=kind, offset=page * PAGE_SIZE, limit=PAGE_SIZE + 1
            )
        return Page(found[:PAGE_SIZE], page, len(found) > PAGE_SIZE, scope)

    async def kind_counts(self, telegram_id: int) -> dict[str, int]:
        """How many assets of each kind this person may see."""
        async with self._core.db.read() as conn:
            return await asset_search.kind_counts(conn, await self.scope_of(conn, telegram_id))

    async def mine(self, telegram_id: int) -> list[Asset]:
        """The person's own assets that are not withdrawn."""
        async with self._core.db.read() as conn:
            person = await people.by_telegram_id(conn, telegram_id)
            return await assets.owned_by(conn, person.id) if person else []

    async def for_edit(self, telegram_id: int, asset_id: int) -> Done:
        """The asset if this person may change it now."""
        async with self._core.db.read() as conn:
            return await self._manageable(conn, telegram_id, asset_id)

    async def edit(self, telegram_id: int, asset_id: int, field: str, value: str) -> Done:
        """Change one field (raises InvalidAssetError with a friendly text for bad values)."""
        async with self._core.db.transaction() as tx:
            checked = await self._manageable(tx, telegram_id, asset_id)
            if checked.asset is None or checked.outcome is not AssetOutcome.OK:
                return checked
            values = _changed(checked.asset.fields, field, value)
            await assets.update_fields(tx, asset_id, values, tx.now)
            edited = await assets.by_id(tx, asset_id)
            assert edited is not None
            await self._audit(tx, telegram_id, "asset.edited", edited, field=field)
        return Done(AssetOutcome.OK, edited)

    async def withdraw(self, telegram_id: int, asset_id: int) -> Done:
        """The owner withdraws, or an organiser removes, an asset from the directory."""
        async with self._core.db.transaction() as tx:
            checked = await self._manageable(tx, telegram_id, asset_id)
            if checked.asset is None or checked.outcome is not AssetOutcome.OK:
                return checked
            await assets.set_status(tx, asset_id, "withdrawn", tx.now)
            owner = checked.asset.owner_telegram_id == telegram_id
            action = "asset.withdrawn" if owner else "asset.removed"
            await self._audit(tx, telegram_id, action, checked.asset)
        return Done(AssetOutcome.OK, checked.asset)

    async def verify(self, telegram_id: int, asset_id: int) -> Done:
        """An organiser of the asset's neighbourhood marks it verified today."""
        async with self._core.db.transaction() as tx:
            asset = await assets.by_id(tx, asset_id)
            if asset is None or asset.status == "withdrawn":
                return Done(AssetOutcome.GONE)
            if not await self._core.community.organises(tx, telegram_id, asset.neighbourhood_id):
                return Done(AssetOutcome.NOT_ALLOWED, asset)
            await assets.set_verified(tx, asset_id, telegram_id, tx.now)
            verified = await assets.by_id(tx, asset_id)
            await self._audit(tx, telegram_id, "asset.verified", asset)
        return Done(AssetOutcome.OK, verified)

    async def related(
        self, conn: Connection, request: HelpRequest, limit: int = RELATED_LIMIT
    ) -> list[Asset]:
        """Up to `limit` published members' or public assets of the neighbourhood for the request.

        Volunteers' own offers are left out: volunteer matching already covers them.
        """
        words = list(asset_texts.CATEGORY_KEYWORDS.get(request.category, ()))
        if not words:
            return []
        member = Scope(member_of=frozenset({request.neighbourhood_id}))
        return await asset_search.search(
            conn,
            member,
            words,
            neighbourhood_id=request.neighbourhood_id,
            any_word=True,
            include_offers=False,
            limit=limit,
        )

    async def related_lines(self, conn: Connection, request: HelpRequest) -> str:
        """The related assets as lines for a neighbourhood member (empty if none)."""
        member = Scope(member_of=frozenset({request.neighbourhood_id}))
        return "\n".join(related_line(a, member) for a in await self.related(conn, request))

    async def alert_extra(self, conn: Connection, request: HelpRequest) -> str:
        """Related assets appended to a volunteer's alert, in its language (empty if none)."""
        lines = await self.related_lines(conn, request)
        return asset_texts.ALERT_RELATED.format(items=lines) if lines else ""

    async def on_request_event(
        self,
        tx: Tx,
        action: str,
        before: HelpRequest | None,
        after: HelpRequest | None,
    ) -> None:
        """On a new request, tell the resident about related local assets (an extra)."""
        request = after or before
        if action != "request.created" or request is None:
            return
        requester = await people.by_id(tx, request.requester_person_id)
        if requester is None:
            return
        async with languages.speaking_to(tx, requester.telegram_id):
            lines = await self.related_lines(tx, request)
            if lines:
                text = asset_texts.RELATED_ASSETS.format(ref=request.ref, items=lines)
                await notify.send(tx, requester.telegram_id, text, purpose="related-assets")

    async def _manageable(self, conn: Connection, telegram_id: int, asset_id: int) -> Done:
        asset = await assets.by_id(conn, asset_id)
        if asset is None or asset.status == "withdrawn":
            return Done(AssetOutcome.GONE)
        if asset.source == VOLUNTEER_OFFER:
            return Done(AssetOutcome.READ_ONLY, asset)
        if asset.owner_telegram_id == telegram_id:
            return Done(AssetOutcome.OK, asset)
        if await self._core.community.organises(conn, telegram_id, asset.neighbourhood_id):
            return Done(AssetOutcome.OK, asset)
        return Done(AssetOutcome.NOT_ALLOWED, asset)

    async def _audit(self, tx: Tx, actor: int, action: str, asset: Asset, **extra: str) -> None:
        await audit.record(
            tx,
            actor_telegram_id=actor,
            action=action,
            subject=f"asset:{asset.id}",
            now=tx.now,
            after={"status": asset.status, "neighbourhood_id": asset.neighbourhood_id, **extra},
        )


def _changed(values: AssetFields, field: str, value: str) -> AssetFields:
    """The fields with one changed, validated."""
    match field:
        case "title":
            return replace(values, title=clean_title(value))
        case "description":
            return replace(values, description=clean_text(value, DESCRIPTION_MAX))
        case "tags":
            return replace(values, tags=clean_tags(value))
        case "availability":
            return replace(values, availability=clean_text(value, AVAILABILITY_MAX))
        case "contact":
            name, details = split_contact(value)
            return replace(values, contact_name=name, contact_details=details)
        case "visibility" if value in asset_texts.VISIBILITY_LABELS:
            return replace(values, visibility=value)
    raise InvalidAssetError(asset_texts.NOT_ALLOWED)
