"""Settings come from the environment, strictly, with clear start-up errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    clean.update(env)
    code = "import config.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_no_environment_runs_on_sqlite():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_postgres_url_selects_postgresql():
    result = load_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_secret_key_required_without_debug():
    result = load_settings(DEBUG="0", ALLOWED_HOSTS="kb.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_allowed_hosts_required_without_debug():
    result = load_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required" in result.stderr


@pytest.mark.parametrize(
    "url,message",
    [
        ("mysql://root@localhost/db", "DATABASE_URL must look like postgres://"),
        ("not a url", "DATABASE_URL must look like postgres://"),
        ("postgres://postgres@127.0.0.1:notaport/test", "DATABASE_URL could not be parsed"),
        ("postgres://postgres@127.0.0.1:5432/", "DATABASE_URL names no database"),
    ],
)
def test_malformed_database_url_is_a_clear_error(url, message):
    result = load_settings(DATABASE_URL=url)
    assert result.returncode != 0
    assert message in result.stderr


def test_bad_boolean_is_named():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr
