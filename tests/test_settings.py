"""Tests for config.settings: defaults, environment, TOML file, tunables and error messages."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta
from pathlib import Path

import pytest

from config.settings import (
    Secret,
    Settings,
    Tunables,
    format_duration,
    load_settings,
    parse_clock_time,
    parse_duration,
)

FAKE_TOKEN = "123456:TEST-token-not-real-0123456789abcdef"
OTHER_FAKE_TOKEN = "654321:OTHER-token-not-real-abcdef0123456789"
CONTRACT_VARIABLES = (
    "BOT_TOKEN",
    "TELEGRAM_API_URL",
    "DATABASE_PATH",
    "ORGANISER_IDS",
    "TIMEZONE",
    "DEFAULT_REGION",
    "LOG_LEVEL",
    "CONFIG_FILE",
)


def write_config(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "bot.toml"
    path.write_text(text, encoding="utf-8")
    return {"CONFIG_FILE": str(path)}


# --- defaults and environment -------------------------------------------------------------


def test_defaults_with_empty_environ() -> None:
    settings = load_settings({})
    assert settings.bot_token is None
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_path == Path("data/mutual-aid.sqlite3")
    assert settings.organiser_ids == frozenset()
    assert settings.timezone.key == "Europe/London"
    assert settings.default_region == "GB"
    assert settings.log_level == "INFO"
    assert settings.config_file is None
    assert settings.tunables == Tunables()


def test_tunable_defaults() -> None:
    tunables = load_settings({}).tunables
    assert tunables.invite_ttl == timedelta(days=7)
    assert tunables.alert_batch_size == 5
    assert tunables.alert_widening_delay == timedelta(minutes=20)
    assert tunables.escalation_delay == timedelta(hours=2)
    assert tunables.max_open_tasks == 2
    assert tunables.reminder_before == timedelta(hours=1)
    assert tunables.overdue_after == timedelta(hours=3)
    assert tunables.followup_after == timedelta(days=1)
    assert tunables.checkin_grace == timedelta(hours=1)
    assert tunables.escalation_resend == timedelta(hours=2)
    assert tunables.buddy_ack_delay == timedelta(minutes=30)
    assert tunables.relay_window == timedelta(days=1)
    assert tunables.retention == timedelta(days=90)
    assert tunables.quiet_hours_start == time(21, 0)
    assert tunables.quiet_hours_end == time(8, 0)
    assert tunables.digest_time == time(18, 0)
    assert tunables.fairness_window == timedelta(days=14)
    assert tunables.requests_per_hour == 5
    assert tunables.messages_per_minute == 20
    assert tunables.max_text_length == 1000
    assert tunables.backup_dir is None
    assert tunables.backup_keep == 7
    assert tunables.backup_interval == timedelta(days=1)


def test_every_environment_variable_is_parsed() -> None:
    settings = load_settings(
        {
            "BOT_TOKEN": f"  {FAKE_TOKEN}  ",
            "TELEGRAM_API_URL": "http://localhost:8081/",
            "DATABASE_PATH": "/var/lib/aid/bot.sqlite3",
            "ORGANISER_IDS": " 42 , 7,1001 ",
            "TIMEZONE": "America/New_York",
            "DEFAULT_REGION": "ie",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.bot_token is not None
    assert settings.bot_token.reveal() == FAKE_TOKEN
    assert settings.telegram_api_url == "http://localhost:8081"
    assert settings.database_path == Path("/var/lib/aid/bot.sqlite3")
    assert settings.organiser_ids == frozenset({42, 7, 1001})
    assert settings.timezone.key == "America/New_York"
    assert settings.default_region == "IE"
    assert settings.log_level == "DEBUG"


def test_empty_environment_values_count_as_unset() -> None:
    settings = load_settings({name: "" for name in CONTRACT_VARIABLES})
    assert settings.bot_token is None
    assert settings.timezone.key == "Europe/London"
    assert settings.log_level == "INFO"
    assert settings.organiser_ids == frozenset()
    assert settings.config_file is None


def test_relative_database_path_stays_relative_and_no_folder_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"DATABASE_PATH": "state/db.sqlite3"})
    assert settings.database_path == Path("state/db.sqlite3")
    assert not settings.database_path.is_absolute()
    assert not (tmp_path / "state").exists()


def test_none_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CONTRACT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ORGANISER_IDS", "99")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    settings = load_settings()
    assert settings.organiser_ids == frozenset({99})
    assert settings.log_level == "WARNING"
    assert settings.bot_token is None


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.log_level = "DEBUG"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.tunables.alert_batch_size = 9  # type: ignore[misc]


# --- TOML file ---------------------------------------------------------------------------


def test_toml_file_supplies_settings_and_tunables(tmp_path: Path) -> None:
    environ = write_config(
        tmp_path,
        f"""
        BOT_TOKEN = "{FAKE_TOKEN}"
        Telegram_Api_Url = "https://bots.example.org/"
        database_path = "aid.sqlite3"
        organiser_ids = [5, 6]
        timezone = "Europe/Dublin"
        default_region = "fr"
        log_level = "error"

        [tunables]
        alert_widening_delay = 45
        escalation_delay = "1h30m"
        invite_ttl = "1d 2h"
        retention = "1w"
        reminder_before = 2.5
        alert_batch_size = 3
        quiet_hours_start = "22:30"
        quiet_hours_end = 07:15:00
        backup_dir = "backups"
        """,
    )
    settings = load_settings(environ)
    assert settings.config_file == Path(environ["CONFIG_FILE"])
    assert settings.bot_token is not None and settings.bot_token.reveal() == FAKE_TOKEN
    assert settings.telegram_api_url == "https://bots.example.org"
    assert settings.database_path == Path("aid.sqlite3")
    assert settings.organiser_ids == frozenset({5, 6})
    assert settings.timezone.key == "Europe/Dublin"
    assert settings.default_region == "FR"
    assert settings.log_level == "ERROR"
    tunables = settings.tunables
    assert tunables.alert_widening_delay == timedelta(seconds=45)
    assert tunables.escalation_delay.total_seconds() == 5400
    assert tunables.invite_ttl == timedelta(days=1, hours=2)
    assert tunables.retention == timedelta(weeks=1)
    assert tunables.reminder_before == timedelta(seconds=2.5)
    assert tunables.alert_batch_size == 3
    assert tunables.quiet_hours_start == time(22, 30)
    assert tunables.quiet_hours_end == time(7, 15)
    assert tunables.backup_dir == Path("backups")
    assert tunables.overdue_after == timedelta(hours=3)  # untouched tunables keep defaults


def test_toml_organiser_ids_may_be_a_comma_string_and_empty_means_none(tmp_path: Path) -> None:
    assert load_settings(write_config(tmp_path, 'organiser_ids = "1, 2"')).organiser_ids == {1, 2}
    assert load_settings(write_config(tmp_path, 'organiser_ids = ""')).organiser_ids == frozenset()


def test_environment_beats_toml(tmp_path: Path) -> None:
    environ = write_config(
        tmp_path,
        f"""
        bot_token = "{FAKE_TOKEN}"
        timezone = "Europe/Paris"
        log_level = "not-a-level"
        organiser_ids = [1]
        """,
    )
    environ |= {
        "BOT_TOKEN": OTHER_FAKE_TOKEN,
        "TIMEZONE": "Asia/Tokyo",
        "LOG_LEVEL": "critical",
        "ORGANISER_IDS": "",  # empty counts as unset, so the file value is used
    }
    settings = load_settings(environ)
    assert settings.bot_token is not None and settings.bot_token.reveal() == OTHER_FAKE_TOKEN
    assert settings.timezone.key == "Asia/Tokyo"
    assert settings.log_level == "CRITICAL"
    assert settings.organiser_ids == frozenset({1})


# --- durations and clock times -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (45, 45),
        (2.5, 2.5),
        ("90", 90),
        ("90s", 90),
        ("20m", 1200),
        ("1h30m", 5400),
        ("2h", 7200),
        ("7d", 604800),
        ("1w", 604800),
        ("1d 2h", 93600),
        (" 1H 30M 15S ", 5415),
        ("0", 0),
    ],
)
def test_parse_duration(value: int | float | str, seconds: float) -> None:
    assert parse_duration(value) == timedelta(seconds=seconds)


@pytest.mark.parametrize("value", ["", "soon", "1x", "h", "1h1h", "-5m", "1.2.3s", True, "inf"])
def test_parse_duration_rejects_junk_helpfully(value: object) -> None:
    with pytest.raises(ValueError, match="20m"):
        parse_duration(value)  # type: ignore[arg-type]


def test_parse_duration_rejects_non_finite_and_huge_numbers() -> None:
    with pytest.raises(ValueError):
        parse_duration(float("nan"))
    with pytest.raises(ValueError, match="too long"):
        parse_duration(10**20)


def test_parse_clock_time() -> None:
    assert parse_clock_time("08:00") == time(8, 0)
    assert parse_clock_time("21:30") == time(21, 30)
    assert parse_clock_time("7:05") == time(7, 5)
    for bad in ("24:00", "12:60", "noon", "12", "12:00:00"):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_clock_time(bad)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=20), "20m"),
        (timedelta(hours=2), "2h"),
        (timedelta(days=7), "7d"),
        (timedelta(seconds=5400), "1h30m"),
        (timedelta(seconds=45), "45s"),
        (timedelta(days=1, seconds=1), "1d1s"),
        (timedelta(seconds=2.5), "2.5s"),
        (timedelta(0), "0s"),
    ],
)
def test_format_duration_round_trips(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text
    assert parse_duration(text) == delta


# --- secrets and summary -----------------------------------------------------------------


def test_secret_never_shows_itself() -> None:
    secret = Secret(FAKE_TOKEN)
    assert secret.reveal() == FAKE_TOKEN
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}"):
        assert "TEST-token" not in shown
    assert secret.masked() == "123456:****"
    assert Secret("no-colon-here").masked() == "****"


def test_settings_repr_and_summary_do_not_leak_the_token(tmp_path: Path) -> None:
    settings = load_settings({"BOT_TOKEN": FAKE_TOKEN, "ORGANISER_IDS": "9,3"})
    assert "TEST-token" not in repr(settings)
    assert "TEST-token" not in str(settings.summary())
    rows = dict(settings.summary())
    assert rows["BOT_TOKEN"] == "123456:****"
    assert rows["ORGANISER_IDS"] == "3, 9"
    assert rows["TIMEZONE"] == "Europe/London"
    assert rows["CONFIG_FILE"] == "not set"


def test_summary_shows_tunables_readably() -> None:
    rows = load_settings({}).summary()
    names = [name for name, _ in rows]
    assert len(names) == len(set(names))
    shown = dict(rows)
    assert shown["BOT_TOKEN"] == "not set"
    assert shown["ORGANISER_IDS"] == "none"
    assert shown["tunables.alert_widening_delay"] == "20m"
    assert shown["tunables.escalation_delay"] == "2h"
    assert shown["tunables.invite_ttl"] == "7d"
    assert shown["tunables.quiet_hours_start"] == "21:00"
    assert shown["tunables.alert_batch_size"] == "5"
    assert shown["tunables.backup_dir"] == "not set"
    assert all(isinstance(value, str) for _, value in rows)


def test_settings_direct_construction_defaults_match_loader() -> None:
    assert Settings() == load_settings({})
