"""No 500 from numbers: a 25-digit page, revision id, suggestion id or version gives a 404 or 400, on SQLite and
PostgreSQL (every int in a URL or a query string of the site)."""

import pytest

from kb.tests.editing.helpers import URL, form_data

BIG = "9" * 25


@pytest.mark.parametrize(
    "url",
    [
        f"/errors/AlreadyLogon/history/?page={BIG}",
        f"/errors/AlreadyLogon/history/?page=-{BIG}",
        "/errors/AlreadyLogon/history/?page=0",
        "/errors/AlreadyLogon/history/?page=abc",
        f"/replay/history/?page={BIG}",
        f"/insights/?days={BIG}",
        f"/api/search/?q=a&limit={BIG}",
        f"/search/?q=a&page={BIG}",
        f"/errors/?page={BIG}",
    ],
)
def test_a_25_digit_query_number_is_no_500(client, kb, url):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", password="Root-Pass-55321"))
    response = client.get(url)
    assert response.status_code in (200, 400, 404), (url, response.status_code)


@pytest.mark.parametrize(
    "url",
    [
        f"/errors/AlreadyLogon/history/{BIG}/restore/",
        f"/review/suggestions/{BIG}/draft/",
        f"/review/suggestions/{BIG}/close/",
        "/review/suggestions/2147483648/close/",
        "/errors/AlreadyLogon/history/99999999999/restore/",
    ],
)
def test_a_25_digit_id_in_a_path_is_not_found(editor_client, kb, url):
    assert editor_client.post(url, {"code": "Whatever"}).status_code == 404


def test_a_history_page_past_the_end_is_not_found(editor_client, kb):
    assert editor_client.get("/errors/AlreadyLogon/history/?page=1").status_code == 200
    assert editor_client.get("/errors/AlreadyLogon/history/?page=999").status_code == 404


def test_a_25_digit_loaded_version_is_a_conflict_not_a_500(editor_client, kb):
    response = editor_client.post(URL, form_data(editor_client, loaded_version=BIG, title="New title"))
    assert response.status_code in (200, 409)  # the conflict page: no stored version is that one
    assert "New title" in response.content.decode()


def test_a_25_digit_cause_count_is_no_500(editor_client, kb):
    response = editor_client.post(URL, form_data(editor_client, **{"cause-count": BIG}))
    assert response.status_code in (302, 400)
