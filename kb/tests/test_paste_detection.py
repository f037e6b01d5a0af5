"""Paste detection beyond back URLs and XML documents: log lines, HTML POST forms, JSON dumps and multi-line HTTP
captures (kb.webex.detect, the one reader of WebEx answers), and how the search page and the JSON API say what was
pasted: a request, an answer that failed, or an answer that reports success."""

import pytest

from kb.search import search
from kb.webex import FORMS, detect

XML_REQUEST = (
    '<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext><webExID>hostid</webExID>'
    "<password>pw</password><siteName>acme</siteName></securityContext></header><body>"
    '<bodyContent xsi:type="java:com.webex.service.binding.meeting.GetMeeting"><meetingKey>123456789</meetingKey>'
    "</bodyContent></body></serv:message>"
)
XML_FAILURE = (
    "<serv:message><serv:header><serv:response><serv:result>FAILURE</serv:result>"
    "<serv:reason>Corresponding Meeting not found</serv:reason><serv:gsbStatus>PRIMARY</serv:gsbStatus>"
    "<serv:exceptionID>060001</serv:exceptionID></serv:response></serv:header><serv:body><serv:bodyContent/>"
    "</serv:body></serv:message>"
)
XML_SUCCESS = (
    "<serv:message><serv:header><serv:response><serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY"
    '</serv:gsbStatus></serv:response></serv:header><serv:body><serv:bodyContent xsi:type="meet:getMeetingResponse">'
    "<meet:meetingkey>123456789</meetingkey></serv:bodyContent></serv:body></serv:message>"
)

# (id, text, command, status, code, api, form, is_request)
SHAPES = [
    # log lines
    (
        "log-error-code",
        "Error 060001: Corresponding Meeting not found",
        None,
        "FAILURE",
        "060001",
        "xml",
        "log-line",
        False,
    ),
    (
        "log-exception-id-equals",
        "10:00:01 ERROR webex exceptionID=030002",
        None,
        "FAILURE",
        "030002",
        "xml",
        "log-line",
        False,
    ),
    ("log-exception-id-colon", "exceptionID: 000015", None, "FAILURE", "000015", "xml", "log-line", False),
    (
        "log-webex-failure",
        "[WebEx] FAILURE 060001 Corresponding Meeting not found",
        None,
        "FAILURE",
        "060001",
        "xml",
        "log-line",
        False,
    ),
    (
        "log-rs-inside",
        "2026-11-30 10:00:01 WARN login for bob RS=AccessDenied (session)",
        None,
        None,
        "AccessDenied",
        "url",
        "log-line",
        False,
    ),
    (
        "log-reason-camel",
        "login failed, reason: BadWebExIDorPassword",
        None,
        None,
        "BadWebExIDorPassword",
        "url",
        "log-line",
        False,
    ),
    ("log-reason-text", "reason: Corresponding Meeting not found", None, "FAILURE", "060001", "xml", "log-line", False),
    ("log-rs-colon-with-status", "ST: FAIL RS: AlreadyLogon", None, "FAIL", "AlreadyLogon", "url", "log-line", False),
    # HTML POST forms
    (
        "form-fields",
        '<form action="https://site.webex.com/site/p.php" method="post"><input type="hidden" name="AT" value="LI">'
        '<input type="hidden" name="WID" value="jdoe"><input type="hidden" name="PW" value="secret"></form>',
        "p.php?AT=LI",
        None,
        None,
        "url",
        "html-form",
        True,
    ),
    (
        "form-at-in-action",
        "<form method=post action='https://site.webex.com/site/m.php?AT=JM'><input name=MK value=123456789>"
        "<input value=x name=PW></form>",
        "m.php?AT=JM",
        None,
        None,
        "url",
        "html-form",
        True,
    ),
    (
        # Dan8dev/prueba_MONI consejo/app/claseswebex/index.php: the page's script sets the form's action
        "form-action-set-by-script",
        '<form id="IDForm" method="POST"><input type="hidden" name="AT" value="RM" /><input name="MK" value="1" />'
        '</form><script>document.getElementById("IDForm").action = "https://u.webex.com/u/m.php";'
        'document.getElementById("IDForm").submit();</script>',
        "m.php?AT=RM",
        None,
        None,
        "url",
        "html-form",
        True,
    ),
    # JSON
    ("json-params", '{"AT": "LI", "WID": "jdoe", "PW": "x"}', "?AT=LI", None, None, "url", "json", True),
    (
        "json-params-with-url",
        '{"url": "https://acme.webex.com/acme/p.php", "params": {"AT": "LI", "WID": "jdoe", "PW": "x"}}',
        "p.php?AT=LI",
        None,
        None,
        "url",
        "json",
        True,
    ),
    (
        "json-params-with-service",
        '{"service": "m.php", "AT": "HM", "MK": "123"}',
        "m.php?AT=HM",
        None,
        None,
        "url",
        "json",
        True,
    ),
    ("json-url-answer", '{"ST": "FAIL", "RS": "AccessDenied"}', None, "FAIL", "AccessDenied", "url", "json", False),
    (
        "json-xml-answer",
        '{"exceptionID": "060001", "reason": "Corresponding Meeting not found"}',
        None,
        "FAILURE",
        "060001",
        "xml",
        "json",
        False,
    ),
    ("json-nested", '{"error": {"exceptionID": "030002"}}', None, "FAILURE", "030002", "xml", "json", False),
    ("json-success", '{"AT": "LI", "ST": "SUCCESS", "WID": "bob"}', "?AT=LI", "SUCCESS", None, "url", "json", False),
    # HTTP captures
    (
        "http-xml-request",
        "POST /WBXService/XMLService HTTP/1.1\nHost: acme.webex.com\nContent-Type: text/xml\n\n" + XML_REQUEST,
        "XMLService:meeting.GetMeeting",
        None,
        None,
        "xml",
        "http-request",
        True,
    ),
    (
        "http-get-request",
        "GET /site/p.php?AT=LI&WID=jdoe&PW=x HTTP/1.1\nHost: site.webex.com\nAccept: */*\n",
        "p.php?AT=LI",
        None,
        None,
        "url",
        "http-request",
        True,
    ),
    (
        "http-post-form-request",
        "POST /acme/p.php HTTP/1.1\nHost: acme.webex.com\nContent-Type: application/x-www-form-urlencoded\n\n"
        "AT=LI&WID=bob&PW=x",
        "p.php?AT=LI",
        None,
        None,
        "url",
        "http-request",
        True,
    ),
    (
        "http-302",
        "HTTP/1.1 302 Found\nLocation: https://acme.example/back?AT=LI&ST=FAIL&RS=BadWebExIDorPassword\n"
        "Content-Length: 0\n",
        "?AT=LI",
        "FAIL",
        "BadWebExIDorPassword",
        "url",
        "http-redirect",
        False,
    ),
    (
        "http-302-curl-verbose",
        "< HTTP/1.1 302 Found\n< Location: https://acme.example/back?AT=SM&ST=FAIL&RS=MeetingScheduleFail\n<\n",
        "?AT=SM",
        "FAIL",
        "MeetingScheduleFail",
        "url",
        "http-redirect",
        False,
    ),
    (
        "http-200-xml-failure",
        'HTTP/1.1 200 OK\nContent-Type: text/xml;charset=UTF-8\n\n<?xml version="1.0" encoding="UTF-8"?>' + XML_FAILURE,
        None,
        "FAILURE",
        "060001",
        "xml",
        "xml-api",
        False,
    ),
    (
        "http-200-script-redirect",
        'HTTP/1.1 200 OK\nContent-Type: text/html\n\n<script language="JavaScript">location.href='
        '"https\\x3a\\x2f\\x2facme.webex.com\\x2fmw0307l\\x2fmywebex\\x2fdefault.do\\x3fsiteurl\\x3dacme\\x26AT\\x3dLO'
        '\\x26ST\\x3dSUCCESS";</script>',
        "?AT=LO",
        "SUCCESS",
        None,
        "url",
        "script-redirect",
        False,
    ),
    # the XML API request on its own is a request, not an answer
    ("xml-request", XML_REQUEST, "XMLService:meeting.GetMeeting", None, None, "xml", "xml-api", True),
    ("xml-success", XML_SUCCESS, "XMLService:meeting.GetMeeting", "SUCCESS", None, "xml", "xml-api", False),
]
IDS = [shape[0] for shape in SHAPES]
FLAT = {shape[0]: shape[1:] for shape in SHAPES}


@pytest.mark.parametrize(("text", "command", "status", "code", "api", "form", "is_request"), FLAT.values(), ids=IDS)
def test_detect_reads_each_shape(text, command, status, code, api, form, is_request):
    found = detect(text)
    assert found is not None
    got = (found.command, found.status, found.code, found.api, found.form, found.is_request)
    assert got == (command, status, code, api, form, is_request)
    assert found.form in FORMS
    assert found.fragment


@pytest.mark.parametrize(
    ("text", "command", "status", "code", "api", "form", "is_request"),
    [FLAT[k] for k in IDS if "\n" in FLAT[k][0]],
    ids=[k for k in IDS if "\n" in FLAT[k][0]],
)
def test_a_single_line_box_flattening_a_capture_still_reads(text, command, status, code, api, form, is_request):
    """A browser's one-line search box turns line breaks into spaces: the capture still reads the same."""
    found = detect(text.replace("\r\n", " ").replace("\n", " "))
    assert (found.command, found.status, found.code, found.api, found.is_request) == (
        command,
        status,
        code,
        api,
        is_request,
    )


@pytest.mark.parametrize(("text", "command", "status", "code", "api", "form", "is_request"), FLAT.values(), ids=IDS)
def test_json_api_says_what_was_pasted(client, kb, text, command, status, code, api, form, is_request):
    detected = client.get("/api/search/", {"q": text}).json()["detected"]
    assert detected is not None
    assert detected["is_request"] is is_request
    assert (detected["command"], detected["status"], detected["code"], detected["api"]) == (command, status, code, api)
    assert detected["is_success"] is (status == "SUCCESS")
    expected_kind = (
        "request"
        if is_request
        else {"SUCCESS": "success", "FAIL": "failure", "FAILURE": "failure"}.get(status, "answer")
    )
    assert detected["kind"] == expected_kind


@pytest.mark.parametrize(
    "shape",
    [
        "log-error-code",
        "log-exception-id-colon",
        "log-webex-failure",
        "log-rs-inside",
        "log-reason-text",
        "json-url-answer",
        "json-xml-answer",
        "json-nested",
        "http-302",
        "http-200-xml-failure",
    ],
)
def test_a_failure_puts_its_entry_first(kb, shape):
    text, _command, _status, code, api, *_ = FLAT[shape]
    response = search(text)
    assert response.results[0].code == code
    assert response.results[0].how == "detected"
    assert response.detected.entry.code == code
    assert response.detected.cause is None or response.detected.cause.api in (api, "both")


@pytest.mark.parametrize(
    "shape", ["form-fields", "json-params-with-url", "http-xml-request", "http-get-request", "xml-request"]
)
def test_a_request_lists_its_commands_errors(kb, shape):
    text, command, *_ = FLAT[shape]
    response = search(text)
    assert response.detected.is_request and response.detected.kind == "request"
    assert response.detected.command == command
    assert response.results, "the errors the command can return"
    assert all(r.how == "command" for r in response.results)


def _results_part(body):
    return body[body.index('id="search-results"') :]


@pytest.mark.parametrize(
    "text",
    [
        XML_SUCCESS,
        "https://acme.webex.com/mw3100/mywebex/default.do?siteurl=acme&AT=LI&WID=bob&ST=SUCCESS",
        '{"AT": "LI", "ST": "SUCCESS", "WID": "bob"}',
    ],
    ids=["xml-success", "url-success", "json-success"],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_a_success_is_shown_as_a_success(client, kb, text, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    body = client.get("/search/", {"q": text}, **headers).content.decode()
    part = _results_part(body) if not htmx else body
    assert "This answer reports success" in part
    assert "Errors this command can return" in part
    assert "not a diagnosis" in part
    assert "detected from pasted text" not in part  # no error is presented as what went wrong
    assert 'data-detected-kind="success"' in part
    assert part.index("This answer reports success") < part.index("Errors this command can return")
    assert part.index("Errors this command can return") < part.index('class="search-list"')
    detected = client.get("/api/search/", {"q": text}).json()["detected"]
    assert detected["status"] == "SUCCESS" and detected["is_success"] is True and detected["is_request"] is False


def test_a_request_is_shown_as_a_request(client, kb):
    body = _results_part(client.get("/search/", {"q": XML_REQUEST}, follow=True).content.decode())
    assert "This is a request" in body
    assert "Errors this command can return" in body
    assert "This answer reports success" not in body
    assert 'data-detected-kind="request"' in body


def test_a_failure_is_shown_as_the_diagnosis(client, kb):
    body = _results_part(client.get("/search/", {"q": XML_FAILURE}).content.decode())
    assert "detected from pasted text" in body
    assert "an answer reporting a failure" in body
    assert "This answer reports success" not in body
    assert "Errors this command can return" not in body


@pytest.mark.parametrize(
    "text",
    [
        "error 404",
        "sign up failed",
        "the reason: unknown",
        "reason: Access Denied",
        '{"result": "ok"}',
        '{"code": 404}',
        "<form action=x></form>",
        "GET / HTTP/1.1",
        "HTTP/1.1 200 OK",
        "HTTP/1.1 500 Internal Server Error",
        "failure 20261127",
        "exceptionID",
        "<securityContext><webExID>bob</webExID></securityContext>",
    ],
)
def test_ordinary_text_is_not_a_paste(text):
    assert detect(text) is None


def test_a_response_xsi_type_alone_is_not_a_request():
    found = detect('<serv:bodyContent xsi:type="meet:createMeetingResponse"><meet:meetingkey>1</meet:meetingkey>')
    assert found.command == "XMLService:meeting.CreateMeeting"
    assert found.is_request is False


def test_flattened_request_keeps_its_password_out_of_the_fragment():
    found = detect("POST /acme/p.php HTTP/1.1 Host: a.webex.com Content-Type: x AT=LI&WID=bob&PW=Hunter2-xyz")
    assert found.command == "p.php?AT=LI" and found.is_request
    assert "Hunter2-xyz" not in repr(found)


def test_a_failure_without_its_exception_id_is_read_by_its_reason_text():
    found = detect("<serv:result>FAILURE</serv:result><serv:reason>Incorrect user or password</serv:reason>")
    assert (found.status, found.code, found.api) == ("FAILURE", "030002", "xml")
    found = detect('{"result": "FAILURE", "reason": "Corresponding Meeting not found"}')
    assert (found.status, found.code, found.api, found.form) == ("FAILURE", "060001", "xml", "json")
    assert detect("<serv:result>FAILURE</serv:result><serv:reason>Something new</serv:reason>").code is None


def test_a_capture_whose_answer_says_nothing_falls_back_to_its_request():
    text = (
        "> GET /acme/p.php?AT=LI&WID=bob&PW=x HTTP/1.1\n> Host: acme.webex.com\n>\n"
        "< HTTP/1.1 302 Found\n< Location: https://example.com/welcome\n<\n"
    )
    found = detect(text)
    assert (found.command, found.is_request, found.form) == ("p.php?AT=LI", True, "http-request")


@pytest.mark.parametrize("text", ['{"at": "home", "st": "Main Street"}', '{"AT": "nowhere-at-all"}'])
def test_json_that_is_not_a_webex_dump_is_not_a_paste(text):
    assert detect(text) is None
