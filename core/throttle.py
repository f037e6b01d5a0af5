"""One log-in throttle for every door: ``/accounts/login/`` and ``/admin/login/`` (config/urls.py wraps both).

Each attempt is counted *before* the password is checked, in the database (``kb.RateCounter``, an atomic
``UPDATE … + 1``, shared by every process and server), under two keys:

* ``login:user:<name>``: the user name normalised as Django normalises it before logging in (NFKC, so fullwidth
  ``ｄｅｓｋ`` is ``desk``), then case-folded: a look-alike counts against the real account;
* ``login:addr:<address>``: the client address, from ``X-Forwarded-For`` only when ``TRUSTED_PROXY_COUNT`` says
  how many proxies in front of the app add to it (otherwise anyone could pick their own address).

An attempt that would make more than ``LOGIN_FAILURE_LIMIT`` for the name, or ``LOGIN_FAILURE_ADDRESS_LIMIT`` for
the address, within the last ``LOGIN_FAILURE_WINDOW`` seconds (a sliding window: a burst across a window's edge is
counted whole) is refused with a 429 and no password check, so concurrent guesses make at most that many checks.
A successful log-in takes its own attempt back, so only failures add up.

The owner of a locked account still gets in from an address they have logged in from before (``KnownLoginAddress``,
recorded at every log-in, kept as a keyed hash): there, only that name and address pair is counted
(``login:pair:…``, with the name's limit), so an attacker elsewhere who locks the account (or an address shared by
many, such as an office's) does not lock its owner out, and a guesser at that very address is still limited.
Unlocking: the counts lapse as the window slides, or ``manage.py unlock_login <user name> [--address A]`` clears
them.
"""

import functools
import hashlib
import hmac
import ipaddress
import unicodedata

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters

from core import ratelimit
from core.models import KnownLoginAddress, RateCounter

USER_PREFIX = "login:user:"
ADDRESS_PREFIX = "login:addr:"
PAIR_PREFIX = "login:pair:"


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


def address_hash(address):
    """A keyed hash of an address: what is kept of the addresses a user logged in from."""
    return hmac.new(settings.SECRET_KEY.encode(), str(address).encode(), hashlib.sha256).hexdigest()


def is_known_address(username, address):
    return KnownLoginAddress.objects.filter(
        username=normalise_username(username), address_hash=address_hash(address)
    ).exists()


def remember_address(username, address):
    KnownLoginAddress.objects.update_or_create(
        username=normalise_username(username),
        address_hash=address_hash(address),
        defaults={"last_seen": timezone.now()},
    )


def keys(request, username):
    """The counters an attempt adds to, with their limits: the name's and the address's; from an address the name
    has logged in from before, only the pair's."""
    name, address = normalise_username(username), client_address(request)
    if name and is_known_address(name, address):
        return [(f"{PAIR_PREFIX}{name}:{address_hash(address)[:32]}", settings.LOGIN_FAILURE_LIMIT)]
    return [
        (USER_PREFIX + name, settings.LOGIN_FAILURE_LIMIT),
        (ADDRESS_PREFIX + address, settings.LOGIN_FAILURE_ADDRESS_LIMIT),
    ]


def count_attempt(request, username):
    """Count one log-in attempt under every key; True when every count is still within its limit (sliding window).
    The keys counted are kept on the request, for ``forgive_attempt``."""
    window = settings.LOGIN_FAILURE_WINDOW
    allowed = True
    counted = keys(request, username)
    request.login_throttle_keys = counted
    for key, limit in counted:
        allowed = ratelimit.hit_sliding(key, limit=limit, window=window).allowed and allowed
    return allowed


def forgive_attempt(request, username):
    for key, _limit in getattr(request, "login_throttle_keys", None) or keys(request, username):
        ratelimit.forgive(key, window=settings.LOGIN_FAILURE_WINDOW)


def unlock(username=None, address=None):
    """Clear the counts of a user name and/or an address; returns how many counters were cleared."""
    wanted = []
    if username:
        wanted.append(USER_PREFIX + normalise_username(username))
    if address:
        wanted.append(ADDRESS_PREFIX + address.strip())
    cleared = ratelimit.clear(wanted)
    if username:  # and the name's counts at its known addresses
        prefix = f"{PAIR_PREFIX}{normalise_username(username)}:"
        cleared += RateCounter.objects.filter(key__startswith=prefix).delete()[0]
    return cleared


@receiver(user_logged_in, dispatch_uid="kb-throttle-logged-in")
def _mark_logged_in(sender, request=None, user=None, **kwargs):
    if request is not None:
        request.kb_logged_in = True
        if user is not None and request.META.get("REMOTE_ADDR"):
            remember_address(user.get_username(), client_address(request))


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
