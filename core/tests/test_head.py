"""HEAD answers with headers only, on every kind of page, under the production server (gunicorn), so the next
answer on a kept-alive connection is readable (gunicorn itself writes whatever body the application returns)."""

import http.client
from urllib.parse import urlsplit

import pytest

from core.middleware import head_without_body_middleware

PATHS = [
    "/",
    "/errors/",
    "/errors/AccessDenied/",
    "/errors/AccessDenied/ticket/?format=text",
    "/search/?q=wrong+password",
    "/api/errors/",
    "/api/search/?q=AccessDenied",
    "/commands/",
    "/healthz",
    "/no-such-page/",
    "/static/img/favicon.svg",
]


@pytest.mark.server
def test_head_then_get_on_one_kept_alive_connection(gunicorn, scratch_env):
    with gunicorn(scratch_env) as base_url:
        host = urlsplit(base_url)
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
        try:
            for path in PATHS:
                conn.request("HEAD", path)
                head = conn.getresponse()
                assert head.read() == b""  # http.client reads no body for HEAD: any bytes sent stay on the socket
                conn.request("GET", path)
                get = conn.getresponse()  # "illegal status line: b'<!doctype html>'" when HEAD sent a body
                body = get.read()
                assert get.status == head.status, path
                assert get.status in (200, 404), path
                assert body, path
                if head.getheader("Content-Length") is not None and get.getheader("Content-Encoding") is None:
                    assert int(head.getheader("Content-Length")) == len(body), path
        finally:
            conn.close()


def test_the_middleware_empties_a_head_answer_and_keeps_its_length(rf):
    from django.http import HttpResponse, StreamingHttpResponse

    page = head_without_body_middleware(lambda request: HttpResponse(b"<!doctype html>hello"))
    response = page(rf.head("/"))
    assert response.content == b"" and response["Content-Length"] == "20"
    assert page(rf.get("/")).content == b"<!doctype html>hello"

    stream = head_without_body_middleware(lambda request: StreamingHttpResponse(iter([b"a", b"b"])))
    assert b"".join(stream(rf.head("/")).streaming_content) == b""
    assert b"".join(stream(rf.get("/")).streaming_content) == b"ab"
