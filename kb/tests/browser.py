"""Shared pieces of the browser tests (Chromium through Playwright; the ``browser`` fixture is the root conftest's).

``wait_until`` polls from the test: page.wait_for_function polls with eval, which the app's strict CSP refuses
whenever the first check is not already true. ``site`` and ``page`` serve the shipped knowledge base to a fresh
browser context that fails the test on any script error or CSP report; the root conftest.py's ``pytest_plugins``
makes them fixtures of every test (a module with its own ``page`` or ``site`` keeps that one).
"""

import io
import time

import pytest
from django.core.management import call_command

# htmx logs a search it cancelled (hx-sync="this:replace": a newer keystroke or a Back press) as an error.
CANCELLED = ("htmx:afterRequest, ", "htmx:sendAbort, ")


def wait_until(page, script, seconds=10):
    """Poll ``script`` (a JavaScript function returning true when done) until it is true, for ``seconds`` at most."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(50)


def evaluate_settled(page, script, arg=None, seconds=10):
    """``page.evaluate`` once a navigation under way has finished: a page that navigates a moment after a key press
    (Enter opening an entry) destroys the context an evaluate started in, and a slow machine makes that likelier."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + seconds
    while True:
        page.wait_for_load_state()
        try:
            return page.evaluate(script, arg)
        except Error as exc:
            if "context was destroyed" not in str(exc) or time.monotonic() > deadline:
                raise
        page.wait_for_timeout(100)


def console_error(msg, errors):
    """Collect a console error, except a missing favicon and a search htmx cancelled on purpose."""
    ignored = (msg.location or {}).get("url", "").endswith("/favicon.ico") or msg.text.startswith(CANCELLED)
    if msg.type == "error" and not ignored:
        errors.append(msg.text)


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the shipped knowledge base."""
    call_command("load_kb", verbosity=0, stdout=io.StringIO())
    return live_server


@pytest.fixture
def page(site, browser):
    """A page in a fresh context; ``page.requests`` lists every request it made. No script error and no CSP
    violation may happen while the test runs."""
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    errors, requests = [], []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: console_error(msg, errors))
    pg.on("request", lambda request: requests.append(request))
    pg.requests = requests
    yield pg
    context.close()
    assert errors == [], errors
