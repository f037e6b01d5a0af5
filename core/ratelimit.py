"""Fixed-window rate limits stored in the database, shared by every app process and server."""

import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from core.models import RateCounter


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    retry_after: int


def hit(key, *, limit, window=60, now=None):
    """Count one request for ``key``; refuse it when more than ``limit`` fall in the current window."""
    now = time.time() if now is None else now
    start = int(now // window * window)
    with transaction.atomic():
        updated = RateCounter.objects.filter(key=key, window=start).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window=start, count=1)
            except IntegrityError:  # another process created it first
                RateCounter.objects.filter(key=key, window=start).update(count=F("count") + 1)
        count = RateCounter.objects.filter(key=key, window=start).values_list("count", flat=True).get()
    if count == 1:
        # Now and then, drop windows that are long over.
        RateCounter.objects.filter(window__lt=start - 3600).delete()
    return Verdict(count <= limit, count, limit, max(1, int(start + window - now)))


def peek(key, *, window=60, now=None):
    now = time.time() if now is None else now
    start = int(now // window * window)
    return RateCounter.objects.filter(key=key, window=start).values_list("count", flat=True).first() or 0


def forgive(key, *, window=60, now=None):
    """Take one count back from ``key``'s current window (an attempt that turned out fine)."""
    now = time.time() if now is None else now
    start = int(now // window * window)
    RateCounter.objects.filter(key=key, window=start, count__gt=0).update(count=F("count") - 1)


def clear(keys):
    """Forget every window of these keys; returns how many counters were deleted."""
    deleted, _ = RateCounter.objects.filter(key__in=list(keys)).delete()
    return deleted
