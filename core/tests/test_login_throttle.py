"""One log-in throttle for every door (/accounts/login/ and /admin/login/), keyed on the normalised user name and,
separately, on the client address (X-Forwarded-For only from trusted proxies), counted before the password is
checked; and unlocking with ``manage.py unlock_login``. The concurrency case runs against real gunicorn."""

import io
import re
import threading

import httpx
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from core.models import RateCounter
from core.throttle import normalise_username

PASSWORD = "Correct-Horse-Battery-81"
DOORS = ["/accounts/login/", "/admin/login/"]


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 20


@pytest.fixture
def desk(db):
    return User.objects.create_user("desk", password=PASSWORD, is_staff=True)


def log_in(client, door, username, password="wrong", **headers):
    return client.post(door, {"username": username, "password": password}, **headers)


@pytest.mark.parametrize("door", DOORS)
def test_every_door_is_throttled(client, desk, door):
    for _ in range(5):
        assert log_in(client, door, "desk").status_code == 200
    refused = log_in(client, door, "desk", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_both_doors_share_one_count(client, desk):
    for door in DOORS + DOORS + DOORS[:1]:
        assert log_in(client, door, "desk").status_code == 200
    assert log_in(client, "/admin/login/", "desk", PASSWORD).status_code == 429
    assert log_in(client, "/accounts/login/", "desk", PASSWORD).status_code == 429


def test_look_alike_names_count_against_the_real_one(client, desk):
    """Fullwidth letters log in as the real user (Django normalises NFKC), so they must share its count."""
    for name in ["ｄｅｓｋ", "DESK", "Desk", "ｄｅｓｋ ", "desk"]:
        assert log_in(client, "/accounts/login/", name).status_code == 200
    assert normalise_username("ＤＥＳＫ") == "desk"
    assert log_in(client, "/accounts/login/", "ｄｅｓｋ", PASSWORD).status_code == 429
    assert log_in(client, "/accounts/login/", "desk", PASSWORD).status_code == 429


def test_the_address_has_its_own_count(client, desk, settings):
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 3
    for name in ("a", "b", "c"):
        assert log_in(client, "/accounts/login/", name).status_code == 200
    assert log_in(client, "/accounts/login/", "desk", PASSWORD).status_code == 429
    assert log_in(client, "/accounts/login/", "desk", PASSWORD, REMOTE_ADDR="10.9.8.7").status_code == 302


def test_x_forwarded_for_is_ignored_unless_a_proxy_is_trusted(client, desk, settings):
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 3
    for i, name in enumerate(("a", "b", "c")):
        assert log_in(client, "/accounts/login/", name, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code == 200
    response = log_in(client, "/accounts/login/", "d", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429, "a client cannot pick a fresh address"


def test_behind_a_trusted_proxy_each_client_has_its_own_count(client, desk, settings):
    """Behind a proxy every request comes from the proxy's address: one attacker must not lock everyone out."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 3
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for name in ("a", "b", "c", "d"):
        log_in(client, "/accounts/login/", name, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", **proxy)
    attacker = log_in(client, "/accounts/login/", "e", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", **proxy)
    assert attacker.status_code == 429
    colleague = log_in(client, "/accounts/login/", "desk", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy)
    assert colleague.status_code == 302
    assert RateCounter.objects.filter(key="login:addr:198.51.100.7").exists()


def test_a_successful_log_in_takes_its_attempt_back(client, desk):
    for _ in range(4):
        log_in(client, "/accounts/login/", "desk")
    assert log_in(client, "/accounts/login/", "desk", PASSWORD).status_code == 302
    client.logout()
    elsewhere = {"REMOTE_ADDR": "192.0.2.44"}  # not an address desk has logged in from
    assert log_in(client, "/accounts/login/", "desk", **elsewhere).status_code == 200  # the 5th failure, not the 6th
    assert log_in(client, "/accounts/login/", "desk", PASSWORD, **elsewhere).status_code == 429


def test_unlock_login_lets_a_locked_out_user_in(client, desk):
    for _ in range(6):
        log_in(client, "/accounts/login/", "desk")
    assert log_in(client, "/accounts/login/", "desk", PASSWORD).status_code == 429
    out = io.StringIO()
    call_command("unlock_login", "DESK", "--address", "127.0.0.1", stdout=out)
    assert "Cleared 2 failed log-in counters" in out.getvalue()
    assert log_in(client, "/accounts/login/", "desk", PASSWORD).status_code == 302


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("door", DOORS)
def test_concurrent_wrong_log_ins_make_at_most_the_limit_of_password_checks(scratch_env, gunicorn, manage, door):
    """40 wrong log-ins at once against the production server: at most LOGIN_FAILURE_LIMIT (5) get a password
    check (an answer other than 429); the count and the check are one atomic step."""
    script = 'from django.contrib.auth.models import User\nif not User.objects.filter(username="racer").exists():\n'
    script += f'    User.objects.create_user("racer", password="{PASSWORD}", is_staff=True)'
    manage(scratch_env, "shell", "-v", "0", "-c", script)
    env = {**scratch_env, "LOGIN_FAILURE_LIMIT": "5", "LOGIN_FAILURE_ADDRESS_LIMIT": "1000"}
    with gunicorn(env, workers=2) as base, httpx.Client(base_url=base, timeout=60) as browser:
        manage(scratch_env, "unlock_login", "racer")
        page = browser.get(door)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        cookies = dict(browser.cookies)
        statuses = []
        start = threading.Barrier(40)

        def attempt():
            start.wait()
            data = {"username": "racer", "password": "wrong", "csrfmiddlewaretoken": token}
            statuses.append(httpx.post(f"{base}{door}", data=data, cookies=cookies, timeout=60).status_code)

        threads = [threading.Thread(target=attempt) for _ in range(40)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=90)
        finally:  # the scratch database is shared with other server tests: leave no lock-out behind
            manage(scratch_env, "unlock_login", "racer", "--address", "127.0.0.1")
    assert len(statuses) == 40
    assert set(statuses) <= {200, 429}
    assert statuses.count(200) == 5, statuses
    assert statuses.count(429) >= 35
