"""Rate limits stored in the database, shared by every app process and server: fixed windows (``hit``) and a sliding
window (``hit_sliding``: the current window's count plus the previous window's, weighted by how much of it still
lies within one window of now, so a burst across a window's edge is counted whole)."""

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
        RateCounter.objects.filter(window__lt=start - max(3600, 2 * window)).delete()  # hit_sliding reads the last
    return Verdict(count <= limit, count, limit, max(1, int(start + window - now)))


def hit_sliding(key, *, limit, window=60, now=None):
    """Count one request for ``key``; refuse it when more than ``limit`` fall within the last ``window`` seconds
    (the sliding-window estimate: this window's count, plus the previous window's weighted by its part that is
    still within ``window`` seconds of now). The count and the verdict are one atomic step, as in ``hit``."""
    now = time.time() if now is None else now
    start = int(now // window * window)
    current = hit(key, limit=limit, window=window, now=now).count
    previous = RateCounter.objects.filter(key=key, window=start - window).values_list("count", flat=True).first() or 0
    weight = 1 - (now - start) / window
    estimate = current + previous * weight
    retry_after = int(start + window - now)
    if estimate > limit and previous and current <= limit:
        # Wait until the previous window's share has shrunk enough: current + previous * w <= limit.
        needed = 1 - (limit - current) / previous  # the share of the window that must have passed
        retry_after = int(start + needed * window - now)
    return Verdict(estimate <= limit, current, limit, max(1, retry_after))


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
