"""Search as you type in a real browser (Debian's Chromium through Playwright; never a downloaded browser).

1. Type "wrong passw": BadWebExIDorPassword appears without a full page load.
2. The URL carries the query.
3. Open the result with the keyboard.
4. Go Back: the query and the results are restored.
"""

import io

import pytest
from django.core.management import call_command

from kb.tests.browser import console_error, wait_until  # wait_until: wait_for_function's eval is refused by the CSP

pytestmark = pytest.mark.browser


@pytest.fixture
def page(live_server, transactional_db, browser):
    call_command("load_kb", verbosity=0, stdout=io.StringIO())
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: console_error(msg, errors))
    yield pg
    context.close()
    assert errors == [], errors  # no script errors and no CSP violations


def test_search_as_you_type_keyboard_and_back(page, live_server, screenshots):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/search/")
    page.evaluate("window.__noFullLoad = true")  # survives only while no full page load happens

    # 1. Type: results appear through htmx, with no full page load.
    box = page.locator("#search-q")
    box.click()
    box.press_sequentially("wrong passw", delay=40)
    first = page.locator("#search-results .search-link").first
    expect(first).to_contain_text("BadWebExIDorPassword")
    expect(page.locator("#search-results mark").first).to_be_visible()
    assert page.evaluate("window.__noFullLoad") is True
    screenshots(page, "results")

    # 2. The URL carries the query.
    wait_until(page, "() => new URL(location.href).searchParams.get('q') === 'wrong passw'")

    # 3. Open the result with the keyboard: ArrowDown from the box focuses the first result, Enter opens it.
    box.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/errors/BadWebExIDorPassword/**")
    expect(page.locator("h1")).to_contain_text("BadWebExIDorPassword")

    # 4. Back: the query and the results are restored.
    page.go_back()
    page.wait_for_url("**/search/?q=wrong*")
    expect(page.locator("#search-q")).to_have_value("wrong passw")
    expect(page.locator("#search-results .search-link").first).to_contain_text("BadWebExIDorPassword")


def test_slash_focuses_the_search_box_and_arrows_move(page, live_server, screenshots):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/search/?q=login")
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(page.locator("#search-q")).to_be_focused()
    page.keyboard.press("ArrowDown")
    links = page.locator("#search-results .search-link")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#search-q")).to_be_focused()
    screenshots(page, "keyboard")


def test_without_javascript_the_form_is_a_plain_get(live_server, transactional_db, browser, screenshots):
    from playwright.sync_api import expect

    call_command("load_kb", verbosity=0, stdout=io.StringIO())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/search/")
    page.fill("#search-q", "session timed out")
    page.press("#search-q", "Enter")
    page.wait_for_url("**/search/?q=session+timed+out")
    expect(page.locator("#search-results .search-link").first).to_contain_text("AccessDenied")
    screenshots(page, "no-js")
    context.close()


def test_not_sure_and_did_you_mean_as_a_person_sees_them(page, live_server, screenshots):
    from playwright.sync_api import expect

    # A sentence no entry matches well: the page says so, the results stay, Enter does not jump to the first.
    page.goto(f"{live_server.url}/search/")
    box = page.locator("#search-q")
    box.fill("Mein WebEx Konto ist seit gestern gesperrt, was soll ich tun")
    expect(page.locator(".search-not-sure")).to_contain_text("No entry matches this text well")
    expect(page.locator("#search-results .search-link").first).to_be_visible()
    screenshots(page, "not-sure")
    box.press("Enter")
    page.wait_for_url("**/search/?q=Mein*")
    expect(page.locator(".search-not-sure")).to_be_visible()

    # A code one edit from a known one: "Did you mean" first; Enter opens the code it looks like.
    page.goto(f"{live_server.url}/search/")
    box = page.locator("#search-q")
    box.fill("BadWebexIdOrPasword")
    expect(page.locator(".search-did-you-mean")).to_contain_text("BadWebExIDorPassword")
    screenshots(page, "did-you-mean")
    box.press("Enter")
    page.wait_for_url("**/errors/BadWebExIDorPassword/**")
    expect(page.locator("h1")).to_contain_text("BadWebExIDorPassword")
