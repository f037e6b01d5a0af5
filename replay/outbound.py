"""The one guarded way this project sends a request to another host (a replay to a WebEx site).

It knows nothing of WebEx: it sends what it is given and hands back the status, headers and body.

Every replay request goes through :func:`fetch` on a :class:`GuardedSession` (one cookie jar per replay):

* only ``http`` and ``https`` URLs;
* one overall deadline per session (the site's timeout, from the session's start): resolving the name,
  connecting, TLS, sending, the headers and the body all fit inside it. :class:`DeadlineStream` gives each
  socket operation only the time that is left, so a site that sends a byte at a time is still cut off, and a
  watchdog shuts the session's sockets down at the deadline in case an operation is stuck anyway;
* redirects are never followed, nor parsed: a redirect is the answer, and the caller reads ``Location`` as sent
  (even ``javascript:`` or ``mailto:``);
* the body is streamed and cut off at :data:`MAX_BODY_BYTES` (1 MiB), with ``truncated`` set;
* the address is checked at connect time: :class:`GuardedBackend` (an httpcore network backend) resolves the host
  itself, refuses the connection when any resolved address is loopback, private, link-local (169.254.169.254
  included), multicast, reserved, unspecified or otherwise not globally routable (also in IPv4-mapped,
  IPv4-compatible, 6to4, Teredo and NAT64 IPv6 forms), and then connects to the very address it checked, so a DNS
  answer cannot change between check and connect. TLS still verifies the certificate against the host name
  (httpcore passes the URL's host as ``server_hostname``) and the ``Host`` header stays the host name.
  A site with ``allow_private_network`` skips the address check (the sandbox on 127.0.0.1 needs it);
* it logs the target (scheme://host:port/path), the status and the duration, never the query string or a body,
  and silences httpx's and httpcore's own loggers below WARNING (their INFO line carries the full URL).

Secret-bearing values never appear in the exceptions raised here: :class:`OutboundError` messages are built
from the host, the port and fixed texts only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
import zlib
from urllib.parse import urlsplit

import httpcore
import httpx
from django.views.decorators.debug import sensitive_variables

# The logger keeps the name it had in troubleshooter/replay.py, which log filters and alerts may already use.
logger = logging.getLogger("replay")

MAX_BODY_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024
USER_AGENT = "webex-kb-replay/1.0"

# --- keep httpx/httpcore quiet --------------------------------------------------------------------------------

_URL_QUERY_RE = re.compile(r"(?P<base>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#\"'<>]*)\?[^\s\"'<>]*")


def strip_query_strings(text):
    """``https://h/p.php?AT=LI&PW=x`` -> ``https://h/p.php?…`` anywhere in a text."""
    return _URL_QUERY_RE.sub(r"\g<base>?…", text)


class QuietHttpLibrariesFilter(logging.Filter):
    """Attached to httpx's and httpcore's loggers: drops their records below WARNING (the INFO line holds the
    full URL, the DEBUG lines hold headers and cookies) and strips query strings from the rest."""

    def filter(self, record):
        if record.levelno < logging.WARNING:
            return False
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep nothing of it
            message = "(unformattable log message)"
        record.msg = strip_query_strings(message)
        record.args = ()
        return True


HTTP_LIBRARY_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def quiet_http_library_loggers():
    for name in HTTP_LIBRARY_LOGGERS:
        library_logger = logging.getLogger(name)
        if not any(isinstance(f, QuietHttpLibrariesFilter) for f in library_logger.filters):
            library_logger.addFilter(QuietHttpLibrariesFilter())
        if library_logger.level == logging.NOTSET or library_logger.level < logging.WARNING:
            library_logger.setLevel(logging.WARNING)


quiet_http_library_loggers()


# --- errors and results ---------------------------------------------------------------------------------------


class OutboundError(Exception):
    """The request could not be made. ``kind`` is "blocked", "timeout" or "error"; ``message`` is for people."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


class BlockedAddress(Exception):  # raised inside httpcore, turned into OutboundError("blocked")
    def __init__(self, host, address, why):
        super().__init__(f"{host} resolves to {address}, a {why} address")
        self.host = host
        self.address = address
        self.why = why


class UnresolvableHost(Exception):
    def __init__(self, host):
        super().__init__(f"The name {host} could not be resolved")
        self.host = host


@dataclasses.dataclass
class Fetched:
    status: int
    headers: httpx.Headers
    body: bytes
    truncated: bool
    duration_ms: int
    target: str

    @property
    def location(self):
        return self.headers.get("location")

    @property
    def content_type(self):
        return self.headers.get("content-type")


def default_port(scheme: str) -> int:
    return 443 if (scheme or "").lower() == "https" else 80


def url_origin(url) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL: the scheme and host in lower case, the scheme's default port when none is
    written. The one home of that rule: sites, pasted URLs, logs and the address check all ask it. Raises ValueError
    for a URL whose port cannot be read."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or default_port(scheme)


def log_target(url):
    """scheme://host:port/path of a URL, never its query string or fragment."""
    try:
        scheme, hostname, port = url_origin(url)
        host = f"[{hostname}]" if ":" in hostname else hostname
        return f"{scheme}://{host}:{port}{urlsplit(url).path or '/'}"
    except ValueError:
        return "(invalid URL)"


# --- the address check ---------------------------------------------------------------------------------------

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")


def _why_v4(ip: ipaddress.IPv4Address):
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private or ip in _SHARED:
        return "private"
    if not ip.is_global:
        return "non-public"
    return None


def refusal_reason(address):
    """Why an address may not be contacted (e.g. "loopback"), or None when it is a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unparsable"
    if isinstance(ip, ipaddress.IPv4Address):
        return _why_v4(ip)
    # IPv6, and the IPv4 addresses hidden inside it
    if ip.ipv4_mapped is not None:
        why = _why_v4(ip.ipv4_mapped)
        return f"IPv4-mapped {why}" if why else None
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    packed = int(ip)
    if packed >> 32 == 0:  # ::a.b.c.d, the deprecated IPv4-compatible form
        why = _why_v4(ipaddress.IPv4Address(packed & 0xFFFFFFFF))
        return f"IPv4-compatible {why}" if why else "IPv4-compatible"
    if ip in _NAT64:
        why = _why_v4(ipaddress.IPv4Address(packed & 0xFFFFFFFF))
        if why:
            return f"NAT64 {why}"
    if ip.sixtofour is not None:
        why = _why_v4(ip.sixtofour)
        if why:
            return f"6to4 {why}"
    if ip.teredo is not None:
        for embedded in ip.teredo:
            why = _why_v4(embedded)
            if why:
                return f"Teredo {why}"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_site_local:
        return "site-local"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "non-public"
    return None


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation gets at most the time left before its backend's deadline."""

    def __init__(self, inner, backend):
        self._inner = inner
        self._backend = backend
        backend.track(self)

    def _budget(self, timeout, timeout_error):
        left = self._backend.remaining()
        if left <= 0:
            raise timeout_error("deadline")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes, timeout=None):
        return self._inner.read(max_bytes, self._budget(timeout, httpcore.ReadTimeout))

    def write(self, buffer, timeout=None):
        for start in range(0, len(buffer), CHUNK_BYTES):
            self._inner.write(buffer[start : start + CHUNK_BYTES], self._budget(timeout, httpcore.WriteTimeout))

    def close(self):
        self._backend.forget(self)
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        budget = self._budget(timeout, httpcore.ConnectTimeout)
        self._backend.forget(self)
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, budget), self._backend)

    def get_extra_info(self, info):
        return self._inner.get_extra_info(info)

    def shut_down(self):
        """Wake any operation blocked on this stream's socket (the watchdog, at the deadline)."""
        sock = self._inner.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class GuardedBackend(httpcore.NetworkBackend):
    """An httpcore network backend that resolves the host itself, checks every address, and connects to the
    address it checked (never resolving the name a second time). Every stream it opens keeps to ``deadline``
    (a :func:`time.monotonic` time, or None for none)."""

    def __init__(self, allow_private_network=False, deadline=None):
        self.allow_private_network = allow_private_network
        self.deadline = deadline
        self.expired = False
        self._inner = httpcore.SyncBackend()
        self._streams = set()
        self._lock = threading.Lock()

    def remaining(self):
        if self.expired:
            return 0.0
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def track(self, stream):
        with self._lock:
            self._streams.add(stream)

    def forget(self, stream):
        with self._lock:
            self._streams.discard(stream)

    def expire(self):
        """The deadline has passed: shut down every open socket, so nothing blocked on one waits any longer."""
        self.expired = True
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.shut_down()

    def _budget(self, timeout):
        left = self.remaining()
        if left <= 0:
            raise httpcore.ConnectTimeout("deadline")
        return left if timeout is None else min(timeout, left)

    def resolve(self, host, port, timeout=None):
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
            numeric = True
        except ValueError:
            numeric = False
        if numeric or timeout is None or timeout == float("inf"):
            return self._resolve(host, port)
        # getaddrinfo has no timeout of its own: wait for it in a helper thread, at most until the deadline.
        answer = {}

        def lookup():
            try:
                answer["addresses"] = self._resolve(host, port)
            except UnresolvableHost as exc:
                answer["error"] = exc

        helper = threading.Thread(target=lookup, name="replay-dns", daemon=True)
        helper.start()
        helper.join(timeout)
        if helper.is_alive():
            raise httpcore.ConnectTimeout("name resolution")
        if "error" in answer:
            raise answer["error"]
        return answer["addresses"]

    def _resolve(self, host, port):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError):
            raise UnresolvableHost(host) from None
        addresses = []
        for _family, _type, _proto, _canon, sockaddr in infos:
            if sockaddr[0] not in addresses:
                addresses.append(sockaddr[0])
        if not addresses:
            raise UnresolvableHost(host)
        return addresses

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = self.resolve(host, port, self._budget(timeout))
        if not self.allow_private_network:
            for address in addresses:
                why = refusal_reason(address)
                if why:
                    raise BlockedAddress(host, address, why)
        last_error = None
        for address in addresses:
            try:
                # A numeric address: SyncBackend's create_connection does no DNS lookup for it.
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=self._budget(timeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectTimeout:
                raise
            except httpcore.ConnectError as exc:
                last_error = exc
                continue
            return DeadlineStream(stream, self)
        raise last_error

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise BlockedAddress(path, path, "unix socket")

    def sleep(self, seconds):
        time.sleep(seconds)


@functools.lru_cache(maxsize=1)
def verified_ssl_context():
    """One certificate-verifying TLS context per process (building one costs tens of milliseconds)."""
    return httpx.create_ssl_context(verify=True, trust_env=False)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the connection pool's network backend replaced by :class:`GuardedBackend`,
    no proxies from the environment, no retries. (httpx 0.28's HTTPTransport sends through ``self._pool``;
    its own ``__init__`` is not called because it would only build a pool this class replaces.)"""

    def __init__(self, *, allow_private_network=False, deadline=None):
        self.backend = GuardedBackend(allow_private_network=allow_private_network, deadline=deadline)
        self._pool = httpcore.ConnectionPool(
            ssl_context=verified_ssl_context(),
            max_connections=4,
            max_keepalive_connections=2,
            keepalive_expiry=5.0,
            http1=True,
            http2=False,
            retries=0,
            network_backend=self.backend,
        )


# --- the session and the one fetch function ------------------------------------------------------------------


class GuardedSession:
    """One replay: one cookie jar, the site's network policy, and one deadline, ``timeout_seconds`` from now, for
    every request made in the session together. Use as a context manager."""

    def __init__(self, *, timeout_seconds, allow_private_network=False):
        self.timeout_seconds = float(timeout_seconds)
        self.deadline = time.monotonic() + self.timeout_seconds
        self.transport = GuardedTransport(allow_private_network=allow_private_network, deadline=self.deadline)
        self.client = httpx.Client(
            transport=self.transport,
            timeout=httpx.Timeout(self.timeout_seconds),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        )
        # The watchdog: at the deadline, every socket of the session is shut down, whatever it is doing.
        self._watchdog = threading.Timer(self.timeout_seconds, self.transport.backend.expire)
        self._watchdog.daemon = True
        self._watchdog.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._watchdog.cancel()
        self.client.close()

    @property
    def expired(self):
        return self.transport.backend.remaining() <= 0

    @sensitive_variables()
    def fetch(self, method, url, *, data=None, content=None, headers=None):
        return fetch(self, method, url, data=data, content=content, headers=headers)


def check_url(url):
    """Raise OutboundError unless ``url`` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundError("error", "The URL is not valid (bad host or port).") from None
    if parts.scheme not in ("http", "https"):
        raise OutboundError("error", "Only http and https URLs can be replayed.")
    if not parts.hostname:
        raise OutboundError("error", "The URL has no host.")
    if port == 0:
        raise OutboundError("error", "The URL's port is not valid.")


def _decoder(encoding):
    encoding = (encoding or "").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(wbits=31)
    if encoding == "deflate":
        return zlib.decompressobj(wbits=47)
    return None


def _read_capped(response, deadline, cap):
    """Read at most ``cap`` bytes of the (decoded) body; stop at the deadline. Returns (body, truncated)."""
    decoder = _decoder(response.headers.get("content-encoding"))
    parts, size = [], 0
    for raw in response.iter_raw(CHUNK_BYTES):
        if decoder is not None:
            try:
                chunk = decoder.decompress(raw, cap - size + 1)
            except zlib.error:
                decoder, chunk = None, raw
        else:
            chunk = raw
        if size + len(chunk) > cap:
            parts.append(chunk[: cap - size])
            return b"".join(parts), True
        parts.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("deadline")
    return b"".join(parts), False


def _ssl_reason(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLError):
            return getattr(exc, "reason", None) or exc.__class__.__name__
        exc = exc.__cause__ or exc.__context__
    return None


def _find(exc, kind):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, kind):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


@sensitive_variables()
def fetch(session: GuardedSession, method, url, *, data=None, content=None, headers=None) -> Fetched:
    """Send one request through the guard and read the answer. Raises :class:`OutboundError`, never anything
    carrying the URL's query string or the request body."""
    check_url(url)
    target = log_target(url)
    method = method.upper()
    if method not in ("GET", "POST"):
        raise OutboundError("error", "Only GET and POST can be replayed.")
    _scheme, host, port = url_origin(url)
    where = f"{host}:{port}"
    started = time.monotonic()
    deadline = session.deadline
    try:
        if session.expired:
            raise httpx.ConnectTimeout("deadline")
        request = session.client.build_request(method, url, data=data, content=content, headers=headers)
        # Straight through the transport: httpx's client would build the redirect's next request, and fail on a
        # Location it cannot parse (javascript:, mailto:), losing the answer. Cookies are kept by hand.
        response = session.transport.handle_request(request)
        response.request = request
        session.client.cookies.extract_cookies(response)
        try:
            body, truncated = _read_capped(response, deadline, MAX_BODY_BYTES)
        finally:
            response.close()
    except (BlockedAddress, UnresolvableHost, httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        duration_ms = int((time.monotonic() - started) * 1000)
        error = _outbound_error(exc, where, session.timeout_seconds, expired=session.expired)
        logger.info("replay %s %s failed (%s) after %d ms", method, target, error.kind, duration_ms)
        raise error from None
    duration_ms = int((time.monotonic() - started) * 1000)
    logger.info("replay %s %s -> %s in %d ms", method, target, response.status_code, duration_ms)
    return Fetched(response.status_code, response.headers, body, truncated, duration_ms, target)


def _outbound_error(exc, where, timeout_seconds, *, expired=False):
    blocked = _find(exc, BlockedAddress)
    if blocked is not None:
        article = "an" if blocked.why[:1].lower() in "aeiou" else "a"
        if blocked.host == blocked.address:
            what = f"{blocked.address} is {article} {blocked.why} address"
        else:
            what = f"{blocked.host} resolves to {blocked.address}, {article} {blocked.why} address"
        return OutboundError(
            "blocked",
            f"Refused: {what}. Replays may only reach public addresses unless the site allows the private network.",
        )
    if _find(exc, UnresolvableHost) is not None:
        return OutboundError("error", f"The host name of {where} could not be resolved (DNS).")
    if isinstance(exc, httpx.InvalidURL | UnicodeError) or type(exc) is ValueError:
        return OutboundError("error", "The URL is not valid.")
    if isinstance(exc, httpx.TimeoutException) or expired:
        # Past the deadline, whatever broke (the watchdog shut the socket down) is the timeout.
        return OutboundError("timeout", f"{where} did not answer within {timeout_seconds:g} seconds.")
    reason = _ssl_reason(exc)
    if reason:
        return OutboundError("error", f"TLS error talking to {where}: {reason}.")
    if _find(exc, ConnectionRefusedError) is not None or (
        isinstance(exc, httpx.ConnectError) and "refused" in str(exc).lower()
    ):
        return OutboundError("error", f"Connection refused by {where}: nothing is listening there.")
    if isinstance(exc, httpx.ConnectError):
        return OutboundError("error", f"Could not connect to {where}.")
    if isinstance(exc, httpx.RemoteProtocolError):
        return OutboundError("error", f"{where} did not answer with valid HTTP.")
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return OutboundError("error", f"The connection to {where} broke off.")
    return OutboundError("error", f"The request to {where} failed ({exc.__class__.__name__}).")
