"""How one WebEx HTTP answer is read, in every form WebEx answers in (see the reference notes, sections 2 and 4):

* a back URL carrying ``AT``, ``ST``, ``RS``, ``MK`` ... in its query string;
* an HTML page whose script sends the browser to that back URL, usually JS hex-escaped
  (``location.href="https\\x3a\\x2f\\x2f...\\x3fAT\\x3dLO\\x26ST\\x3dSUCCESS"``), or
  ``window.location.replace("...")``, or ``var url = "..."``;
* a plain HTTP 3xx with a ``Location`` header;
* ``m.php?AT=OM``'s XML (``<ListOpenMeetings><Status>...``), served as text/html;
* XML API responses with ``serv:result``, ``serv:reason``, ``serv:gsbStatus`` and ``serv:exceptionID``,
  sent with HTTP 200 even on FAILURE.

:func:`read_answer` reads one HTTP answer and never raises: whatever cannot be read becomes form ``"unrecognised"``
with a short, redacted preview. :func:`parse_answer` is the same reader without that guard (for callers that guard
themselves). :class:`Answer` is what was read; webex.paste finds answers inside pasted text.

No XML parser is used. Values are pulled out with bounded regular expressions, and only the XML
predefined and numeric character references are decoded, so DTDs, external entities and
"billion laughs" documents are inert text here.

Pure Python, standard library only: no Django imports.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace

from webex.commandkeys import XML_SERVICE, command_key, is_xml_service
from webex.redaction import SECRET_PARAMS, known_variants, redact_query, redact_text, redact_url, replace_known
from webex.text import (
    MAX_PARSE_CHARS,
    MAX_VALUE,
    clean,
    js_unescape,
    looks_binary,
    looks_html,
    make_preview,
    to_text,
    xml_unescape,
)
from webex.urls import code_value, param, parse_params, service_from_path, split_url, token_params

__all__ = [
    "ANSWER_KEYS",
    "FORMS",
    "MAX_DETECT_CHARS",
    "XML_PREFIX",
    "XSI_TYPE",
    "Answer",
    "answer_from_url",
    "find_script_redirect",
    "find_url_answer",
    "looks_like_request",
    "open_meetings_answer",
    "parse_answer",
    "read_answer",
    "url_answer",
    "xml_answer",
    "xml_operation",
]

MAX_DETECT_CHARS = 100_000  # how much of a pasted text is read

FORMS = (
    "back-url",
    "script-redirect",
    "http-redirect",
    "non-http-redirect",
    "open-meetings-xml",
    "status-xml",
    "xml-api",
    "http-request",
    "html-form",
    "json",
    "log-line",
    "unrecognised",
    "empty",
)


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What one WebEx answer said. Every string is redacted; ``params`` never holds a secret value."""

    form: str
    url: str | None = None
    params: dict = field(default_factory=dict)
    at: str | None = None
    st: str | None = None
    rs: str | None = None
    mk: str | None = None
    service: str | None = None
    result: str | None = None
    reason: str | None = None
    exception_id: str | None = None
    gsb_status: str | None = None
    meeting_keys: list = field(default_factory=list)
    api: str | None = None
    preview: str = ""
    http_status: int | None = None
    operation: str | None = None  # XML API operation (meeting.GetMeeting) when the document names it
    is_request: bool = False  # the text is a command being sent (p.php?AT=LI&...), not an answer
    html_page: bool = False  # an unrecognised body that is an HTML page (where WebEx sends a redirect page or XML)

    @property
    def code(self) -> str | None:
        """The reason code: ``RS`` for the URL API, ``exceptionID`` for the XML API."""
        return self.rs or self.exception_id

    @property
    def status(self) -> str | None:
        """``SUCCESS``, ``FAIL`` (URL API) or ``FAILURE`` (XML API), normalised; None when not said."""
        if self.is_request:
            return None  # a command being sent has no status: an ST it carries is one of its parameters
        raw = self.st if self.st is not None else self.result
        if raw is None:
            return None
        value = raw.strip().upper()
        if not value:
            return None
        if value.startswith("SUCC") or value == "OK":
            return "SUCCESS"
        if value.startswith("FAIL") or value in ("ERROR", "ERR"):
            return "FAILURE" if self.api == "xml" and self.form != "open-meetings-xml" else "FAIL"
        return value[:20]

    @property
    def failed(self) -> bool:
        return self.status in ("FAIL", "FAILURE")

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCESS"

    @property
    def recognised(self) -> bool:
        return self.form not in ("unrecognised", "empty")

    @property
    def command(self) -> str | None:
        """The command key the answer is about: ``p.php?AT=LI``, ``?AT=LI``, ``XMLService:user.GetUser``."""
        return _command_of(self)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["code"] = self.code
        data["status"] = self.status
        data["command"] = self.command
        return data


def _command_of(answer: Answer) -> str | None:
    if answer.api == "xml" or is_xml_service(answer.service or ""):
        if answer.operation:
            return command_key(XML_SERVICE, answer.operation, xml=True)
        return None
    if answer.at:
        at = answer.at.strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{1,12}", at):
            return None
        return command_key(answer.service or "", at, xml=False)
    return None


# Parameters only a command sends (a back URL carries AT, ST, RS, MK, WID and little else).
_REQUEST_PARAMS = {*SECRET_PARAMS, "MU", "BU", "PID", "FN", "LN", "EM", "MN", "MT", "DU", "SP", "AN", "AE"}


def looks_like_request(params: dict, service, at, st, rs) -> bool:
    """A command being sent, told from an answer by its structure: it names AT and no RS, and it is sent to a URL
    API service file or carries parameters only a command sends (``AT=LI&WID=bob&PW=…``). ST alone does not make an
    answer: a request may carry an ST of its own (the state in an address), and a back URL carries no password or
    more than one parameter only a command sends. A bare ``AT=SU`` is a command's name, not a request."""
    if not at or rs or service == "XMLService":
        return False
    keys = {k.upper() for k in params}
    sent_only = keys & _REQUEST_PARAMS
    if st:
        status_like = st.strip().upper() in ("SUCCESS", "FAIL", "FAILURE")
        if keys & SECRET_PARAMS:
            return True
        return len(sent_only) >= (3 if status_like else 2)
    return bool(service) or bool(sent_only)


def answer_from_url(url: str, form: str, *, http_status=None, preview_source=None) -> Answer:
    url = clean(url.strip())[: MAX_VALUE * 4]
    path, query = split_url(url)
    params = parse_params(query)
    service = service_from_path(path)
    at = code_value(param(params, "AT"))
    st = code_value(param(params, "ST"))
    rs = code_value(param(params, "RS"))
    mk = code_value(param(params, "MK"))
    is_request = looks_like_request(params, service, at, st, rs)
    return Answer(
        form=form,
        url=redact_url(url),
        params=redact_query(params),
        at=at,
        st=st,
        rs=rs,
        mk=mk,
        service=service,
        api="url",
        preview=make_preview(preview_source if preview_source is not None else url),
        http_status=http_status,
        is_request=is_request,
    )


def url_answer(form, params, codes, *, url, service, shown, is_request=None) -> Answer:
    """A URL API command or answer read in any shape (a request, a form, a JSON dump): secrets redacted. Without
    ``is_request``, it is a request when it names a command and no result (AT, but no ST or RS)."""
    at, st, rs = codes
    return Answer(
        form=form,
        url=redact_url(url) if url else None,
        params=redact_query(params),
        at=at,
        st=st,
        rs=rs,
        mk=code_value(param(params, "MK")),
        service=service,
        api="url",
        preview=make_preview(shown),
        is_request=(
            bool(at and not rs and (not st or looks_like_request(params, service, at, st, rs)))
            if is_request is None
            else is_request
        ),
    )


# --- script redirects -------------------------------------------------------------------------

_QUOTED = r"(?P<q>[\"'`])(?P<url>(?:\\[\s\S]|(?!(?P=q))[^\\\n]){0,8192})(?P=q)"
_SCRIPT_REDIRECTS = [
    # location.href = "...", window.location = "...", document.location.href = '...', top.location=...
    re.compile(
        r"(?:\b(?:window|document|top|self|parent)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=\s*" + _QUOTED,
        re.IGNORECASE,
    ),
    # location.replace("..."), window.location.assign('...')
    re.compile(r"\blocation\s*\.\s*(?:replace|assign)\s*\(\s*" + _QUOTED, re.IGNORECASE),
    # var url = "..."
    re.compile(r"\b(?:var|let|const)\s+url\s*=\s*" + _QUOTED, re.IGNORECASE),
    # window.open("...", "_self")
    re.compile(r"\bwindow\s*\.\s*open\s*\(\s*" + _QUOTED, re.IGNORECASE),
]
_META_REFRESH = re.compile(
    r"<meta\b[^<>]{0,500}?http-equiv\s*=\s*[\"']?refresh[\"']?[^<>]{0,500}?content\s*=\s*"
    r"(?P<q>[\"'])\s*\d*\s*;?\s*url\s*=\s*(?P<url>[^\"'<>]{1,8192})(?P=q)",
    re.IGNORECASE,
)


def _webex_params(url: str) -> bool:
    """Does a URL carry a WebEx answer (AT/ST/RS), or is it the My WebEx page LI sends to?"""
    _path, query = split_url(url)
    params = parse_params(query)
    keys = {k.upper() for k in params}
    if keys & {"AT", "ST", "RS"}:
        return True
    return "SITEURL" in keys or "/mywebex/" in url.lower()


def find_script_redirect(text: str):
    """(url, fragment) of the first script or meta-refresh redirect carrying a WebEx answer."""
    found = []
    for pattern in _SCRIPT_REDIRECTS:
        for m in pattern.finditer(text):
            url = js_unescape(m.group("url")).strip()
            if "&amp;" in url:
                url = url.replace("&amp;", "&")
            found.append((m.start(), url, m.group(0)))
            break
    meta = _META_REFRESH.search(text)
    if meta:
        found.append((meta.start(), xml_unescape(meta.group("url")).strip(), meta.group(0)))
    found.sort(key=lambda item: item[0])
    for _pos, url, fragment in found:
        if url and _webex_params(url):
            return url, fragment
    return None


# --- XML ----------------------------------------------------------------------------------------

XML_PREFIX = r"(?:[A-Za-z_][\w.-]{0,40}:)?"


def _xml_value(text: str, local: str):
    """Text of the first ``<prefix:local>`` element (CDATA allowed), unescaped; None when absent."""
    m = re.search(
        rf"<{XML_PREFIX}{local}(?:\s[^<>]{{0,500}})?>\s*(?:<!\[CDATA\[(?P<cdata>(?:(?!\]\]>)[\s\S]){{0,{MAX_VALUE}}})\]\]>|(?P<text>[^<]{{0,{MAX_VALUE}}}))",
        text,
        re.IGNORECASE,
    )
    if not m:
        return None
    value = m.group("cdata") if m.group("cdata") is not None else xml_unescape(m.group("text") or "")
    # Redacted before its white space is collapsed, which would hide a secret's shape ("NPW<TAB>x" read as "NPW x").
    value = re.sub(r"\s+", " ", redact_text(value)).strip()
    return value[:1000]


_XML_MARKERS = re.compile(rf"<{XML_PREFIX}(?:result|exceptionID)(?:\s[^<>]{{0,500}})?>", re.IGNORECASE)
_OPEN_MEETINGS = re.compile(r"<ListOpenMeetings\b", re.IGNORECASE)
XSI_TYPE = re.compile(
    r"xsi:type\s*=\s*[\"'](?:java:com\.webex\.service\.binding\.(?P<req>[A-Za-z]{1,40}\.[A-Za-z]{1,80})"
    r"|(?P<prefix>[A-Za-z]{1,20}):(?P<resp>[A-Za-z]{1,80})Response)[\"']"
)
_RESPONSE_PREFIXES = {"use": "user", "meet": "meeting", "att": "attendee", "ep": "ep", "mtgtype": "meetingtype"}


def xml_operation(text: str) -> str | None:
    for m in XSI_TYPE.finditer(text[:200_000]):
        if m.group("req"):
            service, op = m.group("req").split(".", 1)
            return f"{service}.{op[:1].upper()}{op[1:]}"
        prefix = m.group("prefix").lower()
        if prefix in _RESPONSE_PREFIXES:
            op = m.group("resp")
            return f"{_RESPONSE_PREFIXES[prefix]}.{op[:1].upper()}{op[1:]}"
    return None


def xml_answer(text: str, http_status=None) -> Answer | None:
    if not _XML_MARKERS.search(text):
        return None
    result = _xml_value(text, "result") or None
    exception_id = _xml_value(text, "exceptionID") or None
    if result is None and exception_id is None:
        return None
    reason = _xml_value(text, "reason")
    return Answer(
        form="xml-api",
        result=result,
        reason=redact_text(reason) if reason else None,
        gsb_status=_xml_value(text, "gsbStatus"),
        exception_id=exception_id,
        api="xml",
        service="XMLService",
        operation=xml_operation(text),
        preview=make_preview(text),
        http_status=http_status,
    )


_STATUS_ROOT = re.compile(
    r"^\s*(?:<\?xml[^>]{0,200}\?>\s*)?(?:<!--[\s\S]{0,2000}?-->\s*)*<(?P<root>[A-Za-z][\w.-]{0,60})[\s>/]"
)
_STATUS_VALUE = re.compile(r"^(SUCCESS|FAIL|FAILURE)$", re.IGNORECASE)


def open_meetings_answer(text: str, http_status=None) -> Answer | None:
    """The URL API's XML status documents: a root element with a ``<Status>`` child.

    m.php?AT=OM answers ``<ListOpenMeetings><Status>…</Status><MeetingKeys>…</MeetingKeys>`` (a real recorded
    exchange); Cisco's QA code shows ``<MeetingData><Status>`` from nobrowser.php. A failure's ``<Reason>`` is read
    the way client code reads it (the failure body itself was never captured). XML API envelopes are not read here.
    """
    open_meetings = _OPEN_MEETINGS.search(text)
    root = _STATUS_ROOT.match(text)
    plain_root = root and ":" not in root.group("root") and root.group("root").lower() not in {"html", "message"}
    if not open_meetings and not plain_root:
        return None
    status = _xml_value(text, "Status")
    if not open_meetings and not (status and _STATUS_VALUE.match(status)):
        return None
    reason = _xml_value(text, "Reason")
    keys_text = _xml_value(text, "MeetingKeys") or ""
    keys = [k.strip() for k in keys_text.split(";") if k.strip()][:1000]
    rs = reason if reason and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,79}", reason) else None
    at = "OM" if open_meetings else _xml_value(text, "AT")
    if at and not re.fullmatch(r"[A-Za-z]{2,3}", at):
        at = None
    mk = _xml_value(text, "MeetingKey") or _xml_value(text, "MK")
    return Answer(
        form="open-meetings-xml" if open_meetings else "status-xml",
        st=status,
        rs=rs,
        reason=redact_text(reason) if reason is not None else None,
        meeting_keys=keys,
        mk=mk if mk and mk.isdigit() else None,
        at=at.upper() if at else None,
        service="m.php" if open_meetings else None,
        api="url",
        preview=make_preview(text),
        http_status=http_status,
    )


# --- bare URLs and query strings ---------------------------------------------------------------

_URL_TOKEN = re.compile(r"[^\s\"'<>`\\]{1,16384}")
_KEY_VALUE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}=")
ANSWER_KEYS = {"AT", "ST", "RS"}
_LOG_KEYS = {*SECRET_PARAMS, "AT", "ST", "RS", "MK", "WID", "PID", "BU", "MU", "SP", "DU", "MT", "MN", "EM"}


def _score(params: dict) -> int:
    keys = {k.upper() for k in params}
    return 4 * ("RS" in keys) + 2 * ("ST" in keys) + ("AT" in keys)


def find_url_answer(text: str):
    """(url-or-query, fragment) of the best back URL, request URL or query string in ``text``."""
    best = None
    loose: list[str] = []
    for m in _URL_TOKEN.finditer(text):
        token = m.group(0).strip(".,;:!?)]}([{")
        if "=" not in token:
            continue
        if "?" in token or "&" in token or "://" in token:
            path, params = token_params(token)
            keys = {k.upper() for k in params}
            if not keys & ANSWER_KEYS:
                continue
            score = _score(params) + (1 if service_from_path(path) else 0)
            if best is None or score > best[0]:
                best = (score, token)
        elif _KEY_VALUE.match(token) and token.split("=", 1)[0].upper() in _LOG_KEYS:
            loose.append(token)
    if loose:
        query = "&".join(loose)
        params = parse_params(query)
        if {k.upper() for k in params} & ANSWER_KEYS:
            score = _score(params)
            if best is None or score > best[0]:
                best = (score, query)
    if best is None:
        return None
    return best[1]


# --- entry point ------------------------------------------------------------------------------


def _coerce_status(status):
    if status is None:
        return None
    try:
        return int(status)
    except (TypeError, ValueError):
        return None


def read_answer(body, *, status=None, location=None, content_type=None, secrets=()) -> Answer:
    """Read one HTTP answer from WebEx. Never raises; unreadable input becomes form "unrecognised".

    ``secrets``: known secret values (the password just sent) to scrub from every field, in case the
    remote end echoes them back in prose (a reason text, an error page).
    """
    if known_variants(secrets):  # before anything is read or cut: a preview cut mid-password keeps its start
        try:
            body, location = (replace_known(to_text(v, content_type), secrets) for v in (body, location))
        except Exception:
            body, location = "", None
    try:
        answer = parse_answer(body, status=status, location=location or None, content_type=content_type)
    except Exception:  # the promise is "never raises": last-resort guard
        try:
            preview = make_preview(body)
        except Exception:
            preview = ""
        answer = Answer(form="unrecognised", preview=preview, http_status=_coerce_status(status))
    return _scrub(answer, secrets) if secrets else answer


def _scrub(answer: Answer, secrets) -> Answer:
    if not known_variants(secrets):
        return answer

    def scrub(value):
        if isinstance(value, str):
            return redact_text(value, secrets)
        if isinstance(value, dict):
            return {scrub(k): scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    try:
        return replace(answer, **{f.name: scrub(getattr(answer, f.name)) for f in fields(answer) if f.name != "form"})
    except Exception:  # pragma: no cover
        return Answer(form="unrecognised", http_status=answer.http_status)


def parse_answer(body, *, status, location, content_type) -> Answer:
    http_status = _coerce_status(status)
    if location is not None and not isinstance(location, str):
        location = to_text(location)
    location = (location or "").strip() or None
    if location and (http_status is None or 300 <= http_status < 400):
        scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]{0,20}):", location)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            # javascript:, mailto:, data: …: the redirect itself is the answer, kept (redacted) and labelled.
            url = redact_url(clean(location)[:MAX_VALUE])
            return Answer(form="non-http-redirect", url=url, preview=make_preview(url), http_status=http_status)
        return answer_from_url(location, "http-redirect", http_status=http_status)
    text = to_text(body, content_type)
    if not text.strip():
        return Answer(form="empty", http_status=http_status)
    if looks_binary(text):
        return Answer(form="unrecognised", preview=make_preview(text), http_status=http_status)
    head = text[:MAX_PARSE_CHARS]
    answer = open_meetings_answer(head, http_status) or xml_answer(head, http_status)
    if answer:
        return answer
    redirect = find_script_redirect(head)
    if redirect:
        url, one_line = redirect
        return answer_from_url(url, "script-redirect", http_status=http_status, preview_source=url)
    stripped = head.strip()
    if len(stripped) <= 16384 and not re.search(r"\s", stripped):
        path, params = token_params(stripped)
        if {k.upper() for k in params} & ANSWER_KEYS:
            return answer_from_url(stripped, "back-url", http_status=http_status)
    return Answer(form="unrecognised", preview=make_preview(text), http_status=http_status, html_page=looks_html(head))
