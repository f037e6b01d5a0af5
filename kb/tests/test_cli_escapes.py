"""``manage.py explain`` prints an editor's text with every control character and escape sequence shown visibly (a
clipboard write, a window title, clear screen, bidi overrides): core.terminal."""

from django.core.management import call_command

from kb.models import Entry, Step
from webex.tests.samples import TERMINAL_ATTACKS, UNSHOWABLE


def test_explain_shows_escape_sequences_in_entry_text_visibly(kb, capsys):
    entry = Entry.objects.get(code="AccessDenied")
    Entry.objects.filter(pk=entry.pk).update(title="Access denied " + TERMINAL_ATTACKS)
    step = Step.objects.filter(cause__entry=entry).first()
    Step.objects.filter(pk=step.pk).update(text="Check the site " + TERMINAL_ATTACKS)
    call_command("explain", "AccessDenied")
    out = capsys.readouterr().out
    assert "Access denied" in out and "Check the site" in out
    assert not [ch for ch in UNSHOWABLE if ch in out], repr(out[:500])
    assert "\\u001b]52;c;" in out and "\\u202e" in out


def test_entry_text_lands_escaped_in_the_entry_ticket(client, kb):
    entry = Entry.objects.get(code="AccessDenied")
    Entry.objects.filter(pk=entry.pk).update(summary="# Pwned ![x](http://track.example/p.png) " + TERMINAL_ATTACKS)
    for fmt, image in (("markdown", "\\!\\[x\\]"), ("jira", "\\!\\[x\\]"), ("text", "![x]")):
        text = client.get("/errors/AccessDenied/ticket/", {"format": fmt}).content.decode()
        assert image in text and "\\# Pwned" in text or fmt == "text", (fmt, text)
        assert not [ch for ch in UNSHOWABLE if ch in text], fmt
