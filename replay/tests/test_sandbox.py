"""The WebEx sandbox, spoken to over a real loopback socket with a plain httpx client."""

import codecs
import logging
import re
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from replay.sandbox.server import SandboxServer, js_hex_escape
from replay.sandbox.state import SandboxConfig

XML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext>{ctx}</securityContext></header>'
    '<body><bodyContent xsi:type="java:com.webex.service.binding.{op}">{body}</bodyContent></body></serv:message>'
)


def back_params(response):
    """The back-URL parameters of a sandbox answer (test-side decoding of the sandbox's own output)."""
    if response.status_code == 302:
        url = response.headers["location"]
    else:
        match = re.search(r'location\.href="([^"]*)"', response.text)
        if match:
            url = codecs.decode(match.group(1), "unicode_escape")
        else:
            match = re.search(r'(?:replace\(|var url = )"([^"]*)"', response.text)
            url = match.group(1)
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}, url


@pytest.fixture
def client():
    with httpx.Client(follow_redirects=False) as c:
        yield c


def call(client, sandbox, site, service, **params):
    return client.post(f"{sandbox.base_url}/{site}/{service}", data=params)


def login(client, sandbox, site="sandbox", wid="host1", pw="Sandbox-pass1"):
    response = call(client, sandbox, site, "p.php", AT="LI", WID=wid, PW=pw)
    assert back_params(response)[0]["ST"] == "SUCCESS"


def rs(response):
    return back_params(response)[0].get("RS")


def test_login_success_sets_cookie_and_redirects_to_back_page(client, sandbox):
    response = call(client, sandbox, "sandbox", "p.php", AT="LI", WID="host1", PW="Sandbox-pass1")
    params, url = back_params(response)
    assert response.status_code == 200
    assert "location.href=" in response.text and "\\x3a\\x2f\\x2f" in response.text
    assert params == {"AT": "LI", "WID": "host1", "ST": "SUCCESS"}
    assert urlsplit(url).path == "/sandbox/back"
    assert "ticket" in response.cookies
    assert "Sandbox-pass1" not in response.text


def test_login_goes_to_bu_and_mu(client, sandbox):
    response = call(
        client, sandbox, "sandbox-302", "p.php", AT="LI", WID="host1", PW="Sandbox-pass1", BU="https://x.example/b?k=1"
    )
    assert response.headers["location"] == "https://x.example/b?k=1&AT=LI&WID=host1&ST=SUCCESS"
    client.cookies.clear()
    response = call(
        client, sandbox, "sandbox-302", "p.php", AT="LI", WID="host1", PW="Sandbox-pass1", MU="https://x.example/mu"
    )
    assert response.headers["location"].startswith("https://x.example/mu?AT=LI")


@pytest.mark.parametrize(
    ("site", "service", "params", "setup", "expected"),
    [
        ("sandbox", "m.php", {"AT": "SM", "DU": "20"}, None, "AccessDenied"),
        ("sandbox", "o.php", {"AT": "ST", "SP": "MC"}, None, "AccessDenied"),
        ("sandbox", "c.php", {"AT": "XX"}, None, "AccessDenied"),
        ("sandbox", "p.php", {"AT": "LI", "WID": "host1", "PW": "Sandbox-pass1"}, "login", "AlreadyLogon"),
        ("noauto", "p.php", {"AT": "LI", "WID": "host1", "PW": "Sandbox-pass1"}, None, "AutoLoginDisabled"),
        ("noauto", "p.php", {"AT": "LO"}, None, "AutoLoginDisabled"),
        ("noauto", "p.php", {"AT": "SU"}, None, "AutoLoginDisabled"),
        ("sandbox", "p.php", {"AT": "LI", "WID": "host1", "PW": "wrong"}, None, "BadWebExIDorPassword"),
        ("sandbox", "p.php", {"AT": "LI", "WID": "nobody", "PW": "x"}, None, "BadWebExIDorPassword"),
        ("noapi", "m.php", {"AT": "LM"}, None, "DoNotSupportAPI"),
        ("noapi", "p.php", {"AT": "LI", "WID": "host1", "PW": "Sandbox-pass1"}, None, "DoNotSupportAPI"),
        (
            "sandbox",
            "p.php",
            {"AT": "SU", "PID": "4242", "WID": "new1", "PW": "p", "FN": "N", "LN": "U", "EM": "HOST1@sandbox.example"},
            None,
            "EmailConflict",
        ),
        ("sandbox", "m.php", {"AT": "SM", "DU": "20", "MT": "9"}, "login", "NoMeetingTypeSupport"),
        ("sandbox", "m.php", {"AT": "IM", "DU": "20", "MT": "9"}, "login", "SiteDoNotSupportThisMeetingType"),
        (
            "sandbox",
            "p.php",
            {"AT": "SU", "PID": "4242", "WID": "new1", "PW": "p", "FN": "N", "LN": "U", "EM": "n@x.example", "MT": "7"},
            None,
            "SiteDoNotSupportThisMeetingType",
        ),
        (
            "sandbox",
            "p.php",
            {"AT": "SU", "PID": "1", "WID": "new1", "PW": "p", "EM": "n@x.example"},
            None,
            "PartnerIDError",
        ),
        ("sandbox", "p.php", {"AT": "EU", "PID": "1", "WID": "host1", "PW": "Sandbox-pass1"}, None, "PartnerIDError"),
        ("sandbox", "m.php", {"AT": "SM"}, "login", "TheDurationIsExceedTheMaxDuration"),
        ("sandbox", "m.php", {"AT": "IM", "DU": "41"}, "login", "TheDurationIsExceedTheMaxDuration"),
        (
            "sandbox",
            "p.php",
            {"AT": "SU", "PID": "4242", "WID": "new1", "PW": "p", "FN": "N", "LN": "U"},
            None,
            "Unknown",
        ),
        ("sandbox", "p.php", {"AT": "SU", "PID": "4242", "WID": "new1", "EM": "not-an-email"}, None, "Unknown"),
        (
            "sandbox",
            "p.php",
            {"AT": "SU", "PID": "4242", "WID": "user2", "PW": "p", "FN": "N", "LN": "U", "EM": "n@x.example"},
            None,
            "WebExIDConflict",
        ),
        ("sandbox", "m.php", {"AT": "JM", "MK": "1"}, None, "InvalidMeetingKey"),
        ("sandbox", "m.php", {"AT": "JM", "MK": "621018655", "PW": "no"}, None, "InvalidMeetingKeyOrPassword"),
        ("sandbox", "m.php", {"AT": "JM", "MK": "621018655", "PW": "Meet-pass1"}, None, "MeetingNotInProgress"),
        ("sandbox", "p.php", {"AT": "QR"}, None, "UnknownATCommand"),
    ],
)
def test_each_reason_code_on_demand(client, sandbox, site, service, params, setup, expected):
    if setup == "login":
        login(client, sandbox, site)
    response = call(client, sandbox, site, service, **params)
    back, _ = back_params(response)
    assert back["ST"] == "FAIL"
    assert back["RS"] == expected
    assert back["AT"] == params["AT"]


def test_successes_of_meeting_commands(client, sandbox):
    login(client, sandbox)
    sm = back_params(call(client, sandbox, "sandbox", "m.php", AT="SM", DU="20", MN="Weekly"))[0]
    assert sm["ST"] == "SUCCESS" and sm["MK"].isdigit()
    im = back_params(call(client, sandbox, "sandbox", "m.php", AT="IM", DU="20"))[0]
    assert im == {"AT": "IM", "ST": "SUCCESS"}  # IM returns no meeting key
    assert back_params(call(client, sandbox, "sandbox", "m.php", AT="HM", MK="621018655"))[0]["ST"] == "SUCCESS"
    assert back_params(call(client, sandbox, "sandbox", "m.php", AT="LM"))[0]["ST"] == "SUCCESS"
    assert back_params(call(client, sandbox, "sandbox", "o.php", AT="ST", SP="MC"))[0]["ST"] == "SUCCESS"
    jm = back_params(call(client, sandbox, "sandbox", "m.php", AT="JM", MK="621018655", PW="Meet-pass1"))[0]
    assert jm["ST"] == "SUCCESS"
    om = client.get(f"{sandbox.base_url}/sandbox/m.php?AT=OM")
    assert om.text.startswith("<ListOpenMeetings><Status>SUCCESS</Status><MeetingKeys>621018655;")
    assert om.headers["content-type"].startswith("text/html")
    assert back_params(call(client, sandbox, "sandbox", "p.php", AT="LO"))[0]["ST"] == "SUCCESS"
    assert rs(call(client, sandbox, "sandbox", "m.php", AT="LM")) == "AccessDenied"


def test_signup_then_edit_user(client, sandbox):
    params = {"AT": "SU", "PID": "4242", "WID": "new1", "PW": "p1", "FN": "N", "LN": "U", "EM": "n@x.example"}
    assert back_params(call(client, sandbox, "sandbox", "p.php", **params))[0]["ST"] == "SUCCESS"
    assert rs(call(client, sandbox, "sandbox", "p.php", **params)) == "WebExIDConflict"
    edit = {"AT": "EU", "PID": "4242", "WID": "new1", "PW": "p1"}
    assert rs(call(client, sandbox, "sandbox", "p.php", **edit, NEM="user2@sandbox.example")) == "EmailConflict"
    assert rs(call(client, sandbox, "sandbox", "p.php", **edit, NWID="host1")) == "WebExIDConflict"
    assert rs(call(client, sandbox, "sandbox", "p.php", **edit, NEM="bad")) == "Unknown"
    assert back_params(call(client, sandbox, "sandbox", "p.php", **edit, NPW="p2"))[0]["ST"] == "SUCCESS"
    assert rs(call(client, sandbox, "sandbox", "p.php", AT="LI", WID="new1", PW="p1")) == "BadWebExIDorPassword"
    login(client, sandbox, wid="new1", pw="p2")


def test_session_expires_after_idle_time(client, sandbox):
    login(client, sandbox)
    assert back_params(call(client, sandbox, "sandbox", "m.php", AT="LM"))[0]["ST"] == "SUCCESS"
    with sandbox.state.lock:
        for session in sandbox.state.sessions.values():
            session.last_seen -= 31 * 60
    assert rs(call(client, sandbox, "sandbox", "m.php", AT="LM")) == "AccessDenied"


def test_session_idle_time_is_configurable():
    server = SandboxServer(port=0, config=SandboxConfig(session_idle_seconds=0.05)).start()
    try:
        with httpx.Client() as c:
            login(c, server)
            time.sleep(0.1)
            assert rs(c.post(f"{server.base_url}/sandbox/m.php", data={"AT": "LM"})) == "AccessDenied"
    finally:
        server.stop()


def test_session_cookie_belongs_to_its_site(client, sandbox):
    login(client, sandbox, "sandbox")
    client.cookies.set("ticket", client.cookies["ticket"], path="/sandbox-302/")
    assert rs(call(client, sandbox, "sandbox-302", "m.php", AT="LM")) == "AccessDenied"


def test_answer_forms(client, sandbox):
    bad = {"AT": "LI", "WID": "host1", "PW": "wrong"}
    replace = call(client, sandbox, "sandbox-replace", "p.php", **bad)
    assert 'window.location.replace("http://127.0.0.1' in replace.text
    var = call(client, sandbox, "sandbox-var", "p.php", **bad)
    assert 'var url = "http://127.0.0.1' in var.text
    plain = call(client, sandbox, "sandbox-302", "p.php", **bad)
    assert plain.status_code == 302 and plain.content == b""
    for response in (replace, var, plain):
        assert back_params(response)[0]["RS"] == "BadWebExIDorPassword"
    xml = call(client, sandbox, "sandbox-xml", "p.php", **bad)
    assert xml.headers["content-type"].startswith("text/xml")
    assert "<Status>FAIL</Status><Reason>BadWebExIDorPassword</Reason>" in xml.text
    om = client.get(f"{sandbox.base_url}/sandbox/m.php?AT=OM")
    assert om.text == "<ListOpenMeetings><Status>FAIL</Status><Reason>AccessDenied</Reason></ListOpenMeetings>"
    off = client.get(f"{sandbox.base_url}/noapi-302/m.php?AT=OM")
    assert off.text == "<ListOpenMeetings><Status>FAIL</Status><Reason>DoNotSupportAPI</Reason></ListOpenMeetings>"
    assert client.get(f"{sandbox.base_url}/sandbox-nope/p.php?AT=LO").status_code == 404


def test_js_hex_escape_matches_the_recorded_webex_page():
    escaped = js_hex_escape("https://revolutionprep.webex.com/mw0307l/mywebex/default.do?siteurl=revolutionprep&AT=LO")
    assert escaped == (
        "https\\x3a\\x2f\\x2frevolutionprep.webex.com\\x2fmw0307l\\x2fmywebex\\x2fdefault.do"
        "\\x3fsiteurl\\x3drevolutionprep\\x26AT\\x3dLO"
    )


def xml_call(client, sandbox, op, ctx, body=""):
    return client.post(
        f"{sandbox.base_url}/WBXService/XMLService",
        content=XML_HEAD.format(op=op, ctx=ctx, body=body).encode(),
        headers={"Content-Type": "text/xml"},
    )


HOST = "<webExID>host1</webExID><password>Sandbox-pass1</password><siteName>sandbox</siteName>"
USER = "<webExID>user2</webExID><password>Sandbox-pass2</password><siteName>sandbox</siteName>"


@pytest.mark.parametrize(
    ("op", "ctx", "body", "exception_id", "reason"),
    [
        ("user.GetUser", "<webExID>host1</webExID><password>x</password>", "", "030002", "Incorrect user or password"),
        ("user.LstsummaryUser", USER, "", "000001", "Access denied, additional privileges are required"),
        (
            "user.GetUser",
            USER,
            "<webExId>host1</webExId>",
            "000001",
            "Access denied, additional privileges are required",
        ),
        (
            "meeting.CreateMeeting",
            HOST,
            "<metaData><confName>x</confName></metaData>",
            "060026",
            "Meeting password must not be null",
        ),
        ("meeting.GetMeeting", HOST, "<meetingKey>1</meetingKey>", "060001", "Corresponding Meeting not found"),
        ("meeting.DelMeeting", HOST, "<meetingKey>1</meetingKey>", "060001", "Corresponding Meeting not found"),
        (
            "user.GetUser",
            "<webExID>host1</webExID><sessionTicket>nope</sessionTicket>",
            "",
            "030047",
            "Not a valid session ticket",
        ),
    ],
)
def test_xml_api_failures_are_http_200_with_exception_id(client, sandbox, op, ctx, body, exception_id, reason):
    response = xml_call(client, sandbox, op, ctx, body)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml;charset=UTF-8"
    assert "<serv:result>FAILURE</serv:result>" in response.text
    assert f"<serv:reason>{reason}</serv:reason>" in response.text
    assert f"<serv:exceptionID>{exception_id}</serv:exceptionID>" in response.text
    assert "<serv:gsbStatus>PRIMARY</serv:gsbStatus>" in response.text


def test_xml_api_successes_and_login_ticket(client, sandbox):
    created = xml_call(
        client,
        sandbox,
        "meeting.CreateMeeting",
        HOST,
        "<accessControl><meetingPassword>m</meetingPassword></accessControl>",
    )
    key = re.search(r"<meet:meetingkey>(\d+)</meet:meetingkey>", created.text).group(1)
    assert "<serv:result>SUCCESS</serv:result>" in created.text
    got = xml_call(client, sandbox, "meeting.GetMeeting", HOST, f"<meetingKey>{key}</meetingKey>")
    assert "<serv:result>SUCCESS</serv:result>" in got.text
    assert "SUCCESS" in xml_call(client, sandbox, "meeting.DelMeeting", HOST, f"<meetingKey>{key}</meetingKey>").text
    assert "060001" in xml_call(client, sandbox, "meeting.GetMeeting", HOST, f"<meetingKey>{key}</meetingKey>").text
    assert "<use:webExId>user2</use:webExId>" in xml_call(client, sandbox, "user.LstsummaryUser", HOST).text
    ticket_answer = xml_call(client, sandbox, "user.AuthenticateUser", HOST)
    ticket = re.search(r"<use:sessionTicket>(\w+)</use:sessionTicket>", ticket_answer.text).group(1)
    ctx = f"<webExID>host1</webExID><sessionTicket>{ticket}</sessionTicket>"
    assert "SUCCESS" in xml_call(client, sandbox, "user.GetUser", ctx).text
    login_ticket = re.search(
        r"<use:ticket>(\w+)</use:ticket>", xml_call(client, sandbox, "user.GetLoginTicket", HOST).text
    )
    li = call(client, sandbox, "sandbox", "p.php", AT="LI", WID="host1", TK=login_ticket.group(1))
    assert back_params(li)[0]["ST"] == "SUCCESS"


def test_xml_api_garbage_request(client, sandbox):
    response = client.post(f"{sandbox.base_url}/WBXService/XMLService", content=b"<not xml")
    assert response.status_code == 200 and "<serv:result>FAILURE</serv:result>" in response.text
    assert client.get(f"{sandbox.base_url}/WBXService/XMLService").status_code == 405


def test_trouble_sites(client, sandbox):
    assert client.get(f"{sandbox.base_url}/empty/p.php").content == b""
    assert "intranet" in client.get(f"{sandbox.base_url}/html/p.php").text
    assert client.get(f"{sandbox.base_url}/badxml/x").text.startswith("<?xml")
    assert client.get(f"{sandbox.base_url}/nowhere/p.php").status_code == 404


def test_sandbox_never_logs_query_or_body(client, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    client.get(f"{sandbox.base_url}/sandbox/p.php?AT=LI&WID=host1&PW=Query-secret-77")
    call(client, sandbox, "sandbox", "p.php", AT="LI", WID="host1", PW="Body-secret-78")
    # This test's own plain httpx client logs its URL; the sandbox's records must not.
    sandbox_lines = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("replay.sandbox"))
    assert "Query-secret-77" not in sandbox_lines and "Body-secret-78" not in sandbox_lines
    assert "/sandbox/p.php" in sandbox_lines


def test_sandbox_binds_loopback_only(sandbox):
    assert sandbox.httpd.server_address[0] == "127.0.0.1"
