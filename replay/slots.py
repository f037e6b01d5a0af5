"""Replays in flight, capped so that slow or dead sites cannot take every app server thread (docs/deploy.md).

Three caps, checked before anything is sent:

* ``REPLAY_MAX_IN_FLIGHT_PER_USER`` replays at once per user, and ``REPLAY_MAX_IN_FLIGHT`` for the whole site:
  counted as :class:`~replay.models.ReplaySlot` lease rows in the database, so they hold across processes and
  servers. Taking a slot counts and checks in one serialised transaction (PostgreSQL: an advisory lock; SQLite:
  the IMMEDIATE transaction's write lock), so concurrent requests cannot both take the last slot;
* ``REPLAY_MAX_IN_FLIGHT_PER_PROCESS`` replays at once in this process (derived from the app server's threads),
  so each app server process keeps threads free for pages whatever the site-wide cap is.

A slot is released when the replay ends (``finally``). A lease expires ``REPLAY_MAX_TIMEOUT`` +
``REPLAY_TIMEOUT_MARGIN`` seconds after it was taken, before the worker timeout, so a killed process cannot hold
a slot for ever.
"""

import contextlib
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from replay.models import ReplaySlot

logger = logging.getLogger("replay")
_LOCK_KEY = 0x7265706C  # "repl": the advisory lock that serialises taking slots on PostgreSQL

_process_lock = threading.Lock()
_in_process = 0


class Busy(Exception):  # a refusal, recorded as such
    """Too many replays in flight; ``message`` says which cap, for people."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def lease_seconds():
    return settings.REPLAY_MAX_TIMEOUT + settings.REPLAY_TIMEOUT_MARGIN


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def _take_process_slot():
    global _in_process
    limit = settings.REPLAY_MAX_IN_FLIGHT_PER_PROCESS
    with _process_lock:
        if _in_process >= limit:
            raise Busy(
                f"Refused: this app server is already running {_plural(_in_process, 'replay')}, the most it runs at "
                "once. Nothing was sent: try again in a few seconds."
            )
        _in_process += 1


def _give_back_process_slot():
    global _in_process
    with _process_lock:
        _in_process = max(0, _in_process - 1)


def acquire(user=None):
    """Take a slot for one replay by ``user`` (None: the command line), or raise :class:`Busy`."""
    now = timezone.now()
    user = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        ReplaySlot.objects.filter(expires_at__lte=now).delete()
        total = ReplaySlot.objects.count()
        if total >= settings.REPLAY_MAX_IN_FLIGHT:
            raise Busy(
                f"Refused: {_plural(total, 'replay')} are already running, the most this knowledge base runs at "
                "once. Nothing was sent: try again in a few seconds."
            )
        if user is not None:
            mine = ReplaySlot.objects.filter(user=user).count()
            if mine >= settings.REPLAY_MAX_IN_FLIGHT_PER_USER:
                raise Busy(
                    f"Refused: you already have {_plural(mine, 'replay')} running, the most one person may run at "
                    "once. Nothing was sent: wait for it to finish, then try again."
                )
        return ReplaySlot.objects.create(user=user, started_at=now, expires_at=now + timedelta(seconds=lease_seconds()))


def release(slot):
    try:
        ReplaySlot.objects.filter(pk=slot.pk).delete()
    except DatabaseError:  # the lease expires by itself
        logger.warning("could not release a replay slot; it expires in %d s", lease_seconds())


@contextlib.contextmanager
def hold(user=None):
    """``with hold(user):`` runs one replay in a slot, or raises :class:`Busy` before it starts."""
    _take_process_slot()
    try:
        slot = acquire(user)
        try:
            yield slot
        finally:
            release(slot)
    finally:
        _give_back_process_slot()
