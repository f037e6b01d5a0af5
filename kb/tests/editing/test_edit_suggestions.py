"""'Suggest an edit' on every entry page: a small form for everyone (anonymous readers too), CSRF-protected,
recorded as a Suggestion tied to the entry, listed in the review queue."""

import pytest
from django.test import Client

from kb.models import Entry, Suggestion
from kb.tests.editing.helpers import ROLES, as_role

URL = "/errors/AccessDenied/suggest/"


def test_the_shared_public_page_links_to_the_form_and_carries_no_token(client, kb):
    page = client.get("/errors/AccessDenied/").content.decode()
    assert f'href="{URL}"' in page and "Suggest an edit" in page
    assert "csrfmiddlewaretoken" not in page


def test_anyone_can_suggest_an_edit_and_it_is_tied_to_the_entry(client, kb):
    form = client.get(URL)
    assert form.status_code == 200 and "What is wrong or missing?" in form.content.decode()
    response = client.post(URL, {"note": "Step 2 should say PW=hunter2 is wrong"})
    assert response.status_code == 200
    assert "your suggestion was recorded" in response.content.decode()
    suggestion = Suggestion.objects.get(origin=Suggestion.Origin.EDIT)
    assert suggestion.entry == Entry.objects.get(code="AccessDenied")
    assert suggestion.query == "AccessDenied" and suggestion.status == Suggestion.Status.OPEN
    assert "hunter2" not in suggestion.note and suggestion.user is None
    client.post(URL, {"note": "Step 2 should say PW=hunter2 is wrong"})  # sent twice: kept once
    assert Suggestion.objects.filter(origin=Suggestion.Origin.EDIT).count() == 1


def test_the_form_is_csrf_protected(kb):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, {"note": "no token"}).status_code == 403
    page = client.get(URL).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert client.post(URL, {"note": "with a token", "csrfmiddlewaretoken": token}).status_code == 200
    assert Suggestion.objects.filter(note="with a token").exists()


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_an_empty_or_huge_suggestion_is_refused_clearly(client, kb, note):
    response = client.post(URL, {"note": note})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Suggestion.objects.exists()


def test_unknown_codes_and_other_methods(client, kb):
    assert client.get("/errors/NoSuchCode/suggest/").status_code == 404
    assert client.put(URL).status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_suggest(client, kb, people, role):
    as_role(client, people, role)
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"note": f"from {role}"}).status_code == 200
    suggestion = Suggestion.objects.get(note=f"from {role}")
    assert suggestion.user == people[role]


def test_htmx_gets_the_fragment(client, kb):
    page = client.get(URL)
    fragment = client.get(URL, HTTP_HX_REQUEST="true")
    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()
    assert 'id="suggest-edit"' in fragment.content.decode()
    assert "HX-Request" in page["Vary"] and "HX-Request" in fragment["Vary"]
