"""A neighbourhood's tunables as organisers see and change them with /settings (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core import Core
from bot.model.neighbourhoods import Neighbourhood
from bot.model.volunteers import CHECK_KINDS
from bot.organising.roles import require_organiser
from storage import audit
from storage.database import Connection, Tx
from storage.organising import neighbourhoods, vetting
from storage.organising.neighbourhoods import NeighbourhoodSettings

DEFAULT = "d"  # button value meaning "use the deployment's tunable"
NO_QUIET_HOURS = ("00:00", "00:00")  # equal start and end: no quiet hours at all

# The values organisers pick from, by setting key; the text form travels in button data.
BATCH_CHOICES = (3, 5, 8, 10, 15)
WIDEN_CHOICES_S = (600, 1200, 1800, 3600, 7200)
ESCALATE_CHOICES_S = (3600, 7200, 14400, 28800, 86400)
BUDDY_ACK_CHOICES_S = (600, 1800, 3600, 7200)
CAP_CHOICES_PENCE = (2000, 3000, 5000, 7500, 10000)
QUIET_CHOICES = (NO_QUIET_HOURS, ("20:00", "09:00"), ("21:00", "08:00"), ("22:00", "07:00"))

CHOICES: dict[str, tuple[str, ...]] = {
    "batch": (DEFAULT, *(str(v) for v in BATCH_CHOICES)),
    "widen": (DEFAULT, *(str(v) for v in WIDEN_CHOICES_S)),
    "escalate": (DEFAULT, *(str(v) for v in ESCALATE_CHOICES_S)),
    "buddyack": (DEFAULT, *(str(v) for v in BUDDY_ACK_CHOICES_S)),
    "cap": tuple(str(v) for v in CAP_CHOICES_PENCE),
    "quiet": (DEFAULT, *(f"{a}-{b}" for a, b in QUIET_CHOICES)),
    "approval": ("1", "0"),
    "assets": ("1", "0"),
}


@dataclass(frozen=True)
class SettingsView:
    """A neighbourhood's settings with the checks it requires per category."""

    neighbourhood: Neighbourhood
    settings: NeighbourhoodSettings
    required_checks: dict[str, frozenset[str]]


def _update(key: str, value: str) -> dict[str, Any]:
    """The update_settings keyword for a setting key and its (validated) button value."""
    default = value == DEFAULT
    if key == "batch":
        return {"alert_batch_size": None if default else int(value)}
    if key == "widen":
        return {"alert_widening_delay_s": None if default else int(value)}
    if key == "escalate":
        return {"escalation_delay_s": None if default else int(value)}
    if key == "buddyack":
        return {"buddy_ack_delay_s": None if default else int(value)}
    if key == "cap":
        return {"spending_cap_pence": int(value)}
    if key == "quiet":
        return {"quiet_hours": None if default else tuple(value.split("-"))}
    if key == "approval":
        return {"volunteers_need_approval": value == "1"}
    return {"assets_self_publish": value == "1"}


class NeighbourhoodSettingsService:
    """Reads and changes a neighbourhood's settings; every call re-checks the actor."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def view(self, actor_telegram_id: int, neighbourhood_id: int) -> SettingsView:
        """The neighbourhood's current settings."""
        async with self._core.db.read() as conn:
            where = await require_organiser(
                conn, self._core.community, actor_telegram_id, neighbourhood_id
            )
            return await _view(conn, where)

    async def change(
        self, actor_telegram_id: int, neighbourhood_id: int, key: str, value: str
    ) -> SettingsView:
        """Set one setting to one of its offered values; ValueError for anything else."""
        if value not in CHOICES.get(key, ()):
            raise ValueError(f"{key}={value!r} is not an offered choice")
        update = _update(key, value)
        core = self._core
        async with core.db.transaction() as tx:
            where = await require_organiser(tx, core.community, actor_telegram_id, neighbourhood_id)
            before = await neighbourhoods.settings_of(tx, neighbourhood_id)
            await neighbourhoods.update_settings(tx, neighbourhood_id, **update)
            view = await _view(tx, where)
            await self._audit(
                tx,
                actor_telegram_id,
                neighbourhood_id,
                _changed_fields(before, view.settings, side=0),
                _changed_fields(before, view.settings, side=1),
            )
        return view

    async def toggle_required_check(
        self, actor_telegram_id: int, neighbourhood_id: int, category: str, kind: str
    ) -> SettingsView:
        """Require a check for a category, or stop requiring it."""
        if kind not in CHECK_KINDS:
            raise ValueError(f"unknown check {kind!r}")
        core = self._core
        async with core.db.transaction() as tx:
            where = await require_organiser(tx, core.community, actor_telegram_id, neighbourhood_id)
            current = await vetting.required_checks(tx, neighbourhood_id)
            was_required = kind in current.get(category, frozenset())
            await vetting.set_required_check(tx, neighbourhood_id, category, kind, not was_required)
            field = f"required_checks.{category}.{kind}"
            await self._audit(
                tx,
                actor_telegram_id,
                neighbourhood_id,
                {field: was_required},
                {field: not was_required},
            )
            return await _view(tx, where)

    async def _audit(
        self,
        tx: Tx,
        actor_telegram_id: int,
        neighbourhood_id: int,
        before: dict[str, object],
        after: dict[str, object],
    ) -> None:
        """Record one settings change of a neighbourhood."""
        await audit.record(
            tx,
            actor_telegram_id=actor_telegram_id,
            action="settings.changed",
            subject=f"neighbourhood:{neighbourhood_id}",
            now=tx.now,
            before=before,
            after=after,
        )


async def _view(conn: Connection, where: Neighbourhood) -> SettingsView:
    """The neighbourhood's settings and required checks as they are now."""
    return SettingsView(
        where,
        await neighbourhoods.settings_of(conn, where.id),
        await vetting.required_checks(conn, where.id),
    )


def _changed_fields(
    before: NeighbourhoodSettings, after: NeighbourhoodSettings, *, side: int
) -> dict[str, object]:
    """The fields that differ, with their values before (side 0) or after (side 1)."""
    changed = {
        name: (getattr(before, name), getattr(after, name))
        for name in before.__dataclass_fields__
        if getattr(before, name) != getattr(after, name)
    }
    return {name: values[side] for name, values in changed.items()}
