"""Wizard ends that lead somewhere (issue 22): "No, it did not" offers escalation at once (the ticket summary,
"suggest an edit", a box read by the search's reader), "Another code" shows that box in place, an outcome's steps
never repeat the test just done, and readers who may not replay see no replay button they could use."""

import re

OUTCOME = "/troubleshoot/log-in/?came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict"
OTHER = "/troubleshoot/log-in/?came-back=reason-code&li-code=other"
FEEDBACK = "/troubleshoot/log-in/feedback/?came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict"


def _paste_box(html):
    return re.search(r'<form action="/search/" method="get" data-search-post="/search/go/"[^>]*>.*?</form>', html, re.S)


def test_no_it_did_not_offers_escalation_at_once(client, kb):
    html = client.post(FEEDBACK, {"resolved": "no"}, HTTP_HX_REQUEST="true").content.decode()
    assert "recorded as not solved" in html and "data-wizard-escalate" in html
    assert "Copy summary for ticket" in html and 'data-ticket-url="/troubleshoot/log-in/ticket/?' in html
    assert 'href="/errors/BadWebExIDorPassword/suggest/" data-suggest-edit' in html
    box = _paste_box(html)
    assert box and 'name="q"' in box[0] and 'name="go" value="1"' in box[0]


def test_no_it_did_not_without_javascript_shows_the_outcome_with_escalation(client, kb):
    response = client.post(FEEDBACK, {"resolved": "no"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-wizard-escalate" in html and "recorded as not solved" in html
    solved = client.post(FEEDBACK, {"resolved": "yes"})
    assert solved.status_code == 302  # solved: back to the outcome, nothing to escalate


def test_yes_it_did_offers_no_escalation(client, kb):
    html = client.post(FEEDBACK, {"resolved": "yes"}, HTTP_HX_REQUEST="true").content.decode()
    assert "recorded as solved" in html and "data-wizard-escalate" not in html


def test_another_code_shows_the_paste_box_in_place(client, kb):
    html = client.get(OTHER).content.decode()
    assert _paste_box(html) and "paste it in the box below" in html
    assert "top of every page" not in html


def test_an_outcome_never_repeats_the_test_just_done(client, kb):
    html = client.get(OUTCOME).content.decode()
    steps = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S)[1]
    assert "p.php?AT=SU" not in steps  # the sign-up test was the step before
    assert "Site Admin" in steps  # the other steps stay
    text = client.get("/troubleshoot/log-in/ticket/?came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict")
    assert "send `p.php?AT=SU` with the same details" not in text.content.decode()


def test_replay_buttons_in_the_wizard_are_hidden_from_readers(client, kb):
    step = client.get("/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration").content.decode()
    (button,) = re.findall(r'<a class="[^"]*replay-button[^"]*"', step)
    assert "replay-link" in button and "can-replay" not in step  # hidden by CSS for readers who may not replay
