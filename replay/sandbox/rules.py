"""Which answer the sandbox gives: its WebEx rules as plain functions of a command, its parameters and the state.

They return what a real site would say (ST and RS with the back URL's other values, or the XML API's result,
exceptionID and values) and know nothing of HTTP: :mod:`replay.sandbox.server` reads the request and writes the
answer in the form the site path asks for. The caller holds ``state.lock``.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import time

from replay.sandbox.state import (
    DEFAULT_DURATION,
    PARTNER_ID,
    SUPPORTED_MEETING_TYPES,
    Account,
    Meeting,
    SandboxState,
    Session,
    SiteSettings,
)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# --- URL API -----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class UrlResult:
    """The answer to a URL API command."""

    st: str  # SUCCESS or FAIL
    rs: str = ""  # the reason code of a failure
    values: dict = dataclasses.field(default_factory=dict)  # more back-URL parameters: WID, MK
    cookie: str | None = None  # a new session cookie; "" clears it; None leaves it alone
    open_meetings: list | None = None  # m.php?AT=OM answers <ListOpenMeetings>: the keys of meetings in progress


def url_command(state: SandboxState, site_name, site: SiteSettings, service, at, p, token) -> UrlResult:
    """The answer to ``<service>?AT=<at>`` with the (upper-cased) parameters ``p``, on site path ``site_name``,
    from a client holding the session cookie ``token``."""
    session = state.session_for(site_name, token)
    if not site.api or state.api_switched_off:
        if service == "m.php" and at == "OM":
            return UrlResult("FAIL", "DoNotSupportAPI", open_meetings=[])
        return UrlResult("FAIL", "DoNotSupportAPI")
    if service == "p.php":
        return p_php(state, site_name, site, at, p, session, token)
    if service == "m.php":
        if at == "OM":
            return open_meetings(state, session)
        return m_php(state, at, p, session)
    if service == "o.php":
        if session is None:
            return UrlResult("FAIL", "AccessDenied")
        return UrlResult("SUCCESS") if at == "ST" else UrlResult("FAIL", "UnknownATCommand")
    # c.php: its commands are not documented; without a session it answers AccessDenied
    return UrlResult("FAIL", "AccessDenied") if session is None else UrlResult("FAIL", "UnknownATCommand")


def open_meetings(state, session):
    """m.php?AT=OM: the meetings in progress, for a logged-in client."""
    if session is None:
        return UrlResult("FAIL", "AccessDenied", open_meetings=[])
    return UrlResult("SUCCESS", open_meetings=[m.key for m in state.meetings.values() if m.in_progress])


def p_php(state, site_name, site, at, p, session, token):
    """p.php: log in and out, sign up and edit users."""
    if at in ("SU", "LI", "LO") and not site.autologin:
        return UrlResult("FAIL", "AutoLoginDisabled")
    if at == "LI":
        if session is not None:
            return UrlResult("FAIL", "AlreadyLogon", {"WID": session.wid})
        wid = p.get("WID", "")
        account = state.accounts.get(wid)
        ticket = p.get("TK")
        if ticket:
            ok = account is not None and state.login_tickets.pop(ticket, None) == wid
        else:
            ok = account is not None and secrets.compare_digest(account.password, p.get("PW", ""))
        if not ok:
            return UrlResult("FAIL", "BadWebExIDorPassword", {"WID": wid} if wid else {})
        new_token = secrets.token_hex(16)
        state.sessions[new_token] = Session(site_name, wid, time.monotonic())
        return UrlResult("SUCCESS", values={"WID": wid}, cookie=new_token)
    if at == "LO":
        if token:
            state.sessions.pop(token, None)
        return UrlResult("SUCCESS", cookie="" if token else None)
    if at == "SU":
        if p.get("PID", "") != PARTNER_ID:
            return UrlResult("FAIL", "PartnerIDError")
        email = p.get("EM", "")
        if not EMAIL_RE.match(email):
            return UrlResult("FAIL", "Unknown")
        wid = p.get("WID", "")
        if not all(p.get(k) for k in ("WID", "PW", "FN", "LN")):
            return UrlResult("FAIL", "InvalidDataFormat")
        if wid in state.accounts:
            return UrlResult("FAIL", "WebExIDConflict", {"WID": wid})
        if state.find_email(email):
            return UrlResult("FAIL", "EmailConflict", {"WID": wid})
        mt = p.get("MT", "1")
        if mt not in SUPPORTED_MEETING_TYPES:
            return UrlResult("FAIL", "SiteDoNotSupportThisMeetingType", {"WID": wid})
        state.accounts[wid] = Account(wid, p["PW"], email, p["FN"], p["LN"], meeting_type=mt)
        return UrlResult("SUCCESS", values={"WID": wid})
    if at == "EU":
        if p.get("PID", "") != PARTNER_ID:
            return UrlResult("FAIL", "PartnerIDError")
        wid = p.get("WID", "")
        account = state.accounts.get(wid)
        if account is None or not secrets.compare_digest(account.password, p.get("PW", "")):
            return UrlResult("FAIL", "BadWebExIDorPassword", {"WID": wid} if wid else {})
        new_email = p.get("NEM")
        if new_email is not None:
            if not EMAIL_RE.match(new_email):
                return UrlResult("FAIL", "Unknown", {"WID": wid})
            other = state.find_email(new_email)
            if other is not None and other is not account:
                return UrlResult("FAIL", "EmailConflict", {"WID": wid})
        new_wid = p.get("NWID")
        if new_wid and new_wid != wid and new_wid in state.accounts:
            return UrlResult("FAIL", "WebExIDConflict", {"WID": wid})
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
        return UrlResult("SUCCESS", values={"WID": account.wid})
    return UrlResult("FAIL", "UnknownATCommand")


def duration_error(state, p):
    """(duration, None), or (duration, the reason code) when ``DU`` is not a number or longer than the site allows."""
    try:
        duration = int(p.get("DU") or DEFAULT_DURATION)
    except ValueError:
        return None, "InvalidDataFormat"
    if duration > state.config.max_duration:
        return duration, "TheDurationIsExceedTheMaxDuration"
    return duration, None


def m_php(state, at, p, session):
    """m.php: schedule, start, host and join meetings (every command but JM needs the session)."""
    if at == "JM":
        meeting = state.meetings.get(p.get("MK", ""))
        if meeting is None:
            return UrlResult("FAIL", "InvalidMeetingKey")
        if meeting.password and not secrets.compare_digest(meeting.password, p.get("PW", "")):
            return UrlResult("FAIL", "InvalidMeetingKeyOrPassword", {"MK": meeting.key})
        if not meeting.in_progress:
            return UrlResult("FAIL", "MeetingNotInProgress", {"MK": meeting.key})
        return UrlResult("SUCCESS", values={"MK": meeting.key})
    if session is None:
        return UrlResult("FAIL", "AccessDenied")
    if at in ("SM", "IM"):
        mt = p.get("MT", "1")
        if mt not in SUPPORTED_MEETING_TYPES:
            return UrlResult("FAIL", "NoMeetingTypeSupport" if at == "SM" else "SiteDoNotSupportThisMeetingType")
        duration, error = duration_error(state, p)
        if error:
            return UrlResult("FAIL", error)
        key = state.new_meeting_key()
        meeting = Meeting(key, p.get("MN") or "Sandbox meeting", session.wid, p.get("PW", ""), duration, mt)
        meeting.in_progress = at == "IM"
        state.meetings[key] = meeting
        return UrlResult("SUCCESS", values={"MK": key} if at == "SM" else {})
    if at == "HM":
        meeting = state.meetings.get(p.get("MK", ""))
        if meeting is None:
            return UrlResult("FAIL", "InvalidMeetingKey")
        meeting.in_progress = True
        return UrlResult("SUCCESS", values={"MK": meeting.key})
    if at == "LM":
        return UrlResult("SUCCESS")
    return UrlResult("FAIL", "UnknownATCommand")


# --- XML API -----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class XmlResult:
    """The answer to an XML API request: a failure's reason and exceptionID, or a success's bodyContent."""

    ok: bool
    reason: str = ""
    exception_id: str | None = None
    body_type: str = ""  # xsi:type of a success's bodyContent
    values: list = dataclasses.field(default_factory=list)  # [(element, text or a nested list), …]

    @classmethod
    def failure(cls, reason, exception_id):
        return cls(False, reason=reason, exception_id=exception_id)

    @classmethod
    def success(cls, body_type, values=()):
        return cls(True, body_type=body_type, values=list(values))


def xml_call(state: SandboxState, operation, security, body) -> XmlResult:
    """The answer to the XML API ``operation`` (``user.GetUser`` …). ``security`` and ``body`` are the texts of the
    request's securityContext and bodyContent elements by path (``webExID``, ``accessControl/meetingPassword``)."""
    wid = security.get("webExID", "")
    email = security.get("email", "")
    account = state.accounts.get(wid) if wid else state.find_email(email)
    ticket = security.get("sessionTicket", "")
    password = security.get("password", "")
    if ticket:
        if account is None or state.session_tickets.get(ticket) != account.wid:
            return XmlResult.failure("Not a valid session ticket", "030047")
    elif account is None or not secrets.compare_digest(account.password, password):
        return XmlResult.failure("Incorrect user or password", "030002")

    if operation == "user.AuthenticateUser":
        new_ticket = secrets.token_hex(24)
        state.session_tickets[new_ticket] = account.wid
        return XmlResult.success("use:authenticateUserResponse", [("use:sessionTicket", new_ticket)])
    if operation == "user.GetLoginTicket":
        new_ticket = secrets.token_hex(16)
        state.login_tickets[new_ticket] = account.wid
        return XmlResult.success("use:getLoginTicketResponse", [("use:ticket", new_ticket)])
    if operation == "user.GetUser":
        target = body.get("webExId", "") or account.wid
        if target != account.wid and not account.admin:
            return XmlResult.failure("Access denied, additional privileges are required", "000001")
        user = state.accounts.get(target)
        if user is None:
            return XmlResult.failure("User not found (sandbox wording)", "030001")
        return XmlResult.success(
            "use:getUserResponse",
            [
                ("use:firstName", user.first_name),
                ("use:lastName", user.last_name),
                ("use:email", user.email),
                ("use:webExId", user.wid),
            ],
        )
    if operation == "user.LstsummaryUser":
        if not account.admin:
            return XmlResult.failure("Access denied, additional privileges are required", "000001")
        users = [("use:user", [("use:webExId", a.wid)]) for a in state.accounts.values()]
        return XmlResult.success("use:lstsummaryUserResponse", users)
    if operation == "meeting.CreateMeeting":
        meeting_password = body.get("accessControl/meetingPassword", "")
        if not meeting_password:
            return XmlResult.failure("Meeting password must not be null", "060026")
        key = state.new_meeting_key()
        name = body.get("metaData/confName", "") or "Sandbox meeting"
        state.meetings[key] = Meeting(key, name, account.wid, meeting_password, 30, "1")
        return XmlResult.success("meet:createMeetingResponse", [("meet:meetingkey", key)])
    if operation in ("meeting.GetMeeting", "meeting.DelMeeting"):
        key = body.get("meetingKey", "")
        meeting = state.meetings.get(key)
        if meeting is None:
            return XmlResult.failure("Corresponding Meeting not found", "060001")
        if operation == "meeting.DelMeeting":
            del state.meetings[key]
            return XmlResult.success("meet:delMeetingResponse")
        return XmlResult.success("meet:getMeetingResponse", [("meet:meetingkey", key), ("meet:confName", meeting.name)])
    return XmlResult.failure(f"Unsupported operation {operation or '(none)'} (sandbox wording)", None)
