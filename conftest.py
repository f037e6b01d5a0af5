"""Shared test set-up: the shipped knowledge base is loaded once into the test database.

Tests that use ``db`` run inside a transaction that is rolled back, so each sees the KB as shipped.
Tests that use ``transactional_db`` or ``live_server`` get an emptied database afterwards
and must load what they need themselves (``call_command("load_kb")``).

Also here, for every app's tests: ``browser`` (Debian's Chromium through Playwright), ``gunicorn`` (the
production server on a free loopback port) and ``scratch_env`` (a database separate processes can share); a test that
uses ``gunicorn``, ``scratch_env`` or ``manage`` is marked ``server``, one that uses ``browser`` is marked ``browser``.
"""

import functools
import io
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command

from bench.scratch import server_env, start_gunicorn

# Fixture modules shared beyond one test module (pytest takes pytest_plugins only from the root conftest): the browser
# tests' ``site`` and ``page``, and the editors' pages' ``people``, ``editor`` and ``editor_client``.
pytest_plugins = ["kb.tests.browser", "kb.tests.editing.fixtures"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Tests that use these fixtures start a real server process (gunicorn on a scratch database): they are marked
# ``server``, as tests that use ``browser`` are marked ``browser``, so that ``pytest -m "not browser and not server"``
# (make quick) leaves them out whatever their module says.
SERVER_FIXTURES = frozenset({"gunicorn", "scratch_env", "manage"})


@pytest.hookimpl(tryfirst=True)  # before -m deselects by mark
def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & SERVER_FIXTURES and not item.get_closest_marker("server"):
            item.add_marker(pytest.mark.server)
        if "browser" in used and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_kb", verbosity=0, stdout=io.StringIO())


@pytest.fixture
def kb(db):
    """The shipped knowledge base (already loaded for the session); use it to say a test needs it."""
    from kb.models import Entry

    assert Entry.objects.exists(), "the shipped fixtures did not load"
    return Entry.objects


@pytest.fixture
def staff(client, django_user_model):
    """``client`` logged in as a staff user (no other permission)."""
    user = django_user_model.objects.create_user("lead", password="pw-for-tests-only", is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rendered pages are cached per process; a rolled-back test must not leave its pages behind."""
    from django.core.cache import cache

    from kb.search import answer_cache
    from kb.search.views import fragment_cache

    for each in (cache, answer_cache, fragment_cache):
        each.clear()
    yield
    for each in (cache, answer_cache, fragment_cache):
        each.clear()


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium (never a downloaded browser), headless, through Playwright's sync API.

    Skipped when /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1, which makes that a failure.
    """
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # Queries made while Playwright's sync API runs use their own connection (it runs the test in a
            # greenlet with its own context): close it here, or PostgreSQL cannot drop the test database.
            from django.db import connections

            connections.close_all()


SHOT_SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(scope="session")
def shots_dir(tmp_path_factory):
    """Where browser tests write their screenshots: ``BROWSER_SHOTS_DIR``, or a temporary folder."""
    wanted = os.environ.get("BROWSER_SHOTS_DIR")
    if wanted:
        path = Path(wanted)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("browser-shots")


@pytest.fixture
def screenshots(shots_dir, request):
    """``screenshots(page, name)``: the page as it is now at 1280×800 and 390×844, light and dark, as PNGs (look at
    them: ``BROWSER_SHOTS_DIR=docs/shots-review pytest -m browser``), and a check that it never scrolls sideways at
    390 px. ``scroll_to`` (a selector) is scrolled into view at each size. Puts the viewport and scheme back."""

    def take(page, name, *, scroll_to=None):
        before = page.viewport_size
        widths = {}
        for size, (width, height) in SHOT_SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                if scroll_to:
                    page.locator(scroll_to).first.evaluate("el => el.scrollIntoView({block: 'start'})")
                # caret="initial": hiding the caret would inject a <style>, which the strict CSP refuses and reports.
                page.screenshot(
                    path=str(shots_dir / f"{request.node.name[:60]}-{name}-{size}-{scheme}.png"), caret="initial"
                )
                widths[(size, scheme)] = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        page.emulate_media(color_scheme="light")
        if before:
            page.set_viewport_size(before)
        sideways = {key: extra for key, extra in widths.items() if extra > 0}
        assert not sideways, f"{name} scrolls sideways by {sideways} pixels"

    return take


@pytest.fixture(scope="session")
def gunicorn():
    """``with gunicorn(env, workers=1) as base_url:`` runs the production server (config.wsgi) on a free loopback
    port with the environment ``env``, yields its URL once /healthz answers 200, and stops it on exit
    (bench.scratch.start_gunicorn, which the benchmarks use too)."""
    return functools.partial(start_gunicorn, workers=1)


@pytest.fixture(scope="session")
def scratch_env(tmp_path_factory):
    """Environment for server processes that share one scratch database, migrated and loaded, with DEBUG off
    (bench.scratch.server_env, which the benchmarks use too).

    The database is a scratch SQLite file in write-ahead mode, or a scratch PostgreSQL database when DATABASE_URL
    points at PostgreSQL (dropped at the end), so that separate processes share it as they do in production.
    ``manage(env, *args)`` runs a management command against it."""
    url = os.getenv("DATABASE_URL", "")
    dbname = None
    if url.startswith(("postgres", "pgsql")):
        dbname = f"kb_scratch_{uuid.uuid4().hex[:8]}"
        base = url.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        database = {"DATABASE_URL": f"{base}/{dbname}"}
    else:
        database = {"SQLITE_PATH": str(tmp_path_factory.mktemp("db") / "kb.sqlite3")}
    env = server_env(database, static_root=tmp_path_factory.mktemp("static"))
    for args in (["migrate", "--noinput"], ["load_kb"], ["collectstatic", "--noinput"]):
        _manage(env, *args)
    yield env
    if dbname:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')


def _manage(env, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


@pytest.fixture(scope="session")
def manage():
    """``manage(env, *args)`` runs ``manage.py *args`` in a process with ``env`` (e.g. ``scratch_env``) and returns
    its standard output; a failure fails the test with the command's error output."""
    return _manage
