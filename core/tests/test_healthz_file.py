"""/healthz on SQLite: a connection that still holds the database file after it was moved away (and another file now
stands at the configured path) is not healthy, though it still answers its queries."""

import os
import sqlite3

import pytest
from django.db import connection

from core.sqlite.base import DatabaseWrapper
from core.views import DatabaseFileMissing, check_sqlite_file

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the file check is SQLite's")


def _make_db(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE kb_ratecounter (id INTEGER PRIMARY KEY)")
    db.commit()
    db.close()


@pytest.fixture
def on_file(db, tmp_path, monkeypatch):
    """A connection of the project's SQLite backend to a file of its own, used by /healthz."""
    path = tmp_path / "site.sqlite3"
    _make_db(path)
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="healthz-probe")
    monkeypatch.setattr("core.views.connection", wrapper)
    yield path, wrapper
    wrapper.close()


def test_healthz_is_ok_on_the_configured_file(client, on_file):
    path, wrapper = on_file
    check_sqlite_file(wrapper)
    assert wrapper.opened_file == (os.stat(path).st_dev, os.stat(path).st_ino)
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_healthz_fails_when_the_file_was_moved_away_and_replaced(client, on_file):
    path, wrapper = on_file
    assert client.get("/healthz").status_code == 200  # the connection is open on the file
    os.rename(path, path.with_name("moved.sqlite3"))
    _make_db(path)  # what another thread's first connection (or a restore) puts at the configured path
    with wrapper.cursor() as cursor:  # the old connection still reads the moved file
        cursor.execute("SELECT COUNT(*) FROM kb_ratecounter")
    with pytest.raises(DatabaseFileMissing):
        check_sqlite_file(wrapper)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "DatabaseFileMissing"


def test_healthz_fails_when_the_file_was_moved_away(client, on_file):
    path, _wrapper = on_file
    assert client.get("/healthz").status_code == 200
    os.rename(path, path.with_name("moved.sqlite3"))
    assert client.get("/healthz").status_code == 503
    assert not path.exists(), "the check must not create an empty database"
