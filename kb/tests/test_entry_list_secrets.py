"""No GET form carries a password into an address: a filter holding a secret shape (webex/redaction.py) is answered
with a 303 to its redacted address, for a plain form and for htmx (which pushes the address it was answered from),
and the pages whose forms can hold one keep htmx's history snapshots out of sessionStorage."""

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from kb.tests.editing.helpers import make_user
from webex.redaction import MASK
from webex.tests.samples import LEAKED_SHAPES, PROSE_WITH_SECRET_WORDS

HX = {"HTTP_HX_REQUEST": "true"}


def _secret():
    return f"Qz{uuid.uuid4().hex[:10]}-{uuid.uuid4().hex[:10]}Vv"


def _kept(secret, text):
    return any(half in text for half in secret.split("-"))


@pytest.mark.parametrize(("shape", "template"), LEAKED_SHAPES, ids=[s for s, _ in LEAKED_SHAPES])
def test_a_filter_holding_a_secret_goes_to_its_redacted_address(client, kb, shape, template):
    secret = _secret()
    response = client.get("/errors/", {"q": template.format(s=secret), "api": "url"})
    assert response.status_code == 303
    location = response["Location"]
    assert not _kept(secret, location) and urlsplit(location).path == "/errors/"
    query = parse_qs(urlsplit(location).query)
    assert MASK in query["q"][0] and query["api"] == ["url"]  # the other filters are kept
    assert response["Cache-Control"] == "no-store"
    page = client.get(location)
    assert page.status_code == 200 and not _kept(secret, page.content.decode())  # final: no second redirect


def test_htmx_is_redirected_too_and_gets_the_box_redacted(client, kb):
    secret = _secret()
    response = client.get("/errors/", {"q": f"AT=LI&PW={secret}"}, **HX)
    assert response.status_code == 303 and not _kept(secret, response["Location"])
    fragment = client.get(response["Location"], **HX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    box = re.search(r'<input type="search" name="q" id="id_q" value="([^"]*)"[^>]*hx-swap-oob="true">', html)
    assert box and MASK in box[1] and not _kept(secret, html)
    # A plain page never carries the out-of-band box (one box, inside the form).
    assert client.get(response["Location"]).content.decode().count('id="id_q"') == 1


def test_the_secret_arriving_as_a_name_is_redacted(client, kb):
    secret = _secret()
    response = client.get(f"/errors/?PW%3D{secret}")
    assert response.status_code == 303 and not _kept(secret, response["Location"])
    response = client.get(f"/errors/?PW={secret}")
    assert response.status_code == 303 and not _kept(secret, response["Location"])


@pytest.mark.parametrize("text", [*PROSE_WITH_SECRET_WORDS, "denied", "BadWebExIDorPassword"])
def test_ordinary_filters_are_not_redirected(client, kb, text):
    assert client.get("/errors/", {"q": text[:100]}).status_code == 200


def test_htmx_keeps_no_snapshot_of_the_filter_page(client, kb):
    html = client.get("/errors/").content.decode()
    form = re.search(r'<form method="post" action="/errors/"[^>]*>', html)[0]
    assert 'hx-history="false"' in form


def test_the_editor_pickers_are_redirected(client, db):
    client.force_login(make_user("ed", "kb-editor"))
    secret = _secret()
    for url in ("/errors/-/commands/", "/errors/-/services/"):
        response = client.get(url, {"q": f"pass={secret}"})
        assert response.status_code == 303 and not _kept(secret, response["Location"]), url
        assert client.get(url, {"q": "pass"}).status_code == 200


def test_the_not_found_search_form_posts_with_javascript(client, db):
    html = client.get("/no-such-page/").content.decode()
    assert 'data-search-post="/search/go/"' in html


def test_the_form_posts_and_goes_to_its_redacted_get_address(client, kb):
    secret = _secret()
    data = {
        "q": f"pwd={secret}",
        "api": "url",
        "service": "",
        "command": "",
        "category": "",
        "csrfmiddlewaretoken": "x",
    }
    for headers in ({}, HX):
        response = client.post("/errors/", data, **headers)
        assert response.status_code == 303 and not _kept(secret, response["Location"])
        assert urlsplit(response["Location"]).path == "/errors/"
        assert parse_qs(urlsplit(response["Location"]).query) == {"q": [f"pwd={MASK}"], "api": ["url"]}
    plain = client.post("/errors/", {"q": "denied", "api": ""})
    assert plain["Location"] == "/errors/?q=denied"
    assert client.post("/errors/", {})["Location"] == "/errors/"
    # Followed as the browser and htmx follow a 303 (GET), the filter applies.
    page = client.post("/errors/", {"q": "denied"}, follow=True)
    assert page.status_code == 200 and "AccessDenied" in page.content.decode()
