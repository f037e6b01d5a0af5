"""Search insights: every search is recorded (never slowing or failing it), and summarised for /insights/."""

import atexit
import logging
import re
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Max, Min
from django.db.models.functions import Lower
from django.utils import timezone

from kb.models import Alias, Entry, SearchLog, distinct_senders
from kb.reasons import record_seen

logger = logging.getLogger(__name__)
MAX_LOGGED_QUERY = 200


def normalise(response) -> str:
    """What is logged for a search: lower case, spaces collapsed, secrets already redacted, capped.

    A pasted answer is logged by what was recognised in it, so pastes of the same failure group together
    and no pasted text (which may hold user names or hosts) is kept.
    """
    detected = getattr(response, "detected", None)
    if detected is not None:
        parts = ["pasted:", detected.command or "", detected.status or "", detected.code or ""]
        return " ".join(p for p in parts if p)[:MAX_LOGGED_QUERY]
    return re.sub(r"\s+", " ", response.query or "").strip().lower()[:MAX_LOGGED_QUERY]


# A search log write waits at most this long for the database's write lock (a long load_kb holds SQLite's); rows
# that could not be written are kept for the next write, at most MAX_PENDING of them, the oldest dropped and counted.
LOCK_WAIT_MS = 100
MAX_PENDING = 1000
# Under a heavy write load such writes fail often: each process logs them at most this often (counted), and at once
# when rows had to be dropped.
WARN_EVERY_SECONDS = 10


class _Pending:
    """Search log rows of this process not yet written: waiting for a batch (SEARCH_LOG_BATCH > 1), or kept after
    a write that found the database locked."""

    def __init__(self):
        self.rows: list[SearchLog] = []
        self.first_at = 0.0
        self.dropped = 0  # rows given up since the process started
        self.busy_writes = 0  # writes that found the database locked since the last warning
        self.warned_at = float("-inf")
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            rows, self.rows = self.rows, []
            return rows

    def keep(self, rows):
        """Put rows that could not be written back in front, keeping at most MAX_PENDING; returns how many dropped."""
        with self.lock:
            if not self.rows:
                self.first_at = time.monotonic()
            self.rows = rows + self.rows
            overflow = max(0, len(self.rows) - MAX_PENDING)
            del self.rows[:overflow]
            self.dropped += overflow
            return overflow

    def busy(self, now, *, force=False):
        """Count a write that found the database locked; returns how many to report now (0: stay quiet)."""
        with self.lock:
            self.busy_writes += 1
            if not force and now - self.warned_at < WARN_EVERY_SECONDS:
                return 0
            self.warned_at = now
            count, self.busy_writes = self.busy_writes, 0
            return count


_pending = _Pending()


def record(response, user=None, sender="") -> None:
    """Record one search a person settled on. Any database error is logged and swallowed: the search itself
    already succeeded.

    Callers record only settled queries (a submitted page, a pause or an opened result, an API call), never the
    requests of search as you type (kb.search.views). A query too short to search (``response.too_short``) is
    not recorded.

    By default the row is written at once. A busy site can set ``SEARCH_LOG_BATCH`` (for example 50): each
    process then writes its rows together, every that many searches or every ``SEARCH_LOG_MAX_DELAY``
    seconds, which spares SQLite's single writer most of its lock waits. /insights/ writes the rows of
    its own process before reading.

    ``sender`` (``core.writelimits.sender``) is who searched: the editors' lists count distinct senders, so one
    client repeating a query adds one. A search for a missing code (``names_missing_code``) is limited per
    sender by the views (``core.writelimits``) before it is recorded.
    """
    try:
        query = normalise(response)
        if not query or getattr(response, "too_short", False):
            return
        row = SearchLog(
            query=query,
            results=len(response.results),
            duration_ms=response.duration_ms,
            detected=response.detected is not None,
            # A code-shaped query word or a pasted answer's code that no entry has: /insights/ lists these.
            missing_code=(getattr(response, "missing_code", "") or "")[:80],
            # Not sure of its answer (kb.search.confidence): /insights/ and the review queue list these.
            unanswered=unanswered(response),
            user_id=user.pk if user is not None and getattr(user, "is_authenticated", False) else None,
            sender=(sender or "")[:40],
            created_at=timezone.now(),
        )
        batch = settings.SEARCH_LOG_BATCH
        now = time.monotonic()
        with _pending.lock:
            if not _pending.rows:
                _pending.first_at = now
            _pending.rows.append(row)
            due = len(_pending.rows) >= batch or now - _pending.first_at >= settings.SEARCH_LOG_MAX_DELAY
        if due:
            flush()
        _count_reason(response.detected)
    except Exception:  # recording must never fail the search (DatabaseError included)
        logger.warning("could not record a search", exc_info=True)


def _count_reason(detected) -> None:
    """A pasted failure's code and reason text are counted for the review queue (kb.reasons)."""
    if detected is not None and detected.code and not detected.is_request and not detected.is_success:
        record_seen(detected.code, detected.reason, origin="search")


def names_missing_code(response) -> bool:
    """Whether recording this search adds to the editors' "Searched for, not in the knowledge base": those searches
    (rare, so the search's hot path pays nothing) are the ones the write limit counts. The other lists count
    distinct senders only."""
    return bool(getattr(response, "missing_code", ""))


def unanswered(response) -> bool:
    """A question search could not answer with confidence. A pasted request or success answer asks no question,
    and a missing code is recorded as such."""
    detected = getattr(response, "detected", None)
    if detected is not None and (detected.is_request or detected.is_success):
        return False
    return not getattr(response, "confident", False) and not getattr(response, "missing_code", "")


def flush() -> None:
    """Write this process's pending search log rows (see record). A write that finds the database locked gives up
    within LOCK_WAIT_MS and keeps its rows for the next one: a search never waits on a write lock. Such writes are
    logged at most every WARN_EVERY_SECONDS per process, with their count, and at once when rows were dropped."""
    rows = _pending.take()
    if rows:
        try:
            _write(rows)
        except OperationalError as exc:  # locked, or the database is away for a moment: try again later
            dropped = _pending.keep(rows)
            busy = _pending.busy(time.monotonic(), force=dropped > 0)
            if busy:
                logger.warning(
                    "could not record %d searches now (%s); kept for later, %d dropped so far (%d just now); "
                    "%d writes found the database busy since the last such message",
                    len(rows),
                    type(exc).__name__,
                    _pending.dropped,
                    dropped,
                    busy,
                )
        except Exception:  # rows the database refuses would fail every later write too: drop them
            with _pending.lock:
                _pending.dropped += len(rows)
            logger.warning("could not record %d searches; dropped", len(rows), exc_info=True)


@contextmanager
def _short_lock_wait():
    """SQLite: wait at most LOCK_WAIT_MS for the write lock (the connection's own timeout is 20 s)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        usual = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")


def _write(rows) -> None:
    with _short_lock_wait(), transaction.atomic():
        if connection.vendor == "postgresql":
            # A search log is not worth a disk flush: commit without waiting for it (a crash may lose the
            # last few log rows, never other data), and never wait long for a lock. SET LOCAL ends with this
            # transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
        SearchLog.objects.bulk_create(rows)


atexit.register(flush)


def search_insights(days: int = 30, limit: int = 20) -> dict:
    """Top queries, zero-result queries and codes looked for that no entry has, in the last ``days`` days, with the
    total number of searches."""
    flush()
    since = timezone.now() - timedelta(days=days)
    recent = SearchLog.objects.filter(created_at__gte=since)
    top = recent.values("query").annotate(n=Count("id")).order_by("-n", "query")[:limit]
    zero = recent.filter(results=0).values("query").annotate(n=Count("id")).order_by("-n", "query")[:limit]
    unsure = (
        recent.filter(unanswered=True, results__gt=0)
        .values("query")
        .annotate(n=distinct_senders())
        .order_by("-n", "query")[:limit]
    )
    return {
        "top_queries": [(row["query"], row["n"]) for row in top],
        "zero_result_queries": [(row["query"], row["n"]) for row in zero],
        "unanswered_queries": [(row["query"], row["n"]) for row in unsure],
        "missing_codes": [(code, n) for code, n, _last in missing_codes(days)][:limit],
        "total": recent.count(),
        "days": days,
    }


def missing_codes(days=30):
    """Codes people searched for that no entry has, searched by most people first: [(code, distinct senders, last
    searched)]. One client searching a code 150 times counts once."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        SearchLog.objects.filter(created_at__gte=since)
        .exclude(missing_code="")
        .annotate(key=Lower("missing_code"))
        .values("key")
        .annotate(n=distinct_senders(), spelling=Min("missing_code"), last=Max("created_at"))
        .order_by("-n", "-last", "key")[:100]
    )
    rows = list(rows)
    keys = [r["key"] for r in rows]
    known = set(Entry.objects.annotate(key=Lower("code")).filter(key__in=keys).values_list("key", flat=True))
    known |= set(Alias.objects.annotate(key=Lower("alias")).filter(key__in=keys).values_list("key", flat=True))
    return [(r["spelling"], r["n"], r["last"]) for r in rows if r["key"] not in known][:50]
