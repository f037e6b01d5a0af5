"""Reason texts and code spellings seen in pasted answers (search) are counted per code and text, with first and
last seen, and reach /review/ as one work item each (an unknown code: one per code), never published by itself."""

import pytest
from django.test import Client

from kb.models import Entry, Message
from kb.reasons import SeenReason, record_seen, review_items

pytestmark = pytest.mark.usefixtures("kb")


def xml_failure(code, reason):
    return (
        "<serv:response><serv:result>FAILURE</serv:result>"
        f"<serv:reason>{reason}</serv:reason><serv:exceptionID>{code}</serv:exceptionID></serv:response>"
    )


def search(client, text):
    return client.get("/api/search/", {"q": text}).json()


def test_a_known_code_with_a_new_text_is_counted_once_per_text(client):
    first = search(client, xml_failure("030002", "User account is locked out (sandbox-unknown wording)"))
    assert first["detected"]["code"] == "030002"
    search(client, xml_failure("030002", "User account is locked out (sandbox-unknown wording)"))
    row = SeenReason.objects.get()
    assert (row.code, row.kind, row.count, row.entry.code) == ("030002", "new-text", 2, "030002")
    assert row.first_seen <= row.last_seen and row.last_origin == "search"
    items = [i for i in review_items() if i["code"] == "030002"]
    assert len(items) == 1 and items[0]["count"] == 2


def test_a_known_text_is_counted_but_opens_no_work_item(client):
    known = Message.objects.filter(entry__code="060001").first()
    assert known is not None
    search(client, xml_failure("060001", known.text.upper() + "."))
    row = SeenReason.objects.get()
    assert row.kind == "known" and row.entry.code == "060001"
    assert review_items() == []


def test_a_generic_code_with_a_new_text_is_its_own_kind(client):
    assert Entry.objects.filter(code="000000").exists()
    search(client, xml_failure("000000", "Something new the site said"))
    assert SeenReason.objects.get().kind == "generic-new-text"


def test_an_unknown_code_is_one_work_item_whatever_its_texts(client):
    search(client, xml_failure("123456", "First text"))
    search(client, xml_failure("123456", "Second text"))
    search(client, xml_failure("123456", "Second text"))
    assert SeenReason.objects.filter(code="123456").count() == 2
    items = review_items()
    assert len(items) == 1 and items[0]["kind"] == "unknown-code" and items[0]["count"] == 3
    assert sorted(items[0]["texts"]) == ["First text", "Second text"]


def test_secrets_are_redacted_and_texts_capped(db):
    record_seen("030002", "bad <password>Hunter2-secret</password> and PW=Sup3r-secret " + "x" * 600)
    row = SeenReason.objects.get()
    assert "Hunter2-secret" not in row.text and "Sup3r-secret" not in row.text
    assert len(row.text) <= 300


def test_the_review_queue_lists_them_and_an_editor_closes_one(editor_client, client):
    search(client, xml_failure("030002", "A wording nobody documented"))
    search(client, xml_failure("654321", "Whatever"))
    page = editor_client.get("/review/").content.decode()
    assert 'id="seen-reasons"' in page
    assert 'data-seen-code="030002"' in page and "A wording nobody documented" in page
    assert 'data-seen-kind="unknown-code"' in page and 'data-seen-code="654321"' in page
    row = SeenReason.objects.get(code="030002")
    assert editor_client.post("/review/seen/close/", {"id": [row.pk]}).status_code == 302
    row.refresh_from_db()
    assert row.status == "closed"
    assert 'data-seen-code="030002"' not in editor_client.get("/review/").content.decode()
    # Seen again: counted on the closed row, which stays closed (one work item, dealt with once).
    search(client, xml_failure("030002", "A wording nobody documented"))
    row.refresh_from_db()
    assert (row.count, row.status) == (2, "closed")


def test_closing_is_for_editors_only_and_post_only(editor_client, django_user_model):
    record_seen("654321", "x")
    row = SeenReason.objects.get()
    anonymous = Client()
    assert anonymous.post("/review/seen/close/", {"id": [row.pk]}).status_code in (302, 403)
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader"))
    assert reader.post("/review/seen/close/", {"id": [row.pk]}).status_code == 403
    row.refresh_from_db()
    assert row.status == "open"
    assert editor_client.get("/review/seen/close/").status_code == 405
