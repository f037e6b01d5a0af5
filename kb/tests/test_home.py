"""The home page starts the work: the search box, a "Troubleshoot" call to action, the codes looked up most in the
last 30 days, and the catalogue grouped compactly with API and confidence badges, each row one link."""

import re
from datetime import timedelta

from django.utils import timezone

from kb.models import Category, Entry, SearchLog


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def log(query, n=1, days_ago=0):
    rows = SearchLog.objects.bulk_create(SearchLog(query=query, results=1) for _ in range(n))
    if days_ago:
        SearchLog.objects.filter(pk__in=[r.pk for r in rows]).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )


def test_a_troubleshoot_call_to_action(client, kb):
    html = home(client)
    assert re.search(r'<a class="button" href="/troubleshoot/">Troubleshoot</a>', html)


def test_most_looked_up_codes_of_the_last_30_days(client, kb):
    log("accessdenied", 3)  # normalised: lower case
    log("badwebidorpassword", 2)  # an alias counts for its entry
    log("pasted: ?at=li fail badwebexidorpassword", 2)  # a pasted answer counts by its code
    log("wrong password", 9)  # words are not a code
    log("alreadylogon", 50, days_ago=31)  # too old
    html = home(client)
    popular = re.search(r'<section class="card home-popular".*?</section>', html, re.S)[0]
    codes = re.findall(r"<code>([^<]+)</code></a> <span class=\"muted\">(\d+)×", popular)
    assert codes == [("BadWebExIDorPassword", "4"), ("AccessDenied", "3")]


def test_no_searches_yet_says_so(client, kb):
    assert "No codes looked up yet" in home(client)


def test_the_catalogue_is_grouped_compactly_with_badges_and_whole_row_links(client, kb):
    html = home(client)
    for category in set(Entry.objects.values_list("category", flat=True)):
        assert Category(category).label in html
    row = re.search(
        r'<li class="entry-row">\s*<a class="entry-row-link" href="/errors/AccessDenied/">.*?</li>', html, re.S
    )
    row = row[0]
    assert '<span class="badge badge-api">URL and XML API</span>' in row or "URL API" in row
    assert re.search(r'class="badge badge-(high|medium|low)"', row)
    assert 'class="summary"' not in row  # compact: summaries are on /errors/
    for code in Entry.objects.values_list("code", flat=True):
        assert f'href="/errors/{code}/"' in html


def test_one_search_box_form_on_the_page_body(client, kb):
    html = home(client).split('<main id="main"', 1)[1]
    assert html.count('action="/search/"') == 1


def test_home_query_count(client, kb, django_assert_max_num_queries):
    log("accessdenied", 2)
    with django_assert_max_num_queries(5):  # entries, services, commands, search log, aliases
        client.get("/")
    with django_assert_max_num_queries(4):  # the most-looked-up list is cached for a few minutes
        client.get("/")
