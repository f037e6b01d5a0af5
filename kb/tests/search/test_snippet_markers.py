"""The private-use characters that mark matches in a snippet (U+E000, U+E001) are taken out of entry text before it
is highlighted: an entry holding them never shows bare <mark> tags, on either search path."""

from kb.models import Entry
from kb.search.backends import slot_pattern
from kb.search.text import MARK_CLOSE, MARK_OPEN, highlight, mark_matches, marks_to_html

PLANTED = f"Planted {MARK_OPEN}zebrafish{MARK_CLOSE} marker and a {MARK_CLOSE}stray close"


def test_highlight_strips_the_markers_of_the_text():
    html = str(highlight(PLANTED, ["stray"]))
    assert html.count("<mark>") == 1 and "<mark>stray</mark>" in html
    assert MARK_OPEN not in html and MARK_CLOSE not in html and "zebrafish" in html


def test_mark_matches_strips_the_markers_of_the_text():
    html = str(marks_to_html(mark_matches(PLANTED, [slot_pattern(["stray"])])))
    assert html.count("<mark>") == 1 and html.count("</mark>") == 1 and "<mark>stray" in html


def test_a_search_shows_no_planted_mark(client, kb):
    entry = Entry.objects.get(code="AlreadyLogon")
    entry.summary = PLANTED + " already logged in"
    entry.save()
    page = client.get("/search/", {"q": "stray close marker"}).content.decode()
    assert "zebrafish" in page
    assert "<mark>zebrafish</mark>" not in page and "<mark>z" not in page
    data = client.get("/api/search/", {"q": "stray close marker"}).json()
    snippets = [r["snippet"] for r in data["results"] if r["code"] == "AlreadyLogon"]
    assert snippets and all(MARK_OPEN not in s and MARK_CLOSE not in s for s in snippets)
