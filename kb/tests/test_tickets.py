"""GET /errors/<code>/ticket/?cause=<slug>&format=markdown|text|jira: the entry (or one cause) as text for a ticket."""

import pytest

from core import tickets
from kb.models import Entry

URL = "/errors/AccessDenied/ticket/"


def _text(response):
    return response.content.decode()


def test_markdown_has_the_title_the_meaning_the_numbered_steps_and_the_permalink(client, kb):
    entry = Entry.objects.get(code="AccessDenied")
    cause = entry.causes.get(slug="session-expired")
    response = client.get(URL, {"cause": "session-expired", "format": "markdown"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == "inline"
    text = _text(response)
    assert text.startswith(f"### `AccessDenied`: {entry.title}\n")
    assert cause.meaning.replace("p.php?AT=LI", "`p.php?AT=LI`") in text  # commands marked as code
    for number, step in enumerate(cause.steps.all(), start=1):
        assert f"{number}. {step.text}".replace("p.php?AT=LI", "`p.php?AT=LI`") in text
    assert "http://testserver/errors/AccessDenied/#cause-session-expired" in text
    assert "xml-privilege" not in text and entry.causes.get(slug="xml-privilege").meaning not in text


def test_markdown_is_the_default_format(client, kb):
    assert _text(client.get(URL, {"cause": "session-expired"})).startswith("### `AccessDenied`")


def test_plain_text_has_no_markup(client, kb):
    text = _text(client.get(URL, {"cause": "session-expired", "format": "text"}))
    first, underline = text.splitlines()[:2]
    assert first.startswith("AccessDenied: ") and set(underline) == {"="}
    assert "`" not in text and "**" not in text and "###" not in text
    assert "1. " in text and "What it means: " in text


def test_jira_uses_wiki_markup(client, kb):
    text = _text(client.get(URL, {"cause": "session-expired", "format": "jira"}))
    assert text.startswith("h3. {{AccessDenied}}: ")
    assert "\n# " in text and "*What it means:*" in text
    assert "[http://testserver/errors/AccessDenied/#cause-session-expired]" in text


def test_without_a_cause_every_cause_is_listed(client, kb):
    text = _text(client.get(URL, {"format": "text"}))
    assert "Cause 1: " in text and "Cause 2: " in text
    assert "http://testserver/errors/AccessDenied/\n" in text


def test_unknown_cause_is_a_404_in_text(client, kb):
    response = client.get(URL, {"cause": "no-such-cause"})
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no cause" in _text(response)


def test_unknown_format_is_a_400_in_text(client, kb):
    response = client.get(URL, {"cause": "session-expired", "format": "html"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "markdown, text, jira" in _text(response)


def test_unknown_code_is_a_404_in_text(client, kb):
    response = client.get("/errors/NoSuchCode/ticket/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/plain")


def test_an_alias_redirects_to_the_canonical_ticket_keeping_the_query(client, kb):
    response = client.get("/errors/accessdenied/ticket/", {"cause": "session-expired", "format": "jira"})
    assert response.status_code == 301
    assert response["Location"] == "/errors/AccessDenied/ticket/?cause=session-expired&format=jira"


def test_only_get_and_head(client, kb):
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 200


def test_the_entry_page_offers_the_three_formats_for_the_entry_and_each_cause(client, kb):
    page = client.get("/errors/AccessDenied/").content.decode()
    assert 'data-ticket-url="/errors/AccessDenied/ticket/?"' in page
    assert 'data-ticket-url="/errors/AccessDenied/ticket/?cause=session-expired&amp;"' in page
    for fmt in ("markdown", "text", "jira"):
        assert f'href="/errors/AccessDenied/ticket/?format={fmt}"' in page  # without JavaScript: links
        assert f'<option value="{fmt}">' in page
    assert "data-ticket-copy" in page


@pytest.mark.parametrize("fmt", sorted(tickets.FORMATS))
def test_render_marks_codes_per_format(fmt):
    ticket = tickets.Ticket(
        title=f"{tickets.code('m.php?AT=SM')} failed",
        sections=[tickets.Section(heading="What to do", steps=["Add `DU=20`.", "Send it again."])],
        links=[("Record", "http://x/replay/1/")],
    )
    text = tickets.render(ticket, fmt)
    expected = {"markdown": "`m.php?AT=SM`", "jira": "{{m.php?AT=SM}}", "text": "m.php?AT=SM failed"}[fmt]
    assert expected in text
    assert ("# Send it again." if fmt == "jira" else "2. Send it again.") in text


def test_markdown_keeps_cause_and_meaning_apart_and_marks_codes(client, kb):
    """Markdown joins lines no blank line separates: the cause's heading, "What it means" and the steps each stand
    alone, and the codes and commands the texts name are marked as code (Jira writes them monospaced)."""
    text = _text(client.get("/errors/BadWebExIDorPassword/ticket/", {"format": "markdown"}))
    heading = next(line for line in text.splitlines() if line.startswith("**Cause"))
    after = text.split(heading + "\n", 1)[1]
    assert after.startswith("\n**What it means:** ")  # a paragraph of its own
    assert "\n\n**What to do**\n\n1. " in text
    assert "`p.php?AT=SU`" in text and "`WebExIDConflict`" in text
    assert "``" not in text  # nothing marked twice
    jira = _text(client.get("/errors/BadWebExIDorPassword/ticket/", {"format": "jira"}))
    assert "{{WebExIDConflict}}" in jira and "`" not in jira
