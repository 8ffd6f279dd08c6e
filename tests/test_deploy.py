"""The multi-process example (deploy/compose.yaml and its Caddyfile), and the healthcheck command.

No Docker engine runs here: the compose file is parsed and checked against the settings the bot
really reads (their values parsed by load_settings), and the health check runs as the command
the image's HEALTHCHECK runs, against a small local HTTP server and against the real process.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from config.settings import load_settings
from tests.bot_api_server import serve_bot_api
from tests.conftest import TEST_TOKEN
from tests.flows_reliability import BotProcess, wait_for
from tests.test_cli import cli

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
BOTS = ("bot1", "bot2", "bot3")
SECRETS = ("BOT_TOKEN", "WEBHOOK_SECRET")
# A Telegram bot token: digits, a colon, then at least 20 letters, digits, _ or -.
TOKEN_LIKE = re.compile(r"\d+:[A-Za-z0-9_-]{20,}")
# Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error} (and without the colon).
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-?])([^}]*))?\}")
# What the operator would put in deploy/.env; the rest take the file's defaults.
SAMPLE_ENV = {
    "BOT_TOKEN": TEST_TOKEN,
    "WEBHOOK_SECRET": "s3cret_-Token",
    "POSTGRES_PASSWORD": "pw",
    "BOT_DOMAIN": "bot.example.org",
}


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def bot_environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service["environment"]
    assert isinstance(environment, dict), "give the bots' environment as a mapping"
    return {str(name): str(value) for name, value in environment.items()}


def interpolate(value: str, env: dict[str, str]) -> str:
    """What Compose makes of a value, given the variables in env (KeyError: a required one)."""

    def one(match: re.Match[str]) -> str:
        name, kind, rest = match.groups()
        if name in env:
            return env[name]
        if kind == "?":
            raise KeyError(f"{name} is required ({rest})")
        return rest if kind == "-" else ""

    return INTERPOLATION.sub(one, value)


def settings_the_bot_reads() -> set[str]:
    """Every environment variable load_settings looks up, recorded as it looks."""

    class Recording(dict[str, str]):
        def __init__(self) -> None:
            super().__init__()
            self.read: set[str] = set()

        def get(self, key: str, default: Any = None) -> Any:
            self.read.add(key)
            return super().get(key, default)

    environ = Recording()
    load_settings(environ)
    return environ.read


def token_like_values(text: str) -> list[str]:
    return TOKEN_LIKE.findall(text)


def caddy_lines(text: str) -> list[str]:
    """The Caddyfile's lines without comments and blank lines, stripped."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def proxy_config(services: dict[str, Any]) -> Path:
    """The Caddyfile the proxy service mounts, as a path on this machine."""
    for volume in services["proxy"]["volumes"]:
        source, target, *_ = volume.split(":")
        if target == "/etc/caddy/Caddyfile":
            return (COMPOSE.parent / source).resolve()
    raise AssertionError("the proxy mounts no /etc/caddy/Caddyfile")


def test_services_postgres_proxy_and_three_identical_bots() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "proxy", *BOTS}
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"], "the database lives in a named volume"
    first = services[BOTS[0]]
    for name in BOTS:
        bot = services[name]
        assert bot["command"] == ["mutual-aid-bot", "run", "--webhook"]
        assert bot["build"] == first["build"] and bot["image"] == first["image"]
        assert (COMPOSE.parent / bot["build"]["context"]).resolve() == REPO
        assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert bot_environment(bot) == bot_environment(first)
        assert "ports" not in bot, "only the proxy is reachable from outside"


def test_the_bots_get_only_settings_the_bot_reads_and_they_parse() -> None:
    read = settings_the_bot_reads()
    assert {"BOT_TOKEN", "DATABASE_URL", "WEBHOOK_URL", "CONFIG_FILE"} <= read  # it recorded
    services = compose()["services"]
    environment = bot_environment(services["bot1"])
    assert set(environment) <= read, sorted(set(environment) - read)
    values = {name: interpolate(value, SAMPLE_ENV) for name, value in environment.items()}
    settings = load_settings(values)
    assert settings.database_url is not None
    database = urlsplit(settings.database_url)
    assert database.hostname == "postgres" and database.port == 5432
    assert database.path.lstrip("/") == services["postgres"]["environment"]["POSTGRES_DB"]
    assert database.username == services["postgres"]["environment"]["POSTGRES_USER"]
    url, secret = settings.require_webhook()
    assert urlsplit(url).hostname == SAMPLE_ENV["BOT_DOMAIN"]
    assert urlsplit(url).path == settings.webhook_path  # the proxy forwards the path unchanged
    assert secret.reveal() == SAMPLE_ENV["WEBHOOK_SECRET"]
    assert settings.require_token().reveal() == TEST_TOKEN
    assert settings.webhook_port == 8080


def test_secrets_come_only_from_the_environment() -> None:
    services = compose()["services"]
    environment = bot_environment(services["bot1"])
    for name in SECRETS:
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]+\}}", environment[name]), environment[name]
    password = services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]+\}", password)
    assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]
    for path in (COMPOSE, proxy_config(services)):
        assert token_like_values(path.read_text(encoding="utf-8")) == [], path


def test_the_token_check_finds_a_pasted_token() -> None:
    token = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
    text = COMPOSE.read_text(encoding="utf-8")
    pasted = re.sub(r"\$\{BOT_TOKEN:\?[^}]*\}", token, text)
    assert pasted != text and token_like_values(pasted) == [token]


def test_the_proxy_balances_the_webhook_path_over_the_three_bots() -> None:
    services = compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:2")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    environment = bot_environment(services["bot1"])
    values = {name: interpolate(value, SAMPLE_ENV) for name, value in environment.items()}
    webhook_port, webhook_path = values["WEBHOOK_PORT"], values["WEBHOOK_PATH"]
    lines = caddy_lines(proxy_config(services).read_text(encoding="utf-8"))
    [site] = [line for line in lines if line.endswith("{") and line.startswith("{$")]
    domain = re.fullmatch(r"\{\$(\w+)\} \{", site)
    assert domain is not None and domain.group(1) in proxy["environment"]
    assert f"${{{domain.group(1)}" in environment["WEBHOOK_URL"], "the same public host"
    [at] = [i for i, line in enumerate(lines) if line.startswith("reverse_proxy ")]
    upstreams = lines[at].removeprefix("reverse_proxy ").removesuffix("{").split()
    assert sorted(upstreams) == [f"{name}:{webhook_port}" for name in BOTS]
    handles = [line for line in lines[:at] if line.startswith("handle")]
    assert handles[-1] == f"handle {webhook_path} {{", "only the webhook path is proxied"
    block = lines[at + 1 : lines.index("}", at)]
    assert "health_uri /healthz" in block
    assert any(line.startswith("lb_try_duration ") for line in block)


def test_the_image_health_check_runs_the_healthcheck_command() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    found = re.search(r"^HEALTHCHECK (.*?)\\\n\s*CMD (\[.*\])$", text, re.MULTILINE)
    assert found is not None
    assert "--interval=30s" in found.group(1)
    assert json.loads(found.group(2)) == ["mutual-aid-bot", "healthcheck"]


# --- `mutual-aid-bot healthcheck` -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def health_server(status: int, body: str) -> Iterator[tuple[int, list[str]]]:
    """A loopback HTTP server answering every GET with status and body; yields (port, paths)."""
    paths: list[str] = []

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            paths.append(self.path)
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], paths
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_healthcheck_passes_on_200_and_ignores_http_proxy(tmp_path: Path) -> None:
    closed = free_port()
    with health_server(200, "ok") as (port, paths):
        result = cli(
            tmp_path,
            "healthcheck",
            HTTP_PORT=str(port),
            HTTP_PROXY=f"http://127.0.0.1:{closed}",
            http_proxy=f"http://127.0.0.1:{closed}",
        )
    assert result.returncode == 0, result.stderr
    assert paths == ["/healthz"]
    assert f"http://127.0.0.1:{port}/healthz answered 200" in result.stdout


def test_healthcheck_fails_on_503_with_the_reason(tmp_path: Path) -> None:
    with health_server(503, "database: no answer within 2 s") as (port, paths):
        result = cli(tmp_path, "healthcheck", HTTP_PORT=str(port))
    assert result.returncode == 1
    assert paths == ["/healthz"]
    [line] = result.stderr.strip().splitlines()
    assert "answered 503: database: no answer within 2 s" in line


def test_healthcheck_probes_the_webhook_port_when_webhook_url_is_set(tmp_path: Path) -> None:
    with health_server(200, "ok") as (port, paths):
        result = cli(
            tmp_path,
            "healthcheck",
            WEBHOOK_URL="https://bot.example.org/telegram",
            WEBHOOK_PORT=str(port),
            HTTP_PORT=str(free_port()),  # not served in webhook mode: not probed
        )
    assert result.returncode == 0, result.stderr
    assert paths == ["/healthz"]


def test_healthcheck_fails_when_nothing_listens(tmp_path: Path) -> None:
    port = free_port()
    result = cli(tmp_path, "healthcheck", HTTP_PORT=str(port))
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"healthcheck: http://127.0.0.1:{port}/healthz: no answer")


def test_healthcheck_without_a_port_checks_the_config_and_never_exits_2(tmp_path: Path) -> None:
    healthy = cli(tmp_path, "healthcheck", BOT_TOKEN=TEST_TOKEN)
    assert healthy.returncode == 0, healthy.stderr
    assert "configuration OK" in healthy.stdout and TEST_TOKEN not in healthy.stdout
    # Docker reserves status 2 in health checks: a configuration error is 1 here.
    no_token = cli(tmp_path, "healthcheck")
    assert no_token.returncode == 1
    assert "configuration error: BOT_TOKEN" in no_token.stderr
    bad_port = cli(tmp_path, "healthcheck", HTTP_PORT="eighty")
    assert bad_port.returncode == 1
    assert "configuration error: HTTP_PORT" in bad_port.stderr


def test_healthcheck_on_the_real_process(
    tmp_path: Path, bot_process: Callable[..., BotProcess]
) -> None:
    port = free_port()
    env = {"HTTP_PORT": str(port), "WEBHOOK_HOST": "127.0.0.1"}
    with serve_bot_api() as (api, _):
        bot = bot_process(api, **env)
        bot.start()
        try:
            # The HTTP server starts before the first getUpdates.
            polling = wait_for(lambda: "getUpdates" in api.methods() or not bot.alive(), 30)
            assert polling and bot.alive(), bot.report()
            result = cli(tmp_path, "healthcheck", **env)
            assert result.returncode == 0, result.stderr
        finally:
            exit_status = bot.stop()
        assert exit_status == 0, bot.report()
    stopped = cli(tmp_path, "healthcheck", **env)
    assert stopped.returncode == 1 and "no answer" in stopped.stderr
