"""How the pages look and behave in a real browser (Debian's Chromium through Playwright): no page scrolls sideways at
390 px, <mark> keeps 4.5:1 in dark mode, secondary buttons look secondary, focus rings only for the keyboard, copy for
a ticket in a chosen format, "Was this helpful?", and /errors/ filters that apply as you type. Every test takes its
screenshots at 1280×800 and 390×844, light and dark (the ``screenshots`` fixture)."""

import io
import re

import pytest
from django.core.management import call_command

from kb.models import EntryFeedback
from kb.tests.browser import wait_until

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "entry": "/errors/BadWebExIDorPassword/",
    "entry-long-code": "/errors/TheDurationIsExceedTheMaxDuration/",
    "errors": "/errors/",
    "commands": "/commands/",
    "command": "/commands/m.php/SM/",
    "search": "/search/?q=wrong+password",
    "wizard-start": "/troubleshoot/",
    "wizard-step": "/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration",
    "wizard-outcome": "/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration&du-20=worked",
    "unknown-code": "/errors/ThisCodeIsNotInTheKnowledgeBaseAtAllAndIsQuiteLong/",
    "feedback": "/errors/AccessDenied/feedback/",
}


def _console_error(msg, errors):
    if msg.type == "error" and "404" not in msg.text:  # the unknown-code page is a 404 on purpose
        errors.append(msg.text)


@pytest.fixture
def context(live_server, transactional_db, browser):
    call_command("load_kb", verbosity=0, stdout=io.StringIO())
    ctx = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: _console_error(msg, errors))
    yield pg
    assert errors == [], errors  # no script errors and no Content-Security-Policy refusals


def test_no_main_page_scrolls_sideways_at_390_px(page, live_server, screenshots):
    for name, path in PAGES.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        screenshots(page, name)  # asserts scrollWidth <= innerWidth at 390 (and 1280), light and dark


def _luminance(rgb):
    channels = []
    for value in rgb:
        c = value / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def _rgb(css):
    return [int(float(v)) for v in re.findall(r"[\d.]+", css)[:3]]


def contrast(fg, bg):
    light, dark = sorted((_luminance(_rgb(fg)), _luminance(_rgb(bg))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_mark_contrast_is_at_least_4_5(page, live_server, screenshots, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}/search/?q=wrong+password")
    marks = page.locator("mark")
    assert marks.count() > 0
    styles = marks.evaluate_all(
        "els => els.map(el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor])"
    )
    for color, background in styles:
        assert contrast(color, background) >= 4.5, (scheme, color, background)
    screenshots(page, f"marks-{scheme}", scroll_to="mark")


def test_secondary_buttons_look_secondary(page, live_server, screenshots):
    page.goto(f"{live_server.url}/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration")
    secondary = page.locator("a.button.button-secondary", has_text="Start over")
    background = secondary.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background in ("rgba(0, 0, 0, 0)", "transparent")
    primary = page.locator(".site-header button.button").first
    assert primary.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    screenshots(page, "buttons")


FOCUSED_HEADING = "() => !!document.activeElement && document.activeElement.hasAttribute('data-wizard-focus')"


def _focused_heading_outline(page):
    wait_until(page, FOCUSED_HEADING)
    return page.evaluate(
        "() => { const el = document.activeElement;"
        " return [getComputedStyle(el).outlineStyle, el.matches(':focus-visible')]; }"
    )


def test_focus_ring_on_wizard_headings_only_for_the_keyboard(page, live_server, screenshots):
    page.goto(f"{live_server.url}/troubleshoot/")
    wait_until(page, "() => window.htmx !== undefined")
    page.locator("a.wizard-choice", has_text="Schedule a meeting").click()  # the mouse
    style, visible = _focused_heading_outline(page)
    assert (style, visible) == ("none", False), "a dashed box after a mouse click"
    screenshots(page, "after-click")
    page.locator("a.wizard-choice").first.focus()
    page.keyboard.press("Enter")  # the keyboard
    style, visible = _focused_heading_outline(page)
    assert visible and style != "none", "keyboard users must see where focus went"


def test_copy_for_ticket_in_the_chosen_format(page, live_server, screenshots):
    page.goto(f"{live_server.url}/errors/AccessDenied/")
    box = page.locator(".entry-actions [data-ticket-url]")
    box.locator("select[data-ticket-format]").select_option("jira")
    box.locator("[data-ticket-copy]").click()
    page.locator(".entry-actions .copied", has_text="Copied.").wait_for()
    text = page.evaluate("navigator.clipboard.readText()")
    assert text.startswith("h3. {{AccessDenied}}: ") and "\n# " in text and "What it means" in text
    # One cause, and the format is remembered.
    page.reload()
    cause = page.locator("#cause-session-expired [data-ticket-url]")
    assert cause.locator("select").input_value() == "jira"
    cause.locator("select").select_option("text")
    cause.locator("[data-ticket-copy]").click()
    page.locator("#cause-session-expired .copied", has_text="Copied.").wait_for()
    text = page.evaluate("navigator.clipboard.readText()")
    assert text.startswith("AccessDenied: ") and "Cause: " in text and "#cause-session-expired" in text
    screenshots(page, "entry")


def test_was_this_helpful_asks_what_was_missing(page, live_server, screenshots):
    page.goto(f"{live_server.url}/errors/AccessDenied/")
    page.locator("#entry-feedback").scroll_into_view_if_needed()
    widget = page.locator("#entry-feedback[data-feedback-loaded]")
    widget.wait_for()
    assert page.title().startswith("AccessDenied")  # the fragment did not change the page's title
    widget.locator("button[value=no]").click()
    comment = page.locator("#entry-feedback textarea[name=comment]")
    comment.wait_for()
    comment.fill("Which cookie expires?")
    screenshots(page, "feedback-no", scroll_to="#entry-feedback")
    page.locator("#entry-feedback .feedback-comment button[type=submit]").click()
    page.locator("#entry-feedback .feedback-thanks", has_text="an editor will read").wait_for()
    vote = EntryFeedback.objects.get(entry__code="AccessDenied")
    assert (vote.helpful, vote.comment) == (False, "Which cookie expires?")
    page.locator("#entry-feedback button[value=yes]").click()  # changeable
    page.locator("#entry-feedback .feedback-thanks", has_text="recorded as helpful").wait_for()
    assert EntryFeedback.objects.get(entry__code="AccessDenied").helpful is True
    assert EntryFeedback.objects.count() == 1


def test_errors_filters_apply_as_you_type_and_back_works(page, live_server, screenshots):
    page.goto(f"{live_server.url}/errors/")
    wait_until(page, "() => window.htmx !== undefined")
    page.evaluate("window.sameDocument = true")
    assert page.locator("form.filters button[type=submit]").is_hidden()  # with JS, no Filter button is needed
    page.locator("#id_q").press_sequentially("denied", delay=30)
    page.wait_for_url(re.compile(r"[?&]q=denied"))
    rows = page.locator("#entry-results .entry-row")
    wait_until(page, "() => document.querySelectorAll('#entry-results .entry-row').length < 10")
    assert all("denied" in rows.nth(i).inner_text().lower() for i in range(rows.count()))
    page.locator("select[name=api]").select_option("xml")
    page.wait_for_url(re.compile(r"api=xml"))
    assert page.evaluate("window.sameDocument") is True
    screenshots(page, "filtered")
    badge = rows.first.locator(".entry-badges").bounding_box()  # the whole row is the link, badges included
    page.mouse.click(badge["x"] + badge["width"] / 2, badge["y"] + badge["height"] / 2)
    page.wait_for_url(re.compile(r"/errors/[^/?]+/$"))
    page.go_back()
    page.wait_for_url(re.compile(r"api=xml"))
    assert page.locator("select[name=api]").input_value() == "xml"
