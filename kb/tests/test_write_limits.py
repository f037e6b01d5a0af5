"""Readers' writes are limited per sender (core/writelimits.py): votes, edit suggestions, suggest-a-code, "suggest a
missing entry", the wizard's answers and the searches that reach the editors' lists. Past the limit: 429 with
Retry-After and a clear message (page, htmx fragment, JSON). Votes make no session. The editors' lists count
distinct senders, so one client can neither float a string to the top nor hide older requests."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from core.models import RateCounter
from kb.models import Entry, EntryFeedback, SearchLog, Suggestion
from kb.views_entry import VOTER_COOKIE

pytestmark = pytest.mark.django_db

VOTE_URL = "/errors/AccessDenied/feedback/"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def one_long_window(settings):
    """Fixed windows: a slow run must not cross a window's edge in the middle of a test (the counts start again)."""
    settings.WRITE_LIMIT_WINDOW = 10**9


def vote(client, helpful="no", **extra):
    return client.post(VOTE_URL, {"helpful": helpful}, **extra)


def test_300_votes_from_one_client_without_cookies_are_cut_to_the_address_limit(kb, settings):
    """The attack as it was run: one client, no cookie kept, 300 "not helpful" votes."""
    assert settings.WRITE_LIMIT_PER_ADDRESS == 30  # the default
    attacker = Client()
    statuses = []
    for _ in range(300):
        attacker.cookies.clear()
        statuses.append(vote(attacker, **HX).status_code)
    assert statuses.count(200) == 30 and statuses.count(429) == 270
    assert EntryFeedback.objects.count() == 30
    assert Session.objects.count() == 0  # no vote made a session row
    # The editors count senders, not rows: one client is one "not helpful" vote.
    from kb.editing.review import unhelpful_counts

    assert unhelpful_counts(30) == {Entry.objects.get(code="AccessDenied").pk: 1}


def test_a_browser_keeping_its_vote_cookie_is_cut_to_the_session_limit(kb, settings):
    browser = Client()
    statuses = [vote(browser, "yes" if n % 2 else "no", **HX).status_code for n in range(25)]
    assert statuses.count(200) == settings.WRITE_LIMIT_PER_SESSION == 10
    assert EntryFeedback.objects.count() == 1  # one changeable vote, remembered by the cookie
    assert Session.objects.count() == 0


def test_a_vote_is_remembered_by_a_signed_cookie_not_a_session(kb):
    browser = Client()
    response = vote(browser, "no", **HX)
    cookie = response.cookies[VOTER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"]
    assert "sessionid" not in response.cookies and Session.objects.count() == 0
    html = browser.get(VOTE_URL, **HX).content.decode()
    assert "You said no" in html
    stored = EntryFeedback.objects.get()
    assert stored.session_key and stored.session_key in cookie.value and stored.sender.startswith("a:")
    # A forged (unsigned) cookie is no voter: it gets a fresh id, and cannot change another reader's vote.
    forger = Client()
    forger.cookies[VOTER_COOKIE] = stored.session_key
    vote(forger, "yes", **HX)
    assert EntryFeedback.objects.count() == 2 and EntryFeedback.objects.get(pk=stored.pk).helpful is False


def test_over_the_limit_the_page_and_the_fragment_say_why_with_retry_after(kb, settings):
    settings.WRITE_LIMIT_PER_ADDRESS = 1
    assert vote(Client()).status_code == 302
    page = vote(Client())
    assert page.status_code == 429 and 0 < int(page["Retry-After"]) <= settings.WRITE_LIMIT_WINDOW
    html = page.content.decode()
    assert "<html" in html and "Too many votes from your address or browser" in html and 'role="alert"' in html
    fragment = vote(Client(), **HX)
    assert fragment.status_code == 429 and fragment["Retry-After"]
    html = fragment.content.decode()
    assert "<html" not in html and 'id="entry-feedback"' in html and "Please wait" in html
    assert EntryFeedback.objects.count() == 1


def test_a_logged_in_user_has_a_per_user_limit(kb, settings, django_user_model):
    settings.WRITE_LIMIT_PER_USER = 3
    settings.WRITE_LIMIT_PER_ADDRESS = 1  # an address limit is for anonymous readers only
    user = django_user_model.objects.create_user("reader", password="x")
    browser = Client()
    browser.force_login(user)
    statuses = [vote(browser, **HX).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_the_address_respects_trusted_proxy_count(kb, settings):
    settings.WRITE_LIMIT_PER_ADDRESS = 2
    # No trusted proxy: X-Forwarded-For is the client's own say, and changing it escapes nothing.
    forged = [vote(Client(), HTTP_X_FORWARDED_FOR=f"10.0.0.{n}", **HX).status_code for n in range(4)]
    assert forged == [200, 200, 429, 429]
    # One trusted proxy: the address it saw is the client's, so different clients are counted apart.
    settings.TRUSTED_PROXY_COUNT = 1
    apart = [vote(Client(), HTTP_X_FORWARDED_FOR=f"10.0.1.{n}", **HX).status_code for n in range(4)]
    assert apart == [200, 200, 200, 200]
    same = [vote(Client(), HTTP_X_FORWARDED_FOR="10.0.2.1", **HX).status_code for n in range(3)]
    assert same == [200, 200, 429]


def test_counts_are_in_the_database_shared_by_every_process(kb, settings):
    """The counters are RateCounter rows (one UPDATE … + 1): another process reading the same database sees the
    same count. This is what a second gunicorn worker would read."""
    settings.WRITE_LIMIT_PER_ADDRESS = 2
    vote(Client(), **HX)
    row = RateCounter.objects.get(key="write:vote:addr:127.0.0.1")
    assert row.count == 1
    RateCounter.objects.filter(pk=row.pk).update(count=2)  # as if another process had counted one more
    assert vote(Client(), **HX).status_code == 429


def test_300_edit_suggestions_are_cut_and_the_queue_still_shows_an_older_real_one(kb, editor_client, settings):
    entry = Entry.objects.get(code="AlreadyLogon")
    real, _ = Suggestion.objects.record(
        "AlreadyLogon", origin=Suggestion.Origin.EDIT, note="Step 3 names the wrong menu", entry=entry, sender="a:r"
    )
    Suggestion.objects.filter(pk=real.pk).update(created_at=timezone.now() - timedelta(days=20))
    attacker = Client()
    statuses = [
        attacker.post(f"/errors/{code}/suggest/", {"note": f"spam {n}"}).status_code
        for n, code in enumerate(["AccessDenied", "EmailConflict", "Unknown"] * 100)
    ]
    assert statuses.count(200) == settings.WRITE_LIMIT_PER_ADDRESS and statuses.count(429) == 270
    assert Suggestion.objects.filter(note__startswith="spam").count() == 30
    page = editor_client.get("/review/").content.decode()
    edits = page[page.index('data-suggestion-list="edits"') : page.index("New codes")]
    assert "Step 3 names the wrong menu" in edits
    # One sender's three groups: its newest is ranked with the real one, its others after it.
    groups = [chunk.split('"')[0] for chunk in edits.split('data-suggestion-group="')[1:]]
    assert groups.index("AlreadyLogon") <= 1
    assert "10 suggestions from 1 sender" in edits


def test_the_refused_suggestion_page_says_why(kb, settings):
    settings.WRITE_LIMIT_PER_ADDRESS = 1
    client = Client()
    assert client.post("/errors/AccessDenied/suggest/", {"note": "one"}).status_code == 200
    refused = client.post("/errors/AccessDenied/suggest/", {"note": "two"})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Too many suggestions" in refused.content.decode()
    assert Suggestion.objects.count() == 1


def test_suggest_a_code_and_a_missing_entry_share_the_suggestion_limit(kb, settings):
    settings.WRITE_LIMIT_PER_ADDRESS = 2
    client = Client()
    assert client.post("/errors/NoSuchCode1/suggest-code/", {"note": "x"}, **HX).status_code == 200
    assert client.post("/search/suggest/", {"query": "NoSuchCode2"}, **HX).status_code == 200
    fragment = client.post("/errors/NoSuchCode3/suggest-code/", {"note": "x"}, **HX)
    assert fragment.status_code == 429 and fragment["Retry-After"]
    assert 'id="suggest-code"' in fragment.content.decode() and "Too many suggestions" in fragment.content.decode()
    page = client.post("/errors/NoSuchCode3/suggest-code/", {"note": "x"})
    assert page.status_code == 429 and "<html" in page.content.decode() and "Please wait" in page.content.decode()
    search = client.post("/search/suggest/", {"query": "NoSuchCode4"}, **HX)
    assert search.status_code == 429 and 'id="search-suggest"' in search.content.decode()
    assert sorted(Suggestion.objects.values_list("query", flat=True)) == ["NoSuchCode1", "NoSuchCode2"]


def test_150_searches_of_one_string_count_once_and_are_cut(kb, settings, editor_client):
    for n in range(3):  # three people searched for a real missing code
        Client(REMOTE_ADDR=f"192.0.2.{n}").get("/search/", {"q": "030099"})
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(150):
        assert attacker.get("/search/", {"q": "AttackerCode1"}).status_code == 200  # a search always answers
    assert SearchLog.objects.filter(missing_code__iexact="AttackerCode1").count() == settings.WRITE_LIMIT_PER_ADDRESS
    page = editor_client.get("/review/").content.decode()
    missing = page[page.index('id="missing"') :]
    assert missing.index("030099") < missing.index("AttackerCode1")
    # The JSON door: search.js's settle request answers 429 JSON when nothing could be recorded.
    settled = attacker.post("/search/settled/", {"q": "AttackerCode1"})
    assert settled.status_code == 429 and settled["Retry-After"]
    assert "Too many searches for missing codes" in settled.json()["error"] and settled.json()["retry_after"] > 0
    # Other searches are never counted (the editors' other lists count distinct senders).
    assert attacker.post("/search/settled/", {"q": "AccessDenied"}).status_code == 200
    assert attacker.post("/search/settled/", {"q": "wrong password"}).status_code == 200


def test_the_wizard_answers_are_limited_too(kb, settings):
    from troubleshooter.models import WizardEvent

    settings.WRITE_LIMIT_PER_ADDRESS = 2
    url = "/troubleshoot/log-in/feedback/?came-back=nothing"
    statuses = [Client().post(url, {"resolved": "no"}, **HX).status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    refused = Client().post(url, {"resolved": "no"})
    assert refused.status_code == 429 and "Too many answers" in refused.content.decode()
    assert WizardEvent.objects.filter(kind=WizardEvent.Kind.FEEDBACK).count() == 2
