#!/usr/bin/env python
"""The slow-client probe of docs/deploy.md, by hand: 25 connections that send one header line every 2 s and 20 POSTs
that announce a body and never send it, held against the production server, then /healthz and an entry page timed
while they are held: straight at gunicorn (as `make serve` exposes it), and through the documented front (nginx,
deploy/nginx.conf). On 127.0.0.1 only; it stops by itself. SQLite, or DATABASE_URL when set.

    python bench/probe_slow.py            # prints a table; nothing is asserted
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scratch import free_port, server_env, start_gunicorn, start_nginx  # noqa: E402

SLOW_HEADERS = 25
STALLED_POSTS = 20
HOLD_SECONDS = 12


def _slow_header(port, stop):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            while not stop.is_set():
                s.sendall(b"X-Slow: 1\r\n")
                stop.wait(2)
    except OSError:
        pass


def _stalled_post(port, stop):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"POST /search/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000\r\n\r\n")
            stop.wait(HOLD_SECONDS + 5)
    except OSError:
        pass


def _timed(url):
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            r.read()
            status = r.status
    except Exception as exc:
        status = type(exc).__name__
    return status, round((time.perf_counter() - started) * 1000)


def probe(base):
    port = int(base.rsplit(":", 1)[1])
    stop = threading.Event()
    threads = [threading.Thread(target=_slow_header, args=(port, stop)) for _ in range(SLOW_HEADERS)]
    threads += [threading.Thread(target=_stalled_post, args=(port, stop)) for _ in range(STALLED_POSTS)]
    for t in threads:
        t.start()
    time.sleep(3)
    samples = []
    deadline = time.monotonic() + HOLD_SECONDS - 3
    while time.monotonic() < deadline:
        samples.append(("/healthz", *_timed(base + "/healthz")))
        samples.append(("/errors/AccessDenied/", *_timed(base + "/errors/AccessDenied/")))
    stop.set()
    for t in threads:
        t.join(timeout=30)
    return samples


def main():
    workdir = Path(tempfile.mkdtemp(prefix="kb-probe-"))
    database = None if os.getenv("DATABASE_URL") else {"SQLITE_PATH": str(workdir / "probe.sqlite3")}
    env = server_env(database, static_root=workdir / "static", TRUSTED_PROXY_COUNT="1")
    try:
        for args in (["migrate", "--noinput"], ["load_kb"], ["collectstatic", "--noinput"]):
            subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        with start_gunicorn(env, port=port) as app:  # gunicorn.conf.py's workers and threads, as `make serve`
            results = {"gunicorn alone": probe(app)}
            with start_nginx([f"127.0.0.1:{port}"], workdir / "static") as front:
                results["through nginx"] = probe(front)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    db = "PostgreSQL" if os.getenv("DATABASE_URL") else "SQLite"
    held = f"{SLOW_HEADERS} slow-header + {STALLED_POSTS} stalled POSTs held"
    print(f"| {db}, {held} | page | requests | all 200 | max ms |")
    print("|---|---|---:|---|---:|")
    for name, samples in results.items():
        for page in ("/healthz", "/errors/AccessDenied/"):
            rows = [(status, ms) for p, status, ms in samples if p == page]
            ok = all(status == 200 for status, _ in rows)
            print(f"| {name} | `{page}` | {len(rows)} | {'yes' if ok else 'no'} | {max(ms for _, ms in rows)} |")


if __name__ == "__main__":
    main()
