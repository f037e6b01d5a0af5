"""The log-in throttle's window slides (a burst across a window's edge is counted whole); a locked account's owner
still gets in from an address they logged in from before (kept as a keyed hash), while a guesser there is limited;
and behind a trusted proxy one client's failures do not lock out the others (TRUSTED_PROXY_COUNT)."""

import pytest
from django.contrib.auth.models import User

from core import ratelimit
from core.models import KnownLoginAddress

PASSWORD = "Correct-Horse-Battery-81"
LOGIN = "/accounts/login/"
OWNER = {"REMOTE_ADDR": "198.51.100.5"}
ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 20
    settings.LOGIN_FAILURE_WINDOW = 300
    settings.TRUSTED_PROXY_COUNT = 0


@pytest.fixture
def desk(db):
    return User.objects.create_user("desk", password=PASSWORD, is_staff=True)


def log_in(client, username, password="wrong", **headers):
    response = client.post(LOGIN, {"username": username, "password": password}, **headers)
    client.logout()
    return response


class Clock:
    def __init__(self, monkeypatch, now):
        self.now = now
        monkeypatch.setattr(ratelimit.time, "time", lambda: self.now)


def test_ten_guesses_across_a_window_edge_are_not_allowed(client, desk, monkeypatch):
    edge = 1_800_000_000 // 300 * 300 + 300  # the start of a fixed window
    clock = Clock(monkeypatch, edge - 2)
    for _ in range(5):
        assert log_in(client, "desk", **ATTACKER).status_code == 200
    clock.now = edge + 2  # 4 s later, in the next fixed window
    refused = log_in(client, "desk", **ATTACKER)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert log_in(client, "desk", PASSWORD, **ATTACKER).status_code == 429
    clock.now = edge + 300 + 2  # a whole window after the burst: free again
    assert log_in(client, "desk", PASSWORD, **ATTACKER).status_code == 302


@pytest.mark.django_db
def test_the_sliding_estimate_counts_a_burst_over_the_edge_whole():
    window, start = 100, 1_000_000
    for _ in range(5):
        assert ratelimit.hit_sliding("k", limit=5, window=window, now=start - 1).allowed
    late = ratelimit.hit_sliding("k", limit=5, window=window, now=start + 1)
    assert not late.allowed and late.retry_after > 1
    # A tenth of a window on, nine tenths of the previous window still count: 2 + 4.5 > 5, refused;
    assert not ratelimit.hit_sliding("k", limit=5, window=window, now=start + 10).allowed
    # seven tenths on, 3 + 1.5 <= 5: room again.
    assert ratelimit.hit_sliding("k", limit=5, window=window, now=start + 70).allowed


def test_the_owner_gets_in_from_a_known_address_while_the_account_is_locked(client, desk):
    assert log_in(client, "desk", PASSWORD, **OWNER).status_code == 302  # an earlier, ordinary log-in
    for _ in range(5):
        log_in(client, "desk", **ATTACKER)
    assert log_in(client, "desk", PASSWORD, **ATTACKER).status_code == 429  # the account is locked for others
    assert log_in(client, "desk", PASSWORD, REMOTE_ADDR="198.51.100.6").status_code == 429  # a new address too
    assert log_in(client, "ｄｅｓｋ", PASSWORD, **OWNER).status_code == 302  # its owner, at home, is not


def test_a_guesser_at_a_known_address_is_still_limited(client, desk):
    assert log_in(client, "desk", PASSWORD, **OWNER).status_code == 302
    for _ in range(5):
        assert log_in(client, "desk", **OWNER).status_code == 200
    assert log_in(client, "desk", PASSWORD, **OWNER).status_code == 429


def test_an_address_lock_does_not_stop_a_user_who_logged_in_there_before(client, desk, settings):
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 3
    office = {"REMOTE_ADDR": "192.0.2.10"}
    assert log_in(client, "desk", PASSWORD, **office).status_code == 302
    for name in ("a", "b", "c"):
        log_in(client, name, **office)
    assert log_in(client, "d", **office).status_code == 429  # the address is locked for strangers
    assert log_in(client, "desk", PASSWORD, **office).status_code == 302


def test_known_addresses_are_kept_as_keyed_hashes_only(client, desk):
    log_in(client, "desk", PASSWORD, **OWNER)
    row = KnownLoginAddress.objects.get()
    assert row.username == "desk" and "198.51.100.5" not in str(row.__dict__) and len(row.address_hash) == 64


def test_twenty_failures_behind_a_trusted_proxy_lock_only_their_sender(client, desk, settings):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(21):
        log_in(client, f"guess{i}", HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy)
    assert log_in(client, "other", HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy).status_code == 429
    assert log_in(client, "desk", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy).status_code == 302
    # Without TRUSTED_PROXY_COUNT every client behind the proxy is the proxy: the setting is what tells them apart.
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(21):
        log_in(client, f"again{i}", HTTP_X_FORWARDED_FOR="203.0.113.51", **proxy)
    assert log_in(client, "desk", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.21", **proxy).status_code == 429
