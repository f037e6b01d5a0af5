"""webex on any input: read_answer and detect never raise, and no secret survives."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webex import FORMS, Answer, detect, read_answer
from webex.redaction import SECRET_PARAMS, redact_text

# --------------------------------------------------------------------------------------------
# Properties: never raise, never leak
# --------------------------------------------------------------------------------------------

_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_WEBEXISH = st.lists(
    st.sampled_from(
        [
            "AT=",
            "ST=",
            "RS=",
            "PW=",
            "&",
            "?",
            "<serv:result>",
            "</serv:result>",
            "<password>",
            "\\x3d",
            "\\x26",
            'location.href="',
            '"',
            "'",
            "<ListOpenMeetings>",
            "<Status>",
            "<!ENTITY",
            "&amp;",
            "%26",
            "https://",
            "FAIL",
            "SUCCESS",
            ";",
            "\x00",
            "\ud800",
            "é",
            " ",
            "\n",
            "<![CDATA[",
            "]]>",
            "<exceptionID>",
        ]
    )
    | st.text(max_size=8),
    max_size=40,
).map("".join)


@_SETTINGS
@given(st.one_of(st.text(), _WEBEXISH))
def test_read_answer_and_detect_never_raise_on_text(text):
    answer = read_answer(text)
    assert answer.form in FORMS  # every form the reader knows, "status-xml" (<Status>FAIL…) included
    json.dumps(answer.to_dict())
    found = detect(text)
    if found is not None:
        json.dumps(found.to_dict())
    redact_text(text)


@_SETTINGS
@given(
    st.binary(max_size=4096),
    st.one_of(st.none(), st.integers()),
    st.one_of(st.none(), st.text(max_size=50)),
    st.one_of(st.none(), st.text(max_size=50)),
)
def test_read_answer_never_raises_on_bytes(body, status, location, content_type):
    answer = read_answer(body, status=status, location=location, content_type=content_type)
    assert isinstance(answer, Answer)
    assert len(answer.preview) <= 200
    detect(body)


@_SETTINGS
@given(
    st.sampled_from(sorted(SECRET_PARAMS)),
    st.from_regex(r"[A-Za-z0-9._~!$()*,;:@/+-]{0,6}Zz9[A-Za-z0-9._~!$()*,;:@/+-]{0,12}", fullmatch=True),
    st.sampled_from(["plain", "percent", "hex"]),
)
def test_a_secret_value_never_survives_redaction(name, value, how):
    if how == "plain":
        text = f"https://a/p.php?AT=LI&{name}={value}&WID=b"
    elif how == "percent":
        text = f"MU=https%3A%2F%2Fa%3FAT%3DLI%26{name}%3D{value}%26WID%3Db"
    else:
        text = f'location.href="https\\x3a\\x2f\\x2fa\\x3fAT\\x3dLI\\x26{name}\\x3d{value}\\x26WID\\x3db";'
    out = redact_text(text)
    assert "Zz9" not in out
    answer = read_answer(text, status=302, location=text if how == "plain" else None)
    assert "Zz9" not in repr(answer)
    found = detect(text)
    assert found is None or "Zz9" not in repr(found)


@pytest.mark.parametrize(
    "body,st,rs,at",
    [
        (
            "<MeetingData><Status>SUCCESS</Status><MeetingKey>621018655</MeetingKey></MeetingData>",
            "SUCCESS",
            None,
            None,
        ),
        (
            '<?xml version="1.0"?><UrlApiResponse><AT>LI</AT><Status>FAIL</Status>'
            "<Reason>BadWebExIDorPassword</Reason></UrlApiResponse>",
            "FAIL",
            "BadWebExIDorPassword",
            "LI",
        ),
    ],
)
def test_url_api_xml_status_documents(body, st, rs, at):
    answer = read_answer(body, status=200, content_type="text/xml")
    assert answer.form == "status-xml"
    assert answer.api == "url"
    assert (answer.st, answer.rs, answer.at) == (st, rs, at)


@pytest.mark.parametrize(
    "body",
    [
        "<html><body><p>Status</p><Status>FAIL</Status></body></html>",
        "<Report><Status>maybe</Status></Report>",
        "<serv:message><serv:header><Status>FAIL</Status></serv:header></serv:message>",
    ],
)
def test_other_xml_with_status_is_not_a_status_document(body):
    assert read_answer(body, status=200).form != "status-xml"
