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
SECRET_PARAMS = frozenset({"PW", "NPW", "TK", "MPW"})
SECRET_XML_ELEMENTS = ("password", "sessionTicket", "webExAccessToken", "clientSecret")
_SECRET_NAMES_FOLDED = frozenset({*SECRET_PARAMS, *(name.upper() for name in SECRET_XML_ELEMENTS)})

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
}

_MAX_VALUE = 4096


def is_secret_name(name) -> bool:
    """True for a URL API secret parameter or an XML API secret element, in any case, percent-encoded or not:
    ``PW``, ``pw``, ``%50W``, ``MPW``, ``password``, ``sessionTicket``."""
    try:
        return unquote(str(name)).strip().upper() in _SECRET_NAMES_FOLDED
    except Exception:
        return False


def placeholder(name) -> str:
    """The shell variable that stands for a secret in a copied command: ``PW`` -> ``$WEBEX_PW``."""
    upper = str(name).strip().upper()
    return _PLACEHOLDERS.get(upper) or "$WEBEX_" + re.sub(r"[^A-Z0-9]", "_", upper)


_SECRET_NAMES_RE = "|".join(sorted((re.escape(n) for n in SECRET_PARAMS), key=len, reverse=True))
_XML_SECRET_RE = "|".join(sorted(SECRET_XML_ELEMENTS, key=len, reverse=True))

# "=" as written plainly, percent-encoded (once or twice), JS hex/unicode-escaped, or HTML-escaped.
_EQ = r"(?:=|%3[dD]|%253[dD]|\\[xX]3[dD]|\\u003[dD]|&#0*61;|&#[xX]0*3[dD];)"
# Where a value ends: the next separator in any of those spellings, or a character a URL cannot hold.
_VALUE = r"(?:(?!%26|%2526|\\[xX]26|\\u0026|&#0*38;|&#[xX]0*26;)[^&\s\"'<>#`])*"
_SECRET_PARAM = re.compile(
    r"(?:(?<=%26)|(?<=%2526)|(?<=\\x26)|(?<=\\X26)|(?<=\\u0026)|(?<=%3F)|(?<=%3f)|(?<=\\x3f)|(?<=\\x3F)"
    r"|(?<=\\u003f)|(?<=\\u003F)|(?<![A-Za-z0-9_]))"
    rf"(?P<name>{_SECRET_NAMES_RE})(?P<eq>{_EQ})(?P<value>{_VALUE})",
    re.IGNORECASE,
)
# "PW": "secret" / 'password': 'secret' in a JSON-ish log line.
_SECRET_JSON = re.compile(
    rf"(?P<key>[\"'](?:{_SECRET_NAMES_RE}|{_XML_SECRET_RE})[\"']\s*:\s*)(?P<q>[\"'])(?P<value>(?:\\.|(?!(?P=q))[^\\\n]){{0,{_MAX_VALUE}}})(?P=q)",
    re.IGNORECASE,
)
# <password>secret</password>, <serv:sessionTicket>..., with CDATA, or cut off; not <password/>.
_SECRET_ELEMENT = re.compile(
    rf"(?P<open><(?:[A-Za-z_][\w.-]{{0,40}}:)?(?:{_XML_SECRET_RE})(?:\s[^<>]{{0,500}})?(?<!/)>)"
    r"(?P<value><!\[CDATA\[(?:(?!\]\]>)[\s\S]){0,100000}(?:\]\]>)?|[^<]*)",
    re.IGNORECASE,
)
# The same element HTML-escaped: &lt;password&gt;secret&lt;/password&gt;
_SECRET_ELEMENT_ESCAPED = re.compile(
    rf"(?P<open>&lt;(?:[A-Za-z_][\w.-]{{0,40}}:)?(?:{_XML_SECRET_RE})(?:\s(?:(?!&gt;)[^<>]){{0,500}})?&gt;)"
    r"(?P<value>(?:(?!&lt;)[^<]){0,100000})",
    re.IGNORECASE,
)
# https://user:secret@host/
_USERINFO = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]{0,20}://[^\s/:@\"'<>]{1,200}:)(?P<value>[^\s/@\"'<>]{1,500})@"
)


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
        text = _SECRET_ELEMENT.sub(lambda m: m.group("open") + MASK, text)
        text = _SECRET_ELEMENT_ESCAPED.sub(lambda m: m.group("open") + MASK, text)
        text = _SECRET_JSON.sub(lambda m: m.group("key") + m.group("q") + MASK + m.group("q"), text)
        text = _SECRET_PARAM.sub(lambda m: m.group("name") + m.group("eq") + MASK, text)
        text = _USERINFO.sub(lambda m: m.group("head") + MASK + "@", text)
        for variant in known_variants(secrets):
            text = text.replace(variant, MASK)
    except Exception:  # pragma: no cover - regexes on str do not raise; be safe anyway
        return MASK
    return text


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
    """What a log line may hold: no query string and no secret (kb/logs.py's filter runs this on every record)."""
    return redact_text(strip_query_strings(text if isinstance(text, str) else str(text)))
