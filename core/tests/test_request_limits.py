"""The site's plumbing, one test each: /healthz really reads the database; request bodies over the limit are refused on
every endpoint, multipart and chunked included; the JSON API answers its errors in JSON."""

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

# ------------------------------------------------------------------ /healthz


def test_healthz_reads_a_table(client, kb):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert any("kb_ratecounter" in q["sql"] for q in queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the file check is SQLite's")
def test_healthz_fails_when_the_sqlite_file_is_gone(client, kb, monkeypatch, tmp_path):
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "gone.sqlite3"))
    monkeypatch.setattr(type(connections["default"]), "is_in_memory_db", lambda self: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert not (tmp_path / "gone.sqlite3").exists(), "the check must not create an empty database"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the file check is SQLite's")
def test_healthz_fails_when_the_connection_uses_another_file(client, kb, monkeypatch, tmp_path):
    other = tmp_path / "other.sqlite3"
    other.write_bytes(b"")
    monkeypatch.setitem(connection.settings_dict, "NAME", str(other))
    monkeypatch.setattr(type(connections["default"]), "is_in_memory_db", lambda self: False)
    assert client.get("/healthz").status_code == 503


# ------------------------------------------------------------------ request bodies


def multipart(size):
    boundary = "XyZ"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="query"\r\n\r\nAccessDenied\r\n'
    head += f'--{boundary}\r\nContent-Disposition: form-data; name="note"; filename="big.bin"\r\n'
    head += "Content-Type: application/octet-stream\r\n\r\n"
    body = head.encode() + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("url", ["/search/suggest/", "/accounts/login/", "/replay/", "/admin/login/"])
def test_a_20_mib_multipart_post_is_refused(client, kb, url):
    body, content_type = multipart(20 * 1024 * 1024)
    response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 413
    assert "too large" in response.content.decode().lower()


def test_a_small_multipart_post_still_works(client, kb):
    body, content_type = multipart(10)
    response = client.generic("POST", "/search/suggest/", body, content_type=content_type)
    assert response.status_code == 302


def test_a_chunked_body_is_refused(client, kb):
    response = client.generic(
        "POST",
        "/search/suggest/",
        b"query=x",
        content_type="application/x-www-form-urlencoded",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code in (411, 413)


def test_an_api_body_over_the_limit_answers_json(client, kb):
    body, content_type = multipart(1024 * 1024)
    response = client.generic("POST", "/api/search/", body, content_type=content_type)
    assert response.status_code == 413
    assert "error" in response.json()


# ------------------------------------------------------------------ JSON errors for the API


def test_api_405_is_json(client, kb):
    response = client.post("/api/errors/")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] and "GET" in response["Allow"]


def test_api_404_is_json(client, kb):
    response = client.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]


def test_api_400_for_a_bad_request_is_json(client, kb):
    query = "&".join(f"f{i}=1" for i in range(300))  # over DATA_UPLOAD_MAX_NUMBER_FIELDS: SuspiciousOperation
    response = client.get(f"/api/search/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]


def test_api_500_is_json(client, kb, settings):
    settings.ROOT_URLCONF = "core.tests.urls_boom"
    client.raise_request_exception = False
    response = client.get("/api/boom/")
    assert response.status_code == 500
    assert response.json()["error"]


def test_pages_keep_their_html_errors(client, kb):
    response = client.get("/nothing-here/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
