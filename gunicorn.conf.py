"""gunicorn settings for `make serve` (production) and `make loadtest`. Environment overrides: see README.

The worker timeout is read from the Django settings, which check it against the longest replay allowed
(REPLAY_MAX_TIMEOUT): one number, validated once (docs/deploy.md).
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

from config.settings import GUNICORN_THREADS, GUNICORN_TIMEOUT

bind = os.getenv("BIND", "127.0.0.1:8000")
workers = int(os.getenv("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
# Threaded workers: a request waiting on the network (a replay to a slow WebEx site) holds one thread, and the
# worker's other threads go on serving pages. replay/slots.py keeps replays to GUNICORN_THREADS - 2 per process.
worker_class = "gthread"
threads = GUNICORN_THREADS
timeout = GUNICORN_TIMEOUT
graceful_timeout = 10
keepalive = 5
# Oversized request lines and headers are refused by gunicorn with a 400 before Django sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# The app writes its own structured access log (core.access); gunicorn's would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "warning")


class RedactingLogger(Logger):
    """gunicorn's own log lines ("Error handling request /path?…") go through the app's redacting filter too:
    no query string and no secret (core/logs.py)."""

    def setup(self, cfg):
        super().setup(cfg)
        from core.logs import RedactingFilter

        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                    handler.addFilter(RedactingFilter())


logger_class = RedactingLogger


def worker_exit(server, worker):
    """A worker that stops (SIGTERM, a restart, max requests) writes the search log rows it still holds
    (SEARCH_LOG_BATCH): none is lost when a server is stopped mid-run. The module's atexit hook does the same for
    any other process."""
    try:
        from kb.search.log import flush

        flush()
    except Exception:  # never keep a worker from exiting
        server.log.exception("could not write the search log rows this worker held")
