"""Logs never hold secrets: a filter on every handler of LOGGING strips query strings and known secret shapes from
each record (message, arguments, extra fields and traceback), django.request's error records included."""

import io
import json
import logging
import runpy

import pytest
from django.conf import settings as django_settings

from core.logs import RedactingFilter

SECRET = "Hunter2-Secret-771"


@pytest.fixture
def log_output():
    """What the configured handlers write, one JSON object per line."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters)]
    assert handlers, "the root handler of LOGGING carries the redacting filter"
    buffer = io.StringIO()
    old = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, old, strict=True):
        handler.setStream(stream)


def test_every_handler_in_logging_redacts():
    for name, handler in django_settings.LOGGING["handlers"].items():
        assert "redact" in handler.get("filters", []), name


def test_a_forced_500_logs_no_query_string_and_no_secret(client, settings, log_output):
    settings.ROOT_URLCONF = "core.tests.urls_boom"
    client.raise_request_exception = False
    response = client.get(f"/boom/?AT=LI&WID=host1&PW={SECRET}&note=private-detail")
    assert response.status_code == 500
    written = log_output.getvalue()
    lines = [json.loads(line) for line in written.splitlines() if line.strip()]
    errors = [line for line in lines if line["logger"] == "django.request"]
    assert errors and "Internal Server Error: /boom/" in errors[0]["message"]
    assert "exception" in errors[0] and "ValueError" in errors[0]["exception"]
    assert SECRET not in written
    assert "private-detail" not in written and "WID=host1" not in written


def test_messages_arguments_and_extras_are_redacted(log_output):
    logger = logging.getLogger("kb.tests.redaction")
    logger.warning("fetch %s failed", f"https://acme.example/acme/p.php?AT=LI&PW={SECRET}")
    logger.warning("pasted: <password>%s</password>", SECRET, extra={"url": f"/search/?q=PW%3D{SECRET}"})
    try:
        raise RuntimeError(f"PW={SECRET}")
    except RuntimeError:
        logger.exception("failed with %s", f"'/replay/?PW={SECRET}'")
    written = log_output.getvalue()
    assert SECRET not in written
    assert "https://acme.example/acme/p.php?\u2026" in written


def test_gunicorns_own_log_is_redacted(capsys):
    """gunicorn logs "Error handling request <uri>" with the query string when a request breaks below Django."""
    from gunicorn.config import Config

    conf = runpy.run_path(str(django_settings.BASE_DIR / "gunicorn.conf.py"))
    assert conf["logger_class"] is conf["RedactingLogger"]
    logger = conf["RedactingLogger"](Config())
    logger.error("Error handling request %s", f"/replay/?AT=LI&PW={SECRET}")
    try:
        raise OSError(f"PW={SECRET}")
    except OSError:
        logger.exception("Error handling request %s", f"/search/?q={SECRET}")
    err = capsys.readouterr().err
    assert "Error handling request /replay/?\u2026" in err
    assert SECRET not in err
