"""The review queue on a phone (390 px wide, Debian's Chromium through Playwright): nothing overflows sideways, even
with long codes, notes, comments and queries, and every section is there."""

import pytest

from kb.models import Entry, EntryFeedback, SearchLog, Suggestion
from kb.tests.editing.test_editor_browser import editor_browser, open_page  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

WIDE = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.table-wrap'))
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
LONG = "BadWebExIDorPasswordAndThenSomeMoreLettersWithoutAnySpace" * 3


def seed_long_rows():
    entry = Entry.objects.get(code="AccessDenied")
    for n in range(3):
        Suggestion.objects.record(
            "AccessDenied", origin=Suggestion.Origin.EDIT, note=f"{LONG} {n}", entry=entry, sender=f"a:{n}"
        )
        Suggestion.objects.record(f"{LONG}{n}", origin=Suggestion.Origin.SEARCH, note=LONG, sender=f"a:{n}")
        EntryFeedback.objects.cast(entry, helpful=False, comment=LONG, session_key=f"v{n}", sender=f"a:{n}")
        SearchLog.objects.create(query=LONG.lower(), missing_code=LONG[:80], sender=f"a:{n}")
        SearchLog.objects.create(query=f"{LONG} words", results=3, unanswered=True, sender=f"a:{n}")
    for n in range(30):  # enough groups for a second page
        Suggestion.objects.record(f"Flood{n}", origin=Suggestion.Origin.SEARCH, sender="a:flood")


def test_the_queue_fits_a_phone_screen(editor_browser, live_server):  # noqa: F811
    seed_long_rows()
    errors = []
    context, page = open_page(editor_browser, live_server, errors, width=390, height=844)
    try:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.goto(f"{live_server.url}/review/")
            assert page.locator("[data-unhelpful-comment]").count() >= 1
            assert page.locator('[data-suggestion-list="codes"] > li').count() == 25
            assert page.get_by_role("navigation", name="Pages of new codes").is_visible()
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            wide = page.evaluate(WIDE)
            assert widths[0] <= widths[1], f"{wide} /review/ overflows sideways at 390 px ({scheme}): {widths}"
        page.get_by_role("link", name="Next new codes").click()
        page.wait_for_url("**codes=2**")
        assert page.locator('[data-suggestion-list="codes"] > li').count() == 33 - 25
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1]
    finally:
        context.close()
    assert not errors
