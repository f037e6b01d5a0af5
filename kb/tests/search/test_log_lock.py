"""Search logging never waits on a write lock: while another process holds the database's write lock (a long
load_kb on SQLite; a lock on the log table on PostgreSQL), searches on the production server still answer at once;
their log rows are written once the lock is gone."""

import sqlite3
import time

import httpx
import psycopg
import pytest


def held_write_lock(env):
    """Hold the lock a search log write needs; returns a function that lets it go."""
    if env.get("DATABASE_URL"):
        conn = psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://"))
        conn.execute("LOCK TABLE kb_searchlog IN ACCESS EXCLUSIVE MODE")
        return conn.rollback, conn.close
    conn = sqlite3.connect(env["SQLITE_PATH"], isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    return lambda: conn.execute("ROLLBACK"), conn.close


def logged(manage, env, query):
    script = f"from kb.models import SearchLog; print(SearchLog.objects.filter(query={query!r}).count())"
    return int(manage(env, "shell", "-v", "0", "-c", script).split()[-1])


@pytest.mark.django_db(transaction=True)
def test_searches_answer_while_the_write_lock_is_held(scratch_env, gunicorn, manage):
    env = {**scratch_env, "SEARCH_LOG_BATCH": "1"}
    with gunicorn(env, workers=1) as base:
        httpx.get(f"{base}/search/?q=warm+up", timeout=30)
        release, close = held_write_lock(env)
        try:
            for query in ("locked one", "locked two"):
                started = time.monotonic()
                response = httpx.get(f"{base}/search/", params={"q": query}, timeout=15)
                assert response.status_code == 200
                assert time.monotonic() - started < 2.0, "the search waited for the write lock"
        finally:
            release()
            close()
        httpx.get(f"{base}/search/?q=after+the+lock", timeout=30)  # writes what was kept, with its own row
        assert logged(manage, env, "locked one") == 1
        assert logged(manage, env, "locked two") == 1
        assert logged(manage, env, "after the lock") == 1


def test_rows_are_kept_while_locked_and_dropped_and_counted_past_the_bound(db, monkeypatch, settings):
    from django.db import IntegrityError, OperationalError

    from kb.models import SearchLog
    from kb.search import log as search_log

    settings.SEARCH_LOG_BATCH = 1
    monkeypatch.setattr(search_log, "_pending", search_log._Pending())
    monkeypatch.setattr(search_log, "MAX_PENDING", 3)
    real_write = search_log._write

    def locked(rows):
        raise OperationalError("database is locked")

    monkeypatch.setattr(search_log, "_write", locked)
    for i in range(5):
        search_log._pending.rows.append(SearchLog(query=f"q{i}"))
        search_log.flush()
    assert [r.query for r in search_log._pending.rows] == ["q2", "q3", "q4"]
    assert search_log._pending.dropped == 2

    def refused(rows):
        raise IntegrityError("a row the database refuses")

    monkeypatch.setattr(search_log, "_write", refused)
    search_log.flush()
    assert search_log._pending.rows == [] and search_log._pending.dropped == 5

    monkeypatch.setattr(search_log, "_write", real_write)
    search_log._pending.rows.append(SearchLog(query="written"))
    search_log.flush()
    assert SearchLog.objects.filter(query="written").exists()


def test_busy_writes_are_logged_at_most_every_few_seconds_with_their_count(db, monkeypatch, settings, caplog):
    from django.db import OperationalError

    from kb.models import SearchLog
    from kb.search import log as search_log

    settings.SEARCH_LOG_BATCH = 1
    monkeypatch.setattr(search_log, "_pending", search_log._Pending())
    monkeypatch.setattr(search_log, "MAX_PENDING", 100)
    clock = [1000.0]
    monkeypatch.setattr(search_log.time, "monotonic", lambda: clock[0])

    def locked(rows):
        raise OperationalError("database is locked")

    monkeypatch.setattr(search_log, "_write", locked)

    def fail_once(query):
        search_log._pending.rows.append(SearchLog(query=query))
        search_log.flush()

    def warnings():
        return [r.getMessage() for r in caplog.records if r.name == "kb.search.log" and r.levelname == "WARNING"]

    caplog.set_level("WARNING", logger="kb.search.log")
    fail_once("first")
    assert len(warnings()) == 1 and "1 writes found the database busy" in warnings()[0]
    for i in range(4):
        clock[0] += 2
        fail_once(f"quiet {i}")
    assert len(warnings()) == 1, "busy writes within the quiet period were logged one by one"
    clock[0] += search_log.WARN_EVERY_SECONDS
    fail_once("later")
    assert len(warnings()) == 2
    assert "could not record 6 searches now" in warnings()[1]
    assert "5 writes found the database busy since the last such message" in warnings()[1]
    assert len(search_log._pending.rows) == 6, "no row was lost while quiet"

    monkeypatch.setattr(search_log, "MAX_PENDING", 6)
    clock[0] += 1
    fail_once("one too many")
    assert len(warnings()) == 3, "dropping rows is logged at once, quiet period or not"
    assert "1 dropped so far (1 just now)" in warnings()[2]
