"""Search as you type (POST /search/) is never recorded; the query a person settles on is, once
(POST /search/settled/, a full-page search, or the JSON API). Pasted secrets never come back."""

import logging

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.models import SearchLog

SECRET = "Zq9-settled-secret"
pytestmark = pytest.mark.usefixtures("kb")

LIVE = {"HTTP_HX_REQUEST": "true"}


def html(response):
    return response.content.decode()


def logged():
    return list(SearchLog.objects.order_by("created_at", "pk").values_list("query", flat=True))


# ----------------------------------------------------------------- search as you type


def test_typing_letter_by_letter_records_nothing_and_settling_records_once(client):
    for prefix in ("b", "ba", "bad", "badw", "badwe", "badweb"):
        response = client.post("/search/", {"q": prefix}, **LIVE)
        assert response.status_code == 200
    assert logged() == []
    response = client.post("/search/settled/", {"q": "badweb"})
    assert response.status_code == 200
    assert logged() == ["badweb"]


def test_live_answer_is_the_results_fragment(client):
    response = client.post("/search/", {"q": "session timed out"}, **LIVE)
    body = html(response)
    assert "<html" not in body and "AccessDenied" in body
    assert "HX-Request" in response["Vary"]
    assert "HX-Push-Url" not in response  # only settled queries reach history (static/kb/search.js)


def test_live_search_without_htmx_goes_to_the_redacted_results_page(client):
    response = client.post("/search/", {"q": f"p.php?AT=LI&PW={SECRET}"})
    assert response.status_code == 303
    assert SECRET not in response["Location"]
    assert response["Location"].startswith("/search/?q=p.php")
    assert logged() == []  # the page it goes to records it


def test_live_search_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/search/", {"q": "AccessDenied"}, **LIVE).status_code == 403
    page = client.get("/search/")
    token = page.cookies["csrftoken"].value
    response = client.post("/search/", {"q": "AccessDenied"}, HTTP_X_CSRFTOKEN=token, **LIVE)
    assert response.status_code == 200


def test_live_answer_gives_the_box_its_redacted_text(client):
    response = client.post("/search/", {"q": f"AT=LI&ST=FAIL&RS=AlreadyLogon&PW={SECRET}"}, **LIVE)
    body = html(response)
    assert SECRET not in body
    assert 'data-search-redacted="AT=LI&amp;ST=FAIL&amp;RS=AlreadyLogon&amp;PW=\u2022\u2022\u2022"' in body
    plain = html(client.post("/search/", {"q": "AccessDenied"}, **LIVE))
    assert "data-search-redacted" not in plain


# ----------------------------------------------------------------- settled


def test_settled_answer(client):
    data = client.post("/search/settled/", {"q": "wrong password"}).json()
    assert data == {
        "query": "wrong password",
        "url": "/search/?q=wrong+password",
        "go": None,
        "settled": True,
        "redacted": False,
    }
    assert client.post("/search/settled/", {"q": "badwebidorpassword"}).json()["go"] == (
        "/errors/BadWebExIDorPassword/?from=BadWebIDorPassword"
    )


def test_settled_secret_is_redacted_everywhere(client, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post("/search/settled/", {"q": f"<password>{SECRET}</password> AccessDenied"})
    data = response.json()
    assert SECRET not in response.content.decode()
    assert data["redacted"] is True
    assert data["text"] == "<password>\u2022\u2022\u2022</password> AccessDenied"
    assert SECRET not in data["url"]
    assert SECRET not in repr(list(SearchLog.objects.values()))
    assert SECRET not in caplog.text


def test_short_settled_query_is_not_recorded_or_pushed(client):
    data = client.post("/search/settled/", {"q": "ab"}).json()
    assert data["settled"] is False
    assert logged() == []


def test_settled_needs_post_and_the_csrf_token(client):
    assert client.get("/search/settled/", {"q": "x"}).status_code == 405
    assert client.put("/search/settled/").status_code == 405
    assert Client(enforce_csrf_checks=True).post("/search/settled/", {"q": "AccessDenied"}).status_code == 403
    assert logged() == []


def test_settled_with_htmx_is_the_same_json(client):
    response = client.post("/search/settled/", {"q": "AccessDenied"}, **LIVE)
    assert response["Content-Type"] == "application/json"
    assert response.json()["go"] == "/errors/AccessDenied/"


def test_full_page_search_and_api_record_each_call(client):
    client.get("/search/", {"q": "wrong password"})
    client.get("/api/search/", {"q": "wrong password"})
    client.get("/api/search/", {"q": "wrong password"})
    assert logged() == ["wrong password"] * 3


# ----------------------------------------------------------------- short queries


@pytest.mark.parametrize("q", ["b", "ba", "é", "**", "a b"])
def test_short_query_shows_a_hint_not_an_empty_state(client, q):
    for response in (client.post("/search/", {"q": q}, **LIVE), client.get("/search/", {"q": q})):
        body = html(response)
        assert "Type at least 3 characters, a code such as <code>030002</code>, or paste a URL or response" in body
        assert "No entry matches" not in body
        assert "Suggest a missing entry" not in body
    client.get("/api/search/", {"q": q})
    assert logged() == []


def test_a_two_letter_command_is_not_short(client):
    body = html(client.post("/search/", {"q": "SU"}, **LIVE))
    assert "Type at least 3 characters" not in body
    assert "search-link" in body


def test_three_characters_that_find_nothing_still_offer_a_suggestion(client):
    body = html(client.post("/search/", {"q": "zqx"}, **LIVE))
    assert "No entry matches" in body and "Suggest a missing entry" in body


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=200).filter(lambda t: "\x00" not in t), secret=st.sampled_from(["PW=", "<password>", "TK="]))
def test_random_text_never_breaks_live_or_settled_search_nor_echoes_a_secret(client, q, secret):
    text = f"{q} {secret}{SECRET}"
    live = client.post("/search/", {"q": text}, **LIVE)
    settled = client.post("/search/settled/", {"q": text})
    assert live.status_code == 200 and settled.status_code == 200
    assert SECRET not in html(live) and SECRET not in settled.content.decode()
