"""Log in and out, failed-login throttling, KB_REQUIRE_LOGIN, and the shared rate counter."""

import pytest
from django.contrib.auth.models import User

from core import ratelimit
from core.models import RateCounter


@pytest.fixture
def reader(db):
    return User.objects.create_user("reader", password="correct-horse-battery")


def test_login_page_and_login(client, reader):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert '<label for="id_username">' in page.content.decode()
    response = client.post("/accounts/login/", {"username": "reader", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated


def test_wrong_password_says_so(client, reader):
    response = client.post("/accounts/login/", {"username": "reader", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_failed_logins_are_throttled(client, reader, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "reader", "password": "nope"}).status_code == 200
    response = client.post("/accounts/login/", {"username": "reader", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    # Another user name from the same address is not blocked.
    other = client.post("/accounts/login/", {"username": "someone-else", "password": "x"})
    assert other.status_code == 200


def test_logout_is_post_only(client, reader):
    client.force_login(reader)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 200
    assert not client.get("/").context["user"].is_authenticated


def test_login_password_is_not_in_error_reports(client, reader, caplog):
    client.post("/accounts/login/", {"username": "reader", "password": "Unique-Pw-9137"})
    assert "Unique-Pw-9137" not in caplog.text


def test_require_login_sends_anonymous_readers_to_login(client, kb, settings, reader):
    settings.KB_REQUIRE_LOGIN = True
    response = client.get("/errors/AccessDenied/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/errors/AccessDenied/")
    assert client.get("/api/errors/").status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 200
    client.force_login(reader)
    assert client.get("/errors/AccessDenied/").status_code == 200


def test_anonymous_can_read_by_default(client, kb):
    assert client.get("/errors/AccessDenied/").status_code == 200


def test_favicon_is_served_even_when_login_is_required(client, settings):
    settings.KB_REQUIRE_LOGIN = True
    assert client.get("/favicon.ico").status_code == 200
    assert client.get("/").status_code == 302


def test_rate_counter_counts_per_window(db):
    now = 1_000_000.0
    verdicts = [ratelimit.hit("t:key", limit=2, window=60, now=now) for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[-1].retry_after == 20  # 1_000_000 is 40 s into its minute
    assert ratelimit.hit("t:key", limit=2, window=60, now=now + 60).allowed
    assert ratelimit.hit("t:other", limit=2, window=60, now=now).allowed
    assert RateCounter.objects.filter(key="t:key").count() == 2
