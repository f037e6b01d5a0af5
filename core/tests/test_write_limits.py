"""core/writelimits.py: keys per sender, a sliding window, the address as the log-in throttle reads it."""

import pytest
from django.test import RequestFactory

from core import writelimits

pytestmark = pytest.mark.django_db


def request(address="192.0.2.1", **meta):
    return RequestFactory().post("/", REMOTE_ADDR=address, **meta)


def test_no_two_limits_across_a_window_edge(settings):
    settings.WRITE_LIMIT_PER_ADDRESS = 3
    window = settings.WRITE_LIMIT_WINDOW = 600
    edge = 1_800_000_000 // window * window + window
    assert all(writelimits.hit(request(), "vote", now=edge - 1).allowed for _ in range(3))
    refused = writelimits.hit(request(), "vote", now=edge + 1)  # a fixed window would start counting again here
    assert not refused.allowed and 1 <= refused.retry_after <= window
    # Once enough of the previous window has slid out, a write is allowed again.
    assert writelimits.hit(request(), "vote", now=edge + 1 + refused.retry_after).allowed


def test_past_the_limit_retry_after_is_the_rest_of_the_window(settings):
    settings.WRITE_LIMIT_PER_ADDRESS = 2
    settings.WRITE_LIMIT_WINDOW = 600
    start = 1_800_000_000 // 600 * 600
    verdicts = [writelimits.hit(request(), "suggest", now=start + 100) for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False] and verdicts[-1].retry_after == 500


def test_kinds_senders_and_networks_are_counted_apart(settings):
    settings.WRITE_LIMIT_PER_ADDRESS = 1
    now = 1_800_000_000
    assert writelimits.hit(request(), "vote", now=now).allowed
    assert writelimits.hit(request(), "suggest", now=now).allowed
    assert writelimits.hit(request("192.0.2.2"), "vote", now=now).allowed
    assert not writelimits.hit(request("192.0.2.1"), "vote", now=now).allowed
    # One IPv6 client holds a whole /64.
    assert writelimits.hit(request("2001:db8::1"), "vote", now=now).allowed
    assert not writelimits.hit(request("2001:db8::ffff:1"), "vote", now=now).allowed
    assert writelimits.network("::ffff:192.0.2.9") == "192.0.2.9"


def test_the_sender_is_a_keyed_hash_never_the_address(settings):
    sender = writelimits.sender(request("203.0.113.5"))
    assert sender.startswith("a:") and "203.0.113.5" not in sender
    assert sender == writelimits.sender(request("203.0.113.5"))
    assert sender != writelimits.sender(request("203.0.113.6"))
    settings.TRUSTED_PROXY_COUNT = 1
    assert writelimits.sender(request("10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")) == sender
