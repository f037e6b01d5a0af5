"""How a command key is written and read: the one home of the rule.

A URL API command is written ``p.php?AT=LI`` (the service file, then its ``AT`` value); an XML API
command is written ``XMLService:user.GetUser``. A key read from an answer may lack its service (``?AT=LI``:
a back URL carries ``AT`` but not always the file that was called); such a key matches that command of any service.

Pure Python: the models, the loader, the WebEx reader, search, the wizard and replay all use it.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

XML_SERVICE = "XMLService"
_URL_SEP = "?AT="
_XML_SEP = ":"
# A URL API command key written in prose (``p.php?AT=LI``): group 1 the service file, group 2 the AT value.
URL_KEY_IN_TEXT = re.compile(r"(?<![\w.])([a-z]\.php)\?AT=([A-Za-z]{2,3})\b")


# The URL API's log-in, and the services whose commands need the session cookie it sets (without it they answer
# AccessDenied): the replay form turns "log in first" on for them, and the wizard's tests say "log in first and retry".
LOGIN_COMMAND = "p.php?AT=LI"
SESSION_SERVICES = ("m.php", "o.php", "c.php")


def needs_session(key: str) -> bool:
    """True for a command of m.php, o.php or c.php (a key, or a pasted command or URL)."""
    service = (key or "").split("?", 1)[0].rsplit("/", 1)[-1].strip().lower()
    return service in SESSION_SERVICES


class CommandKeyError(ValueError):
    pass


def is_xml_service(service: str) -> bool:
    return (service or "").strip().lower() == XML_SERVICE.lower()


def command_key(service: str, code: str, *, xml: bool | None = None) -> str:
    """``("p.php", "LI")`` -> ``p.php?AT=LI``; ``("XMLService", "user.GetUser")`` -> ``XMLService:user.GetUser``.

    ``xml`` says which API the service belongs to; by default only the XML API's service is ``XMLService``."""
    service = (service or "").strip()
    code = (code or "").strip()
    if xml is None:
        xml = is_xml_service(service)
    if xml:
        return f"{service}{_XML_SEP}{code}"
    return f"{service}{_URL_SEP}{code}"


def split_command_key(key: str) -> tuple[str, str]:
    """``p.php?AT=LI`` -> ``("p.php", "LI")``; ``XMLService:user.GetUser`` -> ``("XMLService", "user.GetUser")``.

    Raises :class:`CommandKeyError` (a ValueError) with a message saying how to write a key."""
    key = (key or "").strip()
    if _URL_SEP in key:
        service, code = key.split(_URL_SEP, 1)
    elif _XML_SEP in key:
        service, code = key.split(_XML_SEP, 1)
    else:
        raise CommandKeyError(f"{key!r} is not a command; write it as p.php?AT=LI or XMLService:user.GetUser")
    if not service or not code:
        raise CommandKeyError(f"{key!r} is not a command; write it as p.php?AT=LI or XMLService:user.GetUser")
    return service, code


def key_parts(key: str) -> tuple[str, str]:
    """(service, code) of any key, one without its service included: ``?AT=LI`` -> ``("", "LI")``; ("", "") when
    ``key`` is no key. Never raises."""
    key = (key or "").strip()
    for sep in (_URL_SEP, _XML_SEP):
        if sep in key:
            service, code = key.split(sep, 1)
            return service, code
    return "", ""


def service_of(key: str) -> str:
    """The service part of a key (``p.php``, ``XMLService``), or "" for a key without one (``?AT=LI``)."""
    key = (key or "").strip()
    if _URL_SEP in key:
        return key.split(_URL_SEP, 1)[0]
    if _XML_SEP in key:
        return key.split(_XML_SEP, 1)[0]
    return ""


def key_matches(key: str, wanted: str) -> bool:
    """True when the command ``key`` is the one ``wanted`` names; ``?AT=LI`` (no service) names LI of any service.
    URL API codes compare ignoring case, XML API operations exactly as WebEx spells them, services ignoring case."""
    if not key or not wanted:
        return False
    if _URL_SEP in wanted and _URL_SEP in key:
        w_service, w_code = wanted.split(_URL_SEP, 1)
        k_service, k_code = key.split(_URL_SEP, 1)
        return k_code.upper() == w_code.upper() and (not w_service or k_service.lower() == w_service.lower())
    return key.strip().lower() == wanted.strip().lower()


def is_url_key(key: str) -> bool:
    """True for a URL API command key (``p.php?AT=LI``, ``?AT=LI``), False for an XML API one."""
    return _URL_SEP in (key or "")


def with_params(key: str, params) -> str:
    """A URL API command as a person would paste it: ``p.php?AT=SM`` with ``{"DU": "20"}`` -> ``p.php?AT=SM&DU=20``.
    An XML API key, or no parameters: the key itself."""
    params = dict(params or {})
    if not params or not is_url_key(key):
        return key
    return f"{key}&{urlencode(params)}"


# Commands that create, change or delete something on the site: the one list. The replay form and its result carry
# a caution for them, and on a site that is not marked as a test site they need an explicit confirmation.
# URL API: what each does; XML API: an operation whose name starts with Create, Set or Del (user.CreateUser,
# meeting.SetMeeting, meeting.DelMeeting).
SITE_CHANGING_URL = {
    "p.php?AT=SU": "creates a host account on {site} if the WebEx ID is free",
    "p.php?AT=EU": "changes a user account on {site}",
    "m.php?AT=SM": "schedules a meeting on {site}",
    "m.php?AT=IM": "starts an instant meeting on {site}",
    "m.php?AT=DM": "deletes a meeting on {site}",
}
_XML_CHANGES = (("Create", "creates"), ("Set", "changes"), ("Del", "deletes"))


def site_change(key: str, site: str = "the site") -> str:
    """What the command ``key`` changes on ``site`` ("creates a host account on acme if the WebEx ID is free"),
    or "" for a command that only reads. A key with parameters (``p.php?AT=SU&WID=x``) counts as its command."""
    key = (key or "").strip()
    if is_url_key(key):
        service, rest = key.split(_URL_SEP, 1)
        at = re.split(r"[&#]", rest, maxsplit=1)[0].strip().upper()
        for known, text in SITE_CHANGING_URL.items():
            if key_matches(f"{service.rsplit('/', 1)[-1]}{_URL_SEP}{at}", known):
                return text.format(site=site)
        return ""
    service, operation = key_parts(key)
    if not is_xml_service(service) or "." not in operation:
        return ""
    obj, verb = operation.split(".", 1)
    for prefix, does in _XML_CHANGES:
        if verb.startswith(prefix) and verb[len(prefix) : len(prefix) + 1].isupper():
            thing = re.sub(r"(?<!^)(?=[A-Z])", " ", verb[len(prefix) :]).lower() or obj
            return f"{does} a {thing} on {site} ({operation})"
    return ""
