"""POST /errors/<code>/feedback/ (helpful=yes|no, optional comment): one changeable vote per user or browser session.
The anonymous entry page is cached and shared, so the widget is a fragment with its own CSRF token."""

import re

import pytest
from django.test import Client

from kb.models import EntryFeedback

URL = "/errors/AccessDenied/feedback/"
HX = {"HTTP_HX_REQUEST": "true"}


def test_the_cached_entry_page_loads_the_widget_and_links_to_it_without_javascript(client, kb):
    page = client.get("/errors/AccessDenied/").content.decode()
    assert 'hx-get="/errors/AccessDenied/feedback/"' in page
    assert '<a href="/errors/AccessDenied/feedback/">' in page
    assert "csrfmiddlewaretoken" not in page  # the shared page carries no token


def test_the_fragment_carries_a_csrf_token_and_varies(client, kb):
    response = client.get(URL, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="entry-feedback"' in html
    assert "csrfmiddlewaretoken" in html
    assert "HX-Request" in response["Vary"] and "Cookie" in response["Vary"]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_without_javascript_it_is_a_page(client, kb):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "Was the entry for" in html and 'name="comment"' in html


def test_an_anonymous_vote_is_one_per_session_and_changeable():
    browser = Client(enforce_csrf_checks=True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(URL, **HX).content.decode())[1]
    assert browser.post(URL, {"helpful": "yes", "csrfmiddlewaretoken": token}, **HX).status_code == 200
    assert browser.post(URL, {"helpful": "no", "csrfmiddlewaretoken": token}, **HX).status_code == 200
    votes = EntryFeedback.objects.filter(entry__code="AccessDenied")
    assert votes.count() == 1 and votes.get().helpful is False and votes.get().session_key
    other = Client()
    other.post(URL, {"helpful": "yes"}, **HX)
    assert votes.count() == 2


pytestmark = pytest.mark.django_db


def test_no_asks_what_was_missing_and_the_comment_is_kept_redacted(client, kb):
    html = client.post(URL, {"helpful": "no"}, **HX).content.decode()
    assert "What was missing?" in html and 'name="comment"' in html
    html = client.post(URL, {"helpful": "no", "comment": "Nothing about PW=hunter22 expiry"}, **HX).content.decode()
    assert "What was missing?" not in html and "Thank you" in html
    vote = EntryFeedback.objects.get(entry__code="AccessDenied")
    assert vote.helpful is False and "hunter22" not in vote.comment and "PW=•••" in vote.comment


def test_yes_thanks_and_shows_the_vote(client, kb):
    html = client.post(URL, {"helpful": "yes"}, **HX).content.decode()
    assert "recorded as helpful" in html
    assert 'value="yes" class="button button-secondary" aria-pressed="true"' in html


def test_a_logged_in_user_has_one_vote(client, kb, django_user_model):
    user = django_user_model.objects.create_user("reader")
    client.force_login(user)
    client.post(URL, {"helpful": "yes"}, **HX)
    client.post(URL, {"helpful": "no", "comment": "more steps"}, **HX)
    vote = EntryFeedback.objects.get(entry__code="AccessDenied")
    assert vote.user == user and vote.helpful is False and vote.comment == "more steps"


def test_without_javascript_a_vote_redirects_back_to_the_page_with_a_message(client, kb):
    response = client.post(URL, {"helpful": "no"})
    assert response.status_code == 302 and response["Location"] == URL
    html = client.get(URL).content.decode()
    assert "recorded as not helpful" in html and "What was missing?" in html


def test_an_invalid_vote_is_a_400_page_or_a_fragment_with_the_message(client, kb):
    assert client.post(URL, {"helpful": "maybe"}).status_code == 400
    response = client.post(URL, {"helpful": "maybe"}, **HX)
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not EntryFeedback.objects.exists()


def test_unknown_code_alias_and_methods(client, kb):
    assert client.get("/errors/NoSuchCode/feedback/").status_code == 404
    assert client.post("/errors/NoSuchCode/feedback/", {"helpful": "yes"}).status_code == 404
    response = client.get("/errors/accessdenied/feedback/")
    assert response.status_code == 301 and response["Location"] == URL
    assert client.put(URL).status_code == 405 and client.delete(URL).status_code == 405


def test_insights_show_votes_comments_and_suggestions(client, kb, django_user_model):
    from kb.models import Suggestion

    client.post(URL, {"helpful": "no", "comment": "Which cookie?"}, **HX)
    Client().post(URL, {"helpful": "yes"}, **HX)
    Suggestion.objects.record("NewCode123", origin=Suggestion.Origin.SEARCH, note="seen in a log")
    staff = django_user_model.objects.create_user("lead", is_staff=True)
    client.force_login(staff)
    html = client.get("/insights/").content.decode()
    row = re.search(r'<tr data-entry-votes="AccessDenied">(.*?)</tr>', html, re.S)[1]
    assert '<td data-count="helpful">1</td>' in row and '<td data-count="unhelpful">1</td>' in row
    assert "Which cookie?" in html and "NewCode123" in html and "seen in a log" in html
