"""Review: last reviewed and the interval on each entry, the public page saying so, the /review/ queue,
marking reviewed in one click (a revision), and drafts made from suggestions and missing codes."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from kb.editing import review
from kb.models import Entry, EntryFeedback, KbState, SearchLog, Suggestion
from kb.reasons import record_seen
from kb.tests.editing.helpers import ROLES, as_role, expect_access, revisions_of


def reviewed(code, days_ago, interval=None, by=None):
    Entry.objects.filter(code=code).update(
        reviewed_at=timezone.now() - timedelta(days=days_ago), review_interval_days=interval, reviewed_by=by
    )
    KbState.bump()  # a queryset update sends no signal; the app's own writers bump the generation


def section(page, anchor):
    """The HTML of one section of the queue."""
    start = page.index(f'id="{anchor}"')
    end = page.find("<section", start)
    return page[start : end if end != -1 else len(page)]


def test_due_entries_never_reviewed_first_then_the_longest_overdue(kb):
    Entry.objects.update(reviewed_at=timezone.now())
    reviewed("AccessDenied", 400)
    reviewed("AlreadyLogon", 200)
    reviewed("EmailConflict", 10, interval=7)  # its own, shorter interval
    reviewed("WebExIDConflict", 100, interval=365)  # its own, longer interval: not due
    reviewed("000001", 179)  # within the default 180 days
    Entry.objects.filter(code="Unknown").update(reviewed_at=None)
    codes = [e.code for e in review.due_entries()]
    assert codes == ["Unknown", "AccessDenied", "AlreadyLogon", "EmailConflict"]


def test_the_queue_shows_the_first_ten_due_and_offers_all(editor_client, kb):
    due = section(editor_client.get("/review/").content.decode(), "due")
    total = Entry.objects.count()
    assert due.count("Mark reviewed<") == 10
    assert f"Show all {total} entries due" in due
    due = section(editor_client.get("/review/?due=all").content.decode(), "due")
    assert due.count("Mark reviewed<") == total and "Show all" not in due


@override_settings(KB_REVIEW_INTERVAL_DAYS=30)
def test_the_default_interval_comes_from_settings(kb):
    Entry.objects.update(reviewed_at=timezone.now() - timedelta(days=31))
    assert len(review.due_entries()) == Entry.objects.count()
    assert Entry.objects.get(code="AccessDenied").review_state() == "overdue"


def test_the_public_page_says_when_it_was_reviewed_quietly(client, kb):
    page = client.get("/errors/AccessDenied/").content.decode()
    assert "Not reviewed yet" in page
    reviewed("AlreadyLogon", 200)
    page = client.get("/errors/AlreadyLogon/").content.decode()
    due = (timezone.now() - timedelta(days=20)).strftime("%-d %b %Y")
    assert "review overdue since " + due in page
    reviewed("AlreadyLogon", 3)
    page = client.get("/errors/AlreadyLogon/").content.decode()
    when = (timezone.now() - timedelta(days=3)).strftime("%-d %b %Y")
    assert f"Reviewed {when}" in page and "overdue" not in page


def test_marking_reviewed_is_one_click_keeps_a_revision_and_updates_the_public_page(client, kb, editor):
    before = client.get("/errors/AccessDenied/").content.decode()  # cached for anonymous readers
    assert "Not reviewed yet" in before
    client.force_login(editor)
    response = client.post("/errors/AccessDenied/reviewed/", {"next": "/review/"})
    assert response.status_code == 302 and response["Location"] == "/review/"
    entry = Entry.objects.get(code="AccessDenied")
    assert entry.reviewed_by == editor and entry.review_state() == "current"
    assert entry.version == 1  # not a content change: open editor forms stay valid
    newest = revisions_of("AccessDenied")[0]
    assert newest.comment == "Marked reviewed" and newest.user == "editor"
    assert [c.label for c in newest.changes] == ["Reviewed"]
    client.logout()
    after = client.get("/errors/AccessDenied/").content.decode()
    assert f"Reviewed {timezone.now().strftime('%-d %b %Y')}" in after and "Not reviewed yet" not in after
    # The queue no longer lists it, and a redirect elsewhere is refused.
    client.force_login(editor)
    assert "AccessDenied" not in section(client.get("/review/?due=all").content.decode(), "due")
    response = client.post("/errors/AccessDenied/reviewed/", {"next": "https://evil.example/"})
    assert response["Location"] == "/errors/AccessDenied/"


def test_queue_lists_entries_readers_said_did_not_help(editor_client, kb):
    entry = Entry.objects.get(code="AlreadyLogon")
    for n in range(3):
        EntryFeedback.objects.cast(entry, helpful=False, session_key=f"s{n}")
    EntryFeedback.objects.cast(Entry.objects.get(code="AccessDenied"), helpful=True, session_key="s9")
    old = EntryFeedback.objects.cast(Entry.objects.get(code="EmailConflict"), helpful=False, session_key="s8")[0]
    EntryFeedback.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=60))
    signals = section(editor_client.get("/review/").content.decode(), "signals")
    assert "AlreadyLogon" in signals and "3 “not helpful” votes" in signals
    assert "AccessDenied" not in signals and "EmailConflict" not in signals


def test_other_apps_add_signals_through_the_registry(editor_client, kb, monkeypatch):
    monkeypatch.setattr(review, "_sources", {})
    entry = Entry.objects.get(code="Unknown")
    review.register_review_source("test", "test signal", lambda days: {entry.pk: 2, 999999: 1})
    signals = section(editor_client.get("/review/").content.decode(), "signals")
    assert "Unknown" in signals and "2 test signals" in signals


def test_queue_lists_open_suggestions_of_both_kinds(editor_client, kb):
    Suggestion.objects.record("NewCodeFromSearch", origin=Suggestion.Origin.SEARCH, note="seen in a log")
    Suggestion.objects.record(
        "AccessDenied",
        origin=Suggestion.Origin.EDIT,
        note="Step 2 is wrong",
        entry=Entry.objects.get(code="AccessDenied"),
    )
    closed, _ = Suggestion.objects.record("ClosedOne", origin=Suggestion.Origin.SEARCH)
    Suggestion.objects.filter(pk=closed.pk).update(status=Suggestion.Status.CLOSED)
    suggestions = section(editor_client.get("/review/").content.decode(), "suggestions")
    assert "NewCodeFromSearch" in suggestions and "seen in a log" in suggestions
    assert "Step 2 is wrong" in suggestions and 'href="/errors/AccessDenied/edit/"' in suggestions
    assert "Make a draft entry" in suggestions and "ClosedOne" not in suggestions


def test_a_suggestion_becomes_a_draft_entry_for_editors_only(client, kb, editor):
    suggestion, _ = Suggestion.objects.record("NewCodeFromSearch", origin=Suggestion.Origin.SEARCH, note="in a log")
    client.force_login(editor)
    response = client.post(f"/review/suggestions/{suggestion.pk}/draft/", {"code": "NewCodeFromSearch"})
    assert response.status_code == 302 and response["Location"] == "/errors/NewCodeFromSearch/edit/"
    draft = Entry.objects.get(code="NewCodeFromSearch")
    assert draft.is_draft and draft.locally_edited
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.DRAFTED and suggestion.entry == draft
    assert revisions_of("NewCodeFromSearch")[0].comment.startswith("Draft made from a suggestion")
    editor_page = client.get("/errors/NewCodeFromSearch/").content.decode()
    assert "Draft" in editor_page and "Publish" in editor_page
    assert "NewCodeFromSearch" in client.get("/errors/").content.decode()
    assert "NewCodeFromSearch" not in section(client.get("/review/").content.decode(), "suggestions")
    client.logout()
    assert client.get("/errors/NewCodeFromSearch/").status_code == 404
    assert client.get("/errors/newcodefromsearch/").status_code == 404
    assert "NewCodeFromSearch" not in client.get("/errors/").content.decode()
    assert "NewCodeFromSearch" not in client.get("/").content.decode()
    assert client.get("/api/errors/NewCodeFromSearch/").status_code == 404
    assert "NewCodeFromSearch" not in client.get("/api/errors/").content.decode()
    assert client.get("/api/search/?q=NewCodeFromSearch").json()["results"] == []
    assert client.get("/errors/NewCodeFromSearch/suggest/").status_code == 404


def test_a_draft_is_found_by_no_search_and_linked_from_no_page(client, kb):
    assert "AlreadyLogon" in [r["code"] for r in client.get("/api/search/?q=p.php?AT=LI").json()["results"]]
    entry = Entry.objects.get(code="AlreadyLogon")
    entry.status = Entry.Status.DRAFT
    entry.save()  # as unpublishing would: the index follows the save
    for query in ("AlreadyLogon", "p.php?AT=LI", "already logged", "…?AT=LI&ST=FAIL&RS=AlreadyLogon"):
        codes = [r["code"] for r in client.get("/api/search/", {"q": query}).json()["results"]]
        assert "AlreadyLogon" not in codes, query
    assert 'href="/errors/AlreadyLogon/' not in client.get("/commands/p.php/LI/").content.decode()


def test_publishing_a_draft_shows_it_to_everyone(client, kb, editor):
    suggestion, _ = Suggestion.objects.record("BrandNewCode", origin=Suggestion.Origin.NOT_FOUND)
    client.force_login(editor)
    client.post(f"/review/suggestions/{suggestion.pk}/draft/", {"code": "BrandNewCode"})
    response = client.post("/errors/BrandNewCode/publish/")
    assert response.status_code == 302
    assert not Entry.objects.get(code="BrandNewCode").is_draft
    assert revisions_of("BrandNewCode")[0].comment == "Published"
    client.logout()
    assert client.get("/errors/BrandNewCode/").status_code == 200
    assert client.get("/api/search/?q=BrandNewCode").json()["results"][0]["code"] == "BrandNewCode"


def test_a_draft_for_a_code_that_exists_opens_that_entry(editor_client, kb):
    suggestion, _ = Suggestion.objects.record("accessdenied", origin=Suggestion.Origin.SEARCH)
    response = editor_client.post(f"/review/suggestions/{suggestion.pk}/draft/", {"code": "accessdenied"})
    assert response["Location"] == "/errors/AccessDenied/edit/"
    assert Entry.objects.filter(code__iexact="accessdenied").count() == 1


def test_a_draft_code_must_look_like_a_code(editor_client, kb):
    suggestion, _ = Suggestion.objects.record("wrong password when I log in", origin=Suggestion.Origin.SEARCH)
    response = editor_client.post(
        f"/review/suggestions/{suggestion.pk}/draft/", {"code": "wrong password"}, follow=True
    )
    assert "No draft was made" in response.content.decode()
    assert not Entry.objects.filter(code="wrong password").exists()
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.OPEN


def test_closing_a_suggestion(editor_client, kb):
    suggestion, _ = Suggestion.objects.record("Nope", origin=Suggestion.Origin.SEARCH)
    assert editor_client.post(f"/review/suggestions/{suggestion.pk}/close/").status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.CLOSED
    assert editor_client.post("/review/suggestions/999999/close/").status_code == 404


def test_queue_lists_codes_people_searched_for_that_have_no_entry(editor_client, kb):
    for code, n in [("MissingCodeA", 3), ("missingcodea", 2), ("MissingCodeB", 1), ("AccessDenied", 5)]:
        rows = [SearchLog(query=code.lower(), missing_code=code, sender=f"a:{code}{i}") for i in range(n)]
        SearchLog.objects.bulk_create(rows)
    SearchLog.objects.bulk_create([SearchLog(query="plain words", missing_code="")] * 4)
    old = SearchLog.objects.create(query="oldcode", missing_code="OldMissingCode")
    SearchLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=45))
    missing = section(editor_client.get("/review/").content.decode(), "missing")
    assert "<td>5</td>" in missing and "missingcodea" not in missing  # one row, one spelling, both senders counted
    assert missing.index("MissingCodeA") < missing.index("MissingCodeB")
    assert "AccessDenied" not in missing and "OldMissingCode" not in missing
    response = editor_client.post("/review/missing/draft/", {"code": "MissingCodeB"})
    assert response["Location"] == "/errors/MissingCodeB/edit/"
    assert Entry.objects.get(code="MissingCodeB").is_draft
    assert "MissingCodeB" not in section(editor_client.get("/review/").content.decode(), "missing")


def test_review_queue_query_count_does_not_grow_with_rows(editor_client, kb, django_assert_max_num_queries):
    entries = list(Entry.objects.all())
    for n, entry in enumerate(entries):
        EntryFeedback.objects.cast(entry, helpful=False, session_key=f"s{n}")
        Suggestion.objects.record(entry.code, origin=Suggestion.Origin.EDIT, note=f"note {n}", entry=entry)
        Suggestion.objects.record(f"Missing{n}", origin=Suggestion.Origin.SEARCH)
        SearchLog.objects.create(query=f"missing{n}", missing_code=f"Missing{n}")
        record_seen(entry.code, f"a text nobody documented {n}")
        record_seen(f"Unseen{n}", f"text {n}")
    # the sections, plus searches not answered well, the codes missing ones look like (variants, keys), the texts
    # seen in answers (kb/reasons.py: two); the suggestions: their groups, the newest of each sender, those rows;
    # "not helpful" comments
    with django_assert_max_num_queries(22) as captured:
        response = editor_client.get("/review/")
    assert response.status_code == 200
    print(f"/review/ with {len(entries)} entries of each kind: {len(captured.captured_queries)} queries")


@pytest.mark.parametrize("role", ROLES)
def test_roles(client, kb, people, role):
    as_role(client, people, role)
    expect_access(client.get("/review/"), role)
    expect_access(client.get("/review/", HTTP_HX_REQUEST="true"), role)
    suggestion, _ = Suggestion.objects.record("RoleCode", origin=Suggestion.Origin.SEARCH)
    for url in [
        "/errors/AccessDenied/reviewed/",
        "/errors/AccessDenied/publish/",
        f"/review/suggestions/{suggestion.pk}/close/",
        f"/review/suggestions/{suggestion.pk}/draft/",
        "/review/missing/draft/",
    ]:
        expect_access(client.post(url, {"code": "RoleCode"}), role)
    entry = Entry.objects.get(code="AccessDenied")
    assert (entry.reviewed_at is not None) == (role in ("kb-editor", "admin"))


def test_htmx_gets_the_fragment(editor_client, kb):
    page = editor_client.get("/review/")
    fragment = editor_client.get("/review/", HTTP_HX_REQUEST="true")
    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()
    assert 'id="review-queue"' in fragment.content.decode()
    assert "HX-Request" in page["Vary"] and "HX-Request" in fragment["Vary"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/review/"),
        ("get", "/errors/AccessDenied/reviewed/"),
        ("get", "/errors/AccessDenied/publish/"),
        ("get", "/review/suggestions/1/close/"),
        ("get", "/review/suggestions/1/draft/"),
        ("get", "/review/missing/draft/"),
    ],
)
def test_wrong_methods(editor_client, kb, method, url):
    assert getattr(editor_client, method)(url).status_code == 405


def test_review_queue_queries_do_not_grow_with_a_flood_and_every_page_is_reachable(editor_client, kb):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    entries = list(Entry.objects.all()[:3])

    def flood(n, start):
        Suggestion.objects.bulk_create(
            [Suggestion(query=f"Flood{start + i}", origin=Suggestion.Origin.SEARCH, sender="a:f") for i in range(n)]
            + [
                Suggestion(query=e.code, entry=e, origin=Suggestion.Origin.EDIT, note=f"n{start + i}", sender=f"a:{i}")
                for i in range(n)
                for e in entries
            ]
        )

    flood(3, 0)
    with CaptureQueriesContext(connection) as few:
        assert editor_client.get("/review/").status_code == 200
    flood(300, 3)
    with CaptureQueriesContext(connection) as many:
        page = editor_client.get("/review/?codes=13").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]
    assert "Page 13 of 13" in page and "Flood0" in page  # the oldest, on the last page: 303 groups, 25 a page
    assert editor_client.get("/review/?codes=99999999999999999999999999").status_code == 200


def test_not_helpful_votes_show_their_comments_one_per_sender(editor_client, kb):
    entry = Entry.objects.get(code="AlreadyLogon")
    EntryFeedback.objects.cast(entry, helpful=False, comment="No step for SSO sites", session_key="v1", sender="a:1")
    for n in range(5):  # one sender's many browsers: one comment, one vote
        EntryFeedback.objects.cast(entry, helpful=False, comment=f"spam {n}", session_key=f"w{n}", sender="a:2")
    EntryFeedback.objects.cast(entry, helpful=True, comment="helpful ones are not listed", session_key="v3")
    signals = section(editor_client.get("/review/").content.decode(), "signals")
    assert "2 “not helpful” votes" in signals and "No step for SSO sites" in signals
    assert signals.count("data-unhelpful-comment") == 2 and "spam 4" in signals and "spam 0" not in signals
    assert "helpful ones are not listed" not in signals
