"""The sandbox's HTTP server on 127.0.0.1: it reads a request, asks :mod:`replay.sandbox.rules` for the answer, and
writes it in the form the site path asks for (a script redirect, a 302, XML …). It also serves the trouble sites.
"""

from __future__ import annotations

import contextlib
import html
import logging
import threading
import xml.etree.ElementTree as ET  # parses requests sent to a loopback-only test server
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from replay.sandbox import rules
from replay.sandbox.state import FORMS, SITES, SandboxConfig, SandboxState, site_settings

# The logger keeps the name it had in troubleshooter/sandbox.py, which log filters may already use.
logger = logging.getLogger("replay.sandbox")

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
TROUBLE_SITES = ("slow", "huge", "html", "badxml", "empty")

# --- answer forms -----------------------------------------------------------------------------------------


def js_hex_escape(text):
    """Escape like WebEx's redirect page: everything but letters, digits, ``.``, ``_`` and ``-`` as ``\\xHH``."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in "._-"):
            out.append(ch)
        elif ord(ch) < 256:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def js_string(text):
    """A plain JavaScript string literal body (quotes, backslashes and ``</`` escaped)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("</", "<\\/")


def add_query(url, params):
    query = urlencode(params, quote_via=quote)
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"


def xml_text(value):
    return html.escape(str(value), quote=False)


def xml_elements(values):
    """``[("use:webExId", "host1")]`` -> ``<use:webExId>host1</use:webExId>``; a list as the text nests elements."""
    return "".join(
        f"<{tag}>{xml_elements(text) if isinstance(text, list) else xml_text(text)}</{tag}>" for tag, text in values
    )


def element_texts(element):
    """The stripped texts of the elements one and two levels below ``element``, by path (``meetingKey``,
    ``accessControl/meetingPassword``): the first in document order where a path repeats."""
    texts = {}
    for child in element:
        texts.setdefault(child.tag, (child.text or "").strip())
        for grandchild in child:
            texts.setdefault(f"{child.tag}/{grandchild.tag}", (grandchild.text or "").strip())
    return texts


# --- the request handler -----------------------------------------------------------------------------------


class Answer:
    """What a handler decided: a back-URL result, or a raw body."""

    def __init__(self, status=200, body=b"", content_type="text/html; charset=UTF-8", headers=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers or [])


class SandboxHandler(BaseHTTPRequestHandler):
    server_version = "WebExSandbox/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # Never log the request line: it can carry PW in the query string.
    def log_message(self, format, *args):  # the base class's signature
        return

    def log_request(self, code="-", size="-"):
        path = urlsplit(self.path).path
        logger.info("sandbox %s %s %s", self.command, path, code)

    @property
    def state(self) -> SandboxState:
        return self.server.state

    # --- plumbing ---
    def do_GET(self):
        self.dispatch(self.read_params(with_body=False))

    def do_POST(self):
        self.dispatch(self.read_params(with_body=True))

    def do_HEAD(self):
        self.send_error(405)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1024 * 1024:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length else b""

    def read_params(self, with_body):
        split = urlsplit(self.path)
        self.raw_body = b""
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        if with_body:
            self.raw_body = self.read_body()
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/x-www-form-urlencoded":
                params.update(parse_qsl(self.raw_body.decode("utf-8", "replace"), keep_blank_values=True))
        return params

    def cookie(self, name):
        raw = self.headers.get("Cookie") or ""
        for part in raw.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
        return None

    def send_answer(self, answer: Answer):
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in answer.headers:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def dispatch(self, params):
        with self.state.lock:
            self.state.hits += 1
        path = urlsplit(self.path).path
        parts = [p for p in path.split("/") if p]
        try:
            if parts[:3] == ["retired", "WBXService", "XMLService"]:
                answer = self.retired_answer("404", parts[0])
            elif parts[:2] == ["WBXService", "XMLService"]:
                answer = self.xml_api() if self.command == "POST" else Answer(405, b"POST an XML request")
            elif parts[:1] == ["_switch"] and len(parts) == 2 and parts[1] in ("api-off", "api-on"):
                answer = self.switch(parts[1]) if self.command == "POST" else Answer(405, b"POST to switch")
            elif parts and parts[0] in TROUBLE_SITES:
                return self.trouble(parts[0])
            elif len(parts) == 2 and site_settings(parts[0]) and parts[1] in ("p.php", "m.php", "o.php", "c.php"):
                answer = self.url_api(parts[0], parts[1], params)
            elif len(parts) == 2 and site_settings(parts[0]) and parts[1] == "back":
                answer = self.back_page(parts[0], params)
            elif not parts:
                answer = self.index_page()
            else:
                answer = Answer(404, b"<!doctype html><title>Not found</title><p>No such sandbox page.</p>")
        except ValueError:
            answer = Answer(400, b"Bad request")
        self.send_answer(answer)

    def switch(self, which):
        """POST /_switch/api-off (or api-on): every site's URL API fails with DoNotSupportAPI (or works again)."""
        with self.state.lock:
            self.state.api_switched_off = which == "api-off"
        return Answer(200, f"URL API {'off' if which == 'api-off' else 'on'}\n".encode(), "text/plain; charset=UTF-8")

    # --- pages ---
    def index_page(self):
        rows = "".join(
            f"<li><code>/{name}{'' if form == 'href' else '-' + form}/</code></li>" for name in SITES for form in FORMS
        )
        body = f"<!doctype html><title>WebEx sandbox</title><h1>WebEx sandbox</h1><ul>{rows}</ul>"
        return Answer(200, body.encode())

    def back_page(self, site, params):
        rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in params.items() if k != "PW"
        )
        body = f"<!doctype html><title>Sandbox back page</title><h1>Back page of /{html.escape(site)}/</h1>"
        body += f"<table>{rows}</table>"
        return Answer(200, body.encode())

    # --- a retired API ---
    def retired_answer(self, form, site_name):
        """What a retired API may answer (Cisco does not document it: reference notes §6): HTTP 410 Gone (the
        default form), 404 (``-var``, ``-replace`` and the XML service), a redirect to a log-in page (``-302``) or
        an HTML page where XML was expected (``-xml``). Never a WebEx result."""
        page = b"<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1></body></html>"
        if form == "302":
            host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
            return Answer(302, b"", headers=[("Location", f"http://{host}/{site_name}/login?from=api")])
        if form == "xml":
            return Answer(200, page % (b"Sign in", b"Sign in to Webex"))
        if form in ("var", "replace", "404"):
            return Answer(404, page % (b"Not found", b"This page is not available"))
        return Answer(410, page % (b"Gone", b"This service is no longer available"))

    # --- URL API ---
    def url_api(self, site_name, service, params):
        site = site_settings(site_name)
        if site.retired:
            return self.retired_answer(site.form, site_name)
        p = {k.upper(): v for k, v in params.items()}
        at = p.get("AT", "").upper()
        with self.state.lock:
            result = rules.url_command(self.state, site_name, site, service, at, p, self.cookie("ticket"))
        if result.open_meetings is not None:
            return self.open_meetings_answer(result)
        extra_headers = []
        if result.cookie:
            extra_headers.append(("Set-Cookie", f"ticket={result.cookie}; Path=/{site_name}/; HttpOnly; SameSite=Lax"))
        elif result.cookie == "":
            extra_headers.append(("Set-Cookie", f"ticket=; Path=/{site_name}/; Max-Age=0"))
        back = {"AT": at or ""}
        back.update(result.values)
        back["ST"] = result.st
        if result.rs:
            back["RS"] = result.rs
        target = p.get("BU") or ""
        if at == "LI" and result.st == "SUCCESS" and p.get("MU") and p.get("MU") != "GoBack":
            target = p["MU"]
        if not target:
            host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
            target = f"http://{host}/{site_name}/back"
        url = add_query(target, back)
        return self.redirect_answer(site, url, back, extra_headers)

    def redirect_answer(self, site, url, back, extra_headers):
        if site.form == "302":
            return Answer(302, b"", headers=[("Location", url), *extra_headers])
        if site.form == "xml":
            inner = "".join(
                f"<{tag}>{xml_text(back[key])}</{tag}>"
                for key, tag in (("AT", "AT"), ("ST", "Status"), ("RS", "Reason"), ("MK", "MeetingKey"), ("WID", "WID"))
                if back.get(key)
            )
            body = f'<?xml version="1.0" encoding="UTF-8"?><UrlApiResponse>{inner}</UrlApiResponse>'
            return Answer(200, body.encode(), "text/xml; charset=UTF-8", extra_headers)
        if site.form == "replace":
            script = f'window.location.replace("{js_string(url)}");'
        elif site.form == "var":
            script = f'var url = "{js_string(url)}";\nwindow.location = url;'
        else:
            script = f'location.href="{js_hex_escape(url)}";'
        body = f'<html><head></head><body><script language="JavaScript">{script}</script></body></html>'
        return Answer(200, body.encode(), headers=extra_headers)

    def open_meetings_answer(self, result):
        if result.st == "FAIL":
            body = f"<ListOpenMeetings><Status>FAIL</Status><Reason>{result.rs}</Reason></ListOpenMeetings>"
        else:
            keys = "".join(f"{key};" for key in result.open_meetings)
            body = f"<ListOpenMeetings><Status>SUCCESS</Status><MeetingKeys>{keys}</MeetingKeys></ListOpenMeetings>"
        # Served as text/html, as the real recording shows.
        return Answer(200, body.encode(), "text/html; charset=UTF-8")

    # --- XML API ---
    def xml_api(self):
        try:
            root = ET.fromstring(self.raw_body)  # noqa: S314 - loopback test server, size-capped body
        except ET.ParseError:
            return self.xml_failure("The request is not well-formed XML (sandbox wording)", None)
        header = root.find("header")
        security = header.find("securityContext") if header is not None else None
        body_content = root.find("body/bodyContent")
        if security is None or body_content is None:
            return self.xml_failure("The request has no securityContext or bodyContent (sandbox wording)", None)
        operation = (body_content.get(f"{{{XSI_NS}}}type") or "").removeprefix("java:com.webex.service.binding.")
        with self.state.lock:
            result = rules.xml_call(self.state, operation, element_texts(security), element_texts(body_content))
        if not result.ok:
            return self.xml_failure(result.reason, result.exception_id)
        return self.xml_success(result.body_type, xml_elements(result.values))

    XML_HEAD = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
        'xmlns:com="http://www.webex.com/schemas/2002/06/common" '
        'xmlns:use="http://www.webex.com/schemas/2002/06/service/user" '
        'xmlns:meet="http://www.webex.com/schemas/2002/06/service/meeting" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    )

    def xml_failure(self, reason, exception_id):
        parts = [
            "<serv:result>FAILURE</serv:result>",
            f"<serv:reason>{xml_text(reason)}</serv:reason>",
            "<serv:gsbStatus>PRIMARY</serv:gsbStatus>",
        ]
        if exception_id:
            parts.append(f"<serv:exceptionID>{exception_id}</serv:exceptionID>")
        body = (
            f"{self.XML_HEAD}<serv:header><serv:response>{''.join(parts)}</serv:response></serv:header>"
            "<serv:body><serv:bodyContent/></serv:body></serv:message>"
        )
        return Answer(200, body.encode(), "text/xml;charset=UTF-8")

    def xml_success(self, xsi_type, inner):
        body = (
            f"{self.XML_HEAD}<serv:header><serv:response><serv:result>SUCCESS</serv:result>"
            "<serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response></serv:header>"
            f'<serv:body><serv:bodyContent xsi:type="{xsi_type}">{inner}</serv:bodyContent></serv:body></serv:message>'
        )
        return Answer(200, body.encode(), "text/xml;charset=UTF-8")

    # --- trouble sites ---
    def trouble(self, kind):
        config = self.state.config
        if kind == "slow":
            self.server.stopping.wait(config.slow_seconds)
            return self.send_answer(self.redirect_answer(SITES["sandbox"], "http://127.0.0.1/late?ST=SUCCESS", {}, []))
        if kind == "html":
            body = b"<!doctype html><html><head><title>Welcome</title></head>"
            body += b"<body><h1>Welcome to our intranet</h1></body></html>"
            return self.send_answer(Answer(200, body))
        if kind == "badxml":
            body = b'<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/'
            body += b'2002/06/service"><serv:header><serv:response><serv:resu'
            return self.send_answer(Answer(200, body, "text/xml;charset=UTF-8"))
        if kind == "empty":
            return self.send_answer(Answer(200, b""))
        # huge: stream config.huge_bytes without holding them in memory
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(config.huge_bytes))
        self.end_headers()
        chunk = b"A" * 65536
        remaining = config.huge_bytes
        with contextlib.suppress(OSError):
            while remaining > 0 and not self.server.stopping.is_set():
                piece = chunk[: min(len(chunk), remaining)]
                self.wfile.write(piece)
                remaining -= len(piece)
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that hangs up (the replay's 1 MiB cap) is normal here; never print tracebacks with requests.
        logger.debug("sandbox: a client connection ended early")


class SandboxServer:
    """The sandbox, on 127.0.0.1 only. ``port=0`` picks a free port."""

    def __init__(self, port=8765, config: SandboxConfig | None = None):
        self.config = config or SandboxConfig()
        self.httpd = _Server(("127.0.0.1", port), SandboxHandler)
        self.httpd.state = SandboxState(self.config)
        self.httpd.stopping = threading.Event()
        self.thread = None

    @property
    def state(self) -> SandboxState:
        return self.httpd.state

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="webex-sandbox", daemon=True)
        self.thread.start()
        return self

    def serve_forever(self):
        self.httpd.serve_forever()

    def stop(self):
        self.httpd.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
