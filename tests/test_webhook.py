"""`run --webhook` and the HTTP endpoints, on the real process against the loopback Bot API.

A webhook call is stored (and committed) before it is answered 200, and only with the right
secret; stored updates are handled by the same inbox code as polling. /healthz answers from
the database, /metrics in Prometheus's format with gauges read from it at scrape time.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient as HttpClient
from aiohttp.test_utils import TestServer as HttpServer
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import SystemClock
from bot.runtime.metrics import RuntimeMetrics
from bot.runtime.webhook import Endpoints, http_app
from storage import jobs
from storage.database import Database
from tests.bot_api_server import LoopbackBotApi, serve_bot_api
from tests.conftest import RESIDENT, TEST_TOKEN, BotHarness
from tests.flows import agree, ask_for_shopping, neighbourhood_with_invite
from tests.flows_reliability import (
    REPO,
    BotProcess,
    Db,
    process_settings,
    text_update,
    wait_for,
)
from tests.test_cli import cli

SECRET = "s3cret_-Token"
PUBLIC_URL = "https://bot.example.org/telegram"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebhookProcess(BotProcess):
    """`mutual-aid-bot run --webhook` as a child process."""

    def start(self) -> None:
        self.starts += 1
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--webhook"],
                env=self._env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append(self.process)


MakeWebhook = Callable[..., tuple[WebhookProcess, str]]


@pytest.fixture
def webhook_process(
    tmp_path: Path, bot_process: Callable[..., BotProcess]
) -> Iterator[MakeWebhook]:
    """Makes webhook processes on the test's backend (bot_process set it up); kills them after."""
    made: list[WebhookProcess] = []

    def make(api: LoopbackBotApi) -> tuple[WebhookProcess, str]:
        port = free_port()
        process = WebhookProcess(
            tmp_path,
            api,
            WEBHOOK_URL=PUBLIC_URL,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PORT=str(port),
        )
        made.append(process)
        return process, f"http://127.0.0.1:{port}"

    yield make
    for process in made:
        process.reap()


def http(
    url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """(status, text) of a GET, or a POST when there is a body."""
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def post_update(root: str, update: dict[str, object], secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    status, _ = http(f"{root}/telegram", json.dumps(update).encode(), headers)
    return status


def serving(api: LoopbackBotApi, bot: BotProcess, root: str) -> bool:
    """Wait until the webhook is set and /healthz answers (or the process died)."""
    return (
        wait_for(
            lambda: (
                not bot.alive() or ("setWebhook" in api.methods() and http(f"{root}/healthz")[0])
            ),
            30,
            0.05,
        )
        and bot.alive()
    )


def stored(db: Db, update_id: int) -> bool:
    return bool(db.rows("SELECT 1 FROM inbox WHERE update_id = ?", update_id))


def metric(text: str, name: str, **labels: str) -> float:
    """A metric's value in /metrics text: its samples with these labels added up."""
    for family in text_string_to_metric_families(text):
        if family.name == name:
            return sum(
                float(sample.value)
                for sample in family.samples
                if sample.name in (name, f"{name}_total")
                and all(sample.labels.get(k) == v for k, v in labels.items())
            )
    raise AssertionError(f"{name} not in /metrics")


def test_webhook_checks_the_secret_stores_then_handles(
    tmp_path: Path, webhook_process: MakeWebhook
) -> None:
    with serve_bot_api() as (api, _):
        bot, root = webhook_process(api)
        bot.start()
        try:
            assert serving(api, bot, root), bot.report()
            db = Db.of(tmp_path)
            # Wrong or missing secret: refused, and nothing is stored.
            assert post_update(root, text_update(1, RESIDENT, "/start"), "wrong") == 403
            assert post_update(root, text_update(2, RESIDENT, "/start"), None) == 403
            assert post_update(root, text_update(3, RESIDENT, "/start"), SECRET + "x") == 403
            # Not an update: refused, not stored.
            status, _ = http(
                f"{root}/telegram", b"[1, 2]", {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert status == 400
            assert post_update(root, {"update_id": "4"}) == 400
            assert not any(stored(db, n) for n in (1, 2, 3, 4))
            # The right secret: stored before the 200, then handled.
            assert post_update(root, text_update(10, RESIDENT, "/start")) == 200
            assert stored(db, 10)
            answered = wait_for(lambda: bool(api.sent_to(RESIDENT.id)) or not bot.alive(), 20)
            assert answered and db.handled(10), bot.report()
            assert "a word about your data" in api.sent_to(RESIDENT.id)[0][1]
            assert "getUpdates" not in api.methods()
            [(_, _, params)] = [c for c in api.calls if c[1] == "setWebhook"]
            assert params["url"] == PUBLIC_URL and params["secret_token"] == SECRET
            allowed = params["allowed_updates"]
            allowed = json.loads(allowed) if isinstance(allowed, str) else allowed
            assert "message" in allowed and "callback_query" in allowed
            assert str(params.get("drop_pending_updates", "false")).lower() == "false"
        finally:
            exit_status = bot.stop()
        assert exit_status == 0, bot.report()
        assert "deleteWebhook" not in api.methods()


async def test_healthz_and_metrics_match_the_database(
    tmp_path: Path, webhook_process: MakeWebhook
) -> None:
    harness = BotHarness(settings=process_settings(tmp_path), clock=SystemClock())
    await harness.start()
    try:
        _, code = await neighbourhood_with_invite(harness)
        await agree(harness, RESIDENT, code)
        await ask_for_shopping(
            harness, RESIDENT, description="Milk", address="1 Elm Road", phone="07700 100456"
        )
    finally:
        await harness.stop()
    with serve_bot_api() as (api, _):
        bot, root = webhook_process(api)
        bot.start()
        try:
            assert serving(api, bot, root), bot.report()
            assert http(f"{root}/healthz") == (200, "ok")
            for n in (21, 22):
                assert post_update(root, text_update(n, RESIDENT, "/help")) == 200
            db = Db.of(tmp_path)
            assert wait_for(lambda: db.handled(21) and db.handled(22), 20), bot.report()
            status, text = http(f"{root}/metrics")
            assert status == 200
            handled = db.value("SELECT COUNT(*) FROM inbox WHERE handled_at IS NOT NULL")
            assert metric(text, "mutual_aid_updates_handled") == handled == 2
            open_requests = db.value("SELECT COUNT(*) FROM help_requests WHERE status = 'open'")
            assert metric(text, "mutual_aid_open_requests") == open_requests == 1
            assert metric(text, "mutual_aid_gauges_read_ok") == 1
            assert wait_for(lambda: db.pending_outbox() == 0, 20), bot.report()
            _, text = http(f"{root}/metrics")
            assert metric(text, "mutual_aid_outbox_pending") == 0
            sent = metric(text, "mutual_aid_sends", result="sent")
            assert sent == len(api.delivered("sendMessage")) >= 2
            families = {family.name for family in text_string_to_metric_families(text)}
            assert {
                "mutual_aid_update_handling_seconds",
                "mutual_aid_sends",
                "mutual_aid_telegram_429",
                "mutual_aid_scheduled_jobs_due",
                "mutual_aid_open_escalations",
            } <= families
        finally:
            exit_status = bot.stop()
        assert exit_status == 0, bot.report()


def test_polling_serves_healthz_and_metrics_on_http_port(
    tmp_path: Path, bot_process: Callable[..., BotProcess]
) -> None:
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    with serve_bot_api() as (api, _):
        api.push_update(text_update(1, RESIDENT, "/start"))
        bot = bot_process(api, HTTP_PORT=str(port), WEBHOOK_HOST="127.0.0.1")
        bot.start()
        try:
            answered = wait_for(lambda: bool(api.sent_to(RESIDENT.id)) or not bot.alive(), 30)
            assert answered and bot.alive(), bot.report()
            assert http(f"{root}/healthz") == (200, "ok")
            status, text = http(f"{root}/metrics")
            assert status == 200 and metric(text, "mutual_aid_updates_handled") == 1
            assert metric(text, "mutual_aid_sends") >= 1  # the answer went through the outbox
            assert "getUpdates" in api.methods() and "setWebhook" not in api.methods()
        finally:
            exit_status = bot.stop()
        assert exit_status == 0, bot.report()


def test_webhook_without_url_or_secret_exits_2_naming_it(tmp_path: Path) -> None:
    missing_url = cli(tmp_path, "run", "--webhook", BOT_TOKEN=TEST_TOKEN, WEBHOOK_SECRET=SECRET)
    assert missing_url.returncode == 2
    [line] = missing_url.stderr.strip().splitlines()
    assert line.startswith("configuration error: WEBHOOK_URL:")
    missing_secret = cli(tmp_path, "run", "--webhook", BOT_TOKEN=TEST_TOKEN, WEBHOOK_URL=PUBLIC_URL)
    assert missing_secret.returncode == 2
    assert missing_secret.stderr.startswith("configuration error: WEBHOOK_SECRET:")
    bad_secret = cli(tmp_path, "check-config", BOT_TOKEN=TEST_TOKEN, WEBHOOK_SECRET="has space")
    assert bad_secret.returncode == 2 and "has space" not in bad_secret.stderr
    shown = cli(
        tmp_path,
        "check-config",
        BOT_TOKEN=TEST_TOKEN,
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_URL=PUBLIC_URL,
    )
    assert shown.returncode == 0, shown.stderr
    assert SECRET not in shown.stdout and PUBLIC_URL in shown.stdout


async def test_healthz_and_gauges_in_process_and_when_the_database_is_gone(db: Database) -> None:
    """Jobs due and not yet due, read at scrape time; a closed database gives 503 and stale."""
    now = datetime.now(UTC)
    async with db.transaction() as conn:
        for due in (
            now - timedelta(minutes=1),
            now - timedelta(seconds=1),
            now + timedelta(hours=1),
        ):
            await jobs.insert(conn, kind="test", target="", due_at=due, payload={}, now=now)
    metrics = RuntimeMetrics()
    async with HttpClient(HttpServer(http_app(Endpoints(db, SystemClock(), metrics)))) as client:
        healthy = await client.get("/healthz")
        assert healthy.status == 200 and await healthy.text() == "ok"
        scraped = await client.get("/metrics")
        text = await scraped.text()
        assert scraped.status == 200
        assert metric(text, "mutual_aid_scheduled_jobs_due") == 2
        assert metric(text, "mutual_aid_open_requests") == 0
        assert metric(text, "mutual_aid_gauges_read_ok") == 1
        await db.close()
        unhealthy = await client.get("/healthz")
        assert unhealthy.status == 503 and (await unhealthy.text()).startswith("database")
        stale = await client.get("/metrics")
        text = await stale.text()
        assert stale.status == 200 and metric(text, "mutual_aid_gauges_read_ok") == 0
        assert metric(text, "mutual_aid_scheduled_jobs_due") == 2
