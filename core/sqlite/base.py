"""Django's SQLite backend, except that the cursor which starts a transaction is closed even when BEGIN fails.

Django starts a transaction with ``self.cursor().execute("BEGIN IMMEDIATE")``. When BEGIN waits out the busy
timeout and raises "database is locked", the error's traceback keeps that cursor in a reference cycle with its
statement still active. Python's garbage collector frees it later from whichever thread it runs in, holding the
GIL, and resetting the statement needs the mutex of the cursor's connection. If that connection's own thread is
then inside SQLite's busy handler (it keeps the mutex while it sleeps), waiting for the write lock, and the write
lock belongs to a thread of the same process, that thread can no longer get the GIL: the whole process stops until
the busy timeout ends (20 s) and its requests fail. Seen under ``make loadtest`` with threaded gunicorn workers;
py-spy showed ``gc_collect_main -> cursor_clear -> stmt_reset -> sqlite3_reset -> pthread_mutex_lock``.
A closed cursor holds no statement, so freeing it needs no mutex. Tested in core/tests/test_sqlite_backend.py.

Each connection also notes which file it opened (device and inode), so that /healthz can tell a connection that
still holds a file moved away from the file the settings name (core/views.py).
"""

import os

from django.db.backends.sqlite3 import base


def file_identity(name):
    """(device, inode) of the database file ``name``, or None (in memory, or no such file)."""
    name = str(name or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    try:
        stat = os.stat(os.path.realpath(name))
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class DatabaseWrapper(base.DatabaseWrapper):
    opened_file = None  # file_identity() of the file this connection opened

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        self.opened_file = file_identity(self.settings_dict["NAME"])
        return conn

    def _start_transaction_under_autocommit(self):
        mode = self.transaction_mode  # type: ignore[attr-defined]  # Django 5.1+; not in django-stubs 5.2.9
        begin = "BEGIN" if mode is None else f"BEGIN {mode}"
        with self.cursor() as cursor:
            cursor.execute(begin)
