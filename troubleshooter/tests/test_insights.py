"""The wizard's section of /insights/: per-flow use and the outcomes most often marked unsolved."""

from datetime import timedelta

from django.utils import timezone

from kb.tests.helpers import text_of
from troubleshooter.models import Flow, Node, WizardEvent

URL = "/insights/"


def record(flow, kind, outcome=None, resolved=None, comment="", days_ago=0):
    event = WizardEvent.objects.create(
        flow=flow,
        kind=kind,
        outcome=outcome,
        outcome_slug=outcome.slug if outcome else "",
        resolved=resolved,
        comment=comment,
    )
    if days_ago:
        WizardEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return event


def test_counts_per_flow_and_the_outcomes_marked_unsolved_most(kb, staff, django_assert_max_num_queries):
    login = Flow.objects.get(slug="log-in")
    wrong = Node.objects.get(flow=login, slug="wrong-credentials")
    already = Node.objects.get(flow=login, slug="already-logged-in")
    for _ in range(3):
        record(login, "started")
    record(login, "finished", wrong)
    record(login, "finished", already)
    record(login, "feedback", wrong, resolved=False, comment="Reset did not help")
    record(login, "feedback", wrong, resolved=False)
    record(login, "feedback", already, resolved=False)
    record(login, "feedback", already, resolved=True)
    record(login, "started", days_ago=40)  # outside the default 30 days
    # flows, events, searches (top, none found, not sure), missing codes; entry votes, comments, suggestions
    with django_assert_max_num_queries(16):
        response = staff.get(URL)
    text = text_of(response)
    row = text.split('<tr data-flow="log-in">')[1].split("</tr>")[0]
    assert '<td data-count="started">3</td>' in row
    assert '<td data-count="finished">2</td>' in row
    assert '<td data-count="resolved">1</td>' in row
    assert '<td data-count="unresolved">3</td>' in row
    worst = text.split('id="worst-title"')[1]
    assert worst.index('data-unresolved-outcome="log-in/wrong-credentials"') < worst.index(
        'data-unresolved-outcome="log-in/already-logged-in"'
    )
    assert "Reset did not help" in text
    longer = text_of(staff.get(URL + "?days=90"))
    assert '<td data-count="started">4</td>' in longer.split('<tr data-flow="log-in">')[1].split("</tr>")[0]
    assert staff.get(URL + "?days=abc").status_code == 200


def test_the_wizard_feeds_the_page(kb, staff):
    staff.get("/troubleshoot/log-in/?came-back=nothing")
    staff.post("/troubleshoot/log-in/feedback/?came-back=nothing", {"resolved": "no"})
    row = text_of(staff.get(URL)).split('<tr data-flow="log-in">')[1].split("</tr>")[0]
    assert '<td data-count="started">1</td>' in row and '<td data-count="unresolved">1</td>' in row


def test_every_page_links_the_wizard_and_staff_see_insights(kb, client, django_user_model):
    home = text_of(client.get("/"))
    assert '<a href="/troubleshoot/">Troubleshoot</a>' in home
    assert 'href="/insights/"' not in home
    client.force_login(django_user_model.objects.create_user("boss", password="pw-for-tests-only", is_staff=True))
    assert '<a href="/insights/">Insights</a>' in text_of(client.get("/"))
