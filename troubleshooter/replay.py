"""The one guarded way this project talks to a WebEx site.

Every replay request goes through :func:`fetch` on a :class:`GuardedSession` (one cookie jar per replay):

* only ``http`` and ``https`` URLs;
* connect, read and write timeouts from the site, and an overall deadline while the body streams in;
* redirects are never followed: a redirect is the answer, and the caller reads ``Location``;
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

import dataclasses
import functools
import ipaddress
import logging
import re
import shlex
import socket
import ssl
import time
import zlib
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpcore
import httpx
from django.views.decorators.debug import sensitive_variables

logger = logging.getLogger("troubleshooter.replay")

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


class BlockedAddress(Exception):  # noqa: N818 - raised inside httpcore, turned into OutboundError("blocked")
    def __init__(self, host, address, why):
        super().__init__(f"{host} resolves to {address}, a {why} address")
        self.host = host
        self.address = address
        self.why = why


class UnresolvableHost(Exception):  # noqa: N818
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


def log_target(url):
    """scheme://host:port/path of a URL, never its query string or fragment."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return f"{parts.scheme}://{parts.hostname}:{port}{parts.path or '/'}"
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


class GuardedBackend(httpcore.NetworkBackend):
    """An httpcore network backend that resolves the host itself, checks every address, and connects to the
    address it checked (never resolving the name a second time)."""

    def __init__(self, allow_private_network=False):
        self.allow_private_network = allow_private_network
        self._inner = httpcore.SyncBackend()

    def resolve(self, host, port):
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
        addresses = self.resolve(host, port)
        if not self.allow_private_network:
            for address in addresses:
                why = refusal_reason(address)
                if why:
                    raise BlockedAddress(host, address, why)
        last_error = None
        for address in addresses:
            try:
                # A numeric address: SyncBackend's create_connection does no DNS lookup for it.
                return self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectTimeout:
                raise
            except httpcore.ConnectError as exc:
                last_error = exc
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

    def __init__(self, *, allow_private_network=False):
        self.backend = GuardedBackend(allow_private_network=allow_private_network)
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
    """One replay: one cookie jar, the site's timeout, the site's network policy. Use as a context manager."""

    def __init__(self, *, timeout_seconds, allow_private_network=False):
        self.timeout_seconds = float(timeout_seconds)
        self.client = httpx.Client(
            transport=GuardedTransport(allow_private_network=allow_private_network),
            timeout=httpx.Timeout(self.timeout_seconds),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.client.close()

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
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    started = time.monotonic()
    deadline = started + session.timeout_seconds
    try:
        request = session.client.build_request(method, url, data=data, content=content, headers=headers)
        response = session.client.send(request, stream=True)
        try:
            body, truncated = _read_capped(response, deadline, MAX_BODY_BYTES)
        finally:
            response.close()
    except (BlockedAddress, UnresolvableHost, httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        duration_ms = int((time.monotonic() - started) * 1000)
        error = _outbound_error(exc, where, session.timeout_seconds)
        logger.info("replay %s %s failed (%s) after %d ms", method, target, error.kind, duration_ms)
        raise error from None
    duration_ms = int((time.monotonic() - started) * 1000)
    logger.info("replay %s %s -> %s in %d ms", method, target, response.status_code, duration_ms)
    return Fetched(response.status_code, response.headers, body, truncated, duration_ms, target)


def _outbound_error(exc, where, timeout_seconds):
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
    if isinstance(exc, httpx.TimeoutException):
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


# ==============================================================================================================
# Replays: plan a command from what a person typed, send it through the guard, read and diagnose the answer,
# and keep a redacted record.
# ==============================================================================================================

SERVICE_FILE_RE = re.compile(r"^[a-z]\.php$", re.IGNORECASE)
MAX_PARAMS = 200
MAX_XML_CHARS = 100_000
MIN_SCRUB_LENGTH = 4
XML_SECRET_ELEMENTS = ("password", "sessionTicket", "webExAccessToken", "clientSecret")
PLACEHOLDERS = {
    "PW": "$WEBEX_PW",
    "NPW": "$WEBEX_NPW",
    "TK": "$WEBEX_TK",
    "MPW": "$WEBEX_MPW",
    "password": "$WEBEX_PW",
    "sessionTicket": "$WEBEX_SESSION_TICKET",
    "webExAccessToken": "$WEBEX_ACCESS_TOKEN",
    "clientSecret": "$WEBEX_CLIENT_SECRET",
}


class ReplayInputError(Exception):
    """What a person typed cannot be replayed. ``outcome`` is "blocked" (refused on purpose) or "error"."""

    def __init__(self, message, outcome="error"):
        super().__init__(message)
        self.message = message
        self.outcome = outcome


def is_secret_name(name):
    from kb.redaction import SECRET_PARAMS

    return (name or "").strip().upper() in SECRET_PARAMS


@dataclasses.dataclass
class ReplayPlan:
    """Everything needed to send one replay. Holds secrets: never store, log or render it as a whole."""

    site: object
    api: str = "url"  # "url" or "xml"
    method: str = "POST"
    service: str = ""
    params: list = dataclasses.field(default_factory=list)  # [(name, value)], secrets included
    xml: str = ""
    command: str = ""
    login_first: bool = False
    login_wid: str = ""
    login_password: str = dataclasses.field(default="", repr=False)

    def __repr__(self):  # never show parameter values (a debug page or a log line could)
        return f"<ReplayPlan {self.command or '?'} on {getattr(self.site, 'slug', '?')}>"

    @property
    def url(self):
        if self.api == "xml":
            return self.site.xml_api_url
        return self.site.service_url(self.service)

    def scrub_values(self):
        """Known secrets to scrub from answers and texts. Very short ones are left to the pattern redaction
        (PW=…, <password>…): replacing every "x" in a page would mangle it without protecting anything."""
        return [v for v in self.secret_values() if len(v) >= MIN_SCRUB_LENGTH]

    def secret_values(self):
        values = [v for k, v in self.params if is_secret_name(k) and v]
        if self.login_password:
            values.append(self.login_password)
        for name in XML_SECRET_ELEMENTS:
            for match in _xml_element_re(name).finditer(self.xml or ""):
                value = match.group("value")
                if value and value.strip():
                    values.append(value.strip())
        return [v for v in values if v and v != _mask()]

    def redacted_params(self):
        from kb.redaction import MASK, redact_text

        secrets = self.scrub_values()
        return [[k, MASK if is_secret_name(k) else redact_text(v, secrets)] for k, v in self.params]

    def redacted_xml(self):
        from kb.redaction import redact_text

        return redact_text(self.xml, self.scrub_values()) if self.xml else ""


def _mask():
    from kb.redaction import MASK

    return MASK


def _xml_element_re(name):
    return re.compile(
        rf"(?P<open><(?:[A-Za-z_][\w.-]{{0,40}}:)?{name}(?:\s[^<>]{{0,200}})?>)(?P<value>[^<]*)(?P<close></(?:[A-Za-z_][\w.-]{{0,40}}:)?{name}\s*>)",
        re.IGNORECASE,
    )


@sensitive_variables()
def _service_and_query(site, text):
    """(service file, raw query) of a pasted command; the host must be the site's."""
    text = text.strip()
    if text.startswith("<"):
        raise ReplayInputError("This looks like an XML request: choose “XML API request” instead.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ReplayInputError("The URL is not valid (check the host and the port).") from None
    if "://" in text.split("?", 1)[0]:
        if parts.scheme.lower() not in ("http", "https"):
            raise ReplayInputError("Only http and https URLs can be replayed.")
        if not parts.hostname:
            raise ReplayInputError("The URL has no host.")
        pasted_port = port or (443 if parts.scheme.lower() == "https" else 80)
        _scheme, site_host, site_port = site.origin
        if parts.hostname.lower() != site_host or pasted_port != site_port:
            raise ReplayInputError(
                f"The URL is for {parts.hostname}{'' if port is None else f':{port}'}, not for the site "
                f"“{site.name}” ({site.host}). It was not sent: replays only go to the chosen site.",
                outcome="blocked",
            )
    elif text.startswith("//"):
        raise ReplayInputError("The URL has no scheme: start it with https://, or paste just p.php?AT=….")
    path, query = parts.path, parts.query
    if not query and "?" not in text:
        raise ReplayInputError("The command has no parameters: paste it as p.php?AT=LI&WID=… or a full URL.")
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if last.lower() == "xmlservice":
        raise ReplayInputError("This is the XML API address: choose “XML API request” and paste the XML.")
    if not SERVICE_FILE_RE.match(last):
        raise ReplayInputError(
            "The command does not name a URL API service file: it should look like p.php?AT=LI&… "
            "(p.php, m.php, o.php or c.php)."
        )
    return last.lower(), query


@sensitive_variables()
def _parse_query(query):
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_PARAMS)
    except ValueError:
        raise ReplayInputError(f"The command has too many parameters (at most {MAX_PARAMS}).") from None
    return [(k.strip(), v) for k, v in pairs if k.strip()]


@sensitive_variables()
def _apply_secrets(params, secrets):
    """Put the secrets typed in password fields into their parameters; refuse a masked one left unfilled."""
    mask = _mask()
    secrets = {k.upper(): v for k, v in (secrets or {}).items() if v}
    result, seen = [], set()
    for name, value in params:
        upper = name.upper()
        if upper in secrets:
            value = secrets[upper]
            seen.add(upper)
        elif is_secret_name(name) and mask in value:
            raise ReplayInputError(f"{name} is hidden (•••) in the pasted command: type it in the {upper} field.")
        result.append((name, value))
    for upper, value in secrets.items():
        if upper not in seen:
            result.append((upper, value))
    return result


def _at_of(params):
    for name, value in params:
        if name.upper() == "AT":
            return value.strip().upper()
    return ""


@sensitive_variables()
def _url_plan(site, service, at, params, method, login_first, login_wid, login_password):
    return ReplayPlan(
        site=site,
        api="url",
        method=method,
        service=service,
        params=params,
        command=f"{service}?AT={at}",
        login_first=login_first,
        login_wid=login_wid,
        login_password=login_password,
    )


@sensitive_variables()
def plan_from_paste(site, text, *, method="POST", secrets=None, login_first=False, login_wid="", login_password=""):
    service, query = _service_and_query(site, text or "")
    params = _apply_secrets(_parse_query(query), secrets)
    at = _at_of(params)
    if not at:
        raise ReplayInputError("The command has no AT parameter (for example AT=LI).")
    return _url_plan(site, service, at, params, method, login_first, login_wid, login_password)


@sensitive_variables()
def plan_from_build(
    site, command_key, params_text, *, method="POST", secrets=None, login_first=False, login_wid="", login_password=""
):
    try:
        from kb.models import Command

        service, at = Command.split_key(command_key)
    except ValueError as exc:
        raise ReplayInputError(str(exc)) from None
    params = [("AT", at)]
    for number, line in enumerate((params_text or "").replace("&", "\n").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ReplayInputError(f"Parameter line {number} is not NAME=value.")
        if name.strip().upper() == "AT":
            continue
        params.append((name.strip(), value.strip()))
    if len(params) > MAX_PARAMS:
        raise ReplayInputError(f"Too many parameters (at most {MAX_PARAMS}).")
    params = _apply_secrets(params, secrets)
    return _url_plan(site, service, at, params, method, login_first, login_wid, login_password)


@sensitive_variables()
def _put_xml_secret(xml, name, value):
    from xml.sax.saxutils import escape

    pattern = _xml_element_re(name)
    empty = re.compile(rf"<(?P<tag>(?:[A-Za-z_][\w.-]{{0,40}}:)?{name})\s*/>", re.IGNORECASE)
    if pattern.search(xml):
        return pattern.sub(lambda m: m.group("open") + escape(value) + m.group("close"), xml, count=1)
    if empty.search(xml):
        return empty.sub(lambda m: f"<{m.group('tag')}>{escape(value)}</{m.group('tag')}>", xml, count=1)
    raise ReplayInputError(f"The XML has no <{name}> element to put the {name} in.")


@sensitive_variables()
def plan_from_xml(site, xml, *, password="", session_ticket=""):
    from kb.webex import detect

    xml = (xml or "").strip().lstrip("\ufeff")
    if not xml:
        raise ReplayInputError("Paste the XML request.")
    if len(xml) > MAX_XML_CHARS:
        raise ReplayInputError(f"The XML request is too long (at most {MAX_XML_CHARS} characters).")
    if not xml.startswith("<"):
        raise ReplayInputError("The XML request must start with < (for example <?xml …> or <serv:message …>).")
    if password:
        xml = _put_xml_secret(xml, "password", password)
    if session_ticket:
        xml = _put_xml_secret(xml, "sessionTicket", session_ticket)
    for name in XML_SECRET_ELEMENTS:
        for match in _xml_element_re(name).finditer(xml):
            if _mask() in match.group("value"):
                raise ReplayInputError(f"<{name}> is hidden (•••) in the pasted XML: type it in its field.")
    detection = detect(xml)
    command = detection.command if detection is not None and detection.command else "XMLService"
    return ReplayPlan(site=site, api="xml", method="POST", service="XMLService", xml=xml, command=command)


# --- diagnosis ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Diagnosis:
    outcome: str
    entry: object = None
    cause: object = None
    message: str = ""


def diagnose(answer, *, api, command):
    """Map an answer to an outcome, and its RS or exceptionID to the KB entry and cause that fit."""
    from kb.models import Entry

    if answer.succeeded:
        return Diagnosis("success", message="The site answered SUCCESS.")
    if answer.failed:
        code = (answer.code or "").replace("\x00", "\ufffd")  # PostgreSQL refuses NUL in a query
        if not code:
            return Diagnosis("fail", message="The site answered FAIL without a reason code.")
        entry, _how = Entry.objects.resolve(code)
        if entry is None:
            return Diagnosis("fail", message=f"The code {code} is not in the knowledge base yet.")
        entry = Entry.objects.with_cause_links().get(pk=entry.pk)
        return Diagnosis("fail", entry, entry.cause_for(answer.api or api, command))
    if answer.form == "empty":
        return Diagnosis("unrecognized", message="The site answered with an empty body.")
    if answer.form == "http-redirect":
        return Diagnosis(
            "unrecognized",
            message="The site answered with a redirect that carries no WebEx result (no ST). It was not followed.",
        )
    if answer.recognised:
        return Diagnosis("unrecognized", message="The answer carries no result (no ST and no serv:result).")
    return Diagnosis("unrecognized", message="This does not look like a WebEx answer.")


# --- running a replay --------------------------------------------------------------------------------------


def _new_record(plan_or_site, *, user, actor):
    from troubleshooter.models_replay import ReplayRecord

    site = getattr(plan_or_site, "site", plan_or_site)
    return ReplayRecord(
        user=user if getattr(user, "is_authenticated", False) else None,
        actor=(actor or getattr(user, "get_username", lambda: "")() or "unknown")[:150],
        site=site,
        site_label=(site.name if site is not None else "")[:120],
    )


def record_refusal(site, error: ReplayInputError, *, user=None, actor="", command="", api="url", method="POST"):
    """Save the record of a replay refused before anything was sent (bad URL, another host…)."""
    from django.db import transaction

    record = _new_record(site, user=user, actor=actor)
    record.api = api
    record.method = method
    record.command = command[:120]
    record.outcome = error.outcome
    record.message = error.message
    with transaction.atomic():
        record.save()
    logger.info("replay refused before sending (%s) on site %s", error.outcome, getattr(site, "slug", "?"))
    return record


def _read(fetched, secrets):
    from kb.webex import read_answer

    return read_answer(
        fetched.body,
        status=fetched.status,
        location=fetched.location,
        content_type=fetched.content_type,
        secrets=secrets,
    )


def _fill_from_answer(record, fetched, answer, diagnosis, secrets):
    from kb.redaction import redact_text

    record.http_status = fetched.status
    record.truncated = fetched.truncated
    record.answer_form = answer.form[:30]
    record.st = (answer.st or answer.result or "")[:20]
    record.rs = (answer.rs or "")[:80]
    record.exception_id = (answer.exception_id or "")[:20]
    record.reason = redact_text(answer.reason or "", secrets)[:300]
    if fetched.location:
        record.location = redact_text(fetched.location, secrets)[:2000]
    record.response_preview = redact_text(answer.preview or "", secrets)[:1000]
    record.outcome = diagnosis.outcome
    record.entry = diagnosis.entry
    record.cause = diagnosis.cause
    messages = [diagnosis.message] if diagnosis.message else []
    if fetched.truncated:
        messages.append(f"The answer was longer than {MAX_BODY_BYTES // 1024} KiB and was cut off there.")
    if fetched.location and diagnosis.outcome in ("success", "fail"):
        messages.append("The site answered with a redirect; it was read, not followed.")
    record.message = " ".join(messages)


@sensitive_variables()
def run_replay(plan: ReplayPlan, *, user=None, actor=""):  # noqa: C901 - one linear story
    """Send the plan through the guard, read and diagnose the answer, save and return the record."""
    from django.db import transaction

    record = _new_record(plan, user=user, actor=actor)
    record.api = plan.api
    record.method = plan.method
    record.command = plan.command[:120]
    record.parameters = plan.redacted_params()
    record.request_xml = plan.redacted_xml()
    record.login_first = plan.login_first
    record.login_wid = plan.login_wid[:120] if plan.login_first else ""
    record.target = log_target(plan.url)[:400]
    started = time.monotonic()
    try:
        _send(plan, record)
    except OutboundError as error:
        record.outcome = error.kind
        record.message = error.message
    record.duration_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        record.save()
    return record


@sensitive_variables()
def _send(plan: ReplayPlan, record):
    from django.utils.encoding import force_str

    secrets = plan.scrub_values()
    site = plan.site
    with GuardedSession(timeout_seconds=site.timeout, allow_private_network=site.allow_private_network) as session:
        if plan.login_first and plan.api == "url":
            login = session.fetch(
                "POST",
                site.service_url("p.php"),
                content=urlencode([("AT", "LI"), ("WID", plan.login_wid), ("PW", plan.login_password)]).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            login_answer = _read(login, secrets)
            already = (login_answer.rs or "").lower() == "alreadylogon"
            if login_answer.failed and not already:
                diagnosis = diagnose(login_answer, api="url", command="p.php?AT=LI")
                _fill_from_answer(record, login, login_answer, diagnosis, secrets)
                record.login_summary = f"Log in first: FAIL {login_answer.rs or ''}".strip()
                record.message = "The log-in before the command failed, so the command was not sent. " + record.message
                return
            record.login_summary = (
                "Log in first: SUCCESS"
                if login_answer.succeeded or already
                else f"Log in first: no ST in the answer ({force_str(login_answer.form)})"
            )
        if plan.api == "xml":
            fetched = session.fetch(
                "POST", plan.url, content=plan.xml.encode("utf-8"), headers={"Content-Type": "text/xml; charset=UTF-8"}
            )
        elif plan.method == "GET":
            query = urlencode(plan.params)
            fetched = session.fetch("GET", f"{plan.url}?{query}" if query else plan.url)
        else:
            fetched = session.fetch(
                "POST",
                plan.url,
                content=urlencode(plan.params).encode("utf-8"),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        answer = _read(fetched, secrets)
        diagnosis = diagnose(answer, api=plan.api, command=plan.command)
        _fill_from_answer(record, fetched, answer, diagnosis, secrets)


# --- copy as curl ------------------------------------------------------------------------------------------


def _placeholder(name):
    return PLACEHOLDERS.get(name.upper(), f"$WEBEX_{re.sub(r'[^A-Z0-9]', '_', name.upper())}")


def _curl_param(name, value):
    if is_secret_name(name):
        return f'--data-urlencode "{name}={_placeholder(name)}"'
    return "--data-urlencode " + shlex.quote(f"{name}={value}")


def curl_command(record):
    """A shell command that repeats the replay, with every secret left as a $WEBEX_PW-style variable."""
    if not record.target or not record.command:
        return ""
    lines = []
    url = record.target
    if record.api == "xml":
        body = record.request_xml.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
        mask = re.escape(_mask())
        for name in XML_SECRET_ELEMENTS:
            body = re.sub(
                rf"(<(?:[A-Za-z_][\w.-]{{0,40}}:)?{name}(?:\s[^<>]{{0,200}})?>){mask}",
                lambda m, n=name: m.group(1) + PLACEHOLDERS[n],
                body,
                flags=re.IGNORECASE,
            )
        lines.append(
            f"curl -sS -i {shlex.quote(url)} -H 'Content-Type: text/xml; charset=UTF-8' --data-binary @- <<EOF"
        )
        lines.append(body)
        lines.append("EOF")
        return "\n".join(lines)
    jar = ""
    if record.login_first:
        base = url.rsplit("/", 1)[0] + "/p.php"
        login = [
            f"curl -sS -i -c webex-cookies.txt {shlex.quote(base)}",
            "--data-urlencode 'AT=LI'",
            "--data-urlencode " + shlex.quote(f"WID={record.login_wid}"),
            '--data-urlencode "PW=$WEBEX_LOGIN_PW"',
        ]
        lines.append(" \\\n  ".join(login))
        jar = " -b webex-cookies.txt"
    parts = [f"curl -sS -i{jar}{' -G' if record.method == 'GET' else ''} {shlex.quote(url)}"]
    parts += [_curl_param(str(name), str(value)) for name, value in record.parameters]
    lines.append(" \\\n  ".join(parts))
    return "\n".join(lines)
