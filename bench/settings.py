"""Settings for `make bench` only: the project's settings plus a bare view to compare the search fragment with.

config/ stays untouched; the benchmark points DJANGO_SETTINGS_MODULE here.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# SQLite serving several gunicorn workers: write-ahead logging, so readers never wait for the writer and a
# commit (each search is logged) does not wait for a disk flush. Recommended for any multi-worker SQLite site.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (  # noqa: F405
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
