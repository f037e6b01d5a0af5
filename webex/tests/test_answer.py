"""webex.answer: every form WebEx answers in, read by read_answer."""

import json

import pytest

from webex import Answer, read_answer
from webex.tests.samples import EROLMS_DEL, JAVA_QA_LI, OM_SUCCESS, RPREP_LO, xml_failure

# --------------------------------------------------------------------------------------------
# read_answer: each form
# --------------------------------------------------------------------------------------------


def test_real_rprep_logout_script_redirect_is_read():
    answer = read_answer(RPREP_LO, status=200, content_type="text/html")
    assert answer.form == "script-redirect"
    assert answer.url == (
        "https://revolutionprep.webex.com/mw0307l/mywebex/default.do?siteurl=revolutionprep&AT=LO&ST=SUCCESS"
    )
    assert (answer.at, answer.st, answer.rs, answer.status) == ("LO", "SUCCESS", None, "SUCCESS")
    assert answer.params == {"siteurl": "revolutionprep", "AT": "LO", "ST": "SUCCESS"}
    assert answer.api == "url"
    assert answer.succeeded and not answer.failed
    assert answer.http_status == 200


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            '<script>window.location.replace("https://a.example/back?AT=LI&ST=FAIL&RS=AlreadyLogon");</script>',
            id="window.location.replace",
        ),
        pytest.param(
            "<script>var url = 'https://a.example/back?AT=LI&ST=FAIL&RS=AlreadyLogon';\nlocation=url;</script>",
            id="var-url-single-quotes",
        ),
        pytest.param(
            '<script>var url="https\\u003a\\u002f\\u002fa.example\\u002fback\\u003fAT\\u003dLI\\u0026ST'
            '\\u003dFAIL\\u0026RS\\u003dAlreadyLogon";</script>',
            id="unicode-escapes",
        ),
        pytest.param(
            '<script>window.location = "https://a.example/back?AT=LI&ST=FAIL&RS=AlreadyLogon"</script>',
            id="window.location=",
        ),
        pytest.param(
            "<script>document.location.href='https://a.example/back?AT=LI&ST=FAIL&RS=AlreadyLogon'</script>",
            id="document.location.href",
        ),
        pytest.param(
            '<script>location.href="https\\x3a\\x2f\\x2fa.example\\x2fback\\x3fAT\\x3dLI\\x26ST\\x3dFAIL'
            '\\x26RS\\x3dAlreadyLogon";</script>',
            id="hex-escapes",
        ),
        pytest.param(
            '<script>location.href = "https:\\/\\/a.example\\/back?AT=LI&ST=FAIL&RS=AlreadyLogon";</script>',
            id="escaped-slashes",
        ),
        pytest.param(
            '<html><head><meta http-equiv="refresh" content="0; url=https://a.example/back?AT=LI&amp;ST=FAIL'
            '&amp;RS=AlreadyLogon"></head></html>',
            id="meta-refresh",
        ),
        pytest.param(
            '<SCRIPT>\n  top.location.href  =  "https://a.example/back?AT=LI&ST=FAIL&RS=AlreadyLogon" ;</SCRIPT>',
            id="top.location-uppercase-tag",
        ),
    ],
)
def test_script_redirect_forms(body):
    answer = read_answer(body.encode("utf-8"), status=200)
    assert answer.form == "script-redirect"
    assert (answer.at, answer.st, answer.rs) == ("LI", "FAIL", "AlreadyLogon")
    assert answer.code == "AlreadyLogon"
    assert answer.status == "FAIL"
    assert answer.url == "https://a.example/back?AT=LI&ST=FAIL&RS=AlreadyLogon"


def test_script_that_goes_nowhere_webex_is_unrecognised():
    answer = read_answer('<html><script>window.location = "/login";</script><p>Sign in</p></html>', status=200)
    assert answer.form == "unrecognised"
    assert "Sign in" in answer.preview


def test_li_success_without_st_goes_to_my_webex():
    body = '<script>location.href="https://acme.webex.com/mw3100/mywebex/default.do?siteurl=acme";</script>'
    answer = read_answer(body)
    assert answer.form == "script-redirect"
    assert answer.st is None and answer.status is None
    assert answer.params == {"siteurl": "acme"}


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_http_redirect_location_is_the_answer(status):
    answer = read_answer(b"", status=status, location="https://back.example/done?AT=SM&ST=SUCCESS&MK=123456789")
    assert answer.form == "http-redirect"
    assert (answer.at, answer.st, answer.mk) == ("SM", "SUCCESS", "123456789")
    assert answer.http_status == status


def test_http_redirect_wins_over_the_body_and_keeps_relative_urls():
    answer = read_answer(RPREP_LO, status=302, location="/acme/back.php?AT=LI&ST=FAIL&RS=BadWebExIDorPassword")
    assert answer.form == "http-redirect"
    assert answer.rs == "BadWebExIDorPassword"
    assert answer.url == "/acme/back.php?AT=LI&ST=FAIL&RS=BadWebExIDorPassword"


def test_location_on_a_200_is_ignored():
    answer = read_answer(RPREP_LO, status=200, location="https://elsewhere.example/")
    assert answer.form == "script-redirect"


def test_redirect_to_another_host_is_still_read_not_followed():
    answer = read_answer(None, status=302, location="https://evil.example/x")
    assert answer.form == "http-redirect"
    assert answer.url == "https://evil.example/x"
    assert answer.status is None and answer.code is None


def test_real_open_meetings_xml():
    answer = read_answer(OM_SUCCESS.encode(), status=200, content_type="text/html")
    assert answer.form == "open-meetings-xml"
    assert answer.meeting_keys == ["621018655", "623350124", "629471076"]
    assert answer.status == "SUCCESS"
    assert answer.command == "m.php?AT=OM"
    assert answer.api == "url"


def test_open_meetings_failure_reason_becomes_the_code():
    answer = read_answer("<ListOpenMeetings><Status>FAIL</Status><Reason>AccessDenied</Reason></ListOpenMeetings>")
    assert answer.form == "open-meetings-xml"
    assert answer.status == "FAIL"
    assert answer.code == "AccessDenied"
    assert answer.meeting_keys == []


def test_open_meetings_failure_with_prose_reason_has_no_code():
    answer = read_answer("<ListOpenMeetings><Status>FAIL</Status><Reason>Not logged in</Reason></ListOpenMeetings>")
    assert answer.code is None
    assert answer.reason == "Not logged in"


def test_real_erolms_xml_failure():
    answer = read_answer(EROLMS_DEL.encode(), status=200, content_type="text/xml;charset=UTF-8")
    assert answer.form == "xml-api"
    assert answer.result == "FAILURE"
    assert answer.status == "FAILURE"
    assert answer.reason == "Corresponding Meeting not found"
    assert answer.gsb_status == "PRIMARY"
    assert answer.exception_id == "060001"
    assert answer.code == "060001"
    assert answer.api == "xml"
    assert answer.service == "XMLService"


@pytest.mark.parametrize("prefix", ["serv", "ns1", "s", ""], ids=["serv", "ns1", "s", "no-prefix"])
def test_xml_failure_any_prefix(prefix):
    answer = read_answer(xml_failure("030002", "Incorrect user or password", prefix), status=200)
    assert answer.form == "xml-api"
    assert (answer.status, answer.code, answer.reason) == ("FAILURE", "030002", "Incorrect user or password")


def test_xml_success_has_no_code_and_names_the_operation():
    body = (
        '<serv:message xmlns:serv="s" xmlns:meet="m"><serv:header><serv:response><serv:result>SUCCESS</serv:result>'
        "<serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response></serv:header><serv:body>"
        '<serv:bodyContent xsi:type="meet:createMeetingResponse"><meet:meetingkey>123</meet:meetingkey>'
        "</serv:bodyContent></serv:body></serv:message>"
    )
    answer = read_answer(body)
    assert answer.status == "SUCCESS" and answer.code is None
    assert answer.command == "XMLService:meeting.CreateMeeting"


def test_xml_reason_in_cdata_and_entities():
    body = (
        "<serv:result>FAILURE</serv:result><serv:reason><![CDATA[A <b>bad</b> thing]]></serv:reason>"
        "<serv:exceptionID>000001</serv:exceptionID>"
    )
    assert read_answer(body).reason == "A <b>bad</b> thing"
    body2 = "<serv:result>FAILURE</serv:result><serv:reason>a &amp; b &#65; &unknown;</serv:reason>"
    assert read_answer(body2).reason == "a & b A &unknown;"


def test_xml_utf16_with_bom():
    answer = read_answer(EROLMS_DEL.encode("utf-16"))
    assert answer.code == "060001"


def test_truncated_xml_still_reads_what_is_there():
    answer = read_answer(EROLMS_DEL[: EROLMS_DEL.index("</serv:exceptionID>")])
    assert answer.form == "xml-api"
    assert answer.code == "060001"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><serv:result>&lol3;</serv:result>',
            id="billion-laughs",
        ),
        pytest.param(
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            "<serv:result>&xxe;</serv:result>",
            id="external-entity",
        ),
    ],
)
def test_entities_are_never_resolved(body):
    answer = read_answer(body)
    assert answer.form == "xml-api"
    assert answer.result.startswith("&")
    assert "root:" not in repr(answer)
    assert len(answer.result) < 20


@pytest.mark.parametrize("body", ["", b"", "   \n\t ", None, b"\n"])
def test_empty_bodies(body):
    answer = read_answer(body, status=200)
    assert answer.form == "empty"
    assert answer.status is None and answer.code is None and not answer.recognised


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "<html><head><title>Error</title></head><body><h1>Error. Invalid input or system error</h1></body></html>",
            id="webex-generic-error-page",
        ),
        pytest.param('{"error": "nope"}', id="json"),
        pytest.param("<serv:message><serv:result", id="malformed-xml"),
        pytest.param("<notxml", id="broken-tag"),
        pytest.param(bytes(range(256)) * 40, id="binary"),
        pytest.param("\x00\x01\x02garbage\xff", id="control-chars"),
        pytest.param("hello world", id="plain-text"),
    ],
)
def test_unrecognised_bodies_get_a_short_preview(body):
    answer = read_answer(body, status=200)
    assert answer.form == "unrecognised"
    assert not answer.recognised
    assert len(answer.preview) <= 200
    assert "\x00" not in answer.preview


def test_generic_error_page_preview_is_its_text():
    answer = read_answer("<html><body><script>var x=1;</script><h1>Error. Invalid input or system error</h1></body>")
    assert answer.preview == "Error. Invalid input or system error"


def test_huge_body_is_cut_and_read_quickly_enough():
    body = ("x" * 5_000_000).encode() + b"<serv:result>FAILURE</serv:result>"
    answer = read_answer(body)
    assert answer.form == "unrecognised"
    assert len(answer.preview) <= 200


def test_charset_from_content_type():
    body = "<ListOpenMeetings><Status>FAIL</Status><Reason>Zugriff verweigert für Müller</Reason></ListOpenMeetings>"
    answer = read_answer(body.encode("latin-1"), content_type="text/html; charset=ISO-8859-1")
    assert answer.reason == "Zugriff verweigert für Müller"
    bad = read_answer(body.encode("latin-1"), content_type="text/html; charset=no-such-charset")
    assert bad.reason.startswith("Zugriff")


@pytest.mark.parametrize(
    ("body", "form", "command"),
    [
        ("https://acme.webex.com/acme/back?AT=SU&ST=FAIL&RS=WebExIDConflict", "back-url", "?AT=SU"),
        ("AT=LI&ST=FAIL&RS=AlreadyLogon", "back-url", "?AT=LI"),
        ("https://acme.webex.com/acme/p.php?AT=LI&WID=x&PW=y", "back-url", "p.php?AT=LI"),
        (JAVA_QA_LI, "back-url", "?AT=LI"),
    ],
)
def test_a_body_that_is_a_url(body, form, command):
    answer = read_answer(body)
    assert answer.form == form
    assert answer.command == command


def test_request_url_is_marked_as_request():
    answer = read_answer("https://acme.webex.com/acme/p.php?AT=LI&WID=x&PW=y")
    assert answer.is_request and answer.service == "p.php"
    back = read_answer("https://acme.webex.com/acme/back.php?AT=LI&ST=SUCCESS")
    assert not back.is_request and back.service is None


def test_status_normalisation():
    assert Answer(form="back-url", st="success", api="url").status == "SUCCESS"
    assert Answer(form="back-url", st="Fail", api="url").status == "FAIL"
    assert Answer(form="xml-api", result="failure", api="xml").status == "FAILURE"
    assert Answer(form="xml-api", result="FAIL", api="xml").status == "FAILURE"
    assert Answer(form="back-url", st="", api="url").status is None
    assert Answer(form="back-url", st="PENDING", api="url").status == "PENDING"


def test_code_prefers_rs_then_exception_id():
    assert Answer(form="back-url", rs="AccessDenied").code == "AccessDenied"
    assert Answer(form="xml-api", exception_id="000001").code == "000001"
    assert Answer(form="empty").code is None


def test_to_dict_is_json_serialisable():
    data = read_answer(RPREP_LO).to_dict()
    assert json.loads(json.dumps(data))["status"] == "SUCCESS"
    assert data["command"] == "?AT=LO"


def test_bad_status_argument_does_not_raise():
    assert read_answer(OM_SUCCESS, status="abc").http_status is None
    assert read_answer(OM_SUCCESS, status=b"200", location=b"").form == "open-meetings-xml"
