"""The KB generation: one token that moves with every change to the knowledge, and the caches keyed on it.

Everything a process caches that is derived from the knowledge (rendered entry pages and their JSON, search
answers, the command list search reads, the command link map, the wizard's flow graphs) is valid for one
generation. A change, in any process, moves the generation in the same transaction, so every process stops
using its cached copies the moment the change becomes visible; no cache needs a timeout or a signal of its own.

This module is the one reader of the generation (``KbState.current()`` is the raw read) and the one writer:

* ``current()``: the generation now; read once per web request inside ``request_scope()`` (``read_once()``
  outside a web request too).
* ``offer(value)``: the generation as read by another statement of the request (the search's code lookup reads
  it in the same statement as its rows), kept by the request scope instead of a read of its own.
* ``bump()``: record a change. Inside ``bumps_once()`` (a save's signal receivers, ``kb.search.batch()``, the
  loader) every change of the block moves the generation once, at the end.
* ``cache_key(kind, detail)``: a key of Django's page cache under the current generation.
* ``GenerationCache``: values kept for the generation they were built under, least recently used dropped.
* ``per_generation``: decorator for a small whole read (the command list), built once per generation.

``troubleshooter`` uses it too (flow graphs, the flow loader); ``kb`` never imports ``troubleshooter``.
"""

import threading
from collections import OrderedDict
from contextlib import contextmanager
from functools import wraps

from kb.models import KbState

_local = threading.local()  # depth and pending of bumps_once(); the request scope's memo
_MISSING = object()


def current() -> int:
    """The current generation (0 until the first change is recorded).

    Read once per request inside ``request_scope()``. When a change of this thread is waiting for the end of
    ``bumps_once()``, the generation moves first: nothing may be cached under the generation the change made stale.
    """
    if getattr(_local, "pending", False):
        _move()
    scope = getattr(_local, "scope", None)
    if scope is None:
        return KbState.current()
    if "generation" not in scope:
        scope["generation"] = KbState.current()
    return scope["generation"]


def offer(value: int) -> None:
    """A statement that read the generation along with its own rows (the search's code lookup) hands it over: the
    request scope keeps it unless it has read one already, so ``current()`` needs no query of its own. Ignored
    outside a request scope, and while a change of this thread is waiting (``current()`` moves it first)."""
    scope = getattr(_local, "scope", None)
    if scope is not None and "generation" not in scope and not getattr(_local, "pending", False):
        scope["generation"] = value


def bump() -> None:
    """Record a change to the knowledge: the generation moves now, or once at the end of ``bumps_once()``."""
    if getattr(_local, "depth", 0):
        _local.pending = True
    else:
        _move()


def _move():
    # In the caller's transaction: the new generation becomes visible exactly when the change does.
    _local.pending = False
    scope = getattr(_local, "scope", None)
    if scope is not None:
        scope.pop("generation", None)
    KbState.bump()


@contextmanager
def bumps_once():
    """Every ``bump()`` inside the block moves the generation once, when the outermost block ends.

    When the block raises, nothing moves: its writes go back with their transaction (as ``kb.search.batch()``
    does not reindex then either)."""
    depth = getattr(_local, "depth", 0)
    _local.depth = depth + 1
    ok = False
    try:
        yield
        ok = True
    finally:
        _local.depth = depth
        if depth == 0:
            pending, _local.pending = getattr(_local, "pending", False), False
            if ok and pending:
                _move()


@contextmanager
def request_scope():
    """Inside the block (one web request), the generation is read at most once, unless the block changes it."""
    outer = getattr(_local, "scope", None)
    _local.scope = {}
    try:
        yield
    finally:
        _local.scope = outer


@contextmanager
def read_once():
    """Inside the block the generation is read at most once: in a web request, the request's scope; elsewhere (a
    command, the benchmark) a scope of the block's own."""
    if getattr(_local, "scope", None) is not None:
        yield
    else:
        with request_scope():
            yield


def cache_key(kind: str, detail: str) -> str:
    """A key of Django's cache (the rendered-page cache) for ``detail`` under the current generation."""
    return f"{kind}:{current()}:{detail}"


class GenerationCache:
    """Values built by this process, each used only while the generation it was built under is current.

    Beyond ``size`` entries the least recently used go first; ``size`` may be a callable (e.g. reading a setting).
    ``items`` maps each key to ``(generation, value)``.
    """

    def __init__(self, size):
        self._size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._size() if callable(self._size) else self._size

    def get(self, key, generation, default=None):
        with self.lock:
            hit = self.items.get(key)
            if hit is None or hit[0] != generation:
                return default
            self.items.move_to_end(key)
            return hit[1]

    def put(self, key, generation, value):
        size = max(self.size, 0)
        with self.lock:
            self.items[key] = (generation, value)
            self.items.move_to_end(key)
            while len(self.items) > size:
                self.items.popitem(last=False)

    def get_or_build(self, key, build):
        """The value of ``key`` for the current generation, built by ``build()`` (outside the lock) when missing."""
        generation = current()
        value = self.get(key, generation, _MISSING)
        if value is _MISSING:
            value = build()
            self.put(key, generation, value)
        return value

    def clear(self):
        with self.lock:
            self.items.clear()


def per_generation(build):
    """Decorator: ``build()``'s value, built once per process for each generation (``.cache`` clears it)."""
    cache = GenerationCache(1)

    @wraps(build)
    def cached():
        return cache.get_or_build(None, build)

    cached.cache = cache
    return cached


def request_scope_middleware(get_response):
    """A request reads the KB generation at most once, however many per-generation caches it uses."""

    def middleware(request):
        with request_scope():
            return get_response(request)

    return middleware
