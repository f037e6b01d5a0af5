"""Limits on what readers write (votes, suggestions, searches for missing codes), and who sent it.

Each write of a ``kind`` is counted in the database (``core.ratelimit``, ``RateCounter``: one ``UPDATE … + 1`` that
every app process and server shares) under every key that names its sender, and refused past any key's limit
within a sliding ``WRITE_LIMIT_WINDOW`` seconds (this window's count plus the previous one's, weighed by the share
of it still within the last ``WRITE_LIMIT_WINDOW`` seconds):

* a logged-in user: ``write:<kind>:user:<id>``, ``WRITE_LIMIT_PER_USER``;
* an anonymous reader: ``write:<kind>:addr:<address>``, ``WRITE_LIMIT_PER_ADDRESS``, and when the browser sends a
  cookie naming it (the session, or the vote cookie), ``write:<kind>:session:<that value>``,
  ``WRITE_LIMIT_PER_SESSION``. A cookie is free to forge, so the address always counts too.

The address is read the way the log-in throttle reads it (``core.throttle.client_address``, which respects
``TRUSTED_PROXY_COUNT``); an IPv6 address counts by its /64 network, which one client holds whole.

``sender(request)`` names who wrote something, for counting distinct senders in the editors' lists: the user, or
for an anonymous reader a keyed hash of the address (never the address itself). A cookie is no sender: one client
could send a new one with every request.
"""

import hashlib
import hmac
import ipaddress
import math
import time

from django.conf import settings
from django.http import JsonResponse

from core import ratelimit
from core.throttle import client_address

PREFIX = "write:"


def network(address: str) -> str:
    """The address a limit counts: an IPv4 address itself, an IPv6 address's /64 network."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def sender(request) -> str:
    """Who sent a write: ``u:<user id>``, or ``a:<hash of the address's network>`` for an anonymous reader."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    digest = hmac.new(settings.SECRET_KEY.encode(), network(client_address(request)).encode(), hashlib.sha256)
    return "a:" + digest.hexdigest()[:24]


def keys(request, kind, cookie=""):
    """[(key, limit)] that one write of ``kind`` counts against. ``cookie``: the value of a cookie that names this
    browser (the vote cookie); the session cookie counts when the browser sends one."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return [(f"{PREFIX}{kind}:user:{user.pk}", settings.WRITE_LIMIT_PER_USER)]
    found = [(f"{PREFIX}{kind}:addr:{network(client_address(request))}", settings.WRITE_LIMIT_PER_ADDRESS)]
    named = cookie or request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if named:
        found.append((f"{PREFIX}{kind}:session:{named[:64]}", settings.WRITE_LIMIT_PER_SESSION))
    return found


def hit(request, kind, cookie="", now=None) -> ratelimit.Verdict:
    """Count one write of ``kind``; the verdict is refused when any of its keys is over its limit (every key is
    counted, so a refused write still counts against the address)."""
    window = settings.WRITE_LIMIT_WINDOW
    now = time.time() if now is None else now
    verdicts = [sliding_hit(key, limit, window, now) for key, limit in keys(request, kind, cookie)]
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        return max(refused, key=lambda v: v.retry_after)
    return verdicts[0]


def sliding_hit(key, limit, window, now) -> ratelimit.Verdict:
    """``ratelimit.hit`` made a sliding window: the previous window's count weighs in by the share of it that is
    still within ``window`` seconds of now, so a client cannot spend two limits across a window's edge."""
    verdict = ratelimit.hit(key, limit=limit, window=window, now=now)
    elapsed = now - now // window * window
    previous = ratelimit.peek(key, window=window, now=now - window)
    estimate = verdict.count + previous * (1 - elapsed / window)
    if estimate <= limit:
        return ratelimit.Verdict(True, verdict.count, limit, verdict.retry_after)
    # When the next write would fit (refused writes count too): at the window's end, or once enough of the
    # previous window has slid out.
    room = limit - (verdict.count + 1)
    wait = window - elapsed if room < 0 or not previous else window * (1 - room / previous) - elapsed
    return ratelimit.Verdict(False, verdict.count, limit, max(1, math.ceil(wait)))


def wait_text(seconds: int) -> str:
    minutes = (seconds + 59) // 60
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def message(verdict, what) -> str:
    """What a refused reader is told: ``what`` is the plural of the write ("votes", "suggestions")."""
    return (
        f"Too many {what} from your address or browser in a short time. "
        f"Please wait {wait_text(verdict.retry_after)} and try again."
    )


def refused(response, verdict):
    """Mark ``response`` (a page, a fragment or JSON, which the view renders with ``message``) as the answer to a
    refused write: status 429 and ``Retry-After``. htmx swaps a 429 (base.html's ``responseHandling``)."""
    response.status_code = 429
    response["Retry-After"] = str(verdict.retry_after)
    return response


def refused_json(verdict, what):
    """The JSON doors' answer: ``{"error": …, "retry_after": seconds}``, 429, ``Retry-After``."""
    return refused(JsonResponse({"error": message(verdict, what), "retry_after": verdict.retry_after}), verdict)
