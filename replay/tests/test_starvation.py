"""Replays cannot starve pages: with six replays hanging on a site that drips a byte at a time, the production
server (gunicorn's threaded workers; one worker process of ten threads here) still answers /healthz and entry
pages at once, refuses a seventh replay with a 429, and ends the six as timeout records."""

import re
import threading
import time

import httpx
import pytest

PASSWORD = "Starvation-Test-Pw-7719"
HANGING = 6
SITE_TIMEOUT = 6


def setup_script(site_url):
    return f"""
from django.contrib.auth.models import User
from core.roles import grant
from replay.models import Site
user = User.objects.filter(username="desk").first() or User.objects.create_user("desk", password="{PASSWORD}")
grant(user, "help-desk")
Site.objects.update_or_create(slug="dripping", defaults=dict(name="Dripping", base_url="{site_url}/acme/",
    timeout={SITE_TIMEOUT}, allow_private_network=True))
print(Site.objects.get(slug="dripping").pk)
"""


def logged_in_client(base):
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    login = client.post(
        "/accounts/login/", data={"username": "desk", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert login.status_code == 302, login.status_code
    return client


def replay_form(client):
    page = client.get("/replay/")
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def answered_quickly(url):
    """Seconds /url takes; measured twice at most (a busy shared machine may stall any one request)."""
    took = None
    for _ in range(2):
        started = time.monotonic()
        response = httpx.get(url, timeout=30)
        took = time.monotonic() - started
        assert response.status_code == 200, (url, response.status_code)
        if took < 1.0:
            break
    return took


@pytest.mark.django_db(transaction=True)
def test_hanging_replays_leave_pages_answering(scratch_env, gunicorn, manage, stand_in):
    site = stand_in(drip=0.3)
    site_id = manage(scratch_env, "shell", "-v", "0", "-c", setup_script(site.base_url)).split()[-1]
    env = {
        **scratch_env,
        "GUNICORN_THREADS": "10",  # per process: 8 replays; the site-wide cap (6) refuses first
        "REPLAY_MAX_IN_FLIGHT": str(HANGING),
        "REPLAY_MAX_IN_FLIGHT_PER_USER": str(HANGING),
        "LOGIN_FAILURE_ADDRESS_LIMIT": "1000",  # other server tests share the scratch database and the address
    }
    with gunicorn(env, workers=1) as base:
        client = logged_in_client(base)
        token = replay_form(client)
        data = {"site": site_id, "mode": "paste", "method": "POST", "command_text": "p.php?AT=LI&WID=host1"}
        data["csrfmiddlewaretoken"] = token
        results = []

        def replay():
            results.append(client.post("/replay/", data=data))

        threads = [threading.Thread(target=replay) for _ in range(HANGING)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        assert site.wait_in_flight(HANGING), f"only {site.in_flight} replays reached the site"

        assert answered_quickly(f"{base}/healthz") < 1.0
        assert answered_quickly(f"{base}/errors/AccessDenied/") < 1.0
        assert answered_quickly(f"{base}/search/?q=wrong+password") < 1.0

        refused = client.post("/replay/", data=data)
        assert refused.status_code == 429
        assert f"{HANGING} replays are already running" in refused.text
        assert site.in_flight == HANGING, "the refused replay sent nothing"

        for thread in threads:
            thread.join(timeout=SITE_TIMEOUT + 20)
        assert time.monotonic() - started < SITE_TIMEOUT + 10
        assert [r.status_code for r in results] == [200] * HANGING
        assert all("Timed out" in r.text for r in results)
        client.close()
