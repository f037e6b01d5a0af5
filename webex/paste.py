"""Finding a WebEx answer, or a request, inside arbitrary pasted text: :func:`detect`.

It tries these shapes, most specific first, until one says something a search can use:

* an HTTP response capture (``HTTP/1.1 302 Found`` + ``Location:``, ``HTTP/1.1 200 OK`` + the body; ``curl -v``'s
  ``<`` prefixes allowed), read by webex.answer's reader;
* the answer forms themselves: ``<ListOpenMeetings>``, an XML API document, a script redirect;
* JSON (or a Python dict) holding a command's parameters or an answer (``{"ST": "FAIL", "RS": …}``,
  ``{"error": {"exceptionID": "030002"}}``);
* an HTML POST form for the URL API (``<form action="…/p.php"><input type="hidden" name="AT" value="LI">…``);
* an HTTP request capture (``GET /site/p.php?AT=LI&… HTTP/1.1``, ``POST /WBXService/XMLService HTTP/1.1`` + XML);
* an XML API request (``<bodyContent xsi:type="java:com.webex.service.binding.meeting.GetMeeting">``);
* a back URL, request URL or query string anywhere in the text;
* a log line: ``Error 060001: …``, ``exceptionID=030002``, ``[WebEx] FAILURE 060001 …``, ``RS: AccessDenied``,
  ``reason: AccessDenied``. A six-digit code is an XML API exception ID; a CamelCase reason a URL API reason code.

Each detection says whether the text is a request (a command being sent) or an answer, and its status. A browser's
one-line search box turns line breaks into spaces; every shape reads the same flattened.

:func:`detect` never raises. Every string it returns is redacted (webex.redaction).

Pure Python, standard library only: no Django imports.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from webex.answer import (
    MAX_DETECT_CHARS,
    XML_PREFIX,
    XSI_TYPE,
    Answer,
    answer_from_url,
    find_script_redirect,
    find_url_answer,
    looks_like_request,
    open_meetings_answer,
    parse_answer,
    url_answer,
    xml_answer,
    xml_operation,
)
from webex.redaction import redact_text, redact_url
from webex.rest import RestError, read_rest_error
from webex.text import MAX_VALUE, clean, make_preview, one_line, to_text, xml_unescape
from webex.urls import parse_params, service_from_path, split_url, url_codes

__all__ = ["Detection", "detect"]


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """A WebEx answer (or request) recognised inside pasted text. Every string is redacted."""

    command: str | None
    status: str | None
    code: str | None
    api: str | None
    fragment: str
    form: str
    answer: Answer
    is_request: bool = False
    rest: RestError | None = None  # a Webex REST API error (webex.rest): never a legacy code

    @property
    def kind(self) -> str:
        """``rest_error`` for a REST API error; else ``request``, or ``answer`` (a legacy API's answer)."""
        if self.rest is not None:
            return "rest_error"
        return "request" if self.is_request else "answer"

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "rest": self.rest.to_dict() if self.rest is not None else None,
            "command": self.command,
            "status": self.status,
            "code": self.code,
            "api": self.api,
            "form": self.form,
            "fragment": self.fragment,
            "is_request": self.is_request,
            "meeting_key": self.answer.mk,
        }


def _xml_fragment(text: str) -> str:
    parts = []
    for local in ("result", "reason", "gsbStatus", "exceptionID"):
        m = re.search(
            rf"<(?P<name>{XML_PREFIX}{local})(?:\s[^<>]{{0,500}})?>[^<]{{0,1000}}(?:</(?P=name)\s*>)?",
            text,
            re.IGNORECASE,
        )
        if m:
            parts.append(m.group(0))
    return " ".join(parts)


def _detection(answer: Answer, fragment: str) -> Detection:
    return Detection(
        command=answer.command,
        status=answer.status,
        code=answer.code,
        api=answer.api,
        fragment=one_line(fragment),
        form=answer.form,
        answer=answer,
        is_request=answer.is_request,
    )


def detect(text) -> Detection | None:
    """Find a WebEx answer or command in arbitrary pasted text; None when there is none. Never raises."""
    try:
        return _detect(text)
    except Exception:  # last-resort guard: detection is a convenience, never a failure
        return None


def _detect(text) -> Detection | None:
    text = to_text(text)[:MAX_DETECT_CHARS]
    if not text.strip():
        return None
    rest = read_rest_error(text)
    if rest is not None:  # the REST API's own error shape: read before any legacy reader can see a code in it
        answer = Answer(form="rest-error", api="rest", http_status=rest.status, preview=make_preview(text))
        return Detection(None, None, None, "rest", rest.fragment, "rest-error", answer, rest=rest)
    for answer, fragment in _candidates(text):
        if answer.form in ("xml-api", "json") and answer.exception_id is None and answer.reason:
            # A FAILURE whose exception ID was left out of the paste, with a reason text WebEx sends with one.
            known = _known_reason(answer.reason) if answer.status == "FAILURE" else None
            answer = replace(answer, exception_id=known) if known else answer
        if answer.command or answer.code or answer.status:
            return _detection(answer, fragment)
    return None  # nothing a search can use: the text is left to the word search


def _candidates(text: str):
    """(answer, fragment) of each shape that reads, most specific first (a generator: later readers run only when
    the earlier ones found nothing a search can use)."""
    http = _http_response(text)
    if http:
        yield http
    answer = open_meetings_answer(text)
    if answer:
        m = re.search(r"<ListOpenMeetings\b[\s\S]{0,2000}?(?:</ListOpenMeetings\s*>|$)", text, re.IGNORECASE)
        yield answer, m.group(0) if m else text
    answer = xml_answer(text)
    if answer:
        yield answer, _xml_fragment(text)
    redirect = find_script_redirect(text)
    if redirect:
        url, fragment = redirect
        yield answer_from_url(url, "script-redirect", preview_source=url), fragment
    for reader in (_json_answer, _html_form, _http_request):
        found = reader(text)
        if found:
            yield found
    m = XSI_TYPE.search(text)
    if m and m.group("req"):
        operation = xml_operation(text)
        yield Answer(form="xml-api", api="xml", service="XMLService", operation=operation, is_request=True), m.group(0)
    token = find_url_answer(text)
    if token:
        stripped = token.strip()
        # Loose NAME=value fields of a log line (no URL around them) are a log line, not a back URL.
        loose = "?" not in stripped and "://" not in stripped and stripped != text.strip()
        answer = answer_from_url(stripped, "log-line" if loose else "back-url")
        if answer.at or answer.st or answer.rs:
            yield answer, stripped
    if m:  # a success body named by its response type (meet:getMeetingResponse) and nothing else
        yield Answer(form="xml-api", api="xml", service="XMLService", operation=xml_operation(text)), m.group(0)
    found = _log_answer(text)
    if found:
        yield found


# --- HTTP captures ---------------------------------------------------------------------------------

# A line break, or where one was before a browser's single-line box took it out (a space, or nothing).
_HTTP_VERSION = r"HTTP/\d(?:\.\d)?(?!\d)"
_STATUS_LINE = re.compile(rf"(?<![\w/]){_HTTP_VERSION}[ \t]+(?P<status>[1-5]\d\d)(?!\d)(?P<text>[^\r\n<]{{0,60}})")
_REQUEST_LINE = re.compile(
    rf"(?<![\w-])(?P<method>GET|POST|PUT|HEAD)[ \t]+(?P<target>[^\s\"'<>]{{1,16384}})[ \t]+{_HTTP_VERSION}"
)
_LOCATION = re.compile(r"(?<![\w.-])(?i:location)[ \t]*:[ \t]*(?P<url>[^\s\"'<>]{1,16384})")
_HOST = re.compile(r"(?<![\w.-])(?i:host)[ \t]*:[ \t]*(?P<host>[A-Za-z0-9.-]{1,253}(?::\d{1,5})?)")
_BLANK_LINE = re.compile(r"\r?\n[ \t]*\r?\n")


def _after_headers(text: str) -> str:
    """The body after a capture's headers, or "" when the capture has no blank line (or was flattened)."""
    parts = _BLANK_LINE.split(text, 1)
    return parts[1] if len(parts) == 2 else ""


def _http_response(text: str):
    """``HTTP/1.1 302 Found`` + ``Location:`` (or ``HTTP/1.1 200 OK`` + a body), e.g. from curl -v: read by
    :func:`read_answer`, the one reader of answers."""
    m = _STATUS_LINE.search(text)
    if not m:
        return None
    status = int(m.group("status"))
    rest = text[m.end() :]
    loc = _LOCATION.search(rest) if 300 <= status < 400 else None
    body = _after_headers(rest) or rest
    answer = parse_answer(body, status=status, location=loc.group("url") if loc else None, content_type=None)
    if not answer.recognised:
        return None
    if loc:
        fragment = f"{m.group(0).strip()} {loc.group(0)}"
    elif answer.form == "xml-api":
        fragment = f"{m.group(0).strip()} {_xml_fragment(body)}"
    else:
        fragment = f"{m.group(0).strip()} {answer.url or answer.preview}"
    return answer, fragment


def _http_request(text: str):
    """``GET /site/p.php?AT=LI&WID=…&PW=… HTTP/1.1``, or ``POST /WBXService/XMLService HTTP/1.1`` with its XML body,
    or a POST with a form body (``AT=LI&WID=…``). A GET of a back URL (it carries ST or RS) is an answer."""
    m = _REQUEST_LINE.search(text)
    if not m:
        return None
    target = m.group("target")
    rest = text[m.end() :]
    path, query = split_url(target)
    service = service_from_path(path)
    host = _HOST.search(rest)
    url = target if "://" in target or not host else f"https://{host.group('host')}{target}"
    fragment = m.group(0)
    if service == "XMLService" or XSI_TYPE.search(rest):
        xsi = XSI_TYPE.search(rest)
        operation = xml_operation(rest)
        if xsi and not xsi.group("req"):
            return None  # an answer's body: read by the XML readers
        answer = Answer(
            form="http-request",
            url=redact_url(url),
            api="xml",
            service="XMLService",
            operation=operation,
            is_request=True,
            preview=make_preview(rest),
        )
        return answer, fragment + (" " + xsi.group(0) if xsi else "")
    params = parse_params(query)
    body = _after_headers(rest)
    form_body = body.strip().splitlines()[0] if body.strip() and "<" not in body[:200] else ""
    if not form_body:
        token = find_url_answer(rest)
        form_body = token if token and "?" not in token and "://" not in token else ""
    for name, value in parse_params(form_body).items():
        params.setdefault(name, value)
    codes = url_codes(params)
    if not any(codes):
        return None
    is_request = looks_like_request(params, service or "?", *codes)
    form = "http-request" if is_request else "back-url"
    answer = url_answer(form, params, codes, url=url, service=service, shown=url, is_request=is_request)
    return answer, fragment + (" " + form_body if form_body else "")


# --- HTML forms --------------------------------------------------------------------------------------

_FORM_TAG = re.compile(r"<form\b(?P<attrs>[^<>]{0,4000})>", re.IGNORECASE)
_FIELD_TAG = re.compile(r"<(?:input|button)\b(?P<attrs>[^<>]{0,4000})>", re.IGNORECASE)
_FORM_END = re.compile(r"</form\s*>", re.IGNORECASE)
# A form without an action whose page sets it by script: ``document.getElementById("f").action = "https://…/m.php";``
_SCRIPT_ACTION = re.compile(r"\.action\s*=\s*(?P<q>[\"'])(?P<url>[^\"'\s<>]{1,2000})(?P=q)")
_TAG_ATTR = re.compile(
    r"(?P<name>[^\s<>=\"'/]{1,100})(?:\s*=\s*(?:\"(?P<dq>[^\"]{0,8192})\"|'(?P<sq>[^']{0,8192})'|(?P<bare>[^\s\"'<>`]{1,8192})))?"
)


def _tag_attrs(attrs: str) -> dict:
    out: dict[str, str] = {}
    for a in _TAG_ATTR.finditer(attrs):
        value = next((v for v in (a.group("dq"), a.group("sq"), a.group("bare")) if v is not None), "")
        out.setdefault(a.group("name").lower(), xml_unescape(value).strip())
    return out


def _html_form(text: str):
    """``<form action="https://site.webex.com/site/p.php" method="post">`` and its ``<input name=… value=…>``
    fields (Cisco's recommended way to send PW): the command the form sends. AT may be a field or in the action."""
    m = _FORM_TAG.search(text)
    if not m:
        return None
    end = _FORM_END.search(text, m.end())
    inner = text[m.end() : end.start() if end else len(text)]
    action = _tag_attrs(m.group("attrs")).get("action", "")
    if not action:
        scripted = _SCRIPT_ACTION.search(text, m.end())
        action = xml_unescape(scripted.group("url")) if scripted else ""
    path, query = split_url(action) if action else ("", "")
    params = parse_params(query)
    for f in list(_FIELD_TAG.finditer(inner))[:500]:
        attrs = _tag_attrs(f.group("attrs"))
        name = attrs.get("name", "").strip()
        if name and name not in params:
            params[clean(name)[:100]] = clean(attrs.get("value", ""))[:MAX_VALUE]
    service = service_from_path(path)
    codes = url_codes(params)
    if not any(codes):
        return None
    shown = action.split("?", 1)[0] + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    answer = url_answer("html-form", params, codes, url=shown, service=service, shown=shown)
    return answer, redact_text(f'<form action="{action}"> ' + shown.split("?", 1)[1])


# --- JSON dumps -----------------------------------------------------------------------------------------

_JSON_PAIR = re.compile(
    r"[\"'](?P<key>[A-Za-z_][\w.:-]{0,60})[\"']\s*:\s*"
    r"(?:\"(?P<dq>(?:\\.|[^\"\\]){0,4096})\"|'(?P<sq>(?:\\.|[^'\\]){0,4096})'|(?P<bare>-?[\w.+-]{1,100}))"
)
_JSON_SHOWN = ("at", "st", "rs", "mk", "service", "exceptionid", "result", "reason")
_JSON_URL_KEYS = {"url", "uri", "href", "action", "endpoint", "requesturl", "request_url", "location", "backurl"}


def _json_value(m) -> str:
    if m.group("dq") is not None:
        try:
            return json.loads('"' + m.group("dq") + '"')
        except ValueError:
            return m.group("dq")
    if m.group("sq") is not None:
        return m.group("sq").replace("\\'", "'")
    return m.group("bare") or ""


def _json_answer(text: str):
    """JSON (or a Python dict) holding a command's parameters (``{"AT": "LI", "WID": …, "PW": …}``, with or without
    a URL or service), a URL API answer (``{"ST": "FAIL", "RS": "AccessDenied"}``) or an XML API one
    (``{"exceptionID": "060001", "reason": …}``, nested as deep as it likes: every key is read wherever it is)."""
    if "{" not in text:
        return None
    pairs: dict[str, str] = {}
    originals: dict[str, str] = {}
    for m in list(_JSON_PAIR.finditer(text))[:2000]:
        key = m.group("key")
        folded = key.lower().replace("_", "").replace("-", "").rsplit(":", 1)[-1]
        if folded not in pairs:
            pairs[folded] = clean(_json_value(m))[:MAX_VALUE]
            originals[folded] = key
    if not pairs:
        return None
    exception_id = pairs.get("exceptionid")
    if exception_id and re.fullmatch(r"\d{1,6}", exception_id):
        exception_id = exception_id.zfill(6)
    result = pairs.get("result")
    if result and not re.fullmatch(r"(?i)success|failure|fail", result):
        result = None
    shown = [f'"{originals[k]}": "{pairs[k]}"' for k in originals if k in _JSON_SHOWN]
    shown += [f'"{originals[k]}": "{pairs[k]}"' for k in originals if k in _JSON_URL_KEYS][:1]
    fragment = "{" + ", ".join(shown) + "}"
    if exception_id or (result and ("reason" in pairs or "gsbstatus" in pairs)):
        reason = pairs.get("reason")
        answer = Answer(
            form="json",
            result=result or ("FAILURE" if exception_id else None),
            reason=redact_text(reason) if reason else None,
            exception_id=exception_id if exception_id and re.fullmatch(r"[\w.-]{1,40}", exception_id) else None,
            gsb_status=pairs.get("gsbstatus"),
            api="xml",
            service="XMLService",
            operation=_json_operation(pairs.get("operation") or pairs.get("type") or ""),
            preview=make_preview(text),
        )
        return answer, fragment
    # URL API parameters keep their upper-case names in a dump ("at" or "st" in other JSON means something else).
    params = {originals[k]: v for k, v in pairs.items() if re.fullmatch(r"[A-Z][A-Z0-9]{0,30}", originals[k])}
    url = next((pairs[k] for k in _JSON_URL_KEYS if k in pairs and ("/" in pairs[k] or "?" in pairs[k])), "")
    path, query = split_url(url) if url else ("", "")
    for name, value in parse_params(query).items():
        params.setdefault(name, value)
    service = service_from_path(path) or service_from_path(pairs.get("service", ""))
    codes = url_codes(params)
    if not any(codes) or (codes[0] and not re.fullmatch(r"[A-Za-z]{2,3}", codes[0])):
        return None
    return url_answer("json", params, codes, url=url, service=service, shown=text), fragment


def _json_operation(value: str) -> str | None:
    m = re.search(
        r"(?:binding\.)?(?P<op>(?:user|meeting|attendee|ep|meetingtype|history|site)\.[A-Za-z]{1,80})$", value
    )
    if not m:
        return None
    service, op = m.group("op").split(".", 1)
    return f"{service}.{op[:1].upper()}{op[1:]}"


# --- log lines ------------------------------------------------------------------------------------------

# Reason texts WebEx's XML API was seen sending with their exception IDs (captured responses: reference notes §4).
_XML_REASONS = {
    "access denied, additional privileges are required": "000001",
    "asservice not responding": "000035",
    "incorrect user or password": "030002",
    "not a valid session ticket": "030047",
    "corresponding meeting not found": "060001",
    "meeting password must not be null": "060026",
}
_LOG_EXCEPTION = re.compile(
    r"(?<![\w])exception[ _-]?id(?:[\"'])?[ \t]*[:=#]?[ \t]*[\"']?(?P<code>\d{6})(?!\d)"
    r"(?P<tail>[^\r\n]{0,300})",
    re.IGNORECASE,
)
_LOG_ERROR = re.compile(
    r"(?<![\w])(?P<word>error|failure|failed|fail|exception|err)\b[ \t:#=\[(]{0,5}(?P<code>\d{6})(?!\d)[\])]?"
    r"(?P<tail>[^\r\n]{0,300})",
    re.IGNORECASE,
)
_LOG_REASON = re.compile(
    r"(?<![\w])reason[\"']?[ \t]*[:=][ \t]*[\"']?(?P<reason>[^\r\n\"'&]{1,300})",
    re.IGNORECASE,
)
_LOG_RS = re.compile(r"(?<![\w])RS[ \t]*[:=][ \t]*[\"']?(?P<rs>[A-Za-z][A-Za-z0-9_]{1,79})\b")
_CAMEL_CODE = re.compile(r"[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+")
_LOG_STATUS = re.compile(r"(?<![\w])(?P<st>SUCCESS|FAILURE|FAIL)(?![\w])")


def _known_reason(text: str):
    folded = re.sub(r"\s+", " ", text or "").strip().strip(".:;,-\u2013 ").lower()
    for reason, code in _XML_REASONS.items():
        if folded.startswith(reason):
            return code
    return None


def _reason_of(tail: str) -> str | None:
    """The reason text following a code in a log line: ``060001: Corresponding Meeting not found``."""
    m = _LOG_REASON.search(tail)
    text = m.group("reason") if m else tail
    text = re.sub(r"^[\s:\-\u2013\]\)|,]+", "", text).strip()
    return text[:300] or None


def _log_answer(text: str):
    """A log line: ``Error 060001: Corresponding Meeting not found``, ``exceptionID=030002``, ``exceptionID: 000015``,
    ``[WebEx] FAILURE 060001 …``, ``RS: AccessDenied``, ``reason: AccessDenied`` or ``reason: <a reason text WebEx
    sends>``. A six-digit code is an XML API exception ID (sent only with FAILURE); a CamelCase reason is a URL API
    reason code."""
    m = _LOG_EXCEPTION.search(text) or _LOG_ERROR.search(text)
    if m:
        reason = _reason_of(m.group("tail"))
        return (
            Answer(
                form="log-line",
                result="FAILURE",
                exception_id=m.group("code"),
                reason=redact_text(reason) if reason else None,
                api="xml",
                service="XMLService",
                preview=make_preview(text),
            ),
            _line_around(text, m.start()),
        )
    found = _LOG_RS.search(text)
    rs, where = (found.group("rs"), found.start()) if found else (None, 0)
    r = _LOG_REASON.search(text)
    if not rs and r:
        value = r.group("reason").strip()
        code = _CAMEL_CODE.fullmatch(value.split()[0]) if value else None
        if code and len(value.split()) == 1:
            rs, where = code.group(0), r.start()
        elif _known_reason(value):
            return (
                Answer(
                    form="log-line",
                    result="FAILURE",
                    exception_id=_known_reason(value),
                    reason=redact_text(value),
                    api="xml",
                    service="XMLService",
                    preview=make_preview(text),
                ),
                _line_around(text, r.start()),
            )
    if not rs:
        return None
    status = _LOG_STATUS.search(text)
    return (
        Answer(
            form="log-line",
            st=status.group("st") if status else None,
            rs=rs,
            api="url",
            preview=make_preview(text),
        ),
        _line_around(text, where),
    )


def _line_around(text: str, pos: int, limit: int = 300) -> str:
    """The line of ``text`` holding ``pos`` (at most ``limit`` characters of it, around ``pos``)."""
    start = max(text.rfind("\n", 0, pos) + 1, pos - limit // 2)
    end = text.find("\n", pos)
    end = len(text) if end == -1 else end
    return text[start : min(end, start + limit)]
