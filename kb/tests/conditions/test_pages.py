"""The conditions' pages, the entry's list of conditions, search on symptom words, and the wizard's condition ends."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import grant
from kb.models import Condition, Entry
from kb.tests.helpers import text_of

SSO = "/conditions/sso-site/"


def main_of(response):
    text = text_of(response)
    return text[text.index('<main id="main"') :]


def test_the_list_shows_every_condition_with_its_codes(kb, client):
    response = client.get("/conditions/")
    assert response.status_code == 200
    text = main_of(response)
    for condition in Condition.objects.all():
        assert f'href="{condition.get_absolute_url()}"' in text
        assert html.escape(condition.title) in text
    assert "<code>030048</code>" in text
    assert f"{Condition.objects.count()} of {Condition.objects.count()} conditions" in text


def test_the_list_filter_works_without_javascript_and_as_an_htmx_fragment(kb, client):
    page = client.get("/conditions/", {"q": "single sign"})
    assert 'href="/conditions/sso-site/"' in text_of(page) and 'href="/conditions/api-retired/"' not in text_of(page)
    fragment = client.get("/conditions/", {"q": "000045"}, HTTP_HX_REQUEST="true")
    text = text_of(fragment)
    assert fragment.status_code == 200 and "<html" not in text and text.startswith("<title>Conditions")
    assert 'id="condition-results"' in text and 'href="/conditions/rate-limit-reached/"' in text
    assert "Vary" in fragment and "HX-Request" in fragment["Vary"]
    assert "No condition matches" in text_of(client.get("/conditions/", {"q": "zzzz nothing"}))


def test_the_list_reads_a_fixed_number_of_queries(kb, client):
    client.get("/conditions/")  # warm: sessions, content types
    with CaptureQueriesContext(connection) as first:
        client.get("/conditions/")
    Condition.objects.create(
        slug="one-more", title="One more", summary="s", question="q", steps=["x"], sources=[], confidence="low"
    ).entries.set(Entry.objects.all()[:3])
    with CaptureQueriesContext(connection) as second:
        client.get("/conditions/")
    assert len(first.captured_queries) == len(second.captured_queries) <= 4


def test_a_condition_page_answers_first_and_links_its_codes(kb, client):
    response = client.get(SSO)
    assert response.status_code == 200
    text = main_of(response)
    condition = Condition.objects.get(slug="sso-site")
    # Answer first: what it is, how to tell, what to do; then the symptoms; provenance last.
    order = [text.index(h) for h in ("What it is", "How to tell", "What to do", "How it shows", "About this condition")]
    assert order == sorted(order)
    for code in ("030002", "030048", "AccessDenied"):
        assert f'<a href="/errors/{code}/"><code>{code}</code></a>' in text
    for step in condition.steps:
        assert f"<li>{html.escape(step)}</li>" in text
    assert 'class="badge badge-medium">Medium</span>' in text
    assert "Cisco community thread 3517112" in text
    assert "Not reviewed yet" in text
    assert "History" not in text  # editors only


def test_codes_link_to_their_entries_and_sources_to_theirs(kb, client):
    text = main_of(client.get("/conditions/rate-limit-reached/"))
    assert '<a href="/errors/000045/"><code>000045</code></a>' in text  # was pending until the code had an entry
    assert '<a href="https://developer.cisco.com/docs/webex-meetings/xml-api-9-0-sp5-1-release-notes"' in text
    assert "<q>API Rate Limit Reach</q>" in text


def test_a_condition_page_as_an_htmx_fragment(kb, client):
    response = client.get(SSO, HTTP_HX_REQUEST="true")
    text = text_of(response)
    assert response.status_code == 200 and "<html" not in text
    assert text.startswith("<title>Condition: The site signs people in through SSO")
    assert '<article class="condition"' in text


def test_unknown_condition_is_404_and_another_case_redirects(kb, client):
    assert client.get("/conditions/no-such-thing/").status_code == 404
    response = client.get("/conditions/SSO-Site/")
    assert response.status_code == 301 and response["Location"] == SSO


@pytest.mark.parametrize("url", ["/conditions/", SSO])
def test_wrong_method_is_refused(kb, client, url):
    assert client.post(url).status_code == 405


def test_the_probe_runs_only_for_those_who_may_replay(kb, client, django_user_model):
    text = main_of(client.get(SSO))
    assert "Run the probe" not in text and "/replay/?command=" not in text
    assert "help desk staff who may replay run it from this page" in text
    reader = django_user_model.objects.create_user("reader", password="pw-for-tests-only")
    client.force_login(reader)
    assert "/replay/?command=" not in main_of(client.get(SSO))
    grant(reader, "help-desk")
    text = main_of(client.get(SSO))
    assert 'href="/replay/?command=XMLService%3Auser.AuthenticateUser"' in text and "Run the probe" in text
    assert client.get("/replay/?command=XMLService%3Auser.AuthenticateUser").status_code == 200


def test_editors_see_the_history(kb, editor_client):
    text = main_of(editor_client.get(SSO))
    assert "History" in text and "Loaded from" in text


def test_an_entry_lists_the_conditions_that_can_cause_it(kb, client):
    text = main_of(client.get("/errors/AccessDenied/"))
    section = re.search(r'<section class="card entry-conditions".*?</section>', text, re.S).group(0)
    for slug in ("sso-site", "site-admin-setting-changed", "url-api-session-expired"):
        assert f'href="/conditions/{slug}/"' in section
    assert "entry-conditions" not in main_of(client.get("/errors/AlreadyLogon/"))


def test_a_condition_change_shows_on_the_cached_entry_page(kb, client):
    client.get("/errors/AlreadyLogon/")
    condition = Condition.objects.get(slug="sso-site")
    condition.entries.add(Entry.objects.get(code="AlreadyLogon"))
    assert 'href="/conditions/sso-site/"' in main_of(client.get("/errors/AlreadyLogon/"))


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("SSO", "sso-site"),
        ("single sign-on", "sso-site"),
        ("password log-in disabled", "sso-site"),
        ("API deprecated", "api-retired"),
        ("410 Gone", "api-retired"),
        ("site renamed", "site-url-changed"),
        ("rate limit", "rate-limit-reached"),
        ("000045", "rate-limit-reached"),
        ("E030103", "common-identity-provisioning"),
        ("401 Unauthorized", "rest-token-or-scope"),
    ],
)
def test_search_finds_a_condition_from_its_symptoms_and_plain_words(kb, client, query, slug):
    data = client.get("/api/search/", {"q": query}).json()
    found = [c for c in data["conditions"] if c["condition"] == slug]
    assert found and found[0]["match"] == "condition" and found[0]["url"] == f"/conditions/{slug}/"
    page = text_of(client.get("/search/", {"q": query}))
    assert f'data-match="condition"><a href="/conditions/{slug}/"' in page


def test_search_on_a_code_names_the_conditions_beside_the_entry(kb, client):
    data = client.get("/api/search/", {"q": "030002"}).json()
    assert data["results"][0]["code"] == "030002" and data["confident"] is True
    assert [c["condition"] for c in data["conditions"]] == ["sso-site"]
    pasted = client.get("/api/search/", {"q": "https://x.webex.com/x/p.php?AT=LI&ST=FAIL&RS=AccessDenied"}).json()
    assert "url-api-session-expired" in [c["condition"] for c in pasted["conditions"]]


def test_search_names_no_condition_for_unrelated_words(kb, client):
    assert client.get("/api/search/", {"q": "meeting password"}).json()["conditions"] == []
