"""Entry pages put the answer first (issue 22): causes and steps before messages and sources, a cause index on
multi-cause entries, one "Replay…" control per cause, no duplicate lists, a copy row that keeps its room, and
research wording (index ids, repository notes) kept out of summaries, snippets, meta descriptions and ticket text."""

import re

from kb.models import Cause, Entry
from kb.pages import cause_views

RESEARCH = re.compile(r"indexed file|file id|repository|prueba_MONI|not named|not identified", re.IGNORECASE)


def _section(html, anchor):
    return re.search(rf'<section class="card cause" id="{anchor}".*?</section>', html, re.S)[0]


def test_causes_and_steps_come_before_messages_and_sources(client, kb):
    html = client.get("/errors/AccessDenied/").content.decode()
    first_steps = html.index("What to do")
    assert first_steps < html.index("Messages you may see") and first_steps < html.index("<dt>Source</dt>")
    about = html[html.index('id="about"') :]
    assert "Messages you may see" in about and "<dt>Source</dt>" in about and "Also seen as" not in html[:first_steps]
    index = re.search(r'<nav class="cause-index" aria-label="Causes of AccessDenied">.*?</nav>', html, re.S)[0]
    assert index.count("<li>") == 2 and 'href="#cause-session-expired"' in index


def test_a_single_cause_entry_has_no_index(client, kb):
    assert 'class="cause-index"' not in client.get("/errors/AlreadyLogon/").content.decode()


def test_one_replay_control_per_cause(client, kb):
    html = client.get("/errors/AccessDenied/").content.decode()
    controls = re.findall(r'<form class="replay-control replay-link".*?</form>', html, re.S)
    assert len(controls) == Entry.objects.get(code="AccessDenied").causes.count() == 2
    assert all(c.count("<button") == 1 for c in controls)  # 17 commands: one picker and one button, not 17 buttons
    assert controls[0].count("<option") == 17
    single = client.get("/errors/AlreadyLogon/").content.decode()
    (control,) = re.findall(r'<form class="replay-control replay-link".*?</form>', single, re.S)
    assert '<input type="hidden" name="command" value="p.php?AT=LI">' in control and "<select" not in control


def test_every_cause_offers_replay(kb):
    for entry in Entry.objects.published().prefetch_for_page():
        for cause in cause_views(entry):
            assert cause.replay_choices, (entry.code, cause.slug)


def test_when_you_might_see_it_never_repeats_the_returned_by_chips(client, kb):
    causes = list(Cause.objects.prefetch_related("commands__service"))
    repeating = [c for c in causes if not c.when_seen_adds]
    assert len(repeating) == 22 and len(causes) == 76  # 65 causes before the documented codes (issue 21) came
    html = client.get("/errors/AlreadyLogon/").content.decode()
    assert "When you might see it" not in html and "Returned by:" in html
    access_denied = client.get("/errors/AccessDenied/").content.decode()
    assert "When you might see it" in _section(access_denied, "cause-xml-privilege")


def test_related_does_not_repeat_the_other_api(client, kb):
    for entry in Entry.objects.published().prefetch_related("counterparts", "related"):
        counterparts = list(entry.counterparts.all())
        if not counterparts:
            continue
        html = client.get(entry.get_absolute_url()).content.decode()
        related = re.search(r"<h2>Related</h2>\s*<ul>(.*?)</ul>", html, re.S)
        for other in counterparts:
            assert not related or f'href="{other.get_absolute_url()}"' not in related[1], (entry.code, other.code)


def test_the_copy_row_reserves_its_status(client, kb):
    html = client.get("/errors/AccessDenied/").content.decode()
    row = re.search(r'<div class="actions entry-actions">.*?</div>\s*</div>', html, re.S)[0]
    assert row.count('<span class="copied" role="status" aria-live="polite"></span>') == 2
    assert '<span class="js-only copy-link-control">' in row  # Copy link does nothing without JavaScript


def test_research_wording_stays_out_of_summaries_and_snippets(client, kb):
    for entry in Entry.objects.published().prefetch_related("causes__steps"):
        texts = [entry.summary, entry.title]
        for cause in entry.causes.all():
            texts += [cause.title, cause.meaning, cause.when_seen, *(s.text for s in cause.steps.all())]
        assert not [t for t in texts if RESEARCH.search(t)], entry.code
    html = client.get("/errors/InvalidEmailFormat/").content.decode()
    description = re.search(r'<meta name="description" content="([^"]*)"', html)[1]
    assert "one client&#x27;s code" in description and not RESEARCH.search(description)
    assert "prueba_MONI" in html[html.index('id="about"') :]  # the provenance is kept, under "About this entry"
    ticket = client.get("/errors/InvalidEmailFormat/ticket/", {"format": "text"}).content.decode()
    assert not RESEARCH.search(ticket)
    results = client.get("/api/search/", {"q": "registration password"}).json()
    snippets = [r.get("snippet", "") for r in results.get("results", [])]
    assert any(snippets) and not [s for s in snippets if RESEARCH.search(s)]
