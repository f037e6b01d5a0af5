"""/errors/: API and confidence badges, a text filter (code or title contains), filters that apply as they change
(htmx: the results fragment, the URL pushed) and a plain submit without JavaScript."""

import re

from kb.models import Entry

HX = {"HTTP_HX_REQUEST": "true"}


def codes(html):
    return re.findall(r'<a class="entry-row-link" href="/errors/([^/]+)/">', html)


def test_text_filter_matches_code_or_title_in_any_case(client, kb):
    html = client.get("/errors/", {"q": "denied"}).content.decode()
    assert "AccessDenied" in codes(html)
    title_word = Entry.objects.get(code="TheDurationIsExceedTheMaxDuration").title.split()[0]
    html = client.get("/errors/", {"q": title_word.lower()}).content.decode()
    assert "TheDurationIsExceedTheMaxDuration" in codes(html)
    html = client.get("/errors/", {"q": "zzzz-nothing"}).content.decode()
    assert codes(html) == [] and "No entry matches these filters" in html


def test_text_filter_combines_with_the_others(client, kb):
    html = client.get("/errors/", {"q": "a", "api": "xml"}).content.decode()
    found = set(codes(html))
    assert found and found <= set(Entry.objects.filter(api__in=["xml", "both"]).values_list("code", flat=True))


def test_badges_on_every_row(client, kb):
    html = client.get("/errors/").content.decode()
    rows = re.findall(r'<li class="entry-row">.*?</li>', html, re.S)
    assert len(rows) == Entry.objects.count()
    assert all('class="badge badge-api"' in row and re.search(r"badge-(high|medium|low)", row) for row in rows)


def test_the_form_applies_as_it_changes_and_still_submits_without_js(client, kb):
    html = client.get("/errors/").content.decode()
    form = re.search(r'<form method="post" action="/errors/"[^>]*>', html)[0]  # posted, then sent to its GET address
    assert 'hx-post="/errors/"' in form and 'hx-push-url="true"' in form and 'hx-target="#entry-results"' in form
    assert "change" in form and "delay:300ms" in form
    assert '<button type="submit" class="button">Filter</button>' in html
    assert 'type="search" name="q"' in html
    assert "Code or title contains</label>" in html  # no Django colon


def test_htmx_gets_only_the_results(client, kb):
    response = client.get("/errors/", {"q": "denied"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "<form" not in html
    assert html.count('id="entry-results"') == 1 and "AccessDenied" in codes(html)
    assert "HX-Request" in response["Vary"]


def test_a_bad_filter_is_a_400_in_the_fragment_too(client, kb):
    response = client.get("/errors/", {"api": "soap"}, **HX)
    assert response.status_code == 400 and "That filter cannot be used" in response.content.decode()


def test_the_json_api_takes_the_text_filter(client, kb):
    data = client.get("/api/errors/", {"q": "denied"}).json()
    assert "AccessDenied" in [r["code"] for r in data["results"]]


def test_list_query_count(client, kb, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # services and commands for the filters, the entries
        client.get("/errors/", {"q": "a", "category": "session-auth"})
