"""Every setting is checked at start: a bad value stops create_app and every command with a
message that names the setting and what is allowed, never a traceback or a later 500."""

from __future__ import annotations

import pytest

from toolkit.core.settings import SettingsError

GOOD_SECRET = "s" * 40

# setting -> (bad value, words the message must contain)
BAD = {
    "TIMEZONE": ("Europe/Amsterdan", "IANA name"),
    "SESSION_IDLE_MINUTES": (-5, "above 0"),
    "PERMANENT_SESSION_LIFETIME": (-1, "from 60 to 604800"),
    "MAX_CONTENT_LENGTH": (10 * 1024**3, "1 MB to 200 MB"),
    "SECRET_KEY": ("x", "at least 32 characters"),
    "PUBLIC_BASE_URL": ("personas.example.org", "https://"),
    "MAIL_PORT": (70000, "from 1 to 65535"),
    "MAIL_USE_TLS": ("yes", "True or False"),
    "TRUSTED_PROXIES": (9, "from 0 to 5"),
    "TOKEN_GUESS_LIMIT": (0, "from 1 to 10000"),
    "TOKEN_GUESS_WINDOW": ("soon", "seconds"),
    "JOB_TIMEOUT_MINUTES": (0, "minutes"),
    "JOB_WORKERS": (100, "from 1 to 8"),
    "BABEL_DEFAULT_LOCALE": ("de", "nl, en"),
    "MIN_FREE_MB": (-1, "at least 0"),
    "MAIL_TIMEOUT": (0, "seconds"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_setting_stops_create_app_with_its_name_and_the_allowed_values(database, name):
    from toolkit import create_app

    value, allowed = BAD[name]
    with pytest.raises(SettingsError) as caught:
        create_app({"SECRET_KEY": GOOD_SECRET, name: value})
    message = str(caught.value)
    assert name in message and allowed in message, message
    assert len(caught.value.problems) == 1, caught.value.problems  # only the bad one is named


@pytest.mark.parametrize("name", ["TIMEZONE", "SESSION_IDLE_MINUTES", "MAX_CONTENT_LENGTH", "SECRET_KEY", "MAIL_PORT",
                                  "TRUSTED_PROXIES"])
def test_each_bad_setting_in_config_py_stops_a_command_with_a_click_error(cli, database, instance, name):
    value, allowed = BAD[name]
    with (instance / "config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"{name} = {value!r}\n")
    result = cli("check", expect_ok=False)
    assert result.exit_code == 1
    assert name in result.output and allowed in result.output and "config.py" in result.output
    assert "Traceback" not in result.output


def test_every_bad_setting_is_listed_at_once(database):
    from toolkit import create_app

    with pytest.raises(SettingsError) as caught:
        create_app({"SECRET_KEY": "short", "TIMEZONE": "Mars/Olympus", "MAIL_PORT": 0})
    assert len(caught.value.problems) == 3


def test_a_short_secret_is_fine_for_tests_and_debugging_only(database):
    from toolkit import create_app

    assert create_app({"TESTING": True, "SECRET_KEY": "short"}).config["SECRET_KEY"] == "short"
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "short"})


def test_numbers_given_as_text_are_accepted_and_become_numbers(database, monkeypatch):
    from toolkit import create_app

    monkeypatch.setenv("PERSONA_TOOLKIT_MAIL_PORT", "587")  # JSON-parsed by Flask: an int already
    app = create_app({"SECRET_KEY": GOOD_SECRET, "TRUSTED_PROXIES": "1"})
    assert app.config["MAIL_PORT"] == 587 and app.config["TRUSTED_PROXIES"] == 1


def test_the_defaults_and_the_config_init_db_writes_are_valid(cli, database, instance):
    assert "healthy" in cli("check").output
