"""A long text (a whole pasted ticket) is redacted line by line for the name=value and name: value rules: the result
is the same as the whole-text rule's, every secret spelling included."""

import pytest

import webex.redaction as redaction
from webex.redaction import MASK, redact_text

SECRETS = [
    "https://a.webex.com/a/p.php?AT=LI&WID=u&PW=s3cret-1&BU=x",
    "AT%3DLI%26PW%3Ds3cret-2%26WID%3Du",
    "AT\\x3dLI\\x26PW\\x3ds3cret-3\\x26",
    '{"password": "s3cret-4 two words", "user": "u"}',
    "Password: s3cret-5 and more words",
    "db.password=s3cret-6",
    "&amp;NPW=s3cret-7&amp;",
    "newPassword: 's3cret-8'",
    "P%57=s3cret-9&",
    "TK=s3cret-10",
]
FILLER = "An ordinary line of a mail, nothing secret here, talking about 030002 and AccessDenied.\n"


def _whole_text_rule(pattern, text):
    return pattern.sub(redaction._name_and_masked_value, text)


@pytest.mark.parametrize("pattern", [redaction._SECRET_PARAM, redaction._SECRET_COLON])
def test_line_by_line_equals_the_whole_text_rule(pattern):
    text = FILLER * 30 + "\n".join(line + "\n" + FILLER for line in SECRETS) + "x" * 10
    assert len(text) > redaction._LONG_TEXT
    assert redaction._sub_in_named_lines(pattern, text) == _whole_text_rule(pattern, text)


def test_every_secret_of_a_long_ticket_is_gone():
    text = FILLER * 40 + "\n".join(SECRETS) + "\n" + FILLER * 10
    redacted = redact_text(text)
    for number in range(1, 11):
        assert f"s3cret-{number}" not in redacted
    assert MASK in redacted and redacted.count("030002") == 50


def test_a_secret_on_the_first_and_the_last_line():
    text = "PW=first-secret\n" + FILLER * 40 + "pwd: last-secret"
    redacted = redact_text(text)
    assert "first-secret" not in redacted and "last-secret" not in redacted
