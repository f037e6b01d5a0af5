"""URLs and parameters as WebEx uses them: the service file a path names (``p.php``, ``XMLService``), a URL or bare
query string split, its parameters read (first value wins, case kept), and a URL API command's AT, ST and RS.

Pure Python, standard library only.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from webex.text import MAX_VALUE, clean

__all__ = ["code_value", "param", "parse_params", "service_from_path", "split_url", "token_params", "url_codes"]

# --------------------------------------------------------------------------------------------

_SERVICE_FILE = re.compile(r"^(?:[a-z]\.php|nobrowser\.php|outlook\.php)$", re.IGNORECASE)


def service_from_path(path: str) -> str | None:
    last = (path or "").rstrip("/").rsplit("/", 1)[-1]
    if _SERVICE_FILE.match(last):
        return last.lower()
    if last.lower() == "xmlservice":
        return "XMLService"
    return None


def split_url(url: str):
    """(path, query) of a URL, a relative URL, or a bare query string. Never raises."""
    url = url.strip()
    if "&amp;" in url and "&" not in url.replace("&amp;", ""):
        url = url.replace("&amp;", "&")
    try:
        parts = urlsplit(url)
        path, query = parts.path, parts.query
    except ValueError:
        path, _, query = url.partition("?")
        query = query.partition("#")[0]
    if not query and "?" not in url and "=" in url and "/" not in url.split("=", 1)[0]:
        # A bare query string: AT=LI&ST=FAIL&RS=AlreadyLogon
        path, query = "", url.partition("#")[0]
    return path, query


def parse_params(query: str) -> dict:
    params: dict[str, str] = {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=None)
    except Exception:
        return params
    for name, value in pairs[:500]:
        name = clean(name.strip())[:100]
        if not name or name in params:
            continue
        params[name] = clean(value)[:MAX_VALUE]
    return params


def param(params: dict, name: str):
    """The value of parameter ``name`` (upper case) in ``params``, its name in any case; None when absent."""
    if name in params:
        return params[name]
    for key, value in params.items():
        if key.upper() == name:
            return value
    return None


def code_value(value):
    if value is None:
        return None
    value = value.strip()
    return value[:200] or None


def url_codes(params) -> tuple:
    """A URL API command's or answer's AT, ST and RS values (each None when absent)."""
    return tuple(code_value(param(params, n)) for n in ("AT", "ST", "RS"))


def token_params(token: str):
    """(path, parameters) of a URL, a relative URL or a bare query string."""
    path, query = split_url(token)
    return path, parse_params(query)
