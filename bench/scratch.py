"""Scratch databases, child processes and production-like servers, shared by `make bench` (bench/search.py),
`make eval` (bench/eval.py), `make loadtest` (bench/loadtest.py), `make screenshots` (bench/screenshots.py) and the
server tests (the root conftest.py's ``gunicorn`` and ``scratch_env``).

Each benchmark measures every database it is given in a child process of its own (Django is set up once per
process): SQLite always, in a temporary file; PostgreSQL too when DATABASE_URL points at one, in a database
``<prefix>_<pid>`` on that server, created and dropped here. The child writes its findings as JSON to a file named on
its command line.

A server is started the one way production starts it: ``server_env()`` is its environment (DEBUG off, plain http on
loopback) and ``start_gunicorn()`` runs gunicorn with config.wsgi and gunicorn.conf.py on a free loopback port.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    return os.getenv("DATABASE_URL", "").strip()


def chosen_backends(option: str) -> list[str]:
    """``auto``: SQLite, and PostgreSQL when DATABASE_URL points at one; otherwise the comma-separated names."""
    if option != "auto":
        return [b for b in option.split(",") if b]
    return ["sqlite"] + (["postgresql"] if database_url().startswith(("postgres", "pgsql")) else [])


def child_env(settings_module: str, **extra: str) -> dict:
    """The parent's environment without its database, for a child that is given a scratch one."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING", **extra)
    return env


def pg_admin_url(url, dbname):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, "", ""))


@contextlib.contextmanager
def scratch_postgres(url, prefix="bench_search"):
    """A PostgreSQL database <prefix>_<pid> on the server of ``url``, dropped afterwards; yields its URL."""
    import psycopg

    name = f"{prefix}_{os.getpid()}"
    admin = pg_admin_url(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_admin_url(url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_sqlite():
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        yield str(Path(tmp) / "bench.sqlite3")


def each_scratch_database(backends, prefix) -> Iterator[tuple[str, dict]]:
    """For each backend, ``(backend, environment overrides)`` pointing at a fresh scratch database, which is dropped
    once the loop moves on. PostgreSQL without DATABASE_URL is skipped, with a note."""
    for backend in backends:
        if backend == "sqlite":
            with scratch_sqlite() as path:
                yield backend, {"SQLITE_PATH": path}
        elif not database_url():
            print(f"  {backend} skipped: DATABASE_URL is not set", file=sys.stderr)
        else:
            with scratch_postgres(database_url(), prefix=prefix) as url:
                yield backend, {"DATABASE_URL": url}


def run_child(script: Path, args: list[str], env: dict) -> dict:
    """Runs ``script --child-out <file> args…`` and returns the JSON the child wrote to that file."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        child_out = fh.name
    try:
        subprocess.run([sys.executable, str(script), "--child-out", child_out, *args], cwd=ROOT, env=env, check=True)
        return json.loads(Path(child_out).read_text())
    finally:
        with contextlib.suppress(OSError):
            os.unlink(child_out)


def server_version(connection) -> str:
    """The database server's version, inside a child (PostgreSQL's ``server_version``, or SQLite's library)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            return cur.fetchone()[0]
    import sqlite3

    return sqlite3.sqlite_version


# ------------------------------------------------------------------------------------------------ servers


class ServerDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (a server started right after takes it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(
    database: Mapping[str, str] | None = None,
    *,
    base: Mapping[str, str] | None = None,
    static_root: str | os.PathLike | None = None,
    allowed_hosts: str = "127.0.0.1",
    settings_module: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment of a production-like server process on loopback (and of the management commands that prepare
    its database): DEBUG off with a random SECRET_KEY, ``allowed_hosts``, plain http (no TLS redirect, no HSTS,
    cookies without the Secure flag), the app's log and access log at WARNING.

    It starts from ``base`` (this process's environment by default). ``database`` (``{"SQLITE_PATH": …}`` or
    ``{"DATABASE_URL": …}``) replaces the database of ``base``; None keeps it. ``static_root`` is where collectstatic
    writes and the server reads (DEBUG off serves the hashed manifest). ``settings_module`` sets
    DJANGO_SETTINGS_MODULE. The ``extra`` variables go last and win."""
    env = dict(os.environ if base is None else base)
    if database is not None:
        env.pop("DATABASE_URL", None)
        env.pop("SQLITE_PATH", None)
        env.update(database)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=allowed_hosts,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SECURE_COOKIES="0",
        LOG_LEVEL="WARNING",
        ACCESS_LOG_LEVEL="WARNING",
    )
    if static_root is not None:
        env["STATIC_ROOT"] = str(static_root)
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    env.update(extra)
    return env


def _healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        finally:
            conn.close()
    except OSError:
        return False


@contextlib.contextmanager
def start_gunicorn(
    env: Mapping[str, str],
    *,
    workers: int | None = None,
    threads: int | None = None,
    port: int | None = None,
    output=None,
    seconds: float = 30.0,
) -> Iterator[str]:
    """``with start_gunicorn(env) as base_url:`` runs gunicorn (config.wsgi, gunicorn.conf.py) with ``env`` on
    127.0.0.1:``port`` (a free port by default) in a process group of its own, yields ``http://127.0.0.1:<port>`` once
    /healthz answers 200, and stops the group on exit (SIGTERM; SIGKILL after 30 seconds).

    ``workers`` and ``threads`` default to gunicorn.conf.py's (WEB_CONCURRENCY, GUNICORN_THREADS in ``env``).
    ``output`` takes the server's standard output and error (a file, subprocess.DEVNULL); None leaves them this
    process's. Raises ServerDidNotStart when the server exits or does not answer within ``seconds``."""
    port = port or free_port()
    args = [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", str(ROOT / "gunicorn.conf.py")]
    args += ["--bind", f"127.0.0.1:{port}"]
    if workers is not None:
        args += ["--workers", str(workers)]
    if threads is not None:
        args += ["--threads", str(threads)]
    process = subprocess.Popen(args, cwd=ROOT, env=dict(env), start_new_session=True, stdout=output, stderr=output)
    try:
        _wait_healthy(process, port, seconds, "gunicorn")
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop_group(process, signal.SIGTERM, 30)


def _wait_healthy(process, port: int, seconds: float, name: str) -> None:
    """Until /healthz answers 200 on ``port``; ServerDidNotStart when ``process`` exits or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while not _healthy(port):
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise ServerDidNotStart(
                f"{name} on port {port} exited with status {process.returncode}{': ' + err if err else ''}"
            )
        if time.monotonic() > deadline:
            raise ServerDidNotStart(f"{name} on port {port} did not answer /healthz within {seconds:g} s")
        time.sleep(0.1)


def _stop_group(process, sig, timeout: float) -> None:
    """``sig`` to the process group of ``process``; SIGKILL when it has not ended within ``timeout`` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# ------------------------------------------------------------------------------------------------ the front

NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str | None:
    """Debian's nginx (apt-get install nginx-light), or None."""
    for path in ("/usr/sbin/nginx", shutil.which("nginx")):
        if path and os.access(path, os.X_OK):
            return path
    return None


def nginx_config(
    prefix: str | os.PathLike,
    *,
    listen: str,
    upstreams: list[str],
    static_root: str | os.PathLike,
    worker_processes: int | str = "auto",
    access_log: str = "off",
) -> str:
    """deploy/nginx.conf with its fields filled: nginx on ``listen`` in front of the gunicorn servers ``upstreams``
    (``host:port``), serving ``static_root`` at /static/, its pid, logs and buffers under ``prefix``."""
    fields = {
        "PREFIX": str(prefix),
        "LISTEN": listen,
        "UPSTREAM_SERVERS": "\n".join(f"        server {u} max_fails=0;" for u in upstreams),
        "STATIC_ROOT": str(static_root),
        "WORKER_PROCESSES": str(worker_processes),
        "ACCESS_LOG": access_log,
        # As root, nginx's workers would switch to www-data, which cannot read a temporary prefix: keep root's.
        "USER_LINE": "user root;" if hasattr(os, "geteuid") and os.geteuid() == 0 else "",
    }
    text = NGINX_TEMPLATE.read_text()
    for name, value in fields.items():
        text = text.replace("${" + name + "}", value)
    return text


@contextlib.contextmanager
def start_nginx(
    upstreams: list[str],
    static_root: str | os.PathLike,
    *,
    port: int | None = None,
    worker_processes: int | str = 1,
    seconds: float = 15.0,
) -> Iterator[str]:
    """``with start_nginx(["127.0.0.1:8001"], static_root) as base_url:`` runs Debian's nginx with deploy/nginx.conf
    on 127.0.0.1:``port`` in front of the gunicorn servers ``upstreams``, yields its base URL once /healthz answers
    through it, and stops it on exit. Raises ServerDidNotStart when nginx is missing or does not answer."""
    binary = nginx_binary()
    if binary is None:
        raise ServerDidNotStart("nginx is not installed (apt-get install -y nginx-light)")
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="kb-front-") as prefix:
        conf = Path(prefix) / "nginx.conf"
        conf.write_text(
            nginx_config(
                prefix,
                listen=f"127.0.0.1:{port}",
                upstreams=upstreams,
                static_root=Path(static_root).resolve(),
                worker_processes=worker_processes,
            )
        )
        args = [binary, "-p", prefix, "-c", str(conf), "-e", str(Path(prefix) / "error.log"), "-g", "daemon off;"]
        process = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_healthy(process, port, seconds, "nginx")
            yield f"http://127.0.0.1:{port}"
        finally:
            _stop_group(process, signal.SIGQUIT, 15)  # graceful: finish the requests in flight


def worker_rss_mb(port: int) -> list[float]:
    """The resident memory (MB) of each worker of the gunicorn server started on ``port`` (Linux /proc): the
    processes started with ``--bind 127.0.0.1:<port>`` whose parent was started the same way."""
    bind = f"127.0.0.1:{port}".encode()
    procs = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            status = (proc / "status").read_text()
        except OSError:
            continue
        if b"gunicorn" in b" ".join(cmdline) and bind in cmdline:
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            procs[proc.name] = (fields.get("PPid", "").strip(), int(fields.get("VmRSS", "0 kB").split()[0]))
    return sorted(round(rss / 1024, 1) for ppid, rss in procs.values() if ppid in procs)
