"""The outcome page: diagnosis, path, ticket summary, replay button, and "Did this solve it?"."""

import html
import re
from urllib.parse import parse_qs, urlsplit

from kb.models import Suggestion
from troubleshooter.models import WizardEvent

OUTCOME = "/troubleshoot/log-in/?came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict"
FEEDBACK = "/troubleshoot/log-in/feedback/?came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict"
DURATION = "/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration&du-20=worked"
PATH = [["came-back", "reason-code"], ["li-code", "bad-id"], ["su-test", "webex-id-conflict"]]


def text_of(response):
    return response.content.decode()


def test_the_outcome_shows_entry_cause_numbered_steps_and_the_path(kb, client):
    text = text_of(client.get(OUTCOME))
    assert 'data-entry="BadWebExIDorPassword" data-cause="wrong-credentials"' in text
    assert "The WebEx ID exists: the WID or PW sent is wrong" in text
    link = '<a href="/errors/BadWebExIDorPassword/#cause-wrong-credentials"><code>BadWebExIDorPassword</code></a>'
    assert link in text
    cause = kb.get(code="BadWebExIDorPassword").causes.get(slug="wrong-credentials")
    assert f"Cause: {html.escape(cause.title)}" in text
    steps = re.search(r'<ol class="steps">(.*?)</ol>', text, re.S).group(1)
    # The steps, less the one that asks for the p.php?AT=SU test this path has just run (issue 22).
    kept = [step for step in cause.steps.all() if "p.php?AT=SU" not in step.text]
    assert steps.count("<li>") == len(kept) == cause.steps.count() - 1 >= 1
    path = re.search(r'<ol class="wizard-path">(.*?)</ol>', text, re.S).group(1)
    assert "What were you trying to do? <strong>Log a host in</strong>" in path
    assert "Send p.php?AT=SU with the same data. What came back? <strong>RS=WebExIDConflict" in path


def test_copy_summary_for_ticket_is_markdown_with_path_diagnosis_and_links(kb, client):
    text = text_of(client.get(OUTCOME))
    ticket_url = html.unescape(re.search(r'data-ticket-url="([^"]*)"', text).group(1))
    assert ticket_url.startswith("/troubleshoot/log-in/ticket/?") and ticket_url.endswith("&")
    summary = client.get(ticket_url + "format=markdown").content.decode()
    assert summary.startswith("### WebEx troubleshooting: Log a host in\n")
    assert f"Wizard: http://testserver{OUTCOME}" in summary
    assert "**Path**\n\n1. What were you trying to do? Log a host in\n2. What came back? I was sent back" in summary
    assert "**Diagnosis:** `BadWebExIDorPassword`" in summary
    assert "Knowledge base: http://testserver/errors/BadWebExIDorPassword/#cause-wrong-credentials" in summary
    assert "**What to do**\n\n1. " in summary  # Markdown: a blank line keeps the list apart from its heading
    textarea = re.search(r'<textarea id="ticket-summary" readonly rows="12">(.*?)</textarea>', text, re.S)
    assert html.unescape(textarea.group(1)).strip() == summary.strip()


def test_the_button_opens_the_filled_replay_form(kb, client):
    text = text_of(client.get(DURATION))
    button = re.search(r'<a class="button replay-button replay-link" href="([^"]+)" data-replay=', text)
    href = html.unescape(button.group(1))
    parts = urlsplit(href)
    assert parts.path == "/replay/"
    query = parse_qs(parts.query, keep_blank_values=True)
    assert query["command"] == ["m.php?AT=SM&DU=20"]
    assert query["from"][0].startswith("/troubleshoot/schedule-meeting/?")  # the result links back here
    assert "**Command to retry:** `m.php?AT=SM&amp;DU=20`" in text  # and the ticket summary names it
    assert "Replay: http://testserver/replay/?command=m.php%3FAT%3DSM%26DU%3D20" in text
    # The test command on a question opens it too.
    question = text_of(client.get("/troubleshoot/log-in/?came-back=reason-code&li-code=bad-id"))
    assert 'href="/replay/?command=p.php%3FAT%3DSU&amp;from=%2Ftroubleshoot%2Flog-in%2F%3F' in question


def test_an_escalation_without_an_entry_still_ends_the_path(kb, client):
    text = text_of(client.get("/troubleshoot/log-in/?came-back=nothing"))
    assert 'data-outcome="no-answer" data-entry="" data-cause=""' in text
    assert "What to do next" in text
    assert "**Diagnosis:** none in the knowledge base" in html.unescape(text)


def test_feedback_yes_is_recorded_with_the_path(kb, client):
    client.get(OUTCOME)
    response = client.post(FEEDBACK, {"resolved": "yes", "comment": ""})
    assert response.status_code == 302 and response["Location"] == OUTCOME
    event = WizardEvent.objects.get(kind="feedback")
    assert (event.resolved, event.outcome_slug, event.path) == (True, "wrong-credentials", PATH)
    assert event.flow.slug == "log-in"
    assert "Thank you: recorded as solved." in text_of(client.get(OUTCOME))


def test_feedback_no_with_a_comment_is_recorded_and_suggested(kb, client, django_user_model):
    user = django_user_model.objects.create_user("desk", password="pw-for-tests-only")
    client.force_login(user)
    client.post(FEEDBACK, {"resolved": "no", "comment": "Site Admin shows the user, reset did not help."})
    event = WizardEvent.objects.get(kind="feedback")
    assert (event.resolved, event.user) == (False, user)
    assert event.comment == "Site Admin shows the user, reset did not help."
    suggestion = Suggestion.objects.get(origin="wizard")
    assert "Site Admin shows the user" in suggestion.note and OUTCOME in suggestion.note


def test_feedback_needs_an_answer_and_a_short_comment(kb, client):
    response = client.post(FEEDBACK, {"comment": "x"})
    assert response.status_code == 400
    assert "Choose yes or no." in text_of(response)
    assert 'data-outcome="wrong-credentials"' in text_of(response)
    response = client.post(FEEDBACK, {"resolved": "no", "comment": "x" * 2001})
    assert response.status_code == 400
    assert "at most 2000 characters" in text_of(response)
    response = client.post(FEEDBACK, {"resolved": "maybe"})
    assert response.status_code == 400
    assert not WizardEvent.objects.filter(kind="feedback").exists()


def test_feedback_with_htmx_returns_the_fragment(kb, client):
    response = client.post(FEEDBACK, {"resolved": "no"}, headers={"HX-Request": "true"})
    text = text_of(response)
    assert response.status_code == 200
    assert text.lstrip().startswith('<section id="wizard-feedback"')
    assert "Thank you: recorded as not solved." in text
    assert "HX-Request" in response["Vary"]
    invalid = client.post(FEEDBACK, {}, headers={"HX-Request": "true"})
    assert "Choose yes or no." in text_of(invalid) and "<html" not in text_of(invalid)


def test_feedback_before_an_outcome_is_refused_and_only_post_is_allowed(kb, client):
    response = client.post("/troubleshoot/log-in/feedback/?came-back=reason-code", {"resolved": "yes"}, follow=True)
    assert "nothing to give feedback on" in text_of(response)
    assert not WizardEvent.objects.filter(kind="feedback").exists()
    assert client.get(FEEDBACK).status_code == 405
    assert client.post("/troubleshoot/no-such-flow/feedback/", {"resolved": "yes"}).status_code == 404


def test_feedback_needs_the_csrf_token(kb):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(FEEDBACK, {"resolved": "yes"}).status_code == 403
    page = text_of(strict.get(OUTCOME))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert strict.post(FEEDBACK, {"resolved": "yes", "csrfmiddlewaretoken": token}).status_code == 302
