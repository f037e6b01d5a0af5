"""Which names carry secrets, and how every secret is taken out of a text.

This module is the one home of the rule. WebEx secrets travel as URL API parameters (``PW``, ``NPW``, ``TK``,
``MPW``) and as XML API elements (``<password>``, ``<sessionTicket>``, ``<webExAccessToken>``,
``<clientSecret>``). The search box, the replay records, the wizard's flows, copy-as-curl and the logs all ask
this module; nothing else keeps its own list.

Pure Python, standard library only.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote, quote_plus, unquote

__all__ = [
    "MASK",
    "SECRET_PARAMS",
    "SECRET_XML_ELEMENTS",
    "is_secret_name",
    "known_variants",
    "placeholder",
    "redact_query",
    "redact_text",
    "redact_url",
    "redact_log_text",
    "replace_known",
    "strip_query_strings",
]

MASK = "\u2022\u2022\u2022"  # •••
# The URL API's secret parameters: passwords (PW, a meeting's PPW and MPW, a new NPW) and the log-in ticket TK.
SECRET_PARAMS = frozenset({"PW", "PPW", "NPW", "TK", "MPW"})
# Other names a secret goes by in pasted text (a form field, a log line, a JSON dump): matched whole, like a parameter.
SECRET_WORDS = frozenset({"PWD", "PASSWD", "PASS", "PASSCODE"})
# XML elements (and, anywhere, names ending in one of these: attendeePassword, accessToken, client_secret,
# refresh_token): the XML API's own, and OAuth's.
SECRET_XML_ELEMENTS = (
    "password",
    "sessionTicket",
    "webExAccessToken",
    "clientSecret",
    "accessToken",
    "token",
    "secret",
)
# HTTP headers whose value is a credential, in a pasted capture (the scheme of Authorization is kept).
SECRET_HEADERS = ("Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie")
_SECRET_NAMES_FOLDED = frozenset(
    {*SECRET_PARAMS, *SECRET_WORDS, *(name.upper() for name in SECRET_XML_ELEMENTS), "CLIENT_SECRET", "REFRESH_TOKEN"}
)

# The shell variable copy-as-curl leaves in place of each secret.
_PLACEHOLDERS = {
    "PW": "$WEBEX_PW",
    "NPW": "$WEBEX_NPW",
    "TK": "$WEBEX_TK",
    "MPW": "$WEBEX_MPW",
    "PASSWORD": "$WEBEX_PW",
    "SESSIONTICKET": "$WEBEX_SESSION_TICKET",
    "WEBEXACCESSTOKEN": "$WEBEX_ACCESS_TOKEN",
    "CLIENTSECRET": "$WEBEX_CLIENT_SECRET",
    "ACCESSTOKEN": "$WEBEX_ACCESS_TOKEN",
}

_MAX_VALUE = 4096


def is_secret_name(name) -> bool:
    """True for a URL API secret parameter or an XML API secret element, in any case, percent-encoded or not:
    ``PW``, ``pw``, ``%50W``, ``MPW``, ``password``, ``sessionTicket``."""
    try:
        name = str(name)
        for _ in range(3):  # percent-encoded once or twice: %50W, %2550%2557
            name = unquote(name)
        name = unicodedata.normalize("NFKC", name)  # fullwidth ＰＷ is PW
        return name.strip().upper() in _SECRET_NAMES_FOLDED
    except Exception:
        return False


def placeholder(name) -> str:
    """The shell variable that stands for a secret in a copied command: ``PW`` -> ``$WEBEX_PW``."""
    upper = str(name).strip().upper()
    return _PLACEHOLDERS.get(upper) or "$WEBEX_" + re.sub(r"[^A-Z0-9]", "_", upper)


def _spelled(name: str) -> str:
    """A pattern for ``name`` written plainly or with any of its letters percent-encoded, once or twice (``P%57``,
    ``%50%57``, ``%2550%2557``), or escaped as JSON or JavaScript writes it (``P\\u0057``, ``P\\x57``); matched
    case-insensitively."""
    parts = []
    for ch in name:
        codes = sorted({f"{ord(c):02X}" for c in (ch.upper(), ch.lower())})
        escapes = [f"%(?:25)?{code}" for code in codes] + [rf"\\(?:u00|x){code}" for code in codes]
        parts.append("(?:" + "|".join([re.escape(ch), *escapes]) + ")")
    return "".join(parts)


_SHORT_NAMES = sorted(SECRET_PARAMS | SECRET_WORDS, key=len, reverse=True)
_LONG_NAMES = sorted(SECRET_XML_ELEMENTS, key=len, reverse=True)
_SECRET_NAMES_RE = "|".join(re.escape(n) for n in _SHORT_NAMES)  # PW, NPW, TK, MPW as written
_XML_SECRET_RE = "|".join(_LONG_NAMES)
# Every secret name in any spelling, also as the end of a longer name: user_password, db.password, x-pw,
# newPassword, meetingPassword (a lower-case camel prefix; BadWebExIDorPassword, a reason code, is not one).
_ANY_SECRET_NAME = (
    r"(?:[A-Za-z0-9]{1,40}[_.-])?(?:"
    + "|".join(_spelled(n) for n in _SHORT_NAMES)
    + r"|(?-i:[a-z][a-z0-9]{0,40})?(?:"
    + "|".join(_spelled(n) for n in _LONG_NAMES)
    + "))"
)
# Where a name may start: not inside a word, or right after a separator written encoded (%26, \x26, \u0026, %3F).
_NAME_START = (
    r"(?:(?<=%26)|(?<=%2526)|(?<=\\x26)|(?<=\\X26)|(?<=\\u0026)|(?<=%3F)|(?<=%3f)|(?<=\\x3f)|(?<=\\x3F)"
    r"|(?<=\\u003f)|(?<=\\u003F)|(?<![A-Za-z0-9_%]))"
)

# "=" as written plainly (spaces allowed around it), percent-encoded (once or twice), JS hex/unicode-escaped, or
# HTML-escaped.
_EQ = r"(?:[ \t]{0,20}=[ \t]{0,20}|\t+|%3[dD]|%253[dD]|\\[xX]3[dD]|\\u003[dD]|&#0*61;|&#[xX]0*3[dD];)"
# Where an unquoted value ends: the next separator in any of those spellings, or a character a URL cannot hold.
_VALUE = r"(?:(?!%26|%2526|\\[xX]26|\\u0026|&#0*38;|&#[xX]0*26;)[^&\s\"'<>`])*"
# A quoted value: "…", '…', \"…\" (JSON inside a string) or &quot;…&quot;; an unclosed quote runs to the line's end.
_QUOTED = (
    r"(?:\\\"(?:(?!\\\")[^\r\n]){0,4096}(?:\\\")?"
    r"|\"(?:\\.|[^\"\\\r\n]){0,4096}\"?"
    r"|'(?:\\.|[^'\\\r\n]){0,4096}'?"
    r"|&quot;(?:(?!&quot;)[^\r\n]){0,4096}(?:&quot;)?"
    r"|&#0*3[49];(?:(?!&#0*3[49];)[^\r\n]){0,4096}(?:&#0*3[49];)?)"
)
_SECRET_PARAM = re.compile(
    rf"{_NAME_START}(?P<name>{_ANY_SECRET_NAME})(?P<eq>(?:\\?[\"'])?{_EQ})(?P<value>{_QUOTED}|{_VALUE})",
    re.IGNORECASE,
)
# "PW": "secret", 'password': 'secret', password: secret, <!-- password: secret -->: a quoted value or one word.
# An unquoted value after "name:" inside a line may be several words (a single-line box turns "Password: two words"
# and the next line into one line): words are taken until one looks like the next field (Host:, RS=, <tag, [WebEx],
# a log level, a status, an exception ID), at most 12 of them.
_WORD = r"[^\s\"'<>]+"
_NEXT_FIELD = (
    r"(?:[^\s=:<>\"']{1,60}[:=]|<|-->|\[|\||HTTP/"
    r"|(?:ERROR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|FAILURE|FAILED|FAIL|SUCCESS)\b|\d{6}(?!\d))"
)
_WORDS = rf"{_WORD}(?:[ \t]+(?!{_NEXT_FIELD}){_WORD}){{0,11}}"
_SECRET_COLON = re.compile(
    rf"{_NAME_START}(?P<name>{_ANY_SECRET_NAME})(?P<eq>(?:\\?[\"'])?[ \t]{{0,20}}:[ \t]{{0,20}})"
    rf"(?P<value>{_QUOTED}|{_WORDS})",
    re.IGNORECASE,
)
_AUTH_SCHEMES = r"(?:basic|bearer|digest|negotiate|ntlm|token|oauth|hoba|mutual|aws4-hmac-sha256)"
# A line that starts with a secret name or a credential header and a colon: the rest of the line is the value
# (Password: two words; Authorization: Basic …, whose scheme is kept). Cookies: _SECRET_HEADER.
_SECRET_LINE = re.compile(
    rf"^(?P<head>[ \t]*(?:{_ANY_SECRET_NAME}[ \t]*:"
    rf"|(?:proxy-)?authorization[ \t]*:[ \t]*(?:{_AUTH_SCHEMES}\b)?)[ \t]*)(?P<value>[^\r\n]+)",
    re.IGNORECASE | re.MULTILINE,
)
# The same headers inside a line (a flattened capture, a JSON dump of headers, a log line).
_SECRET_HEADER = re.compile(
    rf"(?<![\w-])(?P<head>(?:(?:proxy-)?authorization(?:\\?[\"'])?[ \t]*[:=][ \t]*(?:\\?[\"'])?"
    rf"(?:{_AUTH_SCHEMES}[ \t]+(?=[^\s\"'<>\\]))?)"
    r"|(?:set-)?cookie(?:\\?[\"'])?[ \t]*[:=][ \t]*(?:\\?[\"'])?)"
    r"(?P<value>[^\s\"'<>\\;]+(?:;[ \t]*[^\s\"'<>\\;]+)*;?)",
    re.IGNORECASE,
)
_ELEMENT_NAME = rf"(?:[A-Za-z_][\w.-]{{0,40}}:)?{_ANY_SECRET_NAME}"
# <password>secret</password>, <serv:sessionTicket>..., <meetingPassword>, with CDATA, or cut off; not <password/>.
_SECRET_ELEMENT = re.compile(
    rf"(?P<open><{_ELEMENT_NAME}(?:\s[^<>]{{0,500}})?(?<!/)>)"
    r"(?P<value><!\[CDATA\[(?:(?!\]\]>)[\s\S]){0,100000}(?:\]\]>)?|[^<]*)",
    re.IGNORECASE,
)
# The same element HTML-escaped: &lt;password&gt;secret&lt;/password&gt;
_SECRET_ELEMENT_ESCAPED = re.compile(
    rf"(?P<open>&lt;{_ELEMENT_NAME}(?:\s(?:(?!&gt;)[^<>]){{0,500}})?&gt;)"
    r"(?P<value>(?:(?!&lt;)[^<]){0,100000})",
    re.IGNORECASE,
)
# Every secret name holds one of these (PW, NPW, MPW; TK; password; sessionTicket; webExAccessToken; clientSecret), or
# is written with an escape (%57, \x57, &#87;): without one, the name-based rules below cannot match and are skipped.
_MAY_NAME_A_SECRET = re.compile(r"pw|tk|pass|ticket|token|secret|%[0-9a-f]{2}|\\[xu]|&#", re.IGNORECASE)
_MAY_HOLD_A_HEADER = re.compile(r"authoriz|cookie", re.IGNORECASE)
# https://user:secret@host/
_USERINFO = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]{0,20}://[^\s/:@\"'<>]{1,200}:)(?P<value>[^\s/@\"'<>]{1,500})@"
)

# Tags: <input type="hidden" name="PW" value="…">, in any attribute order and quoting, and any attribute named
# like a secret (<securityContext password="…">).
_TAG_START = re.compile(r"<(?P<tag>[A-Za-z][\w:.-]{0,60})(?=[\s/>\\]|$)")
_ATTR = re.compile(
    r"[\s/]*(?P<name>[^\s<>=\"'/\\]{1,100})"
    r"(?:\s*=\s*(?P<value>\\\"(?:(?!\\\")[^<>]){0,4096}(?:\\\")?|\"[^\"]{0,4096}\"?|'[^']{0,4096}'?"
    r"|[^\s\"'<>`]{1,4096}))?"
)
_ESCAPED_TAG = re.compile(r"&lt;[A-Za-z](?:(?!&gt;)[^<>\r\n]){0,4096}(?:&gt;)?", re.IGNORECASE)
_VALUE_ATTRS = {"value", "content", "data-value"}
_MAX_ATTRS = 100
_SECRET_NAME_ONLY = re.compile(_ANY_SECRET_NAME, re.IGNORECASE)


# Fullwidth ASCII (ＰＷ＝…), as some keyboards and pasted East Asian text write it: read as plain ASCII.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Inside an HTML or XML comment a name may be followed by its value after plain space: <!-- pw secret -->.
_COMMENT = re.compile(r"<!--(?:(?!-->)[\s\S]){0,4096}(?:-->)?")
_COMMENT_SECRET = re.compile(
    rf"{_NAME_START}(?P<name>{_ANY_SECRET_NAME})(?P<eq>[ \t]+)(?P<value>(?:(?!--)[^\s<>])+)", re.IGNORECASE
)
# OAuth's authorization code, in a pasted token request (curl -d, a form, JSON): secret only in that context.
_OAUTH_GRANT = re.compile(r"grant_type[\"']?\s*[:=]\s*[\"']?authorization_code", re.IGNORECASE)
_OAUTH_CODE = re.compile(
    r"(?<![\w-])(?P<name>code)(?P<eq>[\"']?\s*[:=]\s*)(?P<value>\"[^\"]{0,4096}\"?|'[^']{0,4096}'?|[^&\s\"'<>,}]+)"
)


def _attr_text(value: str) -> str:
    """An attribute's value without its quotes and escapes: \\"PW\\" -> PW, &quot;PW&quot; -> PW."""
    value = html.unescape(value.replace('\\"', '"'))
    return value.strip().strip("\"'").strip()


def _masked_attr(value: str) -> str:
    for quote_ in ('\\"', '"', "'"):
        if value.startswith(quote_):
            closed = len(value) >= 2 * len(quote_) and value.endswith(quote_)
            return quote_ + MASK + (quote_ if closed else "")
    return MASK


def _redact_tags(text: str) -> str:
    """Mask the value of an input (or any tag) named like a secret, or of type password, and the value of every
    attribute named like a secret. Linear: each tag's attributes are read once, at most _MAX_ATTRS of them."""
    if "<" not in text:
        return text
    out, pos = [], 0
    for m in _TAG_START.finditer(text):
        if m.start() < pos:
            continue
        i = m.end()
        attrs: list[re.Match[str]] = []
        while len(attrs) < _MAX_ATTRS:
            a = _ATTR.match(text, i)
            if not a or a.end() == i:
                break
            attrs.append(a)
            i = a.end()
        named = {a.group("name").lower(): _attr_text(a.group("value") or "") for a in attrs}
        secret_field = (
            any(is_secret_name(named.get(k, "")) for k in ("name", "id"))
            or named.get("type", "").lower() == "password"
            or _SECRET_NAME_ONLY.fullmatch(m.group("tag").rsplit(":", 1)[-1]) is not None  # <password value="…"/>
        )
        for a in attrs:
            if a.group("value") is None:
                continue
            name = a.group("name").lower()
            local = name.rsplit(":", 1)[-1]
            if (secret_field and name in _VALUE_ATTRS) or _SECRET_NAME_ONLY.fullmatch(local):
                out.append(text[pos : a.start("value")])
                out.append(_masked_attr(a.group("value")))
                pos = a.end("value")
        if secret_field and m.group("tag").lower() == "textarea":  # <textarea name="PW">secret</textarea>
            close = text.find(">", i)
            if close != -1:
                stop = text.find("<", close + 1)
                stop = len(text) if stop == -1 else stop
                if stop > close + 1:
                    out.append(text[pos : close + 1])
                    out.append(MASK)
                    pos = stop
    out.append(text[pos:])
    return "".join(out)


def _redact_escaped_tags(text: str) -> str:
    """The same for tags shown HTML-escaped: &lt;input name=&quot;PW&quot; value=&quot;…&quot;&gt;."""
    if "&lt;" not in text.lower():
        return text

    def repl(m):
        raw = html.unescape(m.group(0))
        done = _redact_tags(raw)
        return m.group(0) if done == raw else html.escape(done, quote=True)

    return _ESCAPED_TAG.sub(repl, text)


def xml_secret_element(name) -> re.Pattern:
    """``<name>value</name>`` (any namespace prefix, attributes allowed), with groups open, value, close."""
    return re.compile(
        rf"(?P<open><(?:[A-Za-z_][\w.-]{{0,40}}:)?{name}(?:\s[^<>]{{0,200}})?>)(?P<value>[^<]*)"
        rf"(?P<close></(?:[A-Za-z_][\w.-]{{0,40}}:)?{name}\s*>)",
        re.IGNORECASE,
    )


def known_variants(secrets) -> list[str]:
    """The spellings a known secret value may take in a body: raw, percent-encoded, HTML-escaped."""
    variants: set[str] = set()
    for secret in secrets or ():
        if not isinstance(secret, str) or not secret:
            continue
        variants.update({secret, quote(secret, safe=""), quote_plus(secret, safe=""), html.escape(secret)})
    return sorted(variants, key=len, reverse=True)


def replace_known(text: str, secrets) -> str:
    """``text`` with every spelling of each known secret value replaced by ``•••`` (no pattern redaction)."""
    for variant in known_variants(secrets):
        text = text.replace(variant, MASK)
    return text


def redact_text(text, secrets=()) -> str:
    """Replace every secret value in ``text`` with ``•••``.

    Covers ``PW=...`` (also NPW, TK, MPW, any case) written plainly, percent-encoded, JS hex-escaped
    (``PW\\x3d...\\x26``) or HTML-escaped; ``<password>...</password>`` and the other secret XML
    elements (any namespace prefix, CDATA, cut off, or HTML-escaped); ``"password": "..."`` in JSON;
    and the password in ``scheme://user:password@host``. ``secrets`` are known secret values (the
    password a replay sent) that are replaced wherever they appear, in any of their usual spellings.
    """
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    elif not isinstance(text, str):
        text = str(text)
    try:
        if not text.isascii() and any("\uff01" <= ch <= "\uff5e" for ch in text):
            text = text.translate(_FULLWIDTH)
        named = _MAY_NAME_A_SECRET.search(text) is not None  # a cheap look first: most log lines name none
        headers = _MAY_HOLD_A_HEADER.search(text) is not None
        if named and "<!--" in text:
            text = _COMMENT.sub(lambda c: _COMMENT_SECRET.sub(_keep_name, c.group(0)), text)
        if named:
            text = _SECRET_ELEMENT.sub(lambda m: m.group("open") + MASK, text)
            text = _SECRET_ELEMENT_ESCAPED.sub(lambda m: m.group("open") + MASK, text)
            text = _redact_tags(text)
            text = _redact_escaped_tags(text)
        if named or headers:
            text = _SECRET_LINE.sub(lambda m: m.group("head") + MASK, text)
        if headers:
            text = _SECRET_HEADER.sub(lambda m: m.group("head") + MASK, text)
        if named:
            text = _sub_in_named_lines(_SECRET_PARAM, text)
            text = _sub_in_named_lines(_SECRET_COLON, text)
        if _OAUTH_GRANT.search(text):
            text = _OAUTH_CODE.sub(_keep_name, text)
        if "://" in text:
            text = _USERINFO.sub(lambda m: m.group("head") + MASK + "@", text)
        for variant in known_variants(secrets):
            text = text.replace(variant, MASK)
    except Exception:  # pragma: no cover - regexes on str do not raise; be safe anyway
        return MASK
    return text


def _name_and_masked_value(m) -> str:
    return m.group("name") + m.group("eq") + _masked_value(m.group("value"))


_LONG_TEXT = 2000


def _sub_in_named_lines(pattern, text: str) -> str:
    """``pattern.sub(_name_and_masked_value, text)`` for the patterns whose matches never hold a newline (a name, its
    "=" or ":", a value that stops at the line's end), looking only at the lines that may name a secret: the same
    result, without scanning every position of a long text (a whole pasted ticket) with the full pattern. The
    lookbehinds still see the character before each line."""
    if len(text) < _LONG_TEXT:
        return pattern.sub(_name_and_masked_value, text)
    out, last, line_end = [], 0, -1
    for hit in _MAY_NAME_A_SECRET.finditer(text):
        if hit.start() < line_end:
            continue  # that line was done
        line_start = text.rfind("\n", 0, hit.start()) + 1
        line_end = text.find("\n", hit.end())
        line_end = len(text) if line_end == -1 else line_end
        for m in pattern.finditer(text, max(line_start, last), line_end):
            out += [text[last : m.start()], _name_and_masked_value(m)]
            last = m.end()
    return "".join([*out, text[last:]])


def _keep_name(m) -> str:
    return m.group("name") + m.group("eq") + _masked_value(m.group("value"))


def _masked_value(value: str) -> str:
    """``•••`` in place of a matched value, its quotes kept: "x" -> "•••", \\"x\\" -> \\"•••\\"."""
    for quote_ in ('\\"', "&quot;", '"', "'"):
        if value.startswith(quote_):
            closed = len(value) >= 2 * len(quote_) and value.endswith(quote_)
            return quote_ + MASK + (quote_ if closed else "")
    return MASK if value else value


def redact_query(query):
    """Redact a query: a string (``AT=LI&PW=x``), a mapping, or a list of ``(name, value)`` pairs.

    Returns the same kind it was given. Secret parameters keep their name and get ``•••`` as value;
    other values are passed through :func:`redact_text` (a ``MU`` may carry a whole URL with a ``PW``).
    """
    if query is None:
        return None
    if isinstance(query, str | bytes | bytearray):
        return redact_text(query)
    if isinstance(query, dict):
        return {k: (MASK if is_secret_name(k) else _redact_value(v)) for k, v in query.items()}
    try:
        return [(k, MASK if is_secret_name(k) else _redact_value(v)) for k, v in query]
    except Exception:
        return redact_text(str(query))


def _redact_value(value):
    if isinstance(value, list | tuple):
        return type(value)(_redact_value(v) for v in value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_text(value)


def redact_url(url, secrets=()) -> str:
    """A URL with every secret parameter (and any ``user:password@``) replaced by ``•••``."""
    return redact_text(url, secrets)


# A URL or a path followed by a query string: https://h/p.php?AT=LI&PW=x, /search/?q=…, '/replay/?…'.
_QUERY_AFTER_URL = re.compile(
    r"(?P<base>(?:\b[A-Za-z][A-Za-z0-9+.-]{0,20}://[^\s?#\"'<>]*|(?<![\w/.-])/[^\s?#\"'<>]*))\?[^\s\"'<>]*"
)


def strip_query_strings(text) -> str:
    """``https://h/p.php?AT=LI&PW=x`` -> ``https://h/p.php?…`` and ``/search/?q=x`` -> ``/search/?…`` in a text."""
    return _QUERY_AFTER_URL.sub(lambda m: m.group("base") + "?\u2026", text)


def redact_log_text(text) -> str:
    """What a log line may hold: no query string and no secret (core/logs.py's filter runs this on every record)."""
    return redact_text(strip_query_strings(text if isinstance(text, str) else str(text)))
