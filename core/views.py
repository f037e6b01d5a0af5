"""The site's own pages: log in (Django's views behind the one log-in throttle, core/throttle.py, for the site and
the admin alike), the 404 and 500 handlers, and /healthz."""

import os
import sys

from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.middleware import database_unavailable_response, is_database_outage
from core.models import RateCounter
from core.sqlite.base import file_identity
from core.throttle import throttled

login_view = throttled(LoginView.as_view())
admin_login_view = throttled(admin.site.login)


def not_found(request, exception=None):
    return render(request, "404.html", {"path": request.path[:200]}, status=404)


def server_error(request):
    """The 500 handler; a database outage that escaped the middleware still answers 503."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_outage(exc):
        return database_unavailable_response(request)
    return HttpResponse(render_to_string("500.html"), status=500)


class DatabaseFileMissing(Exception):
    """SQLite: the configured database file is gone, or the connection uses another file."""


def check_sqlite_file(conn=None):
    """The configured file exists (checked before connecting: connecting would create an empty one) and is the
    file the connection has open: the same path, and the same file (device and inode) as when it was opened, so a
    connection that still holds a file moved away (or replaced) is not healthy."""
    conn = connection if conn is None else conn
    if conn.vendor != "sqlite" or conn.is_in_memory_db():  # is_in_memory_db: SQLite's own
        return
    configured = os.path.realpath(str(conn.settings_dict["NAME"]))
    if not os.path.isfile(configured):
        raise DatabaseFileMissing
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        files = {row[1]: row[2] for row in cursor.fetchall()}
    in_use = files.get("main") or ""
    if not in_use or not os.path.isfile(in_use) or not os.path.samefile(in_use, configured):
        raise DatabaseFileMissing
    opened = getattr(conn, "opened_file", None)
    if opened is not None and opened != file_identity(configured):
        raise DatabaseFileMissing


@require_safe
@never_cache
def healthz(request):
    """200 when the database answers a query on one of the site's tables (and, on SQLite, is the configured file),
    503 otherwise; JSON either way."""
    try:
        check_sqlite_file()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {RateCounter._meta.db_table}")  # noqa: S608 - a model's table name
            cursor.fetchone()
    except Exception as exc:  # any failure to reach the database is "unhealthy"
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
