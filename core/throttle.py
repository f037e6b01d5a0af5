"""One log-in throttle for every door: ``/accounts/login/`` and ``/admin/login/`` (config/urls.py wraps both).

Each attempt is counted *before* the password is checked, in the database (``kb.RateCounter``, an atomic
``UPDATE … + 1``, shared by every process and server), under two keys:

* ``login:user:<name>``: the user name normalised as Django normalises it before logging in (NFKC, so fullwidth
  ``ｄｅｓｋ`` is ``desk``), then case-folded: a look-alike counts against the real account;
* ``login:addr:<address>``: the client address, from ``X-Forwarded-For`` only when ``TRUSTED_PROXY_COUNT`` says
  how many proxies in front of the app add to it (otherwise anyone could pick their own address).

An attempt past ``LOGIN_FAILURE_LIMIT`` for the name, or ``LOGIN_FAILURE_ADDRESS_LIMIT`` for the address, within
``LOGIN_FAILURE_WINDOW`` seconds is refused with a 429 and no password check, so concurrent guesses make at most
that many checks. A successful log-in takes its own attempt back, so only failures add up.
Unlocking: the counts lapse when the window ends, or ``manage.py unlock_login <user name> [--address A]`` clears them.
"""

import functools
import ipaddress
import unicodedata

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters

from core import ratelimit

USER_PREFIX = "login:user:"
ADDRESS_PREFIX = "login:addr:"


def normalise_username(name):
    return unicodedata.normalize("NFKC", str(name or "")).casefold().strip()[:150]


def client_address(request):
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n, the address the outermost of the n
    trusted proxies saw (the n-th entry from the right of X-Forwarded-For)."""
    remote = request.META.get("REMOTE_ADDR") or "-"
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote[:64]
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    candidate = hops[-count] if len(hops) >= count else (hops[0] if hops else remote)
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote[:64]


def keys(request, username):
    return [
        (USER_PREFIX + normalise_username(username), settings.LOGIN_FAILURE_LIMIT),
        (ADDRESS_PREFIX + client_address(request), settings.LOGIN_FAILURE_ADDRESS_LIMIT),
    ]


def count_attempt(request, username):
    """Count one log-in attempt under every key; True when every count is still within its limit."""
    window = settings.LOGIN_FAILURE_WINDOW
    allowed = True
    for key, limit in keys(request, username):
        allowed = ratelimit.hit(key, limit=limit, window=window).allowed and allowed
    return allowed


def forgive_attempt(request, username):
    for key, _limit in keys(request, username):
        ratelimit.forgive(key, window=settings.LOGIN_FAILURE_WINDOW)


def unlock(username=None, address=None):
    """Clear the counts of a user name and/or an address; returns how many counters were cleared."""
    wanted = []
    if username:
        wanted.append(USER_PREFIX + normalise_username(username))
    if address:
        wanted.append(ADDRESS_PREFIX + address.strip())
    return ratelimit.clear(wanted)


@receiver(user_logged_in, dispatch_uid="kb-throttle-logged-in")
def _mark_logged_in(sender, request=None, **kwargs):
    if request is not None:
        request.kb_logged_in = True


def throttled(view):
    """Wrap a log-in view: a POST is counted first and refused with a 429 past a limit."""

    @sensitive_post_parameters("password")
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        username = request.POST.get("username", "")
        if not count_attempt(request, username):
            window = settings.LOGIN_FAILURE_WINDOW
            response = render(
                request, "registration/login_throttled.html", {"minutes": max(1, window // 60)}, status=429
            )
            response["Retry-After"] = str(window)
            return response
        response = view(request, *args, **kwargs)
        if getattr(request, "kb_logged_in", False):
            forgive_attempt(request, username)
        return response

    return wrapper
