"""Scratch databases and child processes, shared by `make bench` (bench/search.py) and `make eval` (bench/eval.py).

Each measures every database it is given in a child process of its own (Django is set up once per process): SQLite
always, in a temporary file; PostgreSQL too when DATABASE_URL points at one, in a database ``<prefix>_<pid>`` on
that server, created and dropped here. The child writes its findings as JSON to a file named on its command line.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    return os.getenv("DATABASE_URL", "").strip()


def chosen_backends(option: str) -> list[str]:
    """``auto``: SQLite, and PostgreSQL when DATABASE_URL points at one; otherwise the comma-separated names."""
    if option != "auto":
        return [b for b in option.split(",") if b]
    return ["sqlite"] + (["postgresql"] if database_url().startswith(("postgres", "pgsql")) else [])


def child_env(settings_module: str, **extra: str) -> dict:
    """The parent's environment without its database, for a child that is given a scratch one."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING", **extra)
    return env


def pg_admin_url(url, dbname):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, "", ""))


@contextlib.contextmanager
def scratch_postgres(url, prefix="bench_search"):
    """A PostgreSQL database <prefix>_<pid> on the server of ``url``, dropped afterwards; yields its URL."""
    import psycopg

    name = f"{prefix}_{os.getpid()}"
    admin = pg_admin_url(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_admin_url(url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_sqlite():
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        yield str(Path(tmp) / "bench.sqlite3")


def each_scratch_database(backends, prefix) -> Iterator[tuple[str, dict]]:
    """For each backend, ``(backend, environment overrides)`` pointing at a fresh scratch database, which is dropped
    once the loop moves on. PostgreSQL without DATABASE_URL is skipped, with a note."""
    for backend in backends:
        if backend == "sqlite":
            with scratch_sqlite() as path:
                yield backend, {"SQLITE_PATH": path}
        elif not database_url():
            print(f"  {backend} skipped: DATABASE_URL is not set", file=sys.stderr)
        else:
            with scratch_postgres(database_url(), prefix=prefix) as url:
                yield backend, {"DATABASE_URL": url}


def run_child(script: Path, args: list[str], env: dict) -> dict:
    """Runs ``script --child-out <file> args…`` and returns the JSON the child wrote to that file."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        child_out = fh.name
    try:
        subprocess.run([sys.executable, str(script), "--child-out", child_out, *args], cwd=ROOT, env=env, check=True)
        return json.loads(Path(child_out).read_text())
    finally:
        with contextlib.suppress(OSError):
            os.unlink(child_out)


def server_version(connection) -> str:
    """The database server's version, inside a child (PostgreSQL's ``server_version``, or SQLite's library)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            return cur.fetchone()[0]
    import sqlite3

    return sqlite3.sqlite_version
