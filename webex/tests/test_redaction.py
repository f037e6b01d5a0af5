"""webex.redaction: every secret taken out of every shape of text, and nothing else."""

import json

import pytest

from webex import detect, read_answer
from webex.redaction import MASK, SECRET_PARAMS, redact_query, redact_text, redact_url
from webex.tests.samples import LEAKED_SHAPES, PROSE_WITH_SECRET_WORDS, SECRET

# --------------------------------------------------------------------------------------------
# Redaction
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SECRET_PARAMS) + ["pw", "Pw", "npw", "tk", "mpw"])
@pytest.mark.parametrize(
    "template",
    [
        pytest.param("https://a.webex.com/a/p.php?AT=LI&{n}={v}&WID=bob", id="plain"),
        pytest.param("https://a.webex.com/a/p.php?{n}={v}", id="first-param"),
        pytest.param("{n}={v}", id="bare"),
        pytest.param("AT=LI&{n}={v}#frag", id="before-fragment"),
        pytest.param("MU=https%3A%2F%2Fa%2Fm.php%3FAT%3DHM%26{n}%3D{v}%26MK%3D1", id="percent-encoded"),
        pytest.param("BU=https%253A%252F%252Fa%253FAT%253DHM%2526{n}%253D{v}%2526MK", id="double-encoded"),
        pytest.param(
            'location.href="https\\x3a\\x2f\\x2fa\\x2fp.php\\x3fAT\\x3dLI\\x26{n}\\x3d{v}\\x26WID\\x3db";',
            id="hex-escaped",
        ),
        pytest.param(
            'var url = "https://a/p.php\\u003fAT\\u003dLI\\u0026{n}\\u003d{v}\\u0026X\\u003d1";', id="unicode-escaped"
        ),
        pytest.param('<a href="https://a/p.php?AT=LI&amp;{n}={v}&amp;WID=b">', id="html-attribute"),
        pytest.param('{{"{n}": "{v}", "WID": "bob"}}', id="json"),
        pytest.param("log: user=bob {n}={v} status=200", id="log-line"),
    ],
)
def test_secret_params_are_redacted_in_every_form(name, template):
    text = template.format(n=name, v=SECRET)
    out = redact_text(text)
    assert SECRET not in out
    assert MASK in out
    assert redact_url(text) == out


@pytest.mark.parametrize("element", ["password", "sessionTicket", "webExAccessToken", "clientSecret", "PASSWORD"])
@pytest.mark.parametrize(
    "template",
    [
        pytest.param("<{e}>{v}</{e}>", id="plain"),
        pytest.param("<serv:{e}>{v}</serv:{e}>", id="prefixed"),
        pytest.param('<{e} xsi:type="x">{v}</{e}>', id="attribute"),
        pytest.param("<{e}><![CDATA[{v}<>]]></{e}>", id="cdata"),
        pytest.param("<{e}>{v}", id="cut-off"),
        pytest.param("&lt;{e}&gt;{v}&lt;/{e}&gt;", id="html-escaped"),
        pytest.param("<{e}>\n  {v}\n</{e}>", id="multiline"),
    ],
)
def test_secret_xml_elements_are_redacted(element, template):
    out = redact_text(template.format(e=element, v=SECRET))
    assert SECRET not in out
    assert MASK in out


def test_redaction_keeps_everything_else():
    text = (
        "https://a.webex.com/a/p.php?AT=LI&WID=bob&PWDX=keep&XPW=keep&PW=" + SECRET + "&MU=GoBack<webExID>bob</webExID>"
    )
    out = redact_text(text)
    assert out == "https://a.webex.com/a/p.php?AT=LI&WID=bob&PWDX=keep&XPW=keep&PW=•••&MU=GoBack<webExID>bob</webExID>"


def test_self_closing_password_element_is_left_alone():
    assert redact_text("<password/>next") == "<password/>next"


def test_userinfo_password_is_redacted():
    assert redact_url(f"https://bob:{SECRET}@acme.webex.com/acme/") == "https://bob:•••@acme.webex.com/acme/"


def test_redaction_is_idempotent():
    once = redact_text(f"PW={SECRET}&<password>{SECRET}</password>")
    assert redact_text(once) == once


def test_redact_query_keeps_its_shape():
    assert redact_query({"AT": "LI", "pw": SECRET, "MU": f"https://a/m.php?AT=HM&PW={SECRET}"}) == {
        "AT": "LI",
        "pw": MASK,
        "MU": "https://a/m.php?AT=HM&PW=•••",
    }
    assert redact_query([("TK", SECRET), ("WID", "bob"), ("N", 3)]) == [("TK", MASK), ("WID", "bob"), ("N", 3)]
    assert redact_query(f"AT=LI&NPW={SECRET}") == "AT=LI&NPW=•••"
    assert redact_query({"%50W": SECRET}) == {"%50W": MASK}
    assert redact_query(None) is None


def test_redact_text_accepts_bytes_and_none():
    assert redact_text(f"PW={SECRET}".encode()) == "PW=•••"
    assert redact_text(None) == ""


@pytest.mark.parametrize(
    ("body", "kwargs"),
    [
        pytest.param(f"https://a/back?AT=LI&ST=FAIL&RS=X&PW={SECRET}", {}, id="back-url"),
        pytest.param(b"", {"status": 302, "location": f"https://a/back?AT=LI&ST=FAIL&PW={SECRET}"}, id="http-redirect"),
        pytest.param(
            f'<script>location.href="https\\x3a\\x2f\\x2fa\\x2fb\\x3fAT\\x3dLI\\x26ST\\x3dFAIL\\x26PW\\x3d{SECRET}";'
            "</script>",
            {},
            id="script-redirect",
        ),
        pytest.param(
            f"<serv:result>FAILURE</serv:result><serv:reason>bad password {SECRET}</serv:reason>"
            f"<password>{SECRET}</password>",
            {},
            id="xml-echoing-password",
        ),
        pytest.param(f"<html><p>Your PW={SECRET} was wrong</p></html>", {}, id="unrecognised-preview"),
        pytest.param(
            f"<ListOpenMeetings><Status>FAIL</Status><Reason>x</Reason><password>{SECRET}</password>"
            "</ListOpenMeetings>",
            {},
            id="open-meetings",
        ),
    ],
)
def test_answers_never_carry_a_secret(body, kwargs):
    answer = read_answer(body, **kwargs, secrets=[SECRET])
    dumped = json.dumps(answer.to_dict(), ensure_ascii=False) + repr(answer)
    assert SECRET not in dumped
    if "reason>" not in str(body):  # without the known secret, only the structural secrets can be found
        assert SECRET not in json.dumps(read_answer(body, **kwargs).to_dict(), ensure_ascii=False)
        found = detect(body if isinstance(body, str) else kwargs["location"])
        assert found is None or SECRET not in repr(found)


def test_known_secrets_are_scrubbed_in_every_spelling():
    body = "<html><p>Password Hunter2 &amp; co was wrong; again: Hunter2%20%26%20co</p></html>"
    answer = read_answer(body, secrets=["Hunter2 & co"])
    assert "Hunter2" not in repr(answer)
    assert redact_text("x=Hunter2+%26+co", secrets=["Hunter2 & co"]) == "x=•••"
    assert redact_text("abc", secrets=["", None]) == "abc"


@pytest.mark.parametrize(("shape", "template"), LEAKED_SHAPES, ids=[s for s, _ in LEAKED_SHAPES])
def test_every_leaked_shape_is_redacted(shape, template):
    text = template.format(s="Xy7-secret-Value")
    redacted = redact_text(text)
    assert "Xy7" not in redacted and "secret-Value" not in redacted
    assert MASK in redacted
    assert redact_text(redacted) == redacted  # a second pass changes nothing (a redirect to it is final)


@pytest.mark.parametrize("text", PROSE_WITH_SECRET_WORDS)
def test_prose_with_secret_words_is_left_alone(text):
    assert redact_text(text) == text
