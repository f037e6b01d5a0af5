"""Settings for `make bench` (bench/search.py): bench/settings.py plus what a multi-worker deployment would set.

config/ stays untouched; the search benchmark points DJANGO_SETTINGS_MODULE here.
"""

import os

from bench.settings import *  # noqa: F403

# SQLite's write-ahead logging and persistent connections come from config/settings.py.

# Each gunicorn worker writes its search log rows 50 at a time (see kb/insights.py), sparing SQLite's single
# writer most lock waits. The default (1) writes each row at once.
SEARCH_LOG_BATCH = 50

# The per-process answer cache of kb.search (0 turns it off); the benchmark measures the fragment both ways.
SEARCH_CACHE_SIZE = int(os.getenv("BENCH_SEARCH_CACHE_SIZE", "512"))
