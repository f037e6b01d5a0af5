"""Settings for `make bench` (bench/search.py): bench/settings.py plus what a multi-worker deployment would set.

config/ stays untouched; the search benchmark points DJANGO_SETTINGS_MODULE here.
"""

import os

from bench.settings import *  # noqa: F403

# SQLite serving several gunicorn workers: write-ahead logging, so readers never wait for the writer and a
# commit (each search is logged) does not wait for a disk flush. Recommended for any multi-worker SQLite site.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (  # noqa: F405
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    # Keep each worker's connection (config/settings.py does this for DATABASE_URL via DB_CONN_MAX_AGE).
    DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405

# Each gunicorn worker writes its search log rows 50 at a time (see kb/insights.py), sparing SQLite's single
# writer most lock waits. The default (1) writes each row at once.
SEARCH_LOG_BATCH = 50

# The per-process answer cache of kb.search (0 turns it off); the benchmark measures the fragment both ways.
SEARCH_CACHE_SIZE = int(os.getenv("BENCH_SEARCH_CACHE_SIZE", "512"))
