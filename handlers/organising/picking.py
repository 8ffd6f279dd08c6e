"""Shared steps of the organiser tools: pick a neighbourhood, then a person; parse; refuse."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.callback_data import pack, pattern, unpack
from bot.model.neighbourhoods import Neighbourhood
from bot.organising.community import NotAllowedError
from config import texts, vetting_texts
from handlers.context import AidApplication, AidContext
from handlers.replies import remove_buttons

# action(message to answer, organiser's Telegram id, neighbourhood id, context, extra args)
NeighbourhoodAction = Callable[[Message, int, int, AidContext, list[str]], Awaitable[None]]
# the same with the pressed choice last (promote/demote, suspend/unsuspend)
PersonAction = Callable[[Message, int, int, AidContext, list[str], str], Awaitable[None]]

CHOOSE_KIND = "vnb"
_NUMBER = re.compile(r"^#?([0-9]{1,12})$")
_ID = re.compile(r"^[0-9]{1,12}$")


class Listed(Protocol):
    """A person as organisers' pick lists show them."""

    @property
    def person_id(self) -> int:
        """The person's number."""
        ...

    @property
    def display_name(self) -> str | None:
        """The name they gave, if any."""
        ...


ListedT = TypeVar("ListedT", bound=Listed)
ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class PersonChoice:
    """A pressed "choice, neighbourhood, person" button, by an organiser of that neighbourhood."""

    query: CallbackQuery
    message: Message
    user_id: int
    choice: str
    neighbourhood_id: int
    person_id: int


def with_choice(run: PersonAction, choice: str) -> NeighbourhoodAction:
    """`run` with one fixed choice (e.g. promote), as a per-neighbourhood action."""

    async def run_choice(
        message: Message, user_id: int, neighbourhood_id: int, context: AidContext, extra: list[str]
    ) -> None:
        await run(message, user_id, neighbourhood_id, context, extra, choice)

    return run_choice


def person_number(args: list[str]) -> int | None:
    """The person's number from '#12' or '12'; None when it is not one."""
    match = _NUMBER.match(args[0]) if len(args) == 1 else None
    return int(match.group(1)) if match else None


def ids(values: list[str], count: int) -> list[int] | None:
    """The first `count` values as ids, or None if any is missing or not a number."""
    chosen = values[:count]
    if len(chosen) < count or not all(_ID.match(v) for v in chosen):
        return None
    return [int(v) for v in chosen]


def button_values(data: str | None) -> list[str]:
    """The arguments of button data (empty when it is not ours)."""
    parsed = unpack(data)
    return parsed[1] if parsed else []


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def edit_screen(query: CallbackQuery, text: str, rows: list[list[tuple[str, str]]]) -> None:
    """Show a screen in place of the pressed message (or below it when it cannot be edited)."""
    try:
        await query.edit_message_text(text, reply_markup=keyboard(rows))
    except BadRequest as error:
        if "not modified" in str(error).lower():
            return
        if not isinstance(query.message, Message):
            raise
        # Too old (or otherwise not editable): show the screen as a new message instead.
        await query.message.reply_text(text, reply_markup=keyboard(rows))


async def start_for_neighbourhood(
    update: Update, context: AidContext, name: str, run: NeighbourhoodAction
) -> None:
    """Run an organiser command on the one neighbourhood the sender organises, or ask which.

    An optional argument is a person's number (#12); anything else gets a usage answer.
    """
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    organised = await context.services.community.organised_neighbourhoods(user.id)
    if not organised:
        is_organiser = await context.services.community.is_organiser(user.id)
        await message.reply_text(
            texts.NO_NEIGHBOURHOODS_ORGANISED if is_organiser else texts.NOT_ORGANISER
        )
        return
    args = context.args or []
    number = person_number(args)
    if args and number is None:
        await message.reply_text(vetting_texts.PICK_PERSON_USAGE)
        return
    extra = [str(number)] if number is not None else []
    if len(organised) == 1:
        await run(message, user.id, organised[0].id, context, extra)
        return
    rows = [[(n.name, pack(CHOOSE_KIND, name, n.id, *extra))] for n in organised]
    await message.reply_text(texts.CHOOSE_NEIGHBOURHOOD_FOR, reply_markup=keyboard(rows))


async def refuse_press(update: Update) -> None:
    """Answer a press by someone who may not do this; nothing changes."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.NOT_ORGANISER_HERE, show_alert=True)


async def checked_ids(
    update: Update, context: AidContext, numbers: list[int] | None, *, valid: bool = True
) -> list[int] | None:
    """A button's ids (the neighbourhood's first) if the press may go on, re-checking the presser.

    A stale or forged button (no ids, or not `valid`) and an outsider's press are answered
    here, and give None.
    """
    query = update.callback_query
    if query is None:
        return None
    if numbers is None or not valid:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return None
    if not await is_organiser_of(update, context, numbers[0]):
        await refuse_press(update)
        return None
    return numbers


async def person_choice(
    update: Update, context: AidContext, choices: tuple[str, ...]
) -> PersonChoice | None:
    """A pressed "choice, neighbourhood, person" button, re-checked; None when answered here."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return None
    values = button_values(query.data)
    valid = bool(values) and values[0] in choices
    numbers = await checked_ids(update, context, ids(values[1:], 2), valid=valid)
    if numbers is None:
        return None
    return PersonChoice(query, query.message, user.id, values[0], numbers[0], numbers[1])


async def run_person_choice(
    update: Update, context: AidContext, choices: tuple[str, ...], run: PersonAction
) -> None:
    """Run the pressed choice on the person of a "choice, neighbourhood, person" button."""
    chosen = await person_choice(update, context, choices)
    if chosen is None:
        return
    await chosen.query.answer()
    await remove_buttons(chosen.query)
    await run(
        chosen.message,
        chosen.user_id,
        chosen.neighbourhood_id,
        context,
        [str(chosen.person_id)],
        chosen.choice,
    )


async def result_or_refuse(message: Message, call: Awaitable[ResultT]) -> ResultT | None:
    """The service call's result; None after telling the sender they don't organise there."""
    try:
        return await call
    except NotAllowedError:
        await message.reply_text(texts.NOT_ORGANISER_HERE)
        return None


def numbered(person: Listed) -> str:
    """A pick-list label: the person's number and name, if any."""
    return f"#{person.person_id} {person.display_name or ''}".strip()


async def listed_or_answered(
    message: Message, listing: Awaitable[tuple[Neighbourhood, Sequence[ListedT]]], empty: str
) -> tuple[Neighbourhood, Sequence[ListedT]] | None:
    """A neighbourhood and the people listed there; None after answering a refusal or `empty`.

    `empty` takes {neighbourhood}.
    """
    listed = await result_or_refuse(message, listing)
    if listed is None:
        return None
    where, people = listed
    if not people:
        await message.reply_text(empty.format(neighbourhood=html.escape(where.name)))
        return None
    return listed


async def pick_person_or_act(
    message: Message,
    extra: list[str],
    *,
    act: Callable[[int], Awaitable[None]],
    listing: Callable[[], Awaitable[tuple[Neighbourhood, Sequence[ListedT]]]],
    empty: str,
    prompt: str,
    button: Callable[[int, int], str],
    label: Callable[[ListedT], str] = numbered,
) -> None:
    """Act on the person numbered in `extra`, or offer the listed people as buttons.

    `empty` and `prompt` take {neighbourhood}; `button` makes the data for a
    (neighbourhood id, person id). The service calls re-check the organiser.
    """
    if extra:
        await result_or_refuse(message, act(int(extra[0])))
        return
    listed = await listed_or_answered(message, listing(), empty)
    if listed is None:
        return
    where, people = listed
    rows = [[(label(p), button(where.id, p.person_id))] for p in people]
    place = html.escape(where.name)
    await message.reply_text(prompt.format(neighbourhood=place), reply_markup=keyboard(rows))


async def is_organiser_of(update: Update, context: AidContext, neighbourhood_id: int) -> bool:
    """Whether the presser organises this neighbourhood now (a fresh database check)."""
    user = update.effective_user
    if user is None:
        return False
    organised = await context.services.community.organised_neighbourhoods(user.id)
    return any(n.id == neighbourhood_id for n in organised)


def neighbourhood_chosen_for(
    actions: Mapping[str, NeighbourhoodAction],
) -> Callable[[Update, AidContext], Coroutine[Any, Any, None]]:
    """The handler of the picker's buttons, running the pressed action of `actions`."""

    async def neighbourhood_chosen(update: Update, context: AidContext) -> None:
        """Run the action for the neighbourhood picked with a button, re-checking the presser."""
        query, user = update.callback_query, update.effective_user
        if query is None or user is None or not isinstance(query.message, Message):
            return
        values = button_values(query.data)
        function = actions.get(values[0]) if values else None
        extra = values[2:3]
        valid = function is not None and not (extra and ids(extra, 1) is None)
        chosen = await checked_ids(update, context, ids(values[1:], 1), valid=valid)
        if chosen is None or function is None:
            return
        await query.answer()
        await remove_buttons(query)
        await function(query.message, user.id, chosen[0], context, extra)

    return neighbourhood_chosen


def register(application: AidApplication, actions: Mapping[str, NeighbourhoodAction]) -> None:
    """Add the neighbourhood picker's button, which runs one of `actions`."""
    application.add_handler(
        CallbackQueryHandler(neighbourhood_chosen_for(actions), pattern=pattern(CHOOSE_KIND))
    )
