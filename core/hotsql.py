"""Raw SQL on the hot path (the KB generation, a search's code lookup and full-text statement): prepared on
PostgreSQL.

On PostgreSQL, planning the full-text statement costs about as much as running it on the shipped knowledge base.
A statement run here goes through a server-binding cursor, and psycopg prepares it on the connection once it has
run five times (the connection's ``prepare_threshold``, config/settings.py; PostgreSQL then reuses its parse and,
when no worse, its plan). Every other query of the app keeps Django's client-side binding, so only these few
statements are prepared. With ``DB_PREPARED_STATEMENTS=0`` (for a pooler that cannot keep prepared statements,
such as PgBouncer in transaction mode before 1.21) nothing is prepared. On SQLite the driver keeps its own
statement cache: the usual cursor.

The statements still go through Django's cursor wrapper, so query counts, ``CaptureQueriesContext`` and
``connection.execute_wrapper`` see them as they see any other.
"""

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


class _LoggedCursor(CursorDebugWrapper):
    """Query logging (DEBUG, tests' query counts) of a server-bound statement: the SQL with its values, as Django
    logs any other (a prepared statement's own text is only its name)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def _cursor():
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    if raw.prepare_threshold is None:
        return connection.cursor()
    cursor = psycopg.Cursor(raw)  # server-side binding, so that one statement serves every parameter value
    if connection.queries_logged:
        return _LoggedCursor(cursor, connection)
    return connection.make_cursor(cursor)  # type: ignore[arg-type]  # Django wraps any DB-API cursor; the stubs name its own


def fetchall(sql: str, params=()) -> list[tuple]:
    with _cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def fetchone(sql: str, params=()) -> tuple | None:
    with _cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()
