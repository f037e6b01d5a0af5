"""A password typed into the /errors/ filter in a real browser (Debian's Chromium through Playwright): the filter
applies as it is typed, and the secret is then in no URL the browser requested, not in the address bar, history
state, sessionStorage (htmx's history cache included) or localStorage, and the box shows it redacted; the same after
going away and coming Back."""

import json
import uuid

import pytest

from kb.tests.browser import evaluate_settled

pytestmark = pytest.mark.browser

STATE = """() => JSON.stringify({
    session: Object.entries(sessionStorage),
    local: Object.entries(localStorage),
    href: location.href,
    state: history.state,
    value: document.querySelector("#id_q") ? document.querySelector("#id_q").value : null,
})"""


def test_a_password_typed_into_the_filter_stays_out_of_urls_and_storage(page, live_server):
    from playwright.sync_api import expect

    secret = f"Qz{uuid.uuid4().hex[:10]}-{uuid.uuid4().hex[:10]}Vv"
    page.goto(f"{live_server.url}/errors/")
    box = page.locator("#id_q")
    box.click()
    page.keyboard.insert_text(f"AT=LI&PW={secret}")
    expect(page.locator("#id_q")).to_have_value("AT=LI&PW=\u2022\u2022\u2022")  # the server's redacted box
    page.wait_for_timeout(500)
    snapshots = [evaluate_settled(page, STATE)]
    assert "/errors/?q=" in json.loads(snapshots[0])["href"]  # the address follows the filter, redacted
    page.goto(f"{live_server.url}/errors/AccessDenied/")
    page.go_back()
    page.wait_for_load_state()
    page.wait_for_timeout(500)
    snapshots.append(evaluate_settled(page, STATE))
    for snapshot in snapshots:
        assert not any(half in snapshot for half in secret.split("-")), snapshot[:500]
    assert any(r.method == "POST" and secret in (r.post_data or "") for r in page.requests)  # it was really sent
    assert not [r.url for r in page.requests if any(half in r.url for half in secret.split("-"))]
