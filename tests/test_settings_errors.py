"""config.settings error paths: every bad value names its setting, and secrets are never echoed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from config.settings import ConfigError, Tunables, load_settings
from tests.test_settings import FAKE_TOKEN, write_config


def config_error(environ: dict[str, str]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ)
    return caught.value


def test_require_token_when_missing() -> None:
    settings = load_settings({})
    with pytest.raises(ConfigError) as caught:
        settings.require_token()
    assert caught.value.setting == "BOT_TOKEN"
    assert str(caught.value).startswith("BOT_TOKEN: is not set")
    assert "@BotFather" in str(caught.value)


def test_require_token_when_present() -> None:
    token = load_settings({"BOT_TOKEN": FAKE_TOKEN}).require_token()
    assert token.reveal() == FAKE_TOKEN


@pytest.mark.parametrize(
    "bad_token", ["123456:short", "not-a-token-at-all-but-long-enough", "12:has spaces in it ok?"]
)
def test_bad_token_is_rejected_without_echoing_it(bad_token: str) -> None:
    error = config_error({"BOT_TOKEN": bad_token})
    assert error.setting == "BOT_TOKEN"
    assert "does not look like a token" in str(error)
    assert bad_token not in str(error) and bad_token not in repr(error)
    assert "short" not in str(error) and "spaces" not in str(error)


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("TIMEZONE", "Mars/Olympus", "'Mars/Olympus' is not a known IANA time zone"),
        ("TIMEZONE", "../etc/passwd", "is not a known IANA time zone"),
        ("ORGANISER_IDS", "12,abc", "'abc' is not a Telegram user id"),
        ("ORGANISER_IDS", "-5", "'-5' is not a Telegram user id"),
        ("ORGANISER_IDS", "0", "'0' is not a Telegram user id"),
        ("ORGANISER_IDS", "1.5", "whole numbers separated by commas"),
        ("DEFAULT_REGION", "XX", "'XX' is not a supported region"),
        ("DEFAULT_REGION", "uk", "did you mean GB?"),
        ("LOG_LEVEL", "verbose", "'VERBOSE' is not a log level; use one of DEBUG, INFO"),
        ("TELEGRAM_API_URL", "ftp://api.telegram.org", "is not an http(s) URL with a host"),
        ("TELEGRAM_API_URL", "api.telegram.org", "is not an http(s) URL with a host"),
        ("TELEGRAM_API_URL", "https://", "is not an http(s) URL with a host"),
        ("TELEGRAM_API_URL", "https://x.org?a=1", "must not contain"),
    ],
)
def test_bad_environment_values_name_their_setting(name: str, value: str, fragment: str) -> None:
    error = config_error({name: value})
    assert error.setting == name
    assert fragment in error.problem
    assert str(error) == f"{name}: {error.problem}"
    assert "\n" not in str(error)


def test_api_url_containing_a_token_is_rejected_without_echoing_it() -> None:
    error = config_error({"TELEGRAM_API_URL": f"https://api.telegram.org/bot{FAKE_TOKEN}"})
    assert error.setting == "TELEGRAM_API_URL"
    assert FAKE_TOKEN not in str(error)
    assert "TEST-token" not in str(error)


def test_api_url_with_password_is_rejected_without_echoing_it() -> None:
    error = config_error({"TELEGRAM_API_URL": "https://user:hunter2hunter2@example.org"})
    assert error.setting == "TELEGRAM_API_URL"
    assert "hunter2" not in str(error)


def test_missing_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    error = config_error({"CONFIG_FILE": str(missing)})
    assert error.setting == "CONFIG_FILE"
    assert error.problem == f"file not found: {missing}"


def test_invalid_toml(tmp_path: Path) -> None:
    error = config_error(write_config(tmp_path, "timezone = Europe/London\n"))
    assert error.setting == "CONFIG_FILE"
    assert error.problem.startswith("is not valid TOML: ")
    assert "line 1" in error.problem
    assert "\n" not in str(error)


def test_unknown_top_level_key_is_named(tmp_path: Path) -> None:
    error = config_error(write_config(tmp_path, 'time_zone = "Europe/London"'))
    assert error.setting == "CONFIG_FILE time_zone"
    assert "is not a known setting" in error.problem
    assert "did you mean timezone?" in error.problem


def test_unknown_tunable_key_is_named(tmp_path: Path) -> None:
    error = config_error(write_config(tmp_path, '[tunables]\nalert_widenin_delay = "5m"'))
    assert error.setting == "CONFIG_FILE [tunables].alert_widenin_delay"
    assert "did you mean alert_widening_delay?" in error.problem


def test_tunables_must_be_a_table(tmp_path: Path) -> None:
    error = config_error(write_config(tmp_path, 'tunables = "fast"'))
    assert error.setting == "CONFIG_FILE tunables"
    assert "table" in error.problem


@pytest.mark.parametrize(
    ("line", "setting", "fragment"),
    [
        ('alert_widening_delay = "soon"', "tunables.alert_widening_delay", "is not a duration"),
        ('alert_widening_delay = "1h30"', "tunables.alert_widening_delay", "is not a duration"),
        ("retention = 0", "tunables.retention", "must be longer than zero"),
        ('retention = "0m"', "tunables.retention", "must be longer than zero"),
        ("retention = -60", "tunables.retention", "non-negative"),
        ("alert_batch_size = 0", "tunables.alert_batch_size", "greater than zero"),
        ("max_open_tasks = 1.5", "tunables.max_open_tasks", "whole number"),
        ("backup_keep = true", "tunables.backup_keep", "whole number"),
        ('digest_time = "6pm"', "tunables.digest_time", "HH:MM"),
        ('quiet_hours_start = "24:00"', "tunables.quiet_hours_start", "HH:MM"),
        ("backup_dir = 3", "tunables.backup_dir", "is not a folder path"),
    ],
)
def test_bad_tunable_values_name_the_tunable(
    tmp_path: Path, line: str, setting: str, fragment: str
) -> None:
    error = config_error(write_config(tmp_path, f"[tunables]\n{line}\n"))
    assert error.setting == setting
    assert fragment in error.problem


def test_wrong_toml_type_for_a_string_setting(tmp_path: Path) -> None:
    error = config_error(write_config(tmp_path, "timezone = 5"))
    assert error.setting == "TIMEZONE"
    assert "must be a string" in error.problem


def test_tunables_validate_when_built_directly() -> None:
    with pytest.raises(ConfigError) as caught:
        Tunables(escalation_delay=timedelta(0))
    assert caught.value.setting == "tunables.escalation_delay"
    assert Tunables(escalation_delay="90s").escalation_delay == timedelta(seconds=90)  # type: ignore[arg-type]


def test_config_error_is_one_line_with_attributes() -> None:
    error = ConfigError("TIMEZONE", "'Mars/Olympus' is not a known IANA time zone\n(for example)")
    assert error.setting == "TIMEZONE"
    assert error.problem.startswith("'Mars/Olympus'")
    assert str(error) == "TIMEZONE: 'Mars/Olympus' is not a known IANA time zone (for example)"
