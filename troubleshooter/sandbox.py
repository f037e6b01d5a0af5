"""A simulated WebEx site, so a replay can be tried offline and tested over a real socket.

Standard library only. It binds 127.0.0.1 and nothing else. Start it with
``python manage.py webex_sandbox [--port 8765]`` or, from Python/tests::

    server = SandboxServer(port=0, config=SandboxConfig(session_idle_seconds=2))
    server.start()            # serves in a background thread
    server.base_url           # "http://127.0.0.1:<port>"
    server.stop()

It imitates the legacy WebEx URL API (``/<site>/p.php``, ``m.php``, ``o.php``, ``c.php``) and a few XML API
calls (``/WBXService/XMLService``). Everything it says is simulated: the reason codes are the real ones from the
error catalogue, but which code a command gets in which situation is this sandbox's own, documented choice.

Sandbox sites (the first path segment) and their settings
---------------------------------------------------------
The first path segment is ``<site>`` or ``<site>-<form>``.

``<site>``:

==============  ==============================================================================================
``sandbox``     The normal site: API and auto login on.
``noauto``      Auto login off: ``SU``, ``LI`` and ``LO`` answer ``AutoLoginDisabled``.
``noapi``       API off: every command answers ``DoNotSupportAPI``.
==============  ==============================================================================================

``<form>``, how the result is sent back (default: ``href``):

==============  ==============================================================================================
(none)          The HTML page whose script sends the browser to the back URL, hex-escaped, as WebEx does:
                ``location.href="https\\x3a\\x2f\\x2f…"``.
``-replace``    ``window.location.replace("…")``.
``-var``        ``var url = "…"; window.location = url;``.
``-302``        A plain ``HTTP 302`` with a ``Location`` header.
``-xml``        A small XML document ``<UrlApiResponse><AT>…</AT><Status>SUCCESS|FAIL</Status><Reason>…</Reason>
                </UrlApiResponse>`` (a sandbox-only form; real WebEx answers in XML only for ``m.php?AT=OM``,
                which answers ``<ListOpenMeetings>`` on every site path).
==============  ==============================================================================================

So ``/sandbox/p.php``, ``/sandbox-302/p.php``, ``/noauto-var/p.php``, ``/noapi-xml/m.php`` … all exist.

All these sites share one set of accounts and meetings (one sandbox = one WebEx customer), but each
site path has its own session cookie.

Site settings (all sites): partner ID ``PID=4242``; supported meeting types ``MT=1`` and ``MT=2``
(``MT`` absent means the default type 1); maximum meeting duration 40 minutes, so the default ``DU`` of 60
answers ``TheDurationIsExceedTheMaxDuration`` while ``DU=20`` succeeds; the XML API requires a meeting
password on ``meeting.CreateMeeting``. Sessions expire after 30 minutes idle (``SandboxConfig.session_idle_seconds``).

Test accounts
-------------
``host1`` / ``Sandbox-pass1`` (email host1@sandbox.example, site administrator) and
``user2`` / ``Sandbox-pass2`` (email user2@sandbox.example, not an administrator). One meeting exists:
key ``621018655``, meeting password ``Meet-pass1``, hosted by host1, not in progress until ``HM`` starts it.

How to get every catalogue reason code (URL API, back-URL ``RS``)
------------------------------------------------------------------
===================================  ===================================================================
``AccessDenied``                     any ``m.php`` (except ``JM``), ``o.php`` or ``c.php`` call without the
                                     session cookie, or after it expired
``AlreadyLogon``                     ``p.php?AT=LI`` while the session cookie is valid
``AutoLoginDisabled``                ``SU``, ``LI`` or ``LO`` on ``/noauto/`` (or ``/noauto-302/`` …)
``BadWebExIDorPassword``             ``LI`` with a wrong ``PW`` or an unknown ``WID`` (or a bad ``TK``)
``DoNotSupportAPI``                  any command on ``/noapi/`` (or ``/noapi-302/`` …)
``EmailConflict``                    ``SU`` (or ``EU`` with ``NEM``) with an email already in use
``NoMeetingTypeSupport``             ``SM`` with an ``MT`` other than 1 or 2
``SiteDoNotSupportThisMeetingType``  ``SU`` or ``IM`` with an ``MT`` other than 1 or 2
``PartnerIDError``                   ``SU`` or ``EU`` with a ``PID`` other than 4242
``TheDurationIsExceedTheMaxDuration``  ``SM`` or ``IM`` without ``DU`` (default 60) or with ``DU`` over 40
``Unknown``                          ``SU`` with ``EM`` missing or not an email address
``WebExIDConflict``                  ``SU`` (or ``EU`` with ``NWID``) with a ``WID`` that exists
===================================  ===================================================================
Also: ``InvalidMeetingKey`` (``HM``/``JM`` with an unknown ``MK``), ``InvalidMeetingKeyOrPassword``
(``JM`` with a wrong meeting ``PW``), ``MeetingNotInProgress`` (``JM`` before ``HM``), ``InvalidDataFormat``
(``SU`` missing ``WID``, ``PW``, ``FN`` or ``LN``) and ``UnknownATCommand`` (an ``AT`` the file does not know).

Check order of ``SU``: auto login, PID, EM, required fields, WID, email, MT.

XML API (``POST /WBXService/XMLService``, HTTP 200 even on failure)
-------------------------------------------------------------------
``user.AuthenticateUser`` (gives a ``sessionTicket``), ``user.GetLoginTicket`` (gives a ticket usable as
``TK`` in ``p.php?AT=LI``), ``user.GetUser``, ``user.LstsummaryUser``, ``meeting.CreateMeeting``,
``meeting.GetMeeting``, ``meeting.DelMeeting``. Failures:
``030002`` "Incorrect user or password" (wrong password or unknown webExID), ``030047`` "Not a valid session
ticket", ``000001`` "Access denied, additional privileges are required" (``LstsummaryUser``, or ``GetUser`` of
another user, by a non-administrator), ``060026`` "Meeting password must not be null" (``CreateMeeting`` without
``<meetingPassword>``), ``060001`` "Corresponding Meeting not found" (``GetMeeting``/``DelMeeting`` with an
unknown key), ``030001`` (``GetUser`` of an unknown user; the reason text is the sandbox's own, the real one was
not seen).

Trouble sites (for the replay's bad-input tests and demos)
----------------------------------------------------------
``/slow/…`` waits ``SandboxConfig.slow_seconds`` (default 30) before answering; ``/huge/…`` streams
``SandboxConfig.huge_bytes`` (default 50 MB); ``/html/…`` answers a page that is not from WebEx;
``/badxml/…`` answers broken XML; ``/empty/…`` answers 200 with an empty body.

With no ``BU`` the answer sends the browser to the sandbox's own back page, ``/<site>/back``.
The sandbox never logs a query string or a request body.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import logging
import re
import secrets
import threading
import time
import xml.etree.ElementTree as ET  # noqa: S405 - parses requests sent to a loopback-only test server
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

logger = logging.getLogger("troubleshooter.sandbox")

PARTNER_ID = "4242"
SUPPORTED_MEETING_TYPES = ("1", "2")
DEFAULT_DURATION = 60
MAX_DURATION = 40
FIRST_MEETING_KEY = "621018655"

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

SERV_NS = "http://www.webex.com/schemas/2002/06/service"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


@dataclasses.dataclass(frozen=True)
class SiteSettings:
    """How one sandbox site path behaves."""

    form: str = "href"  # href | replace | var | 302 | xml
    autologin: bool = True
    api: bool = True


SITES = {
    "sandbox": SiteSettings(),
    "noauto": SiteSettings(autologin=False),
    "noapi": SiteSettings(api=False),
}
FORMS = ("href", "replace", "var", "302", "xml")


def site_settings(segment):
    """The settings of a site path segment (``sandbox``, ``noauto-302`` …), or None when there is no such site."""
    name, _, form = segment.partition("-")
    if name not in SITES or (form and form not in FORMS):
        return None
    return dataclasses.replace(SITES[name], form=form or "href")


TROUBLE_SITES = ("slow", "huge", "html", "badxml", "empty")


@dataclasses.dataclass
class SandboxConfig:
    session_idle_seconds: float = 30 * 60
    slow_seconds: float = 30.0
    huge_bytes: int = 50 * 1024 * 1024
    max_duration: int = MAX_DURATION


@dataclasses.dataclass
class Account:
    wid: str
    password: str
    email: str
    first_name: str
    last_name: str
    admin: bool = False
    meeting_type: str = "1"


@dataclasses.dataclass
class Meeting:
    key: str
    name: str
    host: str
    password: str
    duration: int
    meeting_type: str
    in_progress: bool = False


@dataclasses.dataclass
class Session:
    site: str
    wid: str
    last_seen: float


class SandboxState:
    """Accounts, meetings, sessions and tickets. Thread-safe through one lock."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.accounts = {
            "host1": Account("host1", "Sandbox-pass1", "host1@sandbox.example", "Host", "One", admin=True),
            "user2": Account("user2", "Sandbox-pass2", "user2@sandbox.example", "User", "Two"),
        }
        self.meetings = {
            FIRST_MEETING_KEY: Meeting(FIRST_MEETING_KEY, "Sandbox weekly", "host1", "Meet-pass1", 30, "1"),
        }
        self.next_key = int(FIRST_MEETING_KEY) + 1
        self.sessions: dict[str, Session] = {}
        self.session_tickets: dict[str, str] = {}  # XML API sessionTicket -> wid
        self.login_tickets: dict[str, str] = {}  # GetLoginTicket ticket -> wid (usable once as TK)
        self.hits = 0  # requests served since the last reset (tests check that nothing was sent)

    def new_meeting_key(self):
        key = str(self.next_key)
        self.next_key += 7
        return key

    def session_for(self, site, token):
        """The live session of this cookie, or None. Touching it renews its idle time."""
        if not token:
            return None
        session = self.sessions.get(token)
        if session is None or session.site != site:
            return None
        now = time.monotonic()
        if now - session.last_seen > self.config.session_idle_seconds:
            del self.sessions[token]
            return None
        session.last_seen = now
        return session

    def find_email(self, email):
        email = (email or "").lower()
        return next((a for a in self.accounts.values() if a.email.lower() == email), None)


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
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
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
            if parts[:2] == ["WBXService", "XMLService"]:
                answer = self.xml_api() if self.command == "POST" else Answer(405, b"POST an XML request")
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

    # --- URL API ---
    def url_api(self, site_name, service, params):
        site = site_settings(site_name)
        p = {k.upper(): v for k, v in params.items()}
        at = p.get("AT", "").upper()
        token = self.cookie("ticket")
        extra_headers = []
        with self.state.lock:
            session = self.state.session_for(site_name, token)
            if not site.api:
                if service == "m.php" and at == "OM":
                    return self.open_meetings(None, reason="DoNotSupportAPI")
                result = ("FAIL", "DoNotSupportAPI", {})
            elif service == "p.php":
                result = self.p_php(site_name, site, at, p, session, token, extra_headers)
            elif service == "m.php":
                if at == "OM":
                    return self.open_meetings(session)
                result = self.m_php(at, p, session)
            elif service == "o.php":
                if session is None:
                    result = ("FAIL", "AccessDenied", {})
                elif at == "ST":
                    result = ("SUCCESS", "", {})
                else:
                    result = ("FAIL", "UnknownATCommand", {})
            else:  # c.php: its commands are not documented; without a session it answers AccessDenied
                result = ("FAIL", "AccessDenied", {}) if session is None else ("FAIL", "UnknownATCommand", {})
        st, rs, more = result
        back = {"AT": at or ""}
        back.update(more)
        back["ST"] = st
        if rs:
            back["RS"] = rs
        target = p.get("BU") or ""
        if at == "LI" and st == "SUCCESS" and p.get("MU") and p.get("MU") != "GoBack":
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

    def p_php(self, site_name, site, at, p, session, token, extra_headers):
        state = self.state
        if at in ("SU", "LI", "LO") and not site.autologin:
            return ("FAIL", "AutoLoginDisabled", {})
        if at == "LI":
            if session is not None:
                return ("FAIL", "AlreadyLogon", {"WID": session.wid})
            wid = p.get("WID", "")
            account = state.accounts.get(wid)
            ticket = p.get("TK")
            if ticket:
                ok = account is not None and state.login_tickets.pop(ticket, None) == wid
            else:
                ok = account is not None and secrets.compare_digest(account.password, p.get("PW", ""))
            if not ok:
                return ("FAIL", "BadWebExIDorPassword", {"WID": wid} if wid else {})
            new_token = secrets.token_hex(16)
            state.sessions[new_token] = Session(site_name, wid, time.monotonic())
            extra_headers.append(("Set-Cookie", f"ticket={new_token}; Path=/{site_name}/; HttpOnly; SameSite=Lax"))
            return ("SUCCESS", "", {"WID": wid})
        if at == "LO":
            if token:
                state.sessions.pop(token, None)
                extra_headers.append(("Set-Cookie", f"ticket=; Path=/{site_name}/; Max-Age=0"))
            return ("SUCCESS", "", {})
        if at == "SU":
            if p.get("PID", "") != PARTNER_ID:
                return ("FAIL", "PartnerIDError", {})
            email = p.get("EM", "")
            if not EMAIL_RE.match(email):
                return ("FAIL", "Unknown", {})
            wid = p.get("WID", "")
            if not all(p.get(k) for k in ("WID", "PW", "FN", "LN")):
                return ("FAIL", "InvalidDataFormat", {})
            if wid in state.accounts:
                return ("FAIL", "WebExIDConflict", {"WID": wid})
            if state.find_email(email):
                return ("FAIL", "EmailConflict", {"WID": wid})
            mt = p.get("MT", "1")
            if mt not in SUPPORTED_MEETING_TYPES:
                return ("FAIL", "SiteDoNotSupportThisMeetingType", {"WID": wid})
            state.accounts[wid] = Account(wid, p["PW"], email, p["FN"], p["LN"], meeting_type=mt)
            return ("SUCCESS", "", {"WID": wid})
        if at == "EU":
            if p.get("PID", "") != PARTNER_ID:
                return ("FAIL", "PartnerIDError", {})
            wid = p.get("WID", "")
            account = state.accounts.get(wid)
            if account is None or not secrets.compare_digest(account.password, p.get("PW", "")):
                return ("FAIL", "BadWebExIDorPassword", {"WID": wid} if wid else {})
            new_email = p.get("NEM")
            if new_email is not None:
                if not EMAIL_RE.match(new_email):
                    return ("FAIL", "Unknown", {"WID": wid})
                other = state.find_email(new_email)
                if other is not None and other is not account:
                    return ("FAIL", "EmailConflict", {"WID": wid})
            new_wid = p.get("NWID")
            if new_wid and new_wid != wid and new_wid in state.accounts:
                return ("FAIL", "WebExIDConflict", {"WID": wid})
            if new_email:
                account.email = new_email
            account.first_name = p.get("NFN") or account.first_name
            account.last_name = p.get("NLN") or account.last_name
            if p.get("NPW"):
                account.password = p["NPW"]
            if new_wid and new_wid != wid:
                del state.accounts[wid]
                account.wid = new_wid
                state.accounts[new_wid] = account
            return ("SUCCESS", "", {"WID": account.wid})
        return ("FAIL", "UnknownATCommand", {})

    def duration_error(self, p):
        try:
            duration = int(p.get("DU") or DEFAULT_DURATION)
        except ValueError:
            return None, "InvalidDataFormat"
        if duration > self.state.config.max_duration:
            return duration, "TheDurationIsExceedTheMaxDuration"
        return duration, None

    def m_php(self, at, p, session):
        state = self.state
        if at == "JM":
            meeting = state.meetings.get(p.get("MK", ""))
            if meeting is None:
                return ("FAIL", "InvalidMeetingKey", {})
            if meeting.password and not secrets.compare_digest(meeting.password, p.get("PW", "")):
                return ("FAIL", "InvalidMeetingKeyOrPassword", {"MK": meeting.key})
            if not meeting.in_progress:
                return ("FAIL", "MeetingNotInProgress", {"MK": meeting.key})
            return ("SUCCESS", "", {"MK": meeting.key})
        if session is None:
            return ("FAIL", "AccessDenied", {})
        if at in ("SM", "IM"):
            mt = p.get("MT", "1")
            if mt not in SUPPORTED_MEETING_TYPES:
                return ("FAIL", "NoMeetingTypeSupport" if at == "SM" else "SiteDoNotSupportThisMeetingType", {})
            duration, error = self.duration_error(p)
            if error:
                return ("FAIL", error, {})
            key = state.new_meeting_key()
            meeting = Meeting(key, p.get("MN") or "Sandbox meeting", session.wid, p.get("PW", ""), duration, mt)
            meeting.in_progress = at == "IM"
            state.meetings[key] = meeting
            return ("SUCCESS", "", {"MK": key} if at == "SM" else {})
        if at == "HM":
            meeting = state.meetings.get(p.get("MK", ""))
            if meeting is None:
                return ("FAIL", "InvalidMeetingKey", {})
            meeting.in_progress = True
            return ("SUCCESS", "", {"MK": meeting.key})
        if at == "LM":
            return ("SUCCESS", "", {})
        return ("FAIL", "UnknownATCommand", {})

    def open_meetings(self, session, reason="AccessDenied"):
        if session is None:
            body = f"<ListOpenMeetings><Status>FAIL</Status><Reason>{reason}</Reason></ListOpenMeetings>"
        else:
            keys = "".join(f"{m.key};" for m in self.state.meetings.values() if m.in_progress)
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

        def field(element, name):
            found = element.find(name)
            return (found.text or "").strip() if found is not None else ""

        with self.state.lock:
            state = self.state
            wid = field(security, "webExID")
            email = field(security, "email")
            account = state.accounts.get(wid) if wid else state.find_email(email)
            ticket = field(security, "sessionTicket")
            password = field(security, "password")
            if ticket:
                if account is None or state.session_tickets.get(ticket) != account.wid:
                    return self.xml_failure("Not a valid session ticket", "030047")
            elif account is None or not secrets.compare_digest(account.password, password):
                return self.xml_failure("Incorrect user or password", "030002")

            if operation == "user.AuthenticateUser":
                new_ticket = secrets.token_hex(24)
                state.session_tickets[new_ticket] = account.wid
                return self.xml_success(
                    "use:authenticateUserResponse", f"<use:sessionTicket>{new_ticket}</use:sessionTicket>"
                )
            if operation == "user.GetLoginTicket":
                new_ticket = secrets.token_hex(16)
                state.login_tickets[new_ticket] = account.wid
                return self.xml_success("use:getLoginTicketResponse", f"<use:ticket>{new_ticket}</use:ticket>")
            if operation == "user.GetUser":
                target = field(body_content, "webExId") or account.wid
                if target != account.wid and not account.admin:
                    return self.xml_failure("Access denied, additional privileges are required", "000001")
                user = state.accounts.get(target)
                if user is None:
                    return self.xml_failure("User not found (sandbox wording)", "030001")
                inner = (
                    f"<use:firstName>{xml_text(user.first_name)}</use:firstName>"
                    f"<use:lastName>{xml_text(user.last_name)}</use:lastName>"
                    f"<use:email>{xml_text(user.email)}</use:email><use:webExId>{xml_text(user.wid)}</use:webExId>"
                )
                return self.xml_success("use:getUserResponse", inner)
            if operation == "user.LstsummaryUser":
                if not account.admin:
                    return self.xml_failure("Access denied, additional privileges are required", "000001")
                inner = "".join(
                    f"<use:user><use:webExId>{xml_text(a.wid)}</use:webExId></use:user>"
                    for a in state.accounts.values()
                )
                return self.xml_success("use:lstsummaryUserResponse", inner)
            if operation == "meeting.CreateMeeting":
                meeting_password = field(body_content, "accessControl/meetingPassword")
                if not meeting_password:
                    return self.xml_failure("Meeting password must not be null", "060026")
                key = state.new_meeting_key()
                name = field(body_content, "metaData/confName") or "Sandbox meeting"
                state.meetings[key] = Meeting(key, name, account.wid, meeting_password, 30, "1")
                return self.xml_success("meet:createMeetingResponse", f"<meet:meetingkey>{key}</meet:meetingkey>")
            if operation in ("meeting.GetMeeting", "meeting.DelMeeting"):
                key = field(body_content, "meetingKey")
                meeting = state.meetings.get(key)
                if meeting is None:
                    return self.xml_failure("Corresponding Meeting not found", "060001")
                if operation == "meeting.DelMeeting":
                    del state.meetings[key]
                    return self.xml_success("meet:delMeetingResponse", "")
                inner = f"<meet:meetingkey>{key}</meet:meetingkey>"
                inner += f"<meet:confName>{xml_text(meeting.name)}</meet:confName>"
                return self.xml_success("meet:getMeetingResponse", inner)
        return self.xml_failure(f"Unsupported operation {operation or '(none)'} (sandbox wording)", None)

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
