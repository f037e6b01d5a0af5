"""Security headers, request ids, /healthz, and the database-outage 503."""

import json
import logging
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client


def test_strict_csp_on_pages(client, kb):
    response = client.get("/errors/AccessDenied/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client, kb):
    for url in ["/", "/errors/", "/errors/AccessDenied/", "/commands/p.php/SU/", "/accounts/login/"]:
        page = client.get(url).content.decode()
        for chunk in page.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            assert "src=" in tag or 'type="application/json"' in tag, f"inline script on {url}"
        assert " onclick=" not in page and "hx-on" not in page


def test_request_id_is_sent_back_and_logged(client, kb, caplog):
    with caplog.at_level(logging.INFO, logger="core.access"):
        response = client.get("/errors/", HTTP_X_REQUEST_ID="ticket-12345678")
    assert response["X-Request-ID"] == "ticket-12345678"
    records = [r for r in caplog.records if r.name == "core.access"]
    assert records and records[-1].path == "/errors/" and records[-1].status == 200


def test_a_bad_incoming_request_id_is_replaced(client, kb):
    response = client.get("/", HTTP_X_REQUEST_ID="<script>")
    assert len(response["X-Request-ID"]) == 32


def test_access_log_never_has_the_query_string(client, kb, caplog):
    with caplog.at_level(logging.INFO, logger="core.access"):
        client.get("/errors/?PW=hunter2-secret")
    assert "hunter2-secret" not in caplog.text


def test_log_lines_are_json_with_request_id():
    from core.logs import JsonFormatter, RequestIdFilter, request_id_var

    token = request_id_var.set("abc12345")
    try:
        record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "hello %s", "args": ("you",)})
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "abc12345"
    assert line["message"] == "hello you"


def test_healthz_ok(client, kb):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert client.post("/healthz").status_code == 405


@contextmanager
def database_down():
    """Every new query fails as if the server went away, for the length of the block."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    with (
        patch.object(BaseDatabaseWrapper, "ensure_connection", refuse),
        patch.object(BaseDatabaseWrapper, "_cursor", refuse),
    ):
        yield


def get_while_down(url):
    with database_down():
        return Client(raise_request_exception=False).get(url)


def test_healthz_503_when_database_is_down(kb):
    response = get_while_down("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


@pytest.mark.parametrize("url", ["/errors/AccessDenied/", "/", "/commands/p.php/SU/"])
def test_page_is_a_clear_503_when_database_is_down(kb, url):
    response = get_while_down(url)
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert response["Retry-After"] == "5"


def test_api_is_a_json_503_when_database_is_down(kb):
    response = get_while_down("/api/errors/")
    assert response.status_code == 503
    assert "database is unavailable" in response.json()["error"]
