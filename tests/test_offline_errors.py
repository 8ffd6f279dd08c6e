"""The offline Telegram fake's checks and failures: HTML, limits, edits, injected errors, blocks."""

from __future__ import annotations

import datetime as dtm
import html

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.offline.fake_bot_api import parse_telegram_html
from tests.test_offline import ANN, BOB, SUPERGROUP_ID
from tests.test_offline import app as app  # fixtures; "x as x" marks the imports as used
from tests.test_offline import errors as errors
from tests.test_offline import fake as fake

BAD_HTML = ["<b>unclosed", "a < b", "Tom & Jerry", "<script>x</script>"]


def seconds(value: int | dtm.timedelta) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB settings."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


async def test_edits_of_unchanged_or_missing_messages_are_rejected(app, fake) -> None:
    sent = await app.bot.send_message(ANN.id, "<b>Open</b>")
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await app.bot.edit_message_text("<b>Open</b>", chat_id=ANN.id, message_id=sent.message_id)
    await app.bot.edit_message_text("Open", chat_id=ANN.id, message_id=sent.message_id)
    assert fake.message(ANN.id, sent.message_id).get("entities") is None

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Close", callback_data="close")]])
    await app.bot.edit_message_reply_markup(ANN.id, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await app.bot.edit_message_reply_markup(ANN.id, sent.message_id, reply_markup=keyboard)
    await app.bot.edit_message_reply_markup(ANN.id, sent.message_id, reply_markup=None)
    assert "reply_markup" not in fake.message(ANN.id, sent.message_id)

    assert await app.bot.delete_message(ANN.id, sent.message_id) is True
    assert fake.message(ANN.id, sent.message_id) is None
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await app.bot.edit_message_text("Gone", chat_id=ANN.id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await app.bot.delete_message(ANN.id, sent.message_id)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await app.bot.edit_message_text("Never sent", chat_id=ANN.id, message_id=99)


@pytest.mark.parametrize("bad_html", BAD_HTML)
async def test_invalid_html_is_rejected_and_escaped_html_accepted(app, fake, bad_html) -> None:
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await app.bot.send_message(ANN.id, bad_html)
    failed = fake.calls[-1]
    assert failed.method == "sendMessage"
    assert failed.error.startswith("Bad Request: can't parse entities")
    assert fake.calls_to("sendMessage") == []

    sent = await app.bot.send_message(ANN.id, html.escape(bad_html))
    assert sent.text == bad_html
    assert fake.message(ANN.id, sent.message_id)["text"] == bad_html


@pytest.mark.parametrize(
    ("bad_html", "reason"),
    [
        ("<b>x</i>", 'Unmatched end tag, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("a &nbsp; b", 'Character "&" must be escaped'),
        ("<!-- note -->", 'Unsupported start tag "!--"'),
    ],
)
def test_html_parser_reasons(bad_html: str, reason: str) -> None:
    with pytest.raises(Exception, match="(?i)can't parse entities") as caught:
        parse_telegram_html(bad_html)
    assert reason in str(caught.value)


def test_html_parser_accepts_telegram_markup() -> None:
    text, entities = parse_telegram_html(
        '<b>1 &lt; 2</b> <span class="tg-spoiler">s</span> <a href="https://example.org/?a=1&amp;b=2">'
        "link</a> &#128512; <blockquote expandable>q</blockquote>"
        ' <pre><code class="language-python">x = 1</code></pre>'
    )
    assert text == "1 < 2 s link 😀 q x = 1"
    assert {e["type"] for e in entities} == {
        "bold",
        "spoiler",
        "text_link",
        "expandable_blockquote",
        "pre",
    }
    link = next(e for e in entities if e["type"] == "text_link")
    assert link["url"] == "https://example.org/?a=1&b=2"
    pre = next(e for e in entities if e["type"] == "pre")
    assert pre == {"type": "pre", "offset": 18, "length": 5, "language": "python"}  # 😀 is 2 units


async def test_text_length_limits_count_visible_text(app, fake) -> None:
    await app.bot.send_message(ANN.id, "x" * 4096)
    await app.bot.send_message(ANN.id, "&amp;" * 4096)  # 4096 visible characters
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await app.bot.send_message(ANN.id, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await app.bot.send_message(ANN.id, "<b> </b>")
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await app.bot.send_document(ANN.id, b"data", filename="a.txt", caption="c" * 1025)
    assert len(fake.calls_to("sendMessage")) == 2


async def test_callback_data_over_64_bytes_is_rejected(app, fake) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])

    await app.bot.send_message(ANN.id, "ok", reply_markup=keyboard("a" * 64))
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await app.bot.send_message(ANN.id, "too long", reply_markup=keyboard("é" * 33))
    assert fake.texts_to(ANN.id) == ["ok"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_429_raises_retry_after_once(app, fake) -> None:
    fake.fail_next("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(ANN.id, "first")
    assert seconds(caught.value.retry_after) == 7
    assert fake.calls[-1].error == "Too Many Requests: retry after 7"

    await app.bot.send_message(ANN.id, "second")
    assert fake.texts_to(ANN.id) == ["second"]


@pytest.mark.parametrize(
    ("kind", "exception", "message"),
    [
        ("400", BadRequest, "chat not found"),
        ("403", Forbidden, "bot was blocked by the user"),
        ("500", NetworkError, "Internal Server Error"),
        ("timeout", TimedOut, "Timed out"),
    ],
)
async def test_fail_next_error_kinds(app, fake, kind, exception, message) -> None:
    fake.fail_next("sendMessage", kind)
    with pytest.raises(exception, match=f"(?i){message}") as caught:
        await app.bot.send_message(ANN.id, "hello")
    if kind != "400":
        assert not isinstance(caught.value, BadRequest)
    assert fake.calls[-1].error is not None
    assert fake.calls_to("sendMessage") == []


async def test_fail_next_can_target_one_chat_several_times(app, fake) -> None:
    fake.fail_next("sendMessage", "403", times=2, chat_id=BOB.id)
    await app.bot.send_message(ANN.id, "to Ann")
    for _ in range(2):
        with pytest.raises(Forbidden):
            await app.bot.send_message(BOB.id, "to Bob")
    await app.bot.send_message(BOB.id, "to Bob again")
    assert fake.texts_to(ANN.id) == ["to Ann"]
    assert fake.texts_to(BOB.id) == ["to Bob again"]


async def test_block_answers_403_until_unblocked(app, fake) -> None:
    fake.block(BOB.id)
    fake.block(SUPERGROUP_ID)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await app.bot.send_message(BOB.id, "hi")
    with pytest.raises(Forbidden, match="(?i)kicked from the supergroup"):
        await app.bot.send_document(SUPERGROUP_ID, b"x", filename="x.txt")
    await app.bot.send_message(ANN.id, "still fine")
    fake.unblock(BOB.id)
    await app.bot.send_message(BOB.id, "hi again")
    assert fake.texts_to(BOB.id) == ["hi again"]


async def test_unsupported_methods_fail_and_are_recorded(app, fake) -> None:
    with pytest.raises(BadRequest, match="(?i)method sendPoll is not supported by the fake"):
        await app.bot.send_poll(ANN.id, "Lunch?", ["Yes", "No"])
    assert fake.calls[-1].method == "sendPoll"
    assert fake.calls[-1].error is not None
    assert fake.calls_to("sendPoll") == []
