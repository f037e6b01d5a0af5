"""The shipped catalogue's sourcing: every code says where it was seen and how sure that is.

These tests read the shipped fixtures as loaded into the test database (see the project's conftest.py)
and, where the loader would hide a difference, the fixture files themselves.
"""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from kb.models import Entry, Message

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.KB_FIXTURE_DIR)

# What may justify "high": Cisco's own documentation, or a real WebEx response someone captured.
HIGH_EVIDENCE = (
    "Cisco WebEx URL API: Common Error Messages",
    "captured response",  # also matches "captured responses"
    "A real WebEx response quoted in",
)
# Sources of WebEx's own reason texts (kind "webex"): real captures only, never test mocks.
REAL_CAPTURES = (
    "erolms/webex_xml_api spec/fixtures/",
    "https://github.com/cisco-ie/webex-api-client/issues/1",
    "aogail/webex_xml_api spec/fixtures/user_authenticate_user_response_bad.xml",
)

RM_CODES = [
    "InvalidEmailFormat",
    "InvalidRegistrationPassword",
    "RegistrationPasswordIsRequired",
    "MeetingDoesNotRequireRegistration",
    "ThisMeetingDoesNotRequireRegistration",
    "RequiredInfoMissing",
]
JM_HANDLER_ONLY = ["InvalidRegistrationID", "RegistrationIDIsRequired", "LoginRequired", "InvalidEmailAddress"]
INDICO_ONLY = [
    "019011",
    "030006",
    "030007",
    "030008",
    "060017",
    "009001",
    "009002",
    "009003",
    "009004",
    "009007",
    "009008",
    "009009",
    "009010",
    "009011",
]

# The counts documented in the research log (/work/notes/catalogue.md); change both together.
EXPECTED_TOTAL = 61
EXPECTED_BY_CONFIDENCE = {"high": 16, "medium": 19, "low": 26}
EXPECTED_BY_API = {"url": 31, "xml": 29, "both": 1}


def fixture_entries(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["entries"]


def prose(entry):
    """Everything an entry says about itself, as one string."""
    parts = [entry.title, entry.summary, entry.source]
    for cause in entry.causes.all():
        parts += [cause.title, cause.meaning, cause.when_seen]
    return " ".join(parts)


def command_keys(entry):
    return {cmd.key for cause in entry.causes.all() for cmd in cause.commands.all()}


def test_the_counts_are_the_documented_ones(kb):
    assert Entry.objects.count() == EXPECTED_TOTAL
    assert dict(Counter(Entry.objects.values_list("confidence", flat=True))) == EXPECTED_BY_CONFIDENCE
    assert dict(Counter(Entry.objects.values_list("api", flat=True))) == EXPECTED_BY_API


def test_every_entry_names_a_source_and_a_confidence(kb):
    for entry in Entry.objects.all():
        assert len(entry.source.strip()) > 20, entry.code
        assert entry.confidence in {"high", "medium", "low"}, entry.code


def test_high_confidence_rests_on_cisco_documentation_or_a_real_capture(kb):
    high = Entry.objects.filter(confidence="high")
    assert high.exists()
    for entry in high:
        assert any(mark in entry.source for mark in HIGH_EVIDENCE), entry.code
        assert "test mock" not in entry.source and "Seen only in" not in entry.source, entry.code


def test_codes_known_only_from_one_client_are_not_high(kb):
    only = Entry.objects.filter(source__contains="Seen only in")
    assert only.count() >= len(RM_CODES) + len(JM_HANDLER_ONLY) + len(INDICO_ONLY)
    assert set(only.values_list("confidence", flat=True)) <= {"medium", "low"}


def test_new_client_only_entries_say_so_plainly():
    for entry in fixture_entries("04-public-codes.json"):
        if entry["confidence"] == "high":
            continue
        assert "Known only from" in entry["summary"], entry["code"]
        assert "WebEx's own wording was not seen" in entry["summary"], entry["code"]
        for cause in entry["causes"]:
            assert "Known only from" in cause["meaning"], (entry["code"], cause["slug"])


def test_mocks_are_not_called_captures(kb):
    for code, confidence in [("000001", "medium"), ("000035", "low")]:
        entry = Entry.objects.get(code=code)
        text = prose(entry)
        assert "captured XML" not in text and "text of a captured" not in text, code
        assert "test mock" in entry.source and "It is not a captured response" in entry.source, code
        assert entry.confidence == confidence, code
    # a response string inside a unit test is not a capture either
    entry = Entry.objects.get(code="030002")
    assert "captured" not in entry.source and "could not be verified" in entry.source
    assert entry.confidence == "medium"


def test_xml_counterparts_of_url_codes_are_marked_as_inferred(kb):
    for code in ["030002", "030004", "030005", "060001", "060017"]:
        entry = Entry.objects.get(code=code)
        assert entry.counterparts.exists(), code
        text = prose(entry)
        assert "does not document" in text and ("inferred" in text or "guess" in text), code
        assert "It is the XML API counterpart" not in text and "These are the XML API counterparts" not in text


def test_counterparts_cross_apis_and_link_both_ways(kb):
    pairs = {
        "030002": {"BadWebExIDorPassword"},
        "030004": {"WebExIDConflict", "EmailConflict"},
        "030005": {"WebExIDConflict", "EmailConflict"},
        "060001": {"InvalidMeetingKey"},
        "060017": {"TheDurationIsExceedTheMaxDuration"},
    }
    for code, others in pairs.items():
        entry = Entry.objects.get(code=code)
        assert set(entry.counterparts.values_list("code", flat=True)) == others
        for other in entry.counterparts.all():
            assert {entry.api, other.api} == {"url", "xml"}
            assert code in set(other.counterparts.values_list("code", flat=True))
    assert set(Entry.objects.get(code="EmailConflict").counterparts.values_list("code", flat=True)) == {
        "030004",
        "030005",
    }


@pytest.mark.parametrize("code", RM_CODES)
def test_registration_codes_load_with_their_command(kb, code):
    entry = Entry.objects.get(code=code)
    assert entry.api == "url"
    assert entry.confidence == "low"
    assert command_keys(entry) == {"m.php?AT=RM"}
    assert "Dan8dev/prueba_MONI" in entry.source and "never checks AT" in entry.source
    assert [(m.kind, m.source) for m in entry.messages.all()] == [
        ("client", "Dan8dev/prueba_MONI udc/app/claseswebex/respuestawebex.php")
    ]


@pytest.mark.parametrize("code", JM_HANDLER_ONLY)
def test_the_join_link_from_the_spanish_handler_is_a_low_confidence_expectation(kb, code):
    entry = Entry.objects.get(code=code)
    assert entry.confidence == "low"
    assert "repository not identified" not in entry.source
    assert "Dan8dev/prueba_MONI" in entry.source and "never checks AT" in entry.source
    assert "client's expectation" in entry.source
    assert command_keys(entry) == {"m.php?AT=JM"}


def test_no_source_still_hides_the_spanish_handler(kb):
    assert not Entry.objects.filter(source__contains="written in Spanish (repository not identified)").exists()
    assert not Entry.objects.filter(source__contains="PHP result handler in public code").exists()


@pytest.mark.parametrize("code", INDICO_ONLY)
def test_codes_from_the_indico_mapping_have_no_guessed_command(kb, code):
    entry = Entry.objects.get(code=code)
    assert entry.api == "xml" and entry.confidence == "low"
    assert "indico/indico" in entry.source
    assert command_keys(entry) == set()
    assert {s.name for cause in entry.causes.all() for s in cause.services.all()} == {"XMLService"}


def test_webex_texts_come_from_real_captures_only(kb):
    webex = Message.objects.filter(kind="webex")
    assert webex.count() >= 4
    for message in webex:
        assert message.source.startswith(REAL_CAPTURES), (message.entry.code, message.source)
    assert set(webex.values_list("entry__code", flat=True)) == {"000000", "030047", "030048", "060001", "060026"}
    # texts from test mocks, test strings and a possibly hand-made fixture are not presented as WebEx's own
    for code, text in [
        ("000001", "Access denied, additional privileges are required"),
        ("000035", "ASService not responding"),
        ("030002", "Incorrect user or password"),
        ("000015", "Sorry, no record found"),
    ]:
        message = Message.objects.get(entry__code=code, text=text)
        assert message.kind == "client" and "not" in message.source and "verified" in message.source


def test_messages_are_short_sourced_and_plain(kb):
    messages = Message.objects.select_related("entry")
    assert messages.count() > 40
    for message in messages:
        assert 0 < len(message.text) <= 300, message.entry.code
        assert message.text == message.text.strip()
        assert "&aacute;" not in message.text and "&uacute;" not in message.text, "HTML entities should be decoded"
        assert len(message.source) > 10, (message.entry.code, message.text)


def test_the_authentication_capture_is_030048_with_its_sub_error(kb):
    entry = Entry.objects.get(code="030048")
    assert entry.confidence == "high" and command_keys(entry) == {"XMLService:user.AuthenticateUser"}
    assert [m.text for m in entry.messages.all()] == [
        "Authentication Server can't generate a valid session ticket",
        "authentication service error",
    ]


def test_a_code_known_from_a_forum_title_only_stays_low_and_says_so(kb):
    entry = Entry.objects.get(code="040007")
    assert entry.confidence == "low"
    assert "meaning not known" in entry.title and "forum" in entry.source
    assert not entry.messages.exists()


def test_the_real_capture_of_000000_is_kept_verbatim(kb):
    entry = Entry.objects.get(code="000000")
    assert entry.confidence == "high"
    texts = {(m.kind, m.text) for m in entry.messages.all()}
    assert ("webex", "Fail to forward request:null") in texts
    assert ("client", "Unknown error with WebEx server.") in texts


def test_new_codes_do_not_shadow_existing_ones():
    old = {
        e["code"].lower() for name in ("01-catalogue.json", "02-reference-codes.json") for e in fixture_entries(name)
    }
    new = [e["code"] for e in fixture_entries("04-public-codes.json")]
    assert len(new) == len(set(new)) == 23
    assert not {c.lower() for c in new} & old
