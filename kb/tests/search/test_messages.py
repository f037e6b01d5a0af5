"""Known message texts find their entry first: typed, pasted, in another case or punctuation, with small wording
changes, or quoted inside a longer text (a log line, an exception trace). Messages are indexed in the search
documents with the titles' weight, and looked up as whole phrases (kb/search/knowledge.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import Entry, EntryDocument, Message
from kb.search import search

pytestmark = pytest.mark.usefixtures("kb")

MESSAGES = {
    "AccountLocked": ["The user account is locked."],
    "InvalidTicket": ["The login ticket is invalid"],
    "060001": ["Corresponding Meeting not found", "Meeting ID could not be located"],
    "000015": ["Sorry, no record found"],
}


@pytest.fixture
def messages(db):
    for code, texts in MESSAGES.items():
        entry = Entry.objects.get(code=code)
        for i, text in enumerate(texts, start=100):  # the shipped fixtures may hold the same text already
            Message.objects.get_or_create(
                entry=entry, text=text, defaults={"kind": "client", "source": "a test", "position": i}
            )


def first(query):
    response = search(query)
    assert response.results, f"{query!r} found nothing ({response.message})"
    return response.results[0]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        pytest.param("the user account is locked", "AccountLocked", id="typed"),
        pytest.param("THE USER ACCOUNT IS LOCKED!!", "AccountLocked", id="case-and-punctuation"),
        pytest.param("the login ticket is invalid", "InvalidTicket", id="login-ticket"),
        pytest.param("meeting ID could not be located", "060001", id="meeting-id-not-located"),
        pytest.param("Corresponding Meeting not found", "060001", id="corresponding-meeting"),
        pytest.param("Sorry, no record found", "000015", id="sorry-no-record"),
        pytest.param("sorry no record found.", "000015", id="sorry-no-record-punctuation"),
    ],
)
def test_a_known_message_finds_its_entry_first(messages, query, code):
    result = first(query)
    assert (result.code, result.match) == (code, "message")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        pytest.param("user account was locked", "AccountLocked", id="small-words-changed"),
        pytest.param("invalid login ticket", "InvalidTicket", id="word-order"),
        pytest.param("The meeting IDs could not be located", "060001", id="plural"),
    ],
)
def test_small_wording_changes_still_find_the_message(messages, query, code):
    assert first(query).code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param(
            '2026-11-30 10:02:11,412 ERROR [sync-3] webex: login failed: "The login ticket is invalid" (attempt 3)',
            "InvalidTicket",
            id="log-line",
        ),
        pytest.param(
            "com.acme.webex.WebExException: Meeting ID could not be located\n"
            "\tat com.acme.webex.Client.call(Client.java:211)\n\tat com.acme.sync.Job.run(Job.java:42)",
            "060001",
            id="exception-trace",
        ),
        pytest.param(
            'Traceback (most recent call last):\n  File "sync.py", line 9, in <module>\n'
            "webex.errors.ApiError: Sorry, no record found",
            "000015",
            id="python-traceback",
        ),
    ],
)
def test_a_message_quoted_inside_a_longer_text_finds_its_entry_first(messages, text, code):
    result = first(text)
    assert (result.code, result.match) == (code, "message")


def test_a_negation_is_part_of_the_message(messages):
    # "could be located" says the opposite of "could not be located": no message match.
    response = search("meeting ID could be located")
    assert all(r.match != "message" for r in response.results)


def test_messages_are_in_the_search_documents_with_the_titles_weight(messages):
    doc = EntryDocument.objects.get(entry__code="000015")
    assert "Sorry, no record found" in doc.b
    # a word only the message has is found by full text too
    assert "000015" in [r.code for r in search("sorry record").results][:3]


def test_message_changes_are_followed_at_once(messages):
    assert first("the user account is locked").match == "message"
    Message.objects.filter(text__startswith="The user account").delete()
    assert all(r.match != "message" for r in search("the user account is locked").results)
    Message.objects.create(
        entry=Entry.objects.get(code="MeetingLocked"), text="This meeting is locked", kind="webex", source="t"
    )
    assert (first("this meeting is locked!").code, first("this meeting is locked!").match) == (
        "MeetingLocked",
        "message",
    )


def test_a_draft_entrys_messages_are_not_found(messages):
    entry = Entry.objects.get(code="000015")
    entry.status = Entry.Status.DRAFT
    entry.save()
    assert all(r.code != "000015" for r in search("Sorry, no record found").results)


def test_a_message_search_costs_few_queries(messages):
    search("warm up the per-generation data")
    with CaptureQueriesContext(connection) as queries:
        assert search("the login ticket is invalid", use_cache=False).results[0].code == "InvalidTicket"
    assert len(queries) <= 3, [q["sql"][:120] for q in queries]
