"""Ticket text escapes, by construction, what it did not write: Markdown and Jira markup in a value (an entry's
text, a site's RS or reason) is shown as text, never acted on; control characters are shown visibly; the format's
own markup and code spans still work."""

import re

import pytest

from core import tickets
from webex.tests.samples import TERMINAL_ATTACKS, UNSHOWABLE

HOSTILE = (
    "# Pwned\n## Heading ![x](http://track.example/pixel.png) [click](http://evil.example) <img src=x> "
    "!http://track.example/j.png! [label|http://evil.example] {code}rm -rf /{code} *bold* h1. big " + TERMINAL_ATTACKS
)


def _ticket(value):
    return tickets.Ticket(
        title=f"{tickets.code('AccessDenied')}: {value}",
        sections=[
            tickets.Section(heading=f"Cause: {value}", facts=[("What it means", value)], paragraphs=[value]),
            tickets.Section(heading="What to do", steps=[value, f"Run {tickets.code('p.php?AT=LI')} again"]),
        ],
        links=[("Knowledge base", "https://kb.example/errors/AccessDenied/")],
    )


def test_markdown_shows_markup_in_values_as_text():
    text = tickets.render(_ticket(HOSTILE), "markdown")
    lines = text.splitlines()
    assert lines[0].startswith("### `AccessDenied`: ")  # the format's own heading and code span
    # Every other line starts with the format's own markup or an escaped character, never with a value's.
    assert all(re.match(r"(\*\*|\d\. |Knowledge base: |\\|$)", line) for line in lines[1:]), lines
    assert not re.search(r"(?<!\\)!\[|(?<!\\)\]\(|(?<!\\)<img", text)  # no image, link or raw HTML
    assert "\\!\\[x\\]" in text and "\\<img" in text and "`http://track.example/pixel.png`" in text
    assert "1. \\# Pwned" in text and "2. Run `p.php?AT=LI` again" in text
    assert "Knowledge base: https://kb.example/errors/AccessDenied/" in text


def test_jira_shows_markup_in_values_as_text():
    text = tickets.render(_ticket(HOSTILE), "jira")
    assert text.startswith("h3. {{AccessDenied}}: ")
    assert "!http" not in text and "[label|" not in text and "{code}" not in text and "[click]" not in text
    assert "\\{code\\}" in text and "\\[label\\|{{http://evil.example}}\\]" in text and "\\*bold\\*" in text
    assert not re.search(r"^\s*(h[1-6]|bq)\.", "\n".join(text.splitlines()[1:]), re.M)
    assert "# Run {{p.php?AT=LI}} again" in text and "Knowledge base: [https://kb.example/errors/AccessDenied/]" in text


@pytest.mark.parametrize("fmt", list(tickets.FORMATS))
def test_no_format_carries_a_control_character(fmt):
    text = tickets.render(_ticket(HOSTILE), fmt)
    assert not [ch for ch in UNSHOWABLE if ch in text]
    assert "u001b" in text and "u202e" in text  # shown visibly


def test_plain_text_keeps_the_value_as_it_reads():
    text = tickets.render(_ticket("see [a](b) and *c*"), "text")
    assert "see [a](b) and *c*" in text and "`" not in text


def test_an_ordinary_entry_reads_as_before():
    ticket = _ticket("The session ticket expired, so log in again (p.php?AT=LI).")
    assert "**What it means:** The session ticket expired, so log in again (p.php?AT=LI)." in tickets.render(
        ticket, "markdown"
    )
