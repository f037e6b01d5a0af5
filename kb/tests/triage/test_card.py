"""The triage card of a whole ticket (kb.triage.card.build_card) and its ticket text in three formats."""

import pytest

from core import tickets
from kb.models import Entry
from kb.tests.triage.helpers import BARE, SECRET, TICKET, XML_SECRET
from kb.triage.card import build_card


def _values(card, kind):
    return [item.value for item in card.of_kind(kind)]


def test_every_code_status_command_site_user_tracking_id_and_time_is_listed(kb):
    card = build_card(TICKET)
    assert _values(card, "code") == ["030002", "060001", "AccessDenied"]
    assert _values(card, "rest") == ["HTTP 401"]
    assert "401" in _values(card, "status")
    assert set(_values(card, "command")) >= {"p.php?AT=LI", "m.php?AT=HM"}
    assert _values(card, "site") == ["acme"]
    assert _values(card, "user") == ["jdoe"]
    assert _values(card, "tracking") == ["ROUTER_6F2B3C4D-1111-2222-3333-444455556666"]
    assert len(card.of_kind("time")) == 3
    assert card.window_text == "2026-12-07 08:57:40 – 2026-12-07 09:01:02 UTC"  # +0100 and Z read as UTC
    assert card.redacted


def test_each_code_links_to_its_entry_at_the_cause_that_fits(kb):
    card = build_card(TICKET)
    by_value = {item.value: item for item in card.of_kind("code")}
    access = by_value["AccessDenied"]
    entry = Entry.objects.get(code="AccessDenied")
    cause = entry.cause_for("url", "p.php?AT=LI")
    assert access.url == f"/errors/AccessDenied/#{cause.anchor}" and access.cause == cause.title
    assert access.confident and access.sureness == "sure"
    for code in ("030002", "060001"):
        assert by_value[code].url.startswith(f"/errors/{code}/") and by_value[code].confident


def test_no_secret_anywhere_in_the_card(kb):
    card = build_card(TICKET)
    everything = repr(card) + str(card.to_json())
    for fmt in tickets.FORMATS:
        everything += tickets.render(tickets.triage_ticket(card, "http://x/triage/t/"), fmt)
    assert SECRET not in everything and XML_SECRET not in everything
    assert "•••" in card.text


def test_nothing_missing_when_the_ticket_holds_it_all(kb):
    assert build_card(TICKET).missing == []


def test_a_bare_code_asks_for_everything_support_needs(kb):
    card = build_card(BARE)
    assert _values(card, "code") == ["030002"]
    assert card.of_kind("code")[0].url.startswith("/errors/030002/")
    assert card.missing == ["site", "user", "time", "tracking", "request"]
    assert "The site name" in card.missing_labels[0]


def test_a_code_no_entry_has_is_listed_as_missing_from_the_knowledge_base(kb):
    item = build_card("the log says 030099 again")
    codes = item.of_kind("code")
    assert [c.value for c in codes] == ["030099"] and not codes[0].url
    assert codes[0].note == "not in the knowledge base yet"


def test_a_draft_entry_is_never_linked(kb):
    Entry.objects.filter(code="060001").update(status=Entry.Status.DRAFT)
    card = build_card(TICKET)
    linked = {item.code for item in card.items if item.url}
    assert "060001" not in linked and "030002" in linked


def test_product_names_are_not_codes(kb):
    card = build_card("Our WebEx JavaScript integration on PowerShell fails with AccessDenied")
    assert _values(card, "code") == ["AccessDenied"]


def test_times_without_a_zone_do_not_make_a_window(kb):
    card = build_card("2026-12-07 09:00:00 Error 030002")
    assert card.window is None and "time" in card.missing
    assert card.of_kind("time")[0].note == "time zone not written"


@pytest.mark.parametrize("fmt", ["markdown", "text", "jira"])
def test_the_card_as_ticket_text_in_three_formats(kb, fmt):
    text = tickets.render(tickets.triage_ticket(build_card(BARE), "http://x/triage/abc/", root="http://x"), fmt)
    marked = {"markdown": "`030002`", "jira": "{{030002}}", "text": "030002"}[fmt]
    assert marked in text
    assert "http://x/errors/030002/" in text and "http://x/triage/abc/" in text
    assert "Still missing before escalating" in text and "The exact request" in text
    if fmt == "text":
        assert "`" not in text and "**" not in text
    if fmt == "jira":
        assert text.startswith("h3. Triage card") and "# The site name" in text
    if fmt == "markdown":
        assert text.startswith("### Triage card") and "1. The site name" in text


def test_the_terminal_text_escapes_control_characters(kb):
    ticket = (
        "<webExID>jdoe\x1b[2J</webExID> 030002\n\n"
        '{"message": "bad token \\u001b]0;owned\\u0007", "trackingId": "ROUTER_1234567"}'
    )
    text = tickets.render(tickets.triage_ticket(build_card(ticket)), "text")
    assert "\x1b" not in text and "\x07" not in text
    assert "jdoe\\x1b[2J" in text and "bad token \\x1b]0;owned\\x07" in text


def test_any_input_never_raises(kb):
    for text in ["", None, "\x00" * 10, "<" * 5000, "{" * 3000, "HTTP/1.1 200 OK\n\n" * 100, 12345]:
        build_card(text)
