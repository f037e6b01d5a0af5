"""The secret shapes an attack found stored or echoed by search (issue 23), each through every search door: the
page (followed to where it sends), its htmx fragment, search as you type, /search/settled/, /search/go/, the JSON
API (its echoed ``query`` and ``detected.fragment``) and the search log's rows. Each secret has two halves joined by
a hyphen, and neither half may survive anywhere (a value cut at the hyphen once leaked its tail)."""

import json
import uuid

import pytest

from kb.models import SearchLog, Suggestion
from kb.search import log as search_log
from webex.tests.samples import LEAKED_SHAPES

HX = {"HTTP_HX_REQUEST": "true"}


def _secret():
    return f"Qz{uuid.uuid4().hex[:10]}-{uuid.uuid4().hex[:10]}Vv"


def _halves(secret):
    return secret.split("-")


def _dump(response):
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return f"{response.status_code}\n{headers}\n{response.content.decode('utf-8', 'replace')}"


@pytest.mark.parametrize(("shape", "template"), LEAKED_SHAPES, ids=[s for s, _ in LEAKED_SHAPES])
def test_no_door_of_search_keeps_or_echoes_the_secret(client, kb, shape, template):
    secret = _secret()
    text = "wrong password " + template.format(s=secret)
    seen = {}
    page = client.get("/search/", {"q": text}, follow=True)
    seen["GET /search/"] = _dump(page) + "".join(url for url, _status in page.redirect_chain)
    seen["GET /search/ htmx"] = _dump(client.get("/search/", {"q": text}, **HX))
    seen["GET /search/?go=1"] = _dump(client.get("/search/", {"q": text, "go": "1"}))
    seen["POST /search/ as you type"] = _dump(client.post("/search/", {"q": text}, **HX))
    seen["POST /search/settled/"] = _dump(client.post("/search/settled/", {"q": text}, **HX))
    seen["POST /search/go/"] = _dump(client.post("/search/go/", {"q": text}))
    api = client.get("/api/search/", {"q": text})
    assert api.status_code == 200
    data = api.json()
    seen["GET /api/search/"] = _dump(api)
    assert "\u2022\u2022\u2022" in data["query"]  # the echoed query, redacted
    seen["API detected.fragment"] = json.dumps((data.get("detected") or {}).get("fragment", ""))
    search_log.flush()
    seen["search log"] = json.dumps(list(SearchLog.objects.values()), default=str)
    assert SearchLog.objects.exists()
    for door, dump in seen.items():
        for half in _halves(secret):
            assert half not in dump, f"{door} kept part of the secret ({shape}):\n{dump[:1500]}"


@pytest.mark.parametrize(("shape", "template"), LEAKED_SHAPES, ids=[s for s, _ in LEAKED_SHAPES])
def test_the_suggestion_form_stores_no_secret(client, kb, shape, template):
    secret = _secret()
    text = template.format(s=secret)
    client.post("/search/suggest/", {"query": "missing " + text, "note": text})
    rows = json.dumps(list(Suggestion.objects.values()), default=str)
    assert Suggestion.objects.exists()
    assert not any(half in rows for half in _halves(secret))
