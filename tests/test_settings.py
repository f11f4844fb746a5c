"""Settings come from the environment, and production refuses to start without a secret."""

import os
import subprocess
import sys

import pytest


def settings_value(expression: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "-c", f"import opendtm.settings as s; print({expression})"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = settings_value("s.DEBUG")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked():
    assert settings_value("s.DEBUG", SECRET_KEY="k").stdout.strip() == "False"
    assert settings_value("s.DEBUG", DEBUG="1").stdout.strip() == "True"


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("", "django.db.backends.sqlite3"),
        ("postgres://u:p@db.example.org:5432/dtm", "django.db.backends.postgresql"),
    ],
)
def test_database_url_picks_the_database(url, engine, tmp_path):
    env = {"SECRET_KEY": "k", "OPENDTM_DATA_DIR": str(tmp_path)}
    if url:
        env["DATABASE_URL"] = url
    result = settings_value(
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']", **env
    )
    assert engine in result.stdout
    assert (str(tmp_path) if not url else "dtm") in result.stdout


def test_allowed_hosts_come_from_the_environment():
    result = settings_value(
        "s.ALLOWED_HOSTS", SECRET_KEY="k", ALLOWED_HOSTS="dtm.example.org, x.org"
    )
    assert result.stdout.strip() == "['dtm.example.org', 'x.org']"
