"""The replay form, filled in from a link: ``/replay/?command=…&site=…&from=<wizard step>&login_first=1`` or
``/replay/?again=<record>``. Secrets are never filled in from a link: a secret parameter in ``command`` is dropped
(build mode) or shown as ••• (paste mode), and the person types it in its password field."""

from urllib.parse import parse_qsl, urlencode, urlsplit

from django.urls import reverse

from kb.models import Api
from replay.wizardlink import safe_step_path
from replay.xmltemplates import fill_xml, xml_template
from webex.answer import xml_operation
from webex.commandkeys import XML_SERVICE, command_key, needs_session
from webex.redaction import MASK, SECRET_XML_ELEMENTS, is_secret_name, redact_text, xml_secret_element

MAX_COMMAND = 8000


def read_url_command(text):
    """(command key, [(name, value)]) of a pasted ``p.php?AT=LI&WID=…`` or full URL, or (None, None)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return None, None
    service = parts.path.rstrip("/").rsplit("/", 1)[-1].lower()
    pairs = [(k.strip(), v) for k, v in parse_qsl(parts.query, keep_blank_values=True)[:200] if k.strip()]
    at = next((v.strip().upper() for k, v in pairs if k.upper() == "AT"), "")
    if not service.endswith(".php") or not at:
        return None, None
    return command_key(service, at, xml=False), [(k, v) for k, v in pairs if k.upper() != "AT"]


def command_key_of(text):
    """The command key a pasted command or XML request names (``p.php?AT=SU``, ``XMLService:user.CreateUser``),
    or "" when none can be read."""
    text = (text or "").strip()
    if text.startswith("<"):
        operation = xml_operation(text)
        return command_key(XML_SERVICE, operation) if operation else ""
    key, _pairs = read_url_command(text[:MAX_COMMAND])
    return key or ""


def from_command(text, commands):
    """Initial form values for a command given as text: an XML command key opens XML mode with its template; a
    known URL API command opens build mode with its parameters filled in; anything else is pasted."""
    text = (text or "").strip()[:MAX_COMMAND]
    command = commands.get(text)
    if command is not None and command.service.api == Api.XML:
        return {"mode": "xml", "xml_template": command.key, "xml": xml_template(command)}
    key, pairs = read_url_command(text)
    command = commands.get(key) if key else None
    if command is None or command.service.api != Api.URL:
        return {"mode": "paste", "command_text": redact_text(text), "login_first": needs_session(text)}
    listed = {p["name"].upper(): p["name"] for p in command.parameters or []}
    values, extra = {"takes_pid": "PID" in listed}, []
    for name, value in pairs:
        if is_secret_name(name):
            continue  # never filled in from a link: typed in its password field
        if name.upper() in listed and f"param_{listed[name.upper()]}" not in values:
            values[f"param_{listed[name.upper()]}"] = value
        else:
            extra.append(f"{name}={redact_text(value)}")
    return {"mode": "build", "command": key, "params": "\n".join(extra), "login_first": needs_session(key), **values}


def from_record(record, commands):
    """Initial values to replay a record again: its site, command (without secrets), log-in and wizard step."""
    if record.api == "xml":
        xml = record.request_xml or ""
        for name in SECRET_XML_ELEMENTS:
            xml = xml_secret_element(name).sub(lambda m: m.group("open") + m.group("close"), xml)
        initial = {"mode": "xml", "xml": xml.replace(MASK, "")}
    else:
        pairs = [(k, v) for k, v in record.parameters or [] if str(k).upper() != "AT" and not is_secret_name(k)]
        text = record.command + ("&" + urlencode(pairs) if pairs else "")
        initial = from_command(text, commands)
        initial["method"] = record.method
        initial["login_first"] = record.login_first or initial.get("login_first", False)
        if record.login_wid:
            initial["login_wid"] = record.login_wid
    initial["site"] = record.site_id
    initial["from_step"] = safe_step_path(record.from_step)
    return initial


def initial_from_query(query, *, sites, commands, record=None):
    """The form's initial values for ``/replay/?…``: the one site is chosen; m.php, o.php and c.php log in first."""
    initial = {"mode": "paste", "method": "POST"}
    if record is not None:
        initial.update(from_record(record, commands))
    elif query.get("command"):
        initial.update(from_command(query["command"], commands))
    wanted = (query.get("site") or "").strip()
    chosen = next((s for s in sites if wanted and wanted in (str(s.pk), s.slug)), None)
    if chosen is not None:
        initial["site"] = chosen.pk
    elif not initial.get("site") and len(sites) == 1:
        initial["site"] = sites[0].pk
    _fill_from_site(initial, next((s for s in sites if s.pk == initial.get("site")), None), query)
    if query.get("login_first") == "1":
        initial["login_first"] = True
    if query.get("login_wid"):
        initial["login_wid"] = query["login_wid"][:120]
    step = safe_step_path(query.get("from"))
    if step:
        initial["from_step"] = step
    return initial


def _fill_from_site(initial, site, query):
    """What the chosen site says: an XML template's ``siteName`` (and ``webExID`` when the link names one), and the
    partner ID of a built command that takes ``PID`` (sign-up needs it)."""
    wid = (query.get("wid") or query.get("login_wid") or "").strip()[:120]
    if initial.get("mode") == "xml" and initial.get("xml"):
        initial["xml"] = fill_xml(initial["xml"], site_name=site.site_name if site else "", webex_id=wid)
        if wid:
            initial["xml_webex_id"] = wid
    takes_pid = initial.get("mode") == "build" and initial.get("takes_pid") and "param_PID" not in initial
    if takes_pid and site is not None and site.partner_id:
        initial["param_PID"] = site.partner_id
    initial.pop("takes_pid", None)


def replay_link(command_text, *, site=None, from_step="", login_first=False, login_wid=""):
    """A link to the replay form filled with ``command_text`` (never with secrets)."""
    query = {"command": command_text}
    if site is not None:
        query["site"] = site
    if from_step:
        query["from"] = from_step
    if login_first:
        query["login_first"] = "1"
    if login_wid:
        query["login_wid"] = login_wid
    return f"{reverse('replay:replay')}?{urlencode(query)}"
