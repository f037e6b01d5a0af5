"""webex.paste: answers and requests found inside pasted text."""

import json

import pytest

from webex import FORMS, Detection, detect
from webex.redaction import MASK
from webex.tests.samples import (
    EROLMS_DEL,
    FLAT,
    IDS,
    OM_SUCCESS,
    RPREP_LO,
    SECRET,
)

# --------------------------------------------------------------------------------------------
# detect: answers inside pasted text
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command", "status", "code", "api"),
    [
        pytest.param(
            "https://acme.webex.com/acme/back?AT=LI&ST=FAIL&RS=AlreadyLogon",
            "?AT=LI",
            "FAIL",
            "AlreadyLogon",
            "url",
            id="whole-back-url",
        ),
        pytest.param("AT=LI&ST=FAIL&RS=AlreadyLogon", "?AT=LI", "FAIL", "AlreadyLogon", "url", id="bare-query"),
        pytest.param(
            "?AT=SM&ST=FAIL&RS=TheDurationIsExceedTheMaxDuration",
            "?AT=SM",
            "FAIL",
            "TheDurationIsExceedTheMaxDuration",
            "url",
            id="query-with-question-mark",
        ),
        pytest.param("RS=BadWebExIDorPassword", None, None, "BadWebExIDorPassword", "url", id="just-rs"),
        pytest.param("AT=SU", "?AT=SU", None, None, "url", id="just-at"),
        pytest.param("p.php?AT=SU", "p.php?AT=SU", None, None, "url", id="relative-command"),
        pytest.param(
            "https://acme.webex.com/acme/p.php?AT=LI&WID=x&PW=secret",
            "p.php?AT=LI",
            None,
            None,
            "url",
            id="request-url",
        ),
        pytest.param(RPREP_LO, "?AT=LO", "SUCCESS", None, "url", id="rprep-redirect-body"),
        pytest.param(
            'location.href="https\\x3a\\x2f\\x2fa.b\\x2fx\\x3fAT\\x3dLI\\x26ST\\x3dFAIL\\x26RS\\x3dAccessDenied"',
            "?AT=LI",
            "FAIL",
            "AccessDenied",
            "url",
            id="hex-redirect-fragment",
        ),
        pytest.param(EROLMS_DEL, None, "FAILURE", "060001", "xml", id="xml-response"),
        pytest.param(
            "<serv:result>FAILURE</serv:result> … <serv:exceptionID>030002</serv:exceptionID>",
            None,
            "FAILURE",
            "030002",
            "xml",
            id="xml-fragment-from-issue",
        ),
        pytest.param(OM_SUCCESS, "m.php?AT=OM", "SUCCESS", None, "url", id="open-meetings"),
        pytest.param(
            '2026-11-27 10:00:01 WARN webex back: "GET /cb?AT=HM&ST=FAIL&RS=AccessDenied HTTP/1.1" 200',
            "?AT=HM",
            "FAIL",
            "AccessDenied",
            "url",
            id="access-log-line",
        ),
        pytest.param(
            "ERROR login failed url=https://acme.webex.com/acme/back?AT=LI&ST=FAIL&RS=BadWebExIDorPassword.",
            "?AT=LI",
            "FAIL",
            "BadWebExIDorPassword",
            "url",
            id="log-line-trailing-dot",
        ),
        pytest.param(
            "webex said ST=FAIL RS=EmailConflict AT=SU",
            "?AT=SU",
            "FAIL",
            "EmailConflict",
            "url",
            id="space-separated-log-fields",
        ),
        pytest.param(
            "sent https://a.webex.com/a/p.php?AT=LI&WID=u&PW=p got https://b.example/cb?AT=LI&ST=FAIL&RS=X",
            "?AT=LI",
            "FAIL",
            "X",
            "url",
            id="request-and-answer-prefers-answer",
        ),
        pytest.param(
            '<body><bodyContent xsi:type="java:com.webex.service.binding.user.GetUser"/></body>',
            "XMLService:user.GetUser",
            None,
            None,
            "xml",
            id="xml-request",
        ),
        pytest.param("at=li&st=fail&rs=AlreadyLogon", "?AT=LI", "FAIL", "AlreadyLogon", "url", id="lowercase-names"),
    ],
)
def test_detect_recognises(text, command, status, code, api):
    found = detect(text)
    assert isinstance(found, Detection)
    assert (found.command, found.status, found.code, found.api) == (command, status, code, api)
    assert found.fragment
    assert json.loads(json.dumps(found.to_dict()))["code"] == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "BadWebExIDorPassword",
        "wrong password",
        "sign up",
        "login",
        "p.php",
        "a=b&c=d",
        "https://example.com/?q=1",
        "<html><body>hi</body></html>",
        "ST",
        "=",
        "&&&",
        "?",
        "<serv:result></serv:result>",
    ],
)
def test_detect_finds_nothing_in_ordinary_text(text):
    assert detect(text) is None


def test_detect_fragment_is_redacted_and_short():
    text = "GET https://acme.webex.com/acme/p.php?AT=LI&WID=bob&PW=" + SECRET + "&MU=GoBack " + "x" * 2000
    found = detect(text)
    assert found.command == "p.php?AT=LI"
    assert found.is_request
    assert SECRET not in repr(found)
    assert "PW=" + MASK in found.fragment
    assert len(found.fragment) <= 500


def test_detect_xml_request_with_password_never_echoes_it():
    text = (
        "<serv:message><header><securityContext><webExID>bob</webExID><password>" + SECRET + "</password>"
        "<siteName>acme</siteName></securityContext></header><body>"
        '<bodyContent xsi:type="java:com.webex.service.binding.meeting.GetMeeting"><meetingKey>1</meetingKey>'
        "</bodyContent></body></serv:message>"
    )
    found = detect(text)
    assert found.command == "XMLService:meeting.GetMeeting"
    assert SECRET not in repr(found)


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
