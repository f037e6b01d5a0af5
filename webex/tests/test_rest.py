"""A Webex REST API error in pasted text (webex.rest, through webex.detect): recognised with its status class,
trackingId and the conditions that may fit, and never read as a legacy reason code or exception ID."""

import pytest

from webex import detect
from webex.rest import CONDITIONS, read_rest_error, status_class

BODY_401 = (
    '{"message": "The request requires a valid access token set in the Authorization request header.", '
    '"errors": [{"description": "The request requires a valid access token set in the Authorization request '
    'header."}], "trackingId": "ROUTER_5F1A2B3C-0000-1111"}'
)
CAPTURE_401 = "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n" + BODY_401


def test_a_captured_401_is_a_rest_error_with_its_status_class_and_tracking_id():
    found = detect(CAPTURE_401)
    assert found.kind == "rest_error" and found.form == "rest-error" and found.api == "rest"
    assert found.code is None and found.command is None and found.status is None
    rest = found.rest
    assert rest.status == 401 and rest.status_class.label == "Unauthorized"
    assert "12 hours" in rest.status_class.meaning
    assert rest.tracking_id == "ROUTER_5F1A2B3C-0000-1111"
    assert rest.message.startswith("The request requires a valid access token")
    assert rest.conditions == (CONDITIONS["token"],)
    data = found.to_dict()
    assert data["kind"] == "rest_error" and data["rest"]["status"] == 401 and data["code"] is None


def test_the_body_alone_is_recognised_and_says_the_status_was_not_pasted():
    rest = detect(BODY_401).rest
    assert rest.status is None and rest.status_class.label == "Status not pasted" and rest.conditions == ()


def test_a_flattened_429_with_retry_after_points_to_the_rate_limit():
    text = (
        '< HTTP/2 429 < retry-after: 60 < content-type: application/json {"message": "Too many requests", '
        '"errors": [{"description": "Too many requests", "errorCode": 429001}], "trackingId": "WX_9"}'
    )
    rest = detect(text).rest
    assert (rest.status, rest.retry_after, rest.error_codes) == (429, "60", ("429001",))
    assert rest.conditions == (CONDITIONS["rate-limit"],)


@pytest.mark.parametrize(
    ("status", "label", "conditions"),
    [
        (403, "Forbidden", tuple(dict.fromkeys((CONDITIONS["scope"], CONDITIONS["common-identity"])))),
        (404, "Not found", ()),
        (502, "Server error", ()),
        (503, "Server error", ()),
    ],
)
def test_status_classes(status, label, conditions):
    assert (status_class(status).label, status_class(status).conditions) == (label, conditions)


def test_a_rest_error_quoting_a_legacy_code_is_still_no_legacy_answer():
    text = CAPTURE_401.replace("The request requires", "Error 030002 exceptionID=030002 The request requires")
    found = detect(text)
    assert found.kind == "rest_error" and found.code is None


def test_secrets_in_the_paste_stay_out_of_what_is_read():
    text = "Authorization: Bearer NjQ1ZDI3YmQtSecretTokenValue123\n" + CAPTURE_401.replace(
        'header."}]', 'header. password=Hunter2-secret"}]'
    )
    found = detect(text)
    assert "NjQ1ZDI3YmQtSecretTokenValue123" not in repr(found)
    assert "Hunter2-secret" not in repr(found)


@pytest.mark.parametrize(
    "text",
    [
        '{"message": "hello"}',  # no trackingId
        '{"trackingId": "x"}',  # no message, no errors
        "<serv:result>FAILURE</serv:result><serv:exceptionID>030002</serv:exceptionID>",
    ],
)
def test_other_texts_are_not_rest_errors(text):
    assert read_rest_error(text) is None
    found = detect(text)
    assert found is None or found.kind != "rest_error"
