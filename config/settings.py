"""Settings for the WebEx troubleshooting knowledge base.

Every value that differs between machines is read from the environment, strictly:
a malformed value stops start-up with a message that names the variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    raw = os.getenv(name, default).strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def envint(name, default, minimum=None):
    raw = os.getenv(name, str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is too small: use {minimum} or more.")
    return value


def envlist(name, default=""):
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


# Django's SQLite backend with one fix for threaded servers (core/sqlite/base.py), for the default database and for a
# sqlite:// DATABASE_URL alike.
SQLITE_ENGINE = "core.sqlite"


def database_from_env():
    url = os.getenv("DATABASE_URL", "").strip()
    if not url:
        # Write-ahead logging lets readers go on while one writer commits (several gunicorn workers);
        # IMMEDIATE transactions take the write lock up front instead of failing half-way with "locked".
        return {
            "ENGINE": SQLITE_ENGINE,
            "NAME": os.getenv("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", 60),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ("postgres", "postgresql", "pgsql", "sqlite"):
        raise ImproperlyConfigured(
            f"DATABASE_URL must look like postgres://user@host:5432/dbname or sqlite:///path/db.sqlite3; "
            f"got a value with scheme {scheme or '(none)'!r}."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for bad input
        raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database: add one after the last slash, e.g. /test.")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = SQLITE_ENGINE
    if config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})
        config["TEST"] = {"NAME": os.getenv("TEST_DATABASE_NAME") or None}
        # PostgreSQL's JIT compiles a plan once its estimated cost passes jit_above_cost: on a large knowledge base
        # that adds tens of milliseconds to a search that takes a few. Short interactive queries do better without.
        if not envbool("DB_PG_JIT", "False"):
            config["OPTIONS"]["options"] = "-c jit=off"
        # The few statements on the search's hot path (core/hotsql.py) are prepared on the server once they have run
        # a few times; every other query keeps Django's client-side binding. Off for a pooler that cannot keep
        # prepared statements (PgBouncer in transaction mode before 1.21).
        config["OPTIONS"]["prepare_threshold"] = 5 if envbool("DB_PREPARED_STATEMENTS", "True") else None
        if envbool("DB_POOL", "False"):
            # psycopg's connection pool (Django 5.1+), one per process; CONN_MAX_AGE must stay 0 with it.
            config["CONN_MAX_AGE"] = 0
            config["OPTIONS"]["pool"] = {
                "min_size": envint("DB_POOL_MIN", 2),
                "max_size": envint("DB_POOL_MAX", 10),
                "timeout": envint("DB_POOL_TIMEOUT", 10),
            }
    return config


DEBUG = envbool("DEBUG", "True")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set it to a long random value, e.g. "
            "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off, e.g. ALLOWED_HOSTS=kb.example.com")


def site_root(environ, served_file):
    """The site's address for links printed outside a request (the CLI): ``SITE_ROOT`` from the environment, else
    the address ``make run`` serves (it writes it to ``served_file``), else http://127.0.0.1:8000."""
    configured = environ.get("SITE_ROOT", "").strip()
    if configured:
        return configured.rstrip("/")
    try:
        served = Path(served_file).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        served = ""
    if served.startswith(("http://", "https://")) and len(served) < 200 and not any(c.isspace() for c in served):
        return served.rstrip("/")
    return "http://127.0.0.1:8000"


SITE_ROOT = site_root(os.environ, BASE_DIR / ".site-root")
# Set explicitly: /opensearch.xml uses SITE_ROOT too; otherwise it uses the address the browser asked for.
SITE_ROOT_CONFIGURED = bool(os.getenv("SITE_ROOT", "").strip())

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "reversion",
    "core",
    "kb",
    "troubleshooter",
    "replay",
]
if os.getenv("DATABASE_URL", "").startswith(("postgres", "pgsql")):
    INSTALLED_APPS.append("django.contrib.postgres")

MIDDLEWARE = [
    "core.middleware.head_without_body_middleware",  # outermost: a HEAD answer leaves with no body
    "core.middleware.request_id_middleware",
    "core.middleware.api_json_errors_middleware",
    "core.middleware.body_limit_middleware",
    "core.middleware.security_headers_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.form_fields_middleware",
    "core.middleware.reject_nul_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.require_login_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "kb.generation.request_scope_middleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

KB_FIXTURE_DIR = BASE_DIR / "fixtures"
# Days after a review when an entry is due for the next one (an entry may set its own interval).
KB_REVIEW_INTERVAL_DAYS = envint("KB_REVIEW_INTERVAL_DAYS", 180)
# Hours a triage card (its redacted ticket) stays behind its permalink; `manage.py purge_triage` deletes older ones.
TRIAGE_KEEP_HOURS = envint("TRIAGE_KEEP_HOURS", 24, minimum=1)
if KB_REVIEW_INTERVAL_DAYS < 1:
    raise ImproperlyConfigured(f"KB_REVIEW_INTERVAL_DAYS={KB_REVIEW_INTERVAL_DAYS} must be at least 1 (days).")

# Per-process cache for rendered pages; keys carry the KB generation, so no process can serve a stale page.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kb-pages",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

LOGIN_URL = "login"
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 300)
# Failed log-ins from one client address (a whole office may share one) before a 429 (core/throttle.py).
LOGIN_FAILURE_ADDRESS_LIMIT = envint("LOGIN_FAILURE_ADDRESS_LIMIT", 20)
# How many proxies in front of the app append to X-Forwarded-For; 0 (the default) never reads it.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0, minimum=0)
# What readers write (votes, suggestions, searches for a missing code), per kind, within the window
# (core/writelimits.py): per anonymous client address (an IPv6 /64), per browser cookie, per logged-in user.
WRITE_LIMIT_WINDOW = envint("WRITE_LIMIT_WINDOW", 600, minimum=1)
WRITE_LIMIT_PER_ADDRESS = envint("WRITE_LIMIT_PER_ADDRESS", 30, minimum=1)
WRITE_LIMIT_PER_SESSION = envint("WRITE_LIMIT_PER_SESSION", 10, minimum=1)
WRITE_LIMIT_PER_USER = envint("WRITE_LIMIT_PER_USER", 60, minimum=1)
# Anonymous readers may read the KB, search and use the wizard unless this is on.
KB_REQUIRE_LOGIN = envbool("KB_REQUIRE_LOGIN", "False")
LOGIN_REDIRECT_URL = "kb:home"

# ---------------------------------------------------------------- security
# Production (DEBUG=0) is secure with no further variables. For a plain-http intranet, set
# SECURE_SSL_REDIRECT=0 and SECURE_HSTS_SECONDS=0 (and SECURE_COOKIES=0) explicitly.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(not DEBUG))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", "False") else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", str(not DEBUG))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# A replay permalink must not leak through Referer to another site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Django's admin sets a few inline styles; its scripts still come only from 'self'.
CONTENT_SECURITY_POLICY_ADMIN = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
# Oversized posts and uploads are refused with a 400 before a view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# ---------------------------------------------------------------- logging
# One JSON object per line, with the request id; the outbound HTTP libraries never log URLs or bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}, "redact": {"()": "core.logs.RedactingFilter"}},
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    # Every handler carries "redact": no query string and no secret in any record (core/logs.py).
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id", "redact"]},
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default handlers (a plain console in DEBUG, mail_admins, runserver's request lines with
        # their query strings) are replaced: these records go to the root's redacting handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
        "core.access": {"level": os.getenv("ACCESS_LOG_LEVEL", "INFO")},
        # httpx logs every request's full URL at INFO and httpcore logs headers at DEBUG: a replayed
        # command's PW could leak. replay.outbound also filters them; this keeps them quiet everywhere.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# Replays per user per minute (counted in the database, so every app process shares it).
REPLAY_RATE_LIMIT = envint("REPLAY_RATE_LIMIT", 30)

# ---------------------------------------------------------------- replay deadlines (docs/deploy.md)
# gunicorn kills a worker whose request outlives GUNICORN_TIMEOUT (gunicorn.conf.py reads it from here). A replay
# has one overall deadline, its site's timeout, which may be at most REPLAY_MAX_TIMEOUT: kept at least
# REPLAY_TIMEOUT_MARGIN seconds below the worker timeout, so a replay always ends as a record, never a killed worker.
GUNICORN_TIMEOUT = envint("GUNICORN_TIMEOUT", 30, minimum=1)
REPLAY_MAX_TIMEOUT = envint("REPLAY_MAX_TIMEOUT", 20, minimum=1)
REPLAY_TIMEOUT_MARGIN = 5
# gunicorn's threaded workers (gunicorn.conf.py): GUNICORN_THREADS threads per worker process, so a replay waiting
# on a slow site holds one thread, not a whole worker. Four, not more: a process's threads share one GIL, and under
# `make loadtest` on 2 cores 8 threads made the mixed load's p99 4-6x worse than 4 (SQLite write-lock waits grow
# while the lock holder waits for the GIL); 4 still leaves two replays in flight per process (docs/deploy.md).
GUNICORN_THREADS = envint("GUNICORN_THREADS", 4, minimum=1)
# Replays in flight (replay/slots.py): per user and for the whole site (counted in the database), and per process
# (at most GUNICORN_THREADS - 2, so every process keeps two threads for pages).
REPLAY_MAX_IN_FLIGHT = envint("REPLAY_MAX_IN_FLIGHT", 6, minimum=1)
REPLAY_MAX_IN_FLIGHT_PER_USER = envint("REPLAY_MAX_IN_FLIGHT_PER_USER", 2, minimum=1)
REPLAY_MAX_IN_FLIGHT_PER_PROCESS = max(1, GUNICORN_THREADS - 2)
if REPLAY_MAX_TIMEOUT > GUNICORN_TIMEOUT - REPLAY_TIMEOUT_MARGIN:
    raise ImproperlyConfigured(
        f"REPLAY_MAX_TIMEOUT={REPLAY_MAX_TIMEOUT} must be at least {REPLAY_TIMEOUT_MARGIN} seconds below "
        f"GUNICORN_TIMEOUT={GUNICORN_TIMEOUT} (the app server's worker timeout), so that every replay ends as a "
        "record: lower REPLAY_MAX_TIMEOUT or raise GUNICORN_TIMEOUT."
    )

# ---------------------------------------------------------------- search
# Search answers each process keeps for the current KB generation (kb/search/cache.py); 0 turns the cache off.
SEARCH_CACHE_SIZE = envint("SEARCH_CACHE_SIZE", 512, minimum=0)
# Search log rows each process writes together (kb/insights.py): 1 writes each row at once; a busy site on
# SQLite may use e.g. 50. Pending rows are written after SEARCH_LOG_MAX_DELAY seconds at the latest.
SEARCH_LOG_BATCH = envint("SEARCH_LOG_BATCH", 1, minimum=1)
SEARCH_LOG_MAX_DELAY = envint("SEARCH_LOG_MAX_DELAY", 10, minimum=0)
