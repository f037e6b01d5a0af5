"""Planning a replay: what a person typed (a :class:`ReplayInput`: a pasted command, one built from the knowledge
base's commands, or an XML API request) becomes a :class:`ReplayPlan` (:func:`plan_for`), or a
:class:`ReplayInputError` saying why it cannot be sent.

The host always comes from the chosen site; a pasted URL for another host is refused. Secrets typed in password
fields are put into their parameters here, and a plan never shows them (its ``repr`` names only the command).
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from django.views.decorators.debug import sensitive_variables

from kb.models import Command
from replay.outbound import url_origin
from webex.answer import xml_operation
from webex.commandkeys import XML_SERVICE, command_key
from webex.redaction import MASK, SECRET_XML_ELEMENTS, is_secret_name, redact_text, xml_secret_element

SERVICE_FILE_RE = re.compile(r"^[a-z]\.php$", re.IGNORECASE)
MAX_PARAMS = 200
MAX_XML_CHARS = 100_000
MIN_SCRUB_LENGTH = 4


class ReplayInputError(Exception):
    """What a person typed cannot be replayed. ``outcome`` is "blocked" (refused on purpose) or "error"."""

    def __init__(self, message, outcome="error"):
        super().__init__(message)
        self.message = message
        self.outcome = outcome


class LoginDetailsMissing(Exception):  # a caller's mistake, raised before anything is recorded
    """Asked to log in first without a WID (none given, none in the command) or without a password."""


@dataclasses.dataclass
class ReplayInput:
    """What a person asked to replay, as typed in the form or on the command line. Holds secrets.

    ``mode`` is "paste" (``text`` is the command), "build" (``command`` is a knowledge base command such as
    ``p.php?AT=LI`` and ``params`` its NAME=value lines) or "xml" (``text`` is the XML request).
    ``secrets`` are the URL API's password fields ({"PW": …}); ``xml_password`` and ``xml_session_ticket`` go
    into the XML request. An empty ``login_wid`` logs in with the command's own WID. ``refused_command`` is the
    command a refused replay's record names (nothing of what was typed is kept when it is refused).
    """

    mode: str = "paste"
    text: str = ""
    command: str = ""
    params: str = ""
    method: str = "POST"
    secrets: dict = dataclasses.field(default_factory=dict)
    xml_password: str = ""
    xml_session_ticket: str = ""
    login_first: bool = False
    login_wid: str = ""
    login_password: str = ""
    refused_command: str = ""
    from_step: str = ""  # the wizard step the replay was started from (checked by replay.wizardlink), or ""

    def __repr__(self):  # never show what was typed: it may hold secrets
        return f"<ReplayInput {self.mode}>"

    @property
    def api(self):
        return "xml" if self.mode == "xml" else "url"


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
        for name in SECRET_XML_ELEMENTS:
            for match in xml_secret_element(name).finditer(self.xml or ""):
                value = match.group("value")
                if value and value.strip():
                    values.append(value.strip())
        return [v for v in values if v and v != MASK]

    def redacted_params(self):
        """[[name, value], …] with every secret out: a secret parameter's value, a secret written inside a name
        (``<pwd>x</pwd>``, ``NPW<TAB>x`` pasted without "="), and one split across a name and its value
        (``<password value="x"/>`` read as the name ``<password value`` and the value ``"x"/>``)."""
        secrets = self.scrub_values()
        return [_redacted_param(k, v, secrets) for k, v in self.params]

    def redacted_xml(self):
        return redact_text(self.xml, self.scrub_values()) if self.xml else ""


def _redacted_param(name, value, secrets):
    if is_secret_name(name):
        return [name, MASK]
    clean_name, clean_value = redact_text(name, secrets), redact_text(value, secrets)
    if value and redact_text(f"{name}={value}", secrets) != f"{clean_name}={clean_value}":
        clean_value = MASK  # the pair, read whole, is a secret: ＰＷ=x, <password value="x"/>
    return [clean_name, clean_value]


@sensitive_variables()
def _service_and_query(site, text):
    """(service file, raw query) of a pasted command; the host must be the site's."""
    text = text.strip()
    if text.startswith("<"):
        raise ReplayInputError("This looks like an XML request: choose “XML API request” instead.")
    if any(ch in text for ch in "\t\r\n"):
        # A URL reader drops them silently (NPW<TAB>x would be sent, and kept, as the name NPWx).
        raise ReplayInputError("The command holds a tab or a line break: paste it as one line.")
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
        _scheme, pasted_host, pasted_port = url_origin(text)
        _scheme, site_host, site_port = site.origin
        if pasted_host != site_host or pasted_port != site_port:
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
    secrets = {k.upper(): v for k, v in (secrets or {}).items() if v}
    result, seen = [], set()
    for name, value in params:
        upper = name.upper()
        if upper in secrets:
            value = secrets[upper]
            seen.add(upper)
        elif is_secret_name(name) and MASK in value:
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
        command=command_key(service, at, xml=False),
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
    pattern = xml_secret_element(name)
    empty = re.compile(rf"<(?P<tag>(?:[A-Za-z_][\w.-]{{0,40}}:)?{name})\s*/>", re.IGNORECASE)
    if pattern.search(xml):
        return pattern.sub(lambda m: m.group("open") + escape(value) + m.group("close"), xml, count=1)
    if empty.search(xml):
        return empty.sub(lambda m: f"<{m.group('tag')}>{escape(value)}</{m.group('tag')}>", xml, count=1)
    raise ReplayInputError(f"The XML has no <{name}> element to put the {name} in.")


@sensitive_variables()
def plan_from_xml(site, xml, *, password="", session_ticket=""):
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
    for name in SECRET_XML_ELEMENTS:
        for match in xml_secret_element(name).finditer(xml):
            if MASK in match.group("value"):
                raise ReplayInputError(f"<{name}> is hidden (•••) in the pasted XML: type it in its field.")
    operation = xml_operation(xml)
    command = command_key(XML_SERVICE, operation, xml=True) if operation else XML_SERVICE
    return ReplayPlan(site=site, api="xml", method="POST", service="XMLService", xml=xml, command=command)


@sensitive_variables()
def plan_for(site, given: ReplayInput) -> ReplayPlan:
    """The plan for what was typed. Raises ReplayInputError when it cannot be sent, and LoginDetailsMissing
    when "log in first" has no WID (given or in the command) or no password."""
    if given.mode == "xml":
        return plan_from_xml(site, given.text, password=given.xml_password, session_ticket=given.xml_session_ticket)
    options = {
        "method": given.method,
        "secrets": given.secrets,
        "login_first": given.login_first,
        "login_wid": given.login_wid,
        "login_password": given.login_password,
    }
    if given.mode == "build":
        plan = plan_from_build(site, given.command, given.params, **options)
    else:
        plan = plan_from_paste(site, given.text, **options)
    if plan.login_first:
        plan.login_wid = plan.login_wid or next((v for k, v in plan.params if k.upper() == "WID"), "")
        if not plan.login_wid or not plan.login_password:
            raise LoginDetailsMissing
    return plan
