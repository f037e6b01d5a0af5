"""The wizard in a real browser (Debian's Chromium through Playwright): clicks, Back, breadcrumbs, cold reload."""

import io
import re

import pytest
from django.core.management import call_command

from kb.tests.browser import wait_until  # page.wait_for_function polls with eval, which the CSP refuses

OUTCOME_QUERY = "came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict"

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_kb", verbosity=0, stdout=io.StringIO())
    return live_server.url


def question(page):
    return page.locator("#wizard [data-wizard-focus]")


def choose(page, text):
    page.locator("#wizard a.wizard-choice", has_text=text).first.click()


def test_walk_back_change_an_answer_and_reload_the_outcome_elsewhere(site, browser, screenshots):
    context = browser.new_context()
    page = context.new_page()
    refused = []  # anything the strict Content-Security-Policy blocks shows up as a console error
    page.on("console", lambda message: message.type == "error" and refused.append(message.text))
    page.goto(f"{site}/troubleshoot/")
    wait_until(page, "window.htmx !== undefined")
    page.evaluate("window.sameDocument = true")  # survives only if steps are swapped in place

    # 1. Walk the BadWebExIDorPassword path with clicks.
    choose(page, "Log a host in")
    page.wait_for_url(re.compile(r"/troubleshoot/log-in/$"))
    assert question(page).inner_text() == "What came back?"
    choose(page, "I was sent back to my back URL")
    page.wait_for_url(re.compile(r"came-back=reason-code$"))
    choose(page, "RS=BadWebExIDorPassword")
    page.wait_for_url(re.compile(r"li-code=bad-id$"))
    assert question(page).inner_text() == "Send p.php?AT=SU with the same data. What came back?"
    choose(page, "RS=WebExIDConflict")
    page.wait_for_url(re.compile(re.escape(OUTCOME_QUERY) + "$"))
    outcome = page.locator("[data-outcome]")
    assert outcome.get_attribute("data-entry") == "BadWebExIDorPassword"
    assert outcome.get_attribute("data-cause") == "wrong-credentials"
    assert page.evaluate("window.sameDocument") is True  # htmx swapped the steps; no full page loads
    assert page.title().startswith("BadWebExIDorPassword: The WebEx ID exists")
    # Focus moves to the new heading once htmx has settled the swap (just after the URL changes).
    wait_until(page, "!!document.activeElement && document.activeElement.id === 'outcome-title'", seconds=5)

    # 2. Back shows the previous step with its answers; Forward returns to the outcome.
    page.go_back()
    page.wait_for_url(re.compile(r"li-code=bad-id$"))
    assert question(page).inner_text() == "Send p.php?AT=SU with the same data. What came back?"
    crumbs = page.locator(".wizard-crumbs a").all_inner_texts()
    assert crumbs[-1].startswith("RS=BadWebExIDorPassword (or BadWebIDorPassword)")
    page.go_forward()
    page.wait_for_url(re.compile(re.escape(OUTCOME_QUERY) + "$"))
    assert page.locator("[data-outcome]").get_attribute("data-outcome") == "wrong-credentials"

    # 3. Change an earlier answer through its breadcrumb; later answers that still apply are kept.
    page.locator(".wizard-crumbs a", has_text="I was sent back to my back URL").click()
    page.wait_for_url(re.compile(r"change=came-back$"))
    assert question(page).inner_text() == "What came back?"
    assert page.locator("#wizard a.wizard-choice[aria-current=true]").inner_text().startswith("I was sent back")
    assert "RS=WebExIDConflict" in page.locator(".wizard-kept").inner_text()
    choose(page, "WebEx showed an error page")
    page.wait_for_url(re.compile(r"came-back=error-page"))
    assert question(page).inner_text() == "What does the error page say?"
    choose(page, "It names a reason code")
    page.wait_for_url(re.compile(r"su-test=webex-id-conflict"))
    outcome = page.locator("[data-outcome]")
    assert outcome.get_attribute("data-outcome") == "wrong-credentials"  # the kept answers applied again
    changed_url = page.url
    assert [m for m in refused if "Content Security Policy" in m or "Refused" in m] == []
    assert "came-back=error-page" in changed_url and "error-text=names-code" in changed_url
    heading = page.locator("#outcome-title").inner_text()
    path = page.locator(".wizard-path").inner_text()
    screenshots(page, "outcome")
    context.close()

    # 4. The outcome URL in a fresh browser context shows the same diagnosis and path.
    fresh = browser.new_context()
    other = fresh.new_page()
    other.goto(changed_url)
    assert other.url == changed_url
    assert other.locator("[data-outcome]").get_attribute("data-entry") == "BadWebExIDorPassword"
    assert other.locator("#outcome-title").inner_text() == heading
    assert other.locator(".wizard-path").inner_text() == path
    fresh.close()


def test_without_javascript_every_step_is_a_plain_link(site, browser, screenshots):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/troubleshoot/")
    choose(page, "Schedule a meeting")
    choose(page, "I was sent back to my back URL")
    choose(page, "RS=TheDurationIsExceedTheMaxDuration")
    choose(page, "The same RS=TheDurationIsExceedTheMaxDuration")
    assert question(page).inner_text() == "Lower it to DU=15 and send it again. What came back?"
    choose(page, "ST=SUCCESS")
    page.wait_for_url(re.compile(r"du-15=worked$"))
    assert page.locator("[data-outcome]").get_attribute("data-outcome") == "du-15-ok"
    page.go_back()
    assert question(page).inner_text() == "Lower it to DU=15 and send it again. What came back?"
    page.locator("[data-restart]").click()
    page.wait_for_url(re.compile(r"/troubleshoot/$"))
    assert question(page).inner_text() == "What were you trying to do?"
    screenshots(page, "no-js-start")
    context.close()
