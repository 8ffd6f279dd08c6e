"""Messages through the bot between a task's resident and its volunteer.

From the moment a volunteer accepts until `relay_window` after the task is closed or
cancelled, either side may send words, a photo or a voice note; the other side gets it from the
bot, labelled with the sender's first name and the task, with Reply and "Ask an organiser to
help". Nobody learns anyone's username or Telegram id. For a request an organiser logged by
phone, the organiser is the resident's side. Each message is kept (storage.requests.relay) with the
outbox call that carries it, in one transaction; organisers read none of it unless a
participant asks for their help, which shares the last few messages.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum

from bot import languages
from bot.callback_data import pack
from bot.core import Core
from bot.delivery import notify
from bot.model.people import Person
from bot.model.requests import HelpRequest
from bot.requests.labels import the_request, your_request
from bot.requests.task_messages import first_name
from config import relay_texts, request_texts
from storage import audit, people
from storage.database import Connection, Tx
from storage.organising import neighbourhoods
from storage.requests import help_requests, relay

KINDS = ("text", "photo", "voice")
SHARED_WITH_ORGANISERS = 5  # how many of the last messages "Ask an organiser" shares
PURPOSE = "relay"
TEXT_ROOM = 3500  # escaped characters of a relayed text, leaving room for its label (4096)


class RelayOutcome(StrEnum):
    """How an attempt to pass a message on (or to ask an organiser) ended."""

    OK = "ok"
    NOT_A_PARTICIPANT = "not_a_participant"
    NOBODY = "nobody"
    FINISHED = "finished"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RelayCheck:
    """An outcome; when OK, the other side's first name and the task in the asker's words."""

    outcome: RelayOutcome
    peer_name: str = ""
    label: str = ""


@dataclass(frozen=True)
class Content:
    """What to pass on: words (kind text), or a photo or voice note with an optional caption."""

    kind: str
    text: str | None = None
    file_id: str | None = None


@dataclass(frozen=True)
class _Sides:
    """A participant, the other side, and the request, once a press is authorised."""

    request: HelpRequest
    me: Person
    peer: Person


def relay_buttons(request_id: int) -> notify.Buttons:
    """Reply, and Ask an organiser to help, under a relayed message."""
    return [
        [(relay_texts.BUTTON_REPLY, pack("relay", request_id))],
        [(relay_texts.BUTTON_ASK_ORGANISER, pack("relayhelp", request_id))],
    ]


class Relay:
    """Passes messages between a task's two sides and shares them with organisers on request."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def check(self, telegram_id: int, request_id: int) -> RelayCheck:
        """Whether this person may message the other side of this task now, and about what."""
        async with self._core.db.read() as conn:
            sides = await self._sides(conn, telegram_id, request_id)
            if isinstance(sides, RelayOutcome):
                return RelayCheck(sides)
            return RelayCheck(
                RelayOutcome.OK, first_name(sides.peer), self._label(sides.request, sides.me)
            )

    async def send(self, telegram_id: int, request_id: int, content: Content) -> RelayCheck:
        """Pass words, a photo or a voice note to the other side (checked again now)."""
        if content.kind not in KINDS:
            raise ValueError(f"cannot relay {content.kind!r}")
        async with self._core.db.transaction() as tx:
            sides = await self._sides(tx, telegram_id, request_id)
            if isinstance(sides, RelayOutcome):
                return RelayCheck(sides)
            outbox_id = await self._deliver(tx, sides, content)
            await relay.add(
                tx,
                request_id=sides.request.id,
                sender_person_id=sides.me.id,
                recipient_person_id=sides.peer.id,
                kind=content.kind,
                body=content.text,
                file_id=content.file_id,
                outbox_id=outbox_id,
                now=tx.now,
            )
        return RelayCheck(RelayOutcome.OK, first_name(sides.peer))

    async def _deliver(self, tx: Tx, sides: _Sides, content: Content) -> int:
        """Queue the message to the other side, in their language, labelled for them."""
        peer, name = sides.peer, first_name(sides.me)
        async with languages.speaking_to(tx, peer.telegram_id):
            label = self._label(sides.request, peer)
            buttons = relay_buttons(sides.request.id)
            if content.kind == "text":
                words = notify.escape_within(content.text or "", TEXT_ROOM)
                text = relay_texts.RELAYED.format(name=name, request=label, text=words)
                return await notify.send(
                    tx, peer.telegram_id, text, buttons=buttons, purpose=PURPOSE
                )
            item = request_texts.MEDIA_LABELS[content.kind]
            caption = relay_texts.RELAYED_MEDIA.format(item=item, name=name, request=label)
            room = notify.CAPTION_LIMIT - len(caption) - 2
            words = notify.escape_within(content.text or "", room)
            caption += f"\n\n{words}" if words else ""
            assert content.file_id is not None
            return await notify.send_media(
                tx,
                peer.telegram_id,
                content.kind,
                content.file_id,
                caption,
                buttons=buttons,
                purpose=PURPOSE,
            )

    async def ask_organiser(self, telegram_id: int, request_id: int) -> RelayCheck:
        """Share the last few messages with the neighbourhood's organisers; tell the other side."""
        async with self._core.db.transaction() as tx:
            sides = await self._sides(tx, telegram_id, request_id)
            if isinstance(sides, RelayOutcome):
                return RelayCheck(sides)
            await self._share_with_organisers(tx, sides)
            async with languages.speaking_to(tx, sides.peer.telegram_id):
                told = relay_texts.PEER_TOLD.format(
                    name=first_name(sides.me), request=self._label(sides.request, sides.peer)
                )
                await notify.send(tx, sides.peer.telegram_id, told, purpose=PURPOSE)
            await audit.record(
                tx,
                actor_telegram_id=telegram_id,
                action="relay.organiser_asked",
                subject=f"request:{sides.request.ref}",
                now=tx.now,
            )
        return RelayCheck(RelayOutcome.OK, first_name(sides.peer))

    async def _share_with_organisers(self, tx: Tx, sides: _Sides) -> None:
        """The organisers get the last few messages as text, then their photos and voice notes."""
        request = sides.request
        shared = await relay.recent(tx, request.id, SHARED_WITH_ORGANISERS)
        names = {sides.me.id: first_name(sides.me), sides.peer.id: first_name(sides.peer)}
        zone = self._core.settings.timezone
        neighbourhood = await neighbourhoods.by_id(tx, request.neighbourhood_id)
        organisers = await neighbourhoods.organisers_of(tx, request.neighbourhood_id)
        for organiser in organisers or sorted(self._core.settings.organiser_ids):
            async with languages.speaking_to(tx, organiser):
                lines = []
                for item in shared:
                    at = f"{item.created_at.astimezone(zone):%H:%M}"
                    said = html.escape(item.body or "")
                    if item.kind != "text":
                        said = f"{request_texts.MEDIA_LABELS[item.kind]} {said}".strip()
                    name = names.get(item.sender_person_id, "?")
                    lines.append(relay_texts.TRANSCRIPT_LINE.format(time=at, name=name, text=said))
                text = relay_texts.ORGANISER_HELP.format(
                    name=first_name(sides.me),
                    request=the_request(request, zone),
                    neighbourhood=html.escape(neighbourhood.name if neighbourhood else "?"),
                    peer=first_name(sides.peer),
                    lines="\n".join(lines) or "–",
                )
                await notify.send(tx, organiser, text, purpose="organiser")
                for item in (i for i in shared if i.kind != "text" and i.file_id):
                    caption = relay_texts.MEDIA_FROM.format(
                        item=request_texts.MEDIA_LABELS[item.kind],
                        name=names.get(item.sender_person_id, "?"),
                        time=f"{item.created_at.astimezone(zone):%H:%M}",
                    )
                    assert item.file_id is not None
                    await notify.send_media(
                        tx, organiser, item.kind, item.file_id, caption, purpose="organiser"
                    )

    async def _sides(
        self, conn: Connection, telegram_id: int, request_id: int
    ) -> _Sides | RelayOutcome:
        """The presser and the other side of the task, or why there is no relay now."""
        request = await help_requests.by_id(conn, request_id)
        presser = await people.by_telegram_id(conn, telegram_id)
        if request is None or presser is None:
            return RelayOutcome.UNKNOWN
        requester = await people.by_id(conn, request.requester_person_id)
        assignee = await people.by_id(conn, request.assignee_person_id)
        if presser.id not in (request.requester_person_id, request.assignee_person_id):
            return RelayOutcome.NOT_A_PARTICIPANT
        finished = await relay.finished_at(conn, request.id)
        window = self._core.settings.tunables.relay_window
        if finished is not None and self._core.clock.now() > finished + window:
            return RelayOutcome.FINISHED
        if requester is None or assignee is None or request.status == "open":
            return RelayOutcome.NOBODY
        peer = assignee if presser.id == requester.id else requester
        return _Sides(request, presser, peer)

    def _label(self, request: HelpRequest, person: Person) -> str:
        """The task in words for this person: 'your shopping …' for its requester."""
        zone = self._core.settings.timezone
        if person.id == request.requester_person_id:
            return your_request(request, zone)
        return the_request(request, zone)
