"""Cross-cutting request handling: request ids, security headers, body limits, JSON errors for the API, and a clear
503 when the database is away."""

import logging
import re
import time
import uuid
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict

from core.logs import request_id_var

REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("core.access")


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
    response: HttpResponse
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
            logging.getLogger("core.db").error("database unavailable: %s", type(exception).__name__)
            return database_unavailable_response(request)
        return None


OPEN_PATHS = ("/accounts/login/", "/static/", "/healthz", "/admin/login/", "/favicon.ico")


def require_login_middleware(get_response):
    """With KB_REQUIRE_LOGIN=1, anonymous visitors are sent to the login page (JSON API: 401)."""

    def middleware(request):
        if settings.KB_REQUIRE_LOGIN and not request.user.is_authenticated and not request.path.startswith(OPEN_PATHS):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "log in to use this knowledge base"}, status=401)
            return redirect_to_login(request.get_full_path())
        return get_response(request)

    return middleware


def _has_nul(querydict):
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in querydict.lists())


def reject_nul_middleware(get_response):
    """A NUL character in the path, query or form is never meaningful here, and PostgreSQL cannot store it."""

    def middleware(request):
        if "\x00" in request.path or _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "the request contains a NUL character (\\x00)"}, status=400)
            response = HttpResponse(render_to_string("400.html"), status=400)
            return response
        return get_response(request)

    return middleware


def _error_page(status):
    return HttpResponse(render_to_string("400.html"), status=status)


def body_limit_middleware(get_response):
    """Refuse a request body over DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it, on every endpoint: Django's
    own limit leaves out multipart file parts, which would be spooled to disk. A chunked body (no Content-Length)
    is refused too: nothing here needs one, and its size is unknown until it has been read."""

    def middleware(request):
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return _error_page(411)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _error_page(400)
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return _error_page(413)
        return get_response(request)

    return middleware


API_PREFIX = "/api/"


def api_json_errors_middleware(get_response):
    """Every error the JSON API answers is JSON (``{"error": …}``): Django's 400, 404, 405 and 500 pages and the
    refusals of the middleware around it included. Headers such as Allow and Retry-After are kept."""

    def middleware(request):
        response = get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replacement = JsonResponse({"error": response.reason_phrase.lower()}, status=response.status_code)
            for header in ("Allow", "Retry-After", "Vary", "X-Request-ID"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

    return middleware


def allows_form_fields(limit):
    """Mark a view whose form may post up to ``limit`` fields, more than DATA_UPLOAD_MAX_NUMBER_FIELDS allows every
    other view (:func:`form_fields_middleware` reads the mark)."""

    def mark(view):
        view.form_fields_limit = limit
        return view

    return mark


def _view_of(request):
    try:
        return resolve(request.path_info).func
    except Resolver404:
        return None


def form_fields_middleware(get_response):
    """A URL-encoded POST to a view marked :func:`allows_form_fields` is read with that view's field limit, before
    anything else reads ``request.POST`` (Django would refuse it with a bare 400 past DATA_UPLOAD_MAX_NUMBER_FIELDS,
    and what was typed would be lost). Every other request keeps the global limit."""

    def middleware(request):
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            limit = getattr(_view_of(request), "form_fields_limit", None)
            if limit:
                encoding = request.encoding or settings.DEFAULT_CHARSET
                try:
                    pairs = parse_qsl(
                        request.body.decode(encoding, errors="replace"), keep_blank_values=True, max_num_fields=limit
                    )
                except ValueError:
                    return _error_page(400)
                form = QueryDict(mutable=True, encoding=encoding)
                for key, value in pairs:
                    form.appendlist(key, value)
                form._mutable = False
                request._post, request._files = form, MultiValueDict()
        return get_response(request)

    return middleware


def head_without_body_middleware(get_response):
    """A HEAD answer carries the headers of the GET answer (Content-Length included) and no body.

    Django leaves the body in place (only its development server drops it), and gunicorn writes whatever body the
    application returns: on a kept-alive connection the client, which reads no body after HEAD, would then read the
    page as the start of the next answer ("illegal status line"). Outermost, so that nothing adds a body after it."""

    def middleware(request):
        response = get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            response.streaming_content = iter(())  # a file answer still closes its file (its closers are kept)
        else:
            length = response.get("Content-Length") or str(len(response.content))
            response.content = b""
            response["Content-Length"] = length
        return response

    return middleware
