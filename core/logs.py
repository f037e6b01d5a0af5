"""Structured log lines: one JSON object per line, always with the request id, and never a query string or a
secret (:class:`RedactingFilter`, on every handler of settings.LOGGING)."""

import json
import logging
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime

from webex.redaction import redact_log_text

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every log record."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class RedactingFilter(logging.Filter):
    """Strips query strings and known secret shapes (webex.redaction) from a record before any handler writes it: the
    message with its arguments, every extra field (django.request's ``request`` prints as the full URL), the
    traceback and the stack. The record is changed in place, so every later handler sees it redacted too."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep its template only
            message = str(record.msg)
        record.msg = redact_log_text(message)
        record.args = ()
        for key, value in list(record.__dict__.items()):
            # Text extras are redacted here; objects (django.request's ``request``) stay for handlers that build a
            # filtered report from them, and JsonFormatter redacts whatever it prints of them.
            if key not in STANDARD and not key.startswith("_") and isinstance(value, str):
                setattr(record, key, redact_log_text(value))
        if record.exc_info and record.exc_info[0] is not None:
            # Formatters print exc_text when it is set (logging.Formatter caches the traceback there).
            record.exc_text = redact_log_text("".join(traceback.format_exception(*record.exc_info)).rstrip())
        elif record.exc_text:
            record.exc_text = redact_log_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_log_text(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": redact_log_text(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in STANDARD and not key.startswith("_"):
                data[key] = value if isinstance(value, (str, int, float, bool, type(None))) else redact_log_text(value)
        if record.exc_text:
            data["exception"] = record.exc_text
        elif record.exc_info:
            data["exception"] = redact_log_text(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)
