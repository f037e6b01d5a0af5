"""Entry, list, command and home pages, and /favicon.ico: what a person sees, status codes, methods and query counts."""

import re

import pytest

from kb.models import Entry


def test_home_lists_categories_and_commands(client, kb):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Session and authentication" in page
    assert 'href="/errors/AccessDenied/"><code>AccessDenied</code>' in page
    assert '<a href="/commands/p.php/LI/" title="Log in"><code>p.php?AT=LI</code></a>' in page
    assert 'action="/search/"' in page


def test_home_query_count_is_fixed(client, kb, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get("/")


@pytest.mark.parametrize("url", ["/", "/errors/AccessDenied/", "/commands/", "/commands/p.php/LI/"])
def test_pages_refuse_post(client, kb, url):
    assert client.post(url).status_code == 405


def test_the_list_takes_its_filter_form_by_post_and_sends_it_to_the_get_address(client, kb):
    response = client.post("/errors/", {"q": "denied"})  # the filter form posts (core/safequery.py)
    assert response.status_code == 303 and response["Location"] == "/errors/?q=denied"
    assert client.put("/errors/").status_code == 405


@pytest.mark.parametrize("url", ["/errors/AccessDenied/", "/api/errors/AccessDenied/", "/api/errors/"])
def test_head_is_allowed(client, kb, url):
    assert client.head(url).status_code == 200


def test_entry_page_shows_causes_steps_and_facts(client, kb):
    page = client.get("/errors/AccessDenied/").content.decode()
    assert "Cause 1:" in page and "Cause 2:" in page
    assert "What it means" in page and "When you might see it" in page and "What to do" in page
    assert re.search(r'<ol class="steps">\s*<li>', page)
    assert "Confidence" in page and "Source" in page and "Last updated" in page
    assert 'id="cause-session-expired"' in page
    assert 'id="cause-xml-privilege"' in page


def test_entry_page_has_copy_buttons_and_open_graph(client, kb):
    entry = Entry.objects.get(code="BadWebExIDorPassword")
    page = client.get("/errors/BadWebExIDorPassword/").content.decode()
    assert 'data-copy="http://testserver/errors/BadWebExIDorPassword/"' in page
    assert "Copy for ticket" in page
    assert 'data-ticket-url="/errors/BadWebExIDorPassword/ticket/?"' in page  # the text comes from core/tickets.py
    assert '<meta property="og:title" content="BadWebExIDorPassword: ' in page
    assert f'<meta property="og:description" content="{entry.summary[:30]}' in page.replace("&#x27;", "'")
    assert '<meta property="og:url" content="http://testserver/errors/BadWebExIDorPassword/">' in page
    assert '<link rel="canonical"' in page


def test_entry_page_query_count_is_fixed(client, kb, django_assert_max_num_queries):
    # 16 since entries have a timeline and conditions (issue 21): one prefetch more each, whatever the entry holds.
    with django_assert_max_num_queries(16):
        assert client.get("/errors/AccessDenied/").status_code == 200


def test_cached_entry_page_costs_one_query(client, kb, django_assert_max_num_queries):
    client.get("/errors/AccessDenied/")
    with django_assert_max_num_queries(1):
        assert client.get("/errors/AccessDenied/").status_code == 200


def test_cached_entry_page_changes_when_the_entry_changes(client, kb):
    assert "Renamed for the test" not in client.get("/errors/AlreadyLogon/").content.decode()
    entry = Entry.objects.get(code="AlreadyLogon")
    entry.title = "Renamed for the test"
    entry.save()
    assert "Renamed for the test" in client.get("/errors/AlreadyLogon/").content.decode()
    step = entry.causes.first().steps.first()
    step.text = "A brand new first step."
    step.save()
    assert "A brand new first step." in client.get("/errors/AlreadyLogon/").content.decode()


def test_related_entries_are_listed(client, kb):
    page = client.get("/errors/WebExIDConflict/").content.decode()
    assert "Related" in page
    assert 'href="/errors/BadWebExIDorPassword/"' in page


def test_unknown_code_is_a_404_with_closest_codes_and_search(client, kb):
    response = client.get("/errors/BadWebExIDorPasswrd/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "No entry for <code>BadWebExIDorPasswrd</code>" in page
    assert 'href="/errors/BadWebExIDorPassword/"' in page
    assert 'action="/search/"' in page


def test_unknown_code_with_markup_is_escaped(client, kb):
    response = client.get("/errors/<script>x</script>/")
    assert response.status_code == 404
    assert "<script>x</script>" not in response.content.decode()


def test_retired_entry_keeps_its_page_and_says_so(client, kb):
    Entry.objects.filter(code="AlreadyLogon").update(retired=True)
    response = client.get("/errors/AlreadyLogon/")
    assert response.status_code == 200
    assert "WebEx no longer returns this code" in response.content.decode()


def test_any_unknown_path_gets_the_404_page(client, kb):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_list_shows_every_entry(client, kb):
    page = client.get("/errors/").content.decode()
    for code in Entry.objects.values_list("code", flat=True):
        assert f'href="/errors/{code}/"' in page


@pytest.mark.parametrize(
    "query,present,absent",
    [
        ("api=xml", ["030002", "AccessDenied"], ["AlreadyLogon"]),
        ("category=meeting-options", ["TheDurationIsExceedTheMaxDuration", "NoMeetingTypeSupport"], ["AccessDenied"]),
        ("command=p.php%3FAT%3DSU", ["WebExIDConflict", "EmailConflict", "DoNotSupportAPI"], ["AlreadyLogon"]),
        ("service=m.php", ["TheDurationIsExceedTheMaxDuration", "AccessDenied"], ["EmailConflict"]),
    ],
)
def test_list_filters(client, kb, query, present, absent):
    response = client.get(f"/errors/?{query}")
    page = response.content.decode()
    assert response.status_code == 200
    for code in present:
        assert f'href="/errors/{code}/"' in page, code
    for code in absent:
        assert f'href="/errors/{code}/"' not in page, code


def test_list_with_unknown_filter_value_says_what_is_wrong(client, kb):
    response = client.get("/errors/?service=zz.php")
    assert response.status_code == 400
    assert "Service: Select a valid choice. zz.php is not one of the available choices." in response.content.decode()


def test_list_query_count_is_fixed(client, kb, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        client.get("/errors/?service=m.php&category=session-auth")


def test_command_page_lists_errors_it_can_return(client, kb):
    page = client.get("/commands/p.php/SU/").content.decode()
    for code in ["WebExIDConflict", "EmailConflict", "PartnerIDError", "Unknown", "AutoLoginDisabled"]:
        assert f'href="/errors/{code}/#cause-' in page, code
    assert "Parameters" in page


def test_command_page_includes_service_wide_errors(client, kb):
    page = client.get("/commands/m.php/SM/").content.decode()
    assert 'href="/errors/AccessDenied/#cause-session-expired"' in page
    assert 'href="/errors/TheDurationIsExceedTheMaxDuration/' in page


def test_command_lookup_is_case_insensitive_with_redirect(client, kb):
    response = client.get("/commands/P.PHP/su/")
    assert response.status_code == 301
    assert response["Location"] == "/commands/p.php/SU/"


def test_unknown_command_is_404(client, kb):
    response = client.get("/commands/p.php/QQ/")
    assert response.status_code == 404
    assert "No command" in response.content.decode()


def test_command_list_page(client, kb, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        page = client.get("/commands/").content.decode()
    assert "<code>c.php</code>" in page
    assert 'href="/commands/m.php/SM/"' in page


def test_public_entry_page_is_shared_but_never_carries_a_token_or_a_message(client, kb, django_user_model):
    first = client.get("/errors/AccessDenied/")
    second = client.get("/errors/AccessDenied/")
    assert first.content == second.content
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert "X-CSRFToken" not in first.content.decode()
    assert "Cookie" in first["Vary"]
    user = django_user_model.objects.create_user("reader")
    client.force_login(user)
    page = client.get("/errors/AccessDenied/").content.decode()
    assert "Log out reader" in page
    assert "X-CSRFToken" in page


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00" and "max-age=86400" in response["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405
