"""The production front the README documents (deploy/nginx.conf, Debian's nginx) in front of gunicorn, on
127.0.0.1: it serves the app and its static files, and slow clients never reach a worker.

Without the front, 25 connections that send one header line every 2 s and 20 POSTs that announce a body and never
send it hold gunicorn's threads: /healthz stalls for seconds (docs/deploy.md). Through the front, nginx holds them
and the app keeps answering. These tests check that it answers at all while the slow clients are held (within a
client timeout of 5 s); how fast is measured by hand and written in docs/deploy.md, not asserted here.

nginx comes from Debian's packages (apt-get install nginx-light; .ci/run installs it). Without it the tests are
skipped, unless REQUIRE_FRONT=1 (CI), which makes that a failure.
"""

import os
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from bench.scratch import nginx_binary, start_nginx

SLOW_HEADERS = 25
STALLED_POSTS = 20


@pytest.fixture(scope="module")
def front(scratch_env, gunicorn):
    if nginx_binary() is None:
        if os.environ.get("REQUIRE_FRONT") == "1":
            pytest.fail("REQUIRE_FRONT=1 but nginx is missing: apt-get install nginx-light")
        pytest.skip("nginx is missing: apt-get install nginx-light to run the front's tests")
    with gunicorn(scratch_env, workers=1, threads=4) as app:
        upstream = app.removeprefix("http://")
        with start_nginx([upstream], scratch_env["STATIC_ROOT"]) as base:
            yield base, Path(scratch_env["STATIC_ROOT"])


def test_front_serves_pages_and_static_files(front):
    base, static_root = front
    with httpx.Client(base_url=base, timeout=5) as client:
        assert client.get("/healthz").status_code == 200
        page = client.get("/errors/AccessDenied/")
        assert page.status_code == 200
        assert "AccessDenied" in page.text
        css = next(static_root.glob("**/*.css"))
        answer = client.get("/static/" + css.relative_to(static_root).as_posix())
        assert answer.status_code == 200
        assert "immutable" in answer.headers["cache-control"]


def _slow_header_client(port, stop):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while not stop.is_set():
            s.sendall(b"X-Slow: 1\r\n")
            stop.wait(2)
    except OSError:
        pass  # the front dropped a client that was too slow: what it is for
    finally:
        s.close()


def _stalled_post(port, stop):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        s.sendall(
            b"POST /search/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 10000\r\n\r\n"
        )
        stop.wait(30)
    except OSError:
        pass
    finally:
        s.close()


def test_slow_clients_do_not_stall_the_app_behind_the_front(front):
    base, _static_root = front
    port = int(base.rsplit(":", 1)[1])
    stop = threading.Event()
    threads = [threading.Thread(target=_slow_header_client, args=(port, stop)) for _ in range(SLOW_HEADERS)]
    threads += [threading.Thread(target=_stalled_post, args=(port, stop)) for _ in range(STALLED_POSTS)]
    for t in threads:
        t.start()
    try:
        time.sleep(3)  # every slow client is connected and has sent its first bytes
        with httpx.Client(base_url=base, timeout=5) as client:
            for _ in range(3):
                assert client.get("/healthz").status_code == 200
                assert client.get("/errors/AccessDenied/").status_code == 200
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)
