"""Settings come from the environment, strictly, with clear start-up errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    clean.update(env)
    code = "import config.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_no_environment_runs_on_sqlite():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["core.sqlite", "True"]


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


def setting_values(*names, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_") and k != "DATABASE_URL"}
    clean.update(env)
    code = "import config.settings as s; print(" + ", ".join(f"s.{name}" for name in names) + ")"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_search_settings_have_their_documented_defaults():
    result = setting_values("SEARCH_CACHE_SIZE", "SEARCH_LOG_BATCH", "SEARCH_LOG_MAX_DELAY")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["512", "1", "10"]


def test_search_settings_come_from_the_environment():
    result = setting_values(
        "SEARCH_CACHE_SIZE",
        "SEARCH_LOG_BATCH",
        "SEARCH_LOG_MAX_DELAY",
        SEARCH_CACHE_SIZE="0",
        SEARCH_LOG_BATCH=" 50 ",
        SEARCH_LOG_MAX_DELAY="3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "50", "3"]


def test_search_cache_size_from_the_environment_sizes_the_answer_cache():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_") and k != "DATABASE_URL"}
    code = "import django; django.setup(); from kb.search import answer_cache; print(answer_cache.size)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(clean, SEARCH_CACHE_SIZE="7", DJANGO_SETTINGS_MODULE="config.settings"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7"]


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("SEARCH_CACHE_SIZE", "lots", "SEARCH_CACHE_SIZE='lots' is not a whole number"),
        ("SEARCH_CACHE_SIZE", "-1", "SEARCH_CACHE_SIZE='-1' is too small: use 0 or more"),
        ("SEARCH_LOG_BATCH", "1.5", "SEARCH_LOG_BATCH='1.5' is not a whole number"),
        ("SEARCH_LOG_BATCH", "0", "SEARCH_LOG_BATCH='0' is too small: use 1 or more"),
        ("SEARCH_LOG_MAX_DELAY", "soon", "SEARCH_LOG_MAX_DELAY='soon' is not a whole number"),
    ],
)
def test_malformed_search_setting_is_a_clear_error(name, value, message):
    result = setting_values(name, **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db
def test_search_cache_size_changes_how_many_answers_are_kept(kb, settings):
    from kb.search import answer_cache, search

    queries = ["AccessDenied", "wrong password", "p.php?AT=SU"]
    settings.SEARCH_CACHE_SIZE = 0
    for q in queries:
        search(q)
    assert len(answer_cache.items) == 0  # off
    settings.SEARCH_CACHE_SIZE = 2
    for q in queries:
        search(q)
    assert [key[0] for key in answer_cache.items] == queries[1:]  # the least recently used went
    settings.SEARCH_CACHE_SIZE = 512
    for q in queries:
        search(q)
    assert len(answer_cache.items) == 3


@pytest.mark.django_db
def test_search_log_batch_changes_when_rows_are_written(kb, settings):
    from kb.models import SearchLog
    from kb.search import log as search_log
    from kb.search import search

    settings.SEARCH_LOG_MAX_DELAY = 3600
    settings.SEARCH_LOG_BATCH = 1
    search_log.record(search("AccessDenied"))
    assert SearchLog.objects.count() == 1  # at once
    settings.SEARCH_LOG_BATCH = 3
    search_log.record(search("AccessDenied"))
    search_log.record(search("wrong password"))
    assert SearchLog.objects.count() == 1  # waiting for a third
    search_log.record(search("zzqqxx"))
    assert SearchLog.objects.count() == 4


def test_sqlite_url_uses_the_projects_sqlite_backend(tmp_path):
    result = load_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "core.sqlite"
