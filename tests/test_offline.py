"""Tests for the offline Telegram fake, driving a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import html
import time

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
)

from bot.offline.fake_bot_api import FakeTelegram, FakeUser, UpdateBuilder
from bot.offline.updates import chat_type_for

TOKEN = "1000:TEST-TOKEN-not-real-xxxxxxxxxxxxxxxxxxxx"
ANN = FakeUser(1001, "Ann", username="ann_test")
BOB = FakeUser(1002, "Bob", last_name="Builder")
SUPERGROUP_ID = -1001000000001
BASIC_GROUP_ID = -4000000001
PHONE = "+44 7700 100123"


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def errors() -> list[object]:
    return []


@pytest.fixture
async def app(fake, errors):
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(fake)
        .get_updates_request(fake)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .build()
    )

    async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    application.add_error_handler(record_error)
    async with application:
        yield application


@pytest.fixture
def builder(app, fake) -> UpdateBuilder:
    return UpdateBuilder(app.bot, fake)


async def test_get_me_identifies_the_fake_bot(app: Application, fake: FakeTelegram) -> None:
    assert app.bot.username == "MutualAidTestBot"
    assert app.bot.id == 1000
    assert app.bot.bot.can_join_groups is True
    assert [call.method for call in fake.calls_to("getMe")] == ["getMe"]


async def test_start_reply_arrives_in_the_users_chat(app, fake, builder, errors) -> None:
    seen_args: list[list[str]] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen_args.append(list(context.args or []))
        name = html.escape(update.effective_user.first_name)
        await update.effective_message.reply_text(f"Welcome, <b>{name}</b>!")

    app.add_handler(CommandHandler("start", start))
    update = builder.deep_link_start(ANN, "join-AbC123")
    assert update.message.text == "/start join-AbC123"
    assert (update.message.entities[0].offset, update.message.entities[0].length) == (0, 6)

    await app.process_update(update)

    assert errors == []
    assert seen_args == [["join-AbC123"]]
    assert fake.texts_to(ANN.id) == ["Welcome, <b>Ann</b>!"]
    assert fake.texts_to(BOB.id) == []
    sent = fake.calls_to("sendMessage", chat_id=ANN.id)[0].result
    assert sent["chat"] == {
        "id": ANN.id,
        "type": "private",
        "first_name": "Ann",
        "username": "ann_test",
    }
    stored = fake.message(ANN.id, sent["message_id"])
    assert stored["text"] == "Welcome, Ann!"
    assert stored["entities"] == [{"type": "bold", "offset": 9, "length": 3}]
    assert sent["message_id"] == update.message.message_id + 1  # ids are shared per chat


async def test_group_command_addressed_to_the_bot(app, fake, builder, errors) -> None:
    chat_types: list[str] = []

    async def link_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_types.append(update.effective_chat.type)
        await update.effective_message.reply_text("Linked")

    app.add_handler(CommandHandler("linkgroup", link_group))
    addressed = builder.group_command(ANN, SUPERGROUP_ID, "linkgroup@MutualAidTestBot")
    await app.process_update(addressed)
    await app.process_update(builder.group_command(ANN, BASIC_GROUP_ID, "linkgroup", "now"))
    await app.process_update(builder.group_command(ANN, SUPERGROUP_ID, "linkgroup@OtherBot"))

    assert errors == []
    assert chat_types == ["supergroup", "group"]
    assert fake.texts_to(SUPERGROUP_ID) == ["Linked"]
    assert fake.texts_to(BASIC_GROUP_ID) == ["Linked"]
    group_text = builder.group_text(BOB, SUPERGROUP_ID, "hello", chat_title="Helpers")
    assert group_text.effective_chat.title == "Helpers"
    assert group_text.effective_user.last_name == "Builder"


async def test_callback_press_is_answered_and_edits_the_message(app, fake, builder, errors) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Accept", callback_data="req:7:yes")]])
    done = InlineKeyboardMarkup([[InlineKeyboardButton("Undo", callback_data="req:7:undo")]])

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("Thanks!")
        await update.callback_query.edit_message_text("Accepted by <i>Ann</i>", reply_markup=done)

    app.add_handler(CallbackQueryHandler(on_press, pattern=r"^req:"))
    sent = await app.bot.send_message(ANN.id, "Request 7", reply_markup=keyboard)
    assert fake.message(ANN.id, sent.message_id)["reply_markup"] == keyboard.to_dict()

    press = builder.callback(ANN, "req:7:yes", message_id=sent.message_id)
    assert press.callback_query.message.reply_markup == keyboard
    await app.process_update(press)

    assert errors == []
    answers = fake.calls_to("answerCallbackQuery")
    assert [call.params for call in answers] == [
        {"callback_query_id": press.callback_query.id, "text": "Thanks!"}
    ]
    stored = fake.message(ANN.id, sent.message_id)
    assert stored["text"] == "Accepted by Ann"
    assert stored["reply_markup"] == done.to_dict()
    assert "edit_date" in stored
    assert fake.texts_to(ANN.id) == ["Request 7", "Accepted by <i>Ann</i>"]
    assert fake.last_text_to(ANN.id) == "Accepted by <i>Ann</i>"


async def test_commands_round_trip_per_scope(app, fake) -> None:
    commands = [BotCommand("start", "Join or open the menu"), BotCommand("help", "How it works")]
    private = BotCommandScopeAllPrivateChats()
    assert await app.bot.set_my_commands(commands, scope=private) is True

    assert fake.commands_for({"type": "all_private_chats"}) == [c.to_dict() for c in commands]
    assert fake.commands_for() == []
    assert await app.bot.get_my_commands(scope=private) == tuple(commands)
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await app.bot.set_my_commands([BotCommand("Start", "capitalised")])

    await app.bot.delete_my_commands(scope=private)
    assert fake.commands_for({"type": "all_private_chats"}) == []


async def test_send_document_keeps_uploaded_bytes(app, fake) -> None:
    content = f"name,phone\nAnn,{PHONE}\n".encode()
    sent = await app.bot.send_document(
        SUPERGROUP_ID, content, filename="export.csv", caption="<b>Export</b>"
    )
    assert sent.document.file_name == "export.csv"
    assert sent.caption == "Export"
    assert fake.documents_to(SUPERGROUP_ID) == [("export.csv", content)]

    again = await app.bot.send_document(ANN.id, sent.document.file_id)
    assert again.document.file_id == sent.document.file_id
    assert fake.documents_to(ANN.id) == [("export.csv", content)]
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await app.bot.send_document(ANN.id, "not-a-known-file-id")


async def test_concurrent_sends_get_distinct_increasing_ids(app, fake) -> None:
    messages = await asyncio.gather(*(app.bot.send_message(ANN.id, f"n{i}") for i in range(10)))
    assert sorted(m.message_id for m in messages) == list(range(1, 11))
    for message in messages:
        assert fake.message(ANN.id, message.message_id)["text"] == message.text
    other = await app.bot.send_message(BOB.id, "separate chat")
    assert other.message_id == 1


async def test_get_updates_returns_pushed_updates_until_confirmed(app, fake, builder) -> None:
    first = fake.push_update(builder.text(ANN, "one").to_dict() | {"update_id": 500})
    second = fake.push_update({"message": builder.text(BOB, "two").to_dict()["message"]})
    assert second == first + 1

    updates = await app.bot.get_updates(offset=0)
    assert [u.message.text for u in updates] == ["one", "two"]
    assert [u.update_id for u in updates] == [500, 501]

    started = time.monotonic()
    assert await app.bot.get_updates(offset=second + 1, timeout=5) == ()
    assert time.monotonic() - started < 1
    assert len(fake.calls_to("getUpdates")) == 1  # empty answers are not recorded


async def test_polling_delivers_a_pushed_update_once(app, fake, builder, errors) -> None:
    handled: list[str] = []
    arrived = asyncio.Event()

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled.append(update.effective_message.text)
        arrived.set()

    app.add_handler(CommandHandler("start", start))
    fake.push_update(builder.command(ANN, "start").to_dict())
    await app.updater.start_polling(poll_interval=0)
    await app.start()
    try:
        await asyncio.wait_for(arrived.wait(), timeout=3)
        await asyncio.sleep(0.2)  # several more polls
    finally:
        await app.updater.stop()
        await app.stop()
    assert handled == ["/start"]
    assert errors == []
    assert fake.calls_to("deleteWebhook")


async def test_chat_member_status_and_chat_shapes(app, fake) -> None:
    fake.set_chat_member_status(SUPERGROUP_ID, ANN.id, "administrator")
    admin = await app.bot.get_chat_member(SUPERGROUP_ID, ANN.id)
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.user.id == ANN.id
    member = await app.bot.get_chat_member(SUPERGROUP_ID, BOB.id)
    assert member.status == "member"
    with pytest.raises(ValueError, match="(?i)unsupported"):
        fake.set_chat_member_status(SUPERGROUP_ID, BOB.id, "owner")

    private = await app.bot.get_chat(ANN.id)
    supergroup = await app.bot.get_chat(SUPERGROUP_ID)
    group = await app.bot.get_chat(BASIC_GROUP_ID)
    assert (private.type, private.first_name) == ("private", f"User{ANN.id}")
    assert (supergroup.type, supergroup.title) == ("supergroup", f"Test group {SUPERGROUP_ID}")
    assert group.type == "group"


@pytest.mark.parametrize(
    ("chat_id", "chat_type"),
    [
        (1001, "private"),
        (SUPERGROUP_ID, "supergroup"),
        (BASIC_GROUP_ID, "group"),
        (-1000001, "group"),
    ],
)
def test_chat_type_for_ids(chat_id: int, chat_type: str) -> None:
    assert chat_type_for(chat_id) == chat_type


async def test_contact_update_and_deleting_the_users_message(app, fake, builder) -> None:
    update = builder.contact(ANN, PHONE, contact_user_id=ANN.id)
    contact = update.message.contact
    assert (contact.phone_number, contact.user_id, contact.first_name) == (PHONE, ANN.id, "Ann")
    assert builder.contact(BOB, PHONE).message.contact.user_id is None

    await app.bot.delete_message(ANN.id, update.message.message_id)
    assert fake.message(ANN.id, update.message.message_id) is None
    users_message = builder.text(ANN, "mine").message
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await app.bot.edit_message_text(
            "edited", chat_id=ANN.id, message_id=users_message.message_id
        )


async def test_builder_without_fake_and_raw_updates(app) -> None:
    standalone = UpdateBuilder(app.bot)
    first = standalone.text(ANN, "a")
    second = standalone.text(ANN, "b")
    assert second.update_id == first.update_id + 1
    assert second.message.message_id == first.message.message_id + 1
    press = standalone.callback(ANN, "x", chat_id=SUPERGROUP_ID, message_id=5, message_text="Hi")
    assert press.callback_query.message.chat.type == "supergroup"
    assert press.callback_query.message.from_user.id == app.bot.id
    raw = standalone.raw({"update_id": 77, "message": first.message.to_dict()})
    assert raw.update_id == 77
    assert raw.message.text == "a"


async def test_error_handler_sees_handler_failures(app, fake, builder, errors) -> None:
    async def broken(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("<b>oops")

    app.add_handler(CommandHandler("help", broken))
    await app.process_update(builder.command(ANN, "help"))
    assert len(errors) == 1
    assert isinstance(errors[0], BadRequest)


async def test_clear_forgets_calls_but_keeps_messages(app, fake) -> None:
    sent = await app.bot.send_message(ANN.id, "kept")
    fake.clear()
    assert fake.calls == []
    assert fake.last_text_to(ANN.id) is None
    assert fake.message(ANN.id, sent.message_id)["text"] == "kept"
