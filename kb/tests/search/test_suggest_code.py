"""The page of an unknown code offers "suggest this code", recorded as a Suggestion from that page."""

import pytest
from django.test import Client

from kb.models import Suggestion

SECRET = "Zq9-suggest-secret"
pytestmark = pytest.mark.usefixtures("kb")


def html(response):
    return response.content.decode()


def test_unknown_code_offers_suggest_this_code(client):
    response = client.get("/errors/NoSuchCode42/")
    assert response.status_code == 404
    body = html(response)
    assert "Suggest this code" in body
    assert 'action="/errors/NoSuchCode42/suggest-code/"' in body and "csrfmiddlewaretoken" in body


def test_suggest_this_code_is_recorded_once(client):
    response = client.post("/errors/NoSuchCode42/suggest-code/", {"note": "seen on m.php?AT=SM"})
    assert response.status_code == 302
    assert response["Location"] == "/errors/NoSuchCode42/"
    assert "NoSuchCode42 was recorded" in html(client.get(response["Location"]))
    client.post("/errors/NoSuchCode42/suggest-code/", {"note": "seen on m.php?AT=SM"})
    suggestion = Suggestion.objects.get()
    assert (suggestion.query, suggestion.origin, suggestion.note) == (
        "NoSuchCode42",
        Suggestion.Origin.NOT_FOUND,
        "seen on m.php?AT=SM",
    )


def test_suggest_this_code_with_htmx_answers_the_thanks(client):
    response = client.post("/errors/NoSuchCode42/suggest-code/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = html(response)
    assert "<html" not in body and 'id="suggest-code"' in body and "recorded" in body
    assert "HX-Request" in response["Vary"]


def test_suggest_this_code_never_keeps_a_secret(client):
    response = client.post(f"/errors/PW={SECRET}/suggest-code/", {"note": f"PW={SECRET}"})
    assert SECRET not in response["Location"]
    assert SECRET not in repr(list(Suggestion.objects.values()))


def test_suggest_this_code_needs_post_and_csrf(client):
    assert client.get("/errors/NoSuchCode42/suggest-code/").status_code == 405
    assert Client(enforce_csrf_checks=True).post("/errors/NoSuchCode42/suggest-code/").status_code == 403
    assert not Suggestion.objects.exists()
