"""core.sqlite, the project's SQLite backend: a BEGIN that fails leaves no open cursor in cyclic garbage.

An open cursor freed by the garbage collector in another thread waits, holding the GIL, for its connection's
mutex; under threaded workers that stopped a whole process for the busy timeout (core/sqlite/base.py). These tests
hold SQLite's write lock from a second connection, make a transaction's BEGIN fail, and look at what the garbage
collector finds.
"""

import gc
import sqlite3

import pytest
from django.db import OperationalError, connection, transaction

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def write_lock_held():
    """Another connection holds the write lock; this connection's busy timeout is made short."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        usual = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield
    other.execute("ROLLBACK")
    other.close()
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(usual)}")


def cursors_in_cyclic_garbage(action):
    """The sqlite3 cursors that ``action()`` leaves in reference cycles, as (cursor, is_open)."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        action()
        gc.collect()
        found = [obj for obj in gc.garbage if isinstance(obj, sqlite3.Cursor)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    result = []
    for cursor in found:
        try:
            cursor.fetchone()
            is_open = True
        except sqlite3.ProgrammingError:  # "Cannot operate on a closed cursor."
            is_open = False
        result.append((cursor, is_open))
    return result


def test_the_settings_use_the_projects_backend():
    assert connection.settings_dict["ENGINE"] == "core.sqlite"
    assert connection.vendor == "sqlite"


def test_a_begin_that_finds_the_database_locked_leaves_no_open_cursor_behind(write_lock_held):
    def failing_transaction():
        with pytest.raises(OperationalError, match="locked"), transaction.atomic():
            pass

    found = cursors_in_cyclic_garbage(failing_transaction)
    assert found, "the failed BEGIN left no cursor in a cycle at all: this test no longer reproduces anything"
    assert [is_open for _cursor, is_open in found if is_open] == []


def test_a_search_log_write_that_finds_the_database_locked_leaves_no_open_cursor_behind(write_lock_held):
    from kb.search import log as search_log
    from kb.search import search

    response = search("AccessDenied")
    found = cursors_in_cyclic_garbage(lambda: search_log.record(response))
    assert [is_open for _cursor, is_open in found if is_open] == []
    assert search_log._pending.take(), "the search was kept for a later write"


def test_transactions_and_savepoints_still_commit_and_roll_back():
    from kb.models import Service

    with transaction.atomic():
        Service.objects.create(name="kept.php", api="URL", title="Kept")
        with pytest.raises(ValueError), transaction.atomic():
            Service.objects.create(name="undone.php", api="URL", title="Undone")
            raise ValueError
    with pytest.raises(ValueError), transaction.atomic():
        Service.objects.create(name="gone.php", api="URL", title="Gone")
        raise ValueError
    names = set(Service.objects.filter(name__in=["kept.php", "undone.php", "gone.php"]).values_list("name", flat=True))
    assert names == {"kept.php"}
