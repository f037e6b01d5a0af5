"""Faults against the real production server (gunicorn, DEBUG off) on 127.0.0.1, on its own database:

- load_kb run while the app serves reads: readers see the old knowledge base or the new one, never half of it;
- oversized headers are refused by the server with a clear 400 before Django runs.

The database is the root conftest's ``scratch_env``: a scratch SQLite file in write-ahead mode, or a scratch
PostgreSQL database when DATABASE_URL points at PostgreSQL, so that separate processes share it as in production.
"""

import json
import subprocess
import sys
import threading
import time

import httpx
import pytest
from django.conf import settings


@pytest.fixture(scope="module")
def server(scratch_env, gunicorn):
    with gunicorn(scratch_env, workers=2) as base:
        yield base


def big_fixture(path, count):
    entries = [
        {
            "code": f"LoadTestCode{i:04d}",
            "title": f"Load test entry {i}",
            "summary": "An entry added while readers read.",
            "api": "url",
            "category": "service",
            "source": "test",
            "confidence": "low",
            "causes": [
                {
                    "slug": "only",
                    "api": "url",
                    "title": "Only cause",
                    "meaning": "Meaning " * 20,
                    "when_seen": "When seen " * 10,
                    "commands": ["p.php?AT=LI"],
                    "steps": [f"Step {n} of entry {i}." for n in range(1, 6)],
                }
            ],
        }
        for i in range(count)
    ]
    path.write_text(json.dumps({"entries": entries}))


def test_readers_never_see_a_half_loaded_kb(server, scratch_env, tmp_path):
    before = httpx.get(f"{server}/api/errors/").json()["count"]
    fixture = tmp_path / "more.json"
    big_fixture(fixture, 400)
    seen, failures, stop = [], [], threading.Event()

    def read():
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                response = client.get(f"{server}/api/errors/?category=service")
                if response.status_code != 200:
                    failures.append(response.status_code)
                else:
                    seen.append(response.json()["count"])

    service_before = httpx.get(f"{server}/api/errors/?category=service").json()["count"]
    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        time.sleep(0.3)
        load = subprocess.run(
            [sys.executable, "manage.py", "load_kb", str(fixture)],
            cwd=settings.BASE_DIR,
            env=scratch_env,
            capture_output=True,
            text=True,
        )
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=15)
    assert load.returncode == 0, load.stderr
    assert "entries: 400 created" in load.stdout
    assert not failures, failures
    assert set(seen) <= {service_before, service_before + 400}, sorted(set(seen))
    assert service_before in seen and service_before + 400 in seen
    assert httpx.get(f"{server}/api/errors/").json()["count"] == before + 400
    # Every new entry came with its cause and steps.
    detail = httpx.get(f"{server}/api/errors/LoadTestCode0399/").json()
    assert len(detail["causes"][0]["steps"]) == 5


def test_oversized_header_is_refused_by_the_server(server):
    response = httpx.get(f"{server}/", headers={"X-Padding": "x" * 20_000})
    assert response.status_code == 431
    assert "Request Header Fields Too Large" in response.text


def test_oversized_form_is_refused_with_a_clear_page(server):
    response = httpx.post(f"{server}/accounts/login/", data={"username": "x" * 400_000, "password": "y"})
    assert response.status_code == 413
    assert "too large" in response.text
