"""webex.ticket: a ticket cut into parts that detection reads, and the facts support asks for."""

from datetime import UTC, datetime

from webex import detect
from webex.ticket import facts, printable, rest_error, segments, time_window


def test_structured_parts_stay_whole_and_prose_is_read_line_by_line():
    text = (
        "Hello,\nplease look at this:\n\n"
        "HTTP/1.1 200 OK\nContent-Type: text/xml\n\n"
        '<serv:message xmlns:serv="x">\n<serv:header><serv:response><serv:result>FAILURE</serv:result>\n\n'
        "<serv:exceptionID>060001</serv:exceptionID></serv:response></serv:header></serv:message>\n\n"
        "> quoted: https://acme.webex.com/acme/p.php?AT=LI&ST=FAIL&RS=AccessDenied\n"
    )
    parts = segments(text)
    assert [p.line for p in parts] == [1, 2, 4, 12]
    xml = parts[2]
    assert xml.structured and xml.text.startswith("HTTP/1.1 200 OK") and xml.text.rstrip().endswith("</serv:message>")
    assert detect(xml.text).code == "060001"
    assert parts[3].text.startswith("quoted: https://") and detect(parts[3].text).code == "AccessDenied"


def test_facts_of_every_kind():
    text = (
        "Date: Mon, 07 Dec 2026 09:58:12 +0100\n"
        "GET https://acme.webex.com/acme/p.php?AT=LI&WID=jdoe HTTP/1.1\n"
        "<serv:gsbStatus>PRIMARY</serv:gsbStatus> <siteName>beta</siteName> <webExID>host1</webExID>\n"
        '[http_code] => 403 {"trackingId":"ROUTERGW_fa157ca5-e0eb"} at 2026-12-07T10:00:00+02:00\n'
        '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service">\n'
    )
    found = {(f.kind, f.value) for f in facts(text)}
    assert {
        ("site", "acme"),
        ("site", "beta"),
        ("user", "jdoe"),
        ("user", "host1"),
        ("gsb", "PRIMARY"),
        ("status", "403"),
        ("tracking", "ROUTERGW_fa157ca5-e0eb"),
    } <= found
    assert ("site", "schemas") not in found and ("site", "www") not in found
    window = time_window(facts(text))
    assert window == (datetime(2026, 12, 7, 8, 0, tzinfo=UTC), datetime(2026, 12, 7, 8, 58, 12, tzinfo=UTC))


def test_a_redacted_user_is_no_user():
    assert not [f for f in facts("WID=••• ") if f.kind == "user"]


def test_rest_error():
    error = rest_error('HTTP/1.1 429 Too Many\n\n{"message": "Slow down", "trackingId": "ROUTER_ABCDEF"}')
    assert (error.status, error.message, error.tracking_id) == ("429", "Slow down", "ROUTER_ABCDEF")
    assert rest_error('{"ST": "FAIL"}') is None and rest_error("{not json trackingId") is None


def test_printable_escapes_control_characters_only():
    assert printable("a\x1b[31mb\tc\nd\x07") == "a\\x1b[31mb\tc\nd\\x07"


def test_never_raises():
    for text in (None, b"\xff\xfe", "<" * 10000, "{" * 10000, 5):
        segments(text)
        facts(text)
