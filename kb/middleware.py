"""Cross-cutting request handling: request ids, security headers, and a clear 503 when the database is away."""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("kb.access")


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every log record."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


def request_id_middleware(get_response):
    def middleware(request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if REQUEST_ID_OK.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        request.request_id = rid
        started = time.monotonic()
        try:
            response = get_response(request)
            response["X-Request-ID"] = rid
            # The path only: query strings may carry secrets or personal data.
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path[:200],
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)

    return middleware


def security_headers_middleware(get_response):
    """A strict Content-Security-Policy (no inline script, no eval) and the headers Django does not set itself."""

    def middleware(request):
        response = get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if request.path.startswith("/admin/"):
            policy = settings.CONTENT_SECURITY_POLICY_ADMIN
        response.setdefault("Content-Security-Policy", policy)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    return middleware


def is_database_outage(exc):
    return isinstance(exc, (OperationalError, InterfaceError)) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    )


def database_unavailable_response(request):
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = JsonResponse({"error": "the database is unavailable; try again shortly"}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection during a view into a clear 503 instead of a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            logging.getLogger("kb.db").error("database unavailable: %s", type(exception).__name__)
            return database_unavailable_response(request)
        return None
