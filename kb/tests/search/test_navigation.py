"""The help desk's way through search: a submitted search goes straight to the entry it names (or to its plain
results URL), and each page has one search box."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from kb.models import SearchLog

SECRET = "Zq9-navigation-secret"
pytestmark = pytest.mark.usefixtures("kb")


def html(response):
    return response.content.decode()


# ----------------------------------------------------------------- a submitted search (go=1)


@pytest.mark.parametrize(
    "q,target",
    [
        ("030002", "/errors/030002/"),
        ("AccessDenied", "/errors/AccessDenied/"),
        ("accessdenied", "/errors/AccessDenied/"),
        ("  ACCESSDENIED ", "/errors/AccessDenied/"),
        ("BadWebIDorPassword", "/errors/BadWebExIDorPassword/?from=BadWebIDorPassword"),
        ("badwebidorpassword", "/errors/BadWebExIDorPassword/?from=BadWebIDorPassword"),
        ("access denied", "/errors/AccessDenied/"),  # the code itself, spaced: no alias to name
    ],
)
def test_submitted_exact_code_or_alias_goes_to_its_entry(client, q, target):
    response = client.get("/search/", {"q": q, "go": "1"})
    assert response.status_code == 302
    assert response["Location"] == target
    assert SearchLog.objects.count() == 1  # recorded once, here


def test_submitted_paste_goes_to_the_cause_that_fits(client):
    paste = "<serv:result>FAILURE</serv:result><serv:exceptionID>030002</serv:exceptionID>"
    response = client.get("/search/", {"q": paste, "go": "1"})
    assert response["Location"] == "/errors/030002/#cause-bad-security-context"
    back_url = f"https://acme.webex.com/acme/back.php?AT=LI&ST=FAIL&RS=AlreadyLogon&PW={SECRET}"
    response = client.get("/search/", {"q": back_url, "go": "1"})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/errors/AlreadyLogon/"
    assert SECRET not in response["Location"]
    assert SECRET not in repr(list(SearchLog.objects.values()))


def test_submitted_words_go_to_their_plain_results_url(client):
    response = client.get("/search/", {"q": "wrong password", "go": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=wrong+password"
    assert not SearchLog.objects.exists()  # that page records it
    assert client.get(response["Location"]).status_code == 200
    assert SearchLog.objects.count() == 1


def test_submitted_secret_goes_to_a_redacted_url(client):
    response = client.get("/search/", {"q": f"AT=LI&WID=bob&PW={SECRET} wrong", "go": "1"})
    assert response.status_code == 302
    assert SECRET not in response["Location"]
    assert parse_qs(urlsplit(response["Location"]).query)["q"] == ["AT=LI&WID=bob&PW=\u2022\u2022\u2022 wrong"]


def test_search_form_posted_by_javascript_goes_without_a_url(client):
    # static/js/app.js posts a search form (the header's, the unknown code page's) to /search/go/.
    response = client.post("/search/go/", {"q": "badwebidorpassword", "go": "1"})
    assert response.status_code == 303
    assert response["Location"] == "/errors/BadWebExIDorPassword/?from=BadWebIDorPassword"
    assert SearchLog.objects.count() == 1
    response = client.post("/search/go/", {"q": f"p.php?AT=LI&WID=bob&PW={SECRET}"})
    assert response.status_code == 303
    assert parse_qs(urlsplit(response["Location"]).query)["q"] == ["p.php?AT=LI&WID=bob&PW=\u2022\u2022\u2022"]
    assert SearchLog.objects.count() == 1  # the results page records it
    assert SECRET not in html(client.get(response["Location"]))
    assert SearchLog.objects.count() == 2
    assert SECRET not in repr(list(SearchLog.objects.values()))


def test_search_go_needs_post_but_no_token(client):
    from django.test import Client

    assert client.get("/search/go/", {"q": "AccessDenied"}).status_code == 405
    # The header's form is on shared anonymous pages, which carry no token; a forged post does what a link can.
    response = Client(enforce_csrf_checks=True).post("/search/go/", {"q": "AccessDenied"})
    assert response.status_code == 303 and response["Location"] == "/errors/AccessDenied/"


def test_results_url_itself_never_jumps_to_an_entry(client):
    # What search.js pushes to history and what /insights/ links to: Back and shared links always list.
    response = client.get("/search/", {"q": "AccessDenied"})
    assert response.status_code == 200
    assert 'data-search-go="/errors/AccessDenied/"' in html(response)  # where Enter in its box goes
    assert client.get("/search/", {"q": "AccessDenied", "go": "1"}, HTTP_HX_REQUEST="true").status_code == 200


def test_every_search_form_submits_go(client):
    for url in ("/", "/search/", "/errors/", "/errors/NoSuchCode/"):
        body = html(client.get(url))
        forms = re.findall(r'<form[^>]*role="search"[\s\S]*?</form>', body)
        assert len(forms) == 1, url
        assert '<input type="hidden" name="go" value="1">' in forms[0], url
        assert 'data-search-post="/search/go/"' in forms[0], url


def test_a_long_paste_keeps_a_url_a_server_accepts(client):
    paste = "<serv:result>FAILURE</serv:result><serv:exceptionID>030002</serv:exceptionID>" + " filler" * 2000
    response = client.post("/search/", {"q": f"<password>{SECRET}</password>" + paste})
    assert response.status_code == 303
    query = parse_qs(urlsplit(response["Location"]).query)["q"][0]
    assert len(query) <= 2000 and SECRET not in query
    assert "030002" in query  # what was recognised, so the results page finds the same entry


# ----------------------------------------------------------------- one search box per page


@pytest.mark.parametrize("url", ["/", "/search/", "/search/?q=wrong+password", "/errors/NoSuchCode/"])
def test_pages_with_their_own_box_leave_the_header_box_out(client, url):
    body = html(client.get(url))
    assert 'id="site-search"' not in body
    assert body.count("data-search-box") == 1


@pytest.mark.parametrize("url", ["/errors/", "/errors/AccessDenied/", "/commands/"])
def test_other_pages_have_the_header_box_empty(client, url):
    client.get("/search/", {"q": "wrong password"})
    body = html(client.get(url))
    assert body.count("data-search-box") == 1
    box = re.search(r'<input id="site-search"[^>]*>', body).group(0)
    assert "value=" not in box


def test_home_searches_as_you_type(client):
    body = html(client.get("/"))
    assert 'hx-post="/search/"' in body and 'hx-target="#home-results"' in body
    assert 'id="home-results"' in body and 'hx-history="false"' in body
    assert "ignoreTitle:true" in body  # the home page keeps its title
    assert "data-search-push" not in body  # only the search page keeps its URL in step
    assert "kb/search.js" in body
