"""A draft is for KB editors only, on every door: its page, ticket text, feedback, suggest, the JSON API, search,
a replay's diagnosis, the wizard's reading of an answer and `manage.py explain` (``Entry.objects.visible_to``)."""

import io

import pytest
from django.core.management import CommandError, call_command

from kb.models import Entry, EntryFeedback
from replay.diagnose import diagnose
from troubleshooter.answers import code_names
from webex.answer import read_answer

CODE = "AlreadyLogon"
SECRET_STEP = "Draft-only step text nobody may read"


@pytest.fixture
def draft(kb):
    entry = Entry.objects.get(code=CODE)
    entry.status = Entry.Status.DRAFT
    entry.save()
    cause = entry.causes.first()
    step = cause.steps.first()
    step.text = SECRET_STEP
    step.save()
    return entry


def test_ticket_text_of_a_draft_is_not_found_for_readers(client, draft):
    for fmt in ("text", "markdown", "jira"):
        response = client.get(f"/errors/{CODE}/ticket/", {"format": fmt})
        assert response.status_code == 404, fmt
        assert SECRET_STEP not in response.content.decode() and draft.title not in response.content.decode()
    assert client.get(f"/errors/{CODE.lower()}/ticket/?format=text").status_code == 404  # no redirect either


def test_ticket_text_of_a_draft_for_editors(editor_client, draft):
    response = editor_client.get(f"/errors/{CODE}/ticket/", {"format": "text"})
    assert response.status_code == 200 and SECRET_STEP in response.content.decode()


def test_feedback_on_a_draft_is_not_found_and_takes_no_vote(client, draft):
    page = client.get(f"/errors/{CODE}/feedback/")
    assert page.status_code == 404 and draft.title not in page.content.decode()
    assert client.post(f"/errors/{CODE}/feedback/", {"helpful": "no"}).status_code == 404
    assert not EntryFeedback.objects.filter(entry=draft).exists()


def test_feedback_on_a_draft_for_editors(editor_client, draft):
    assert editor_client.get(f"/errors/{CODE}/feedback/").status_code == 200


def test_suggest_on_a_draft_is_not_found(client, draft):
    assert client.get(f"/errors/{CODE}/suggest/").status_code == 404


def test_help_desk_user_sees_no_draft(client, people, draft):
    client.force_login(people["help-desk"])
    assert client.get(f"/errors/{CODE}/ticket/?format=text").status_code == 404
    assert client.get(f"/errors/{CODE}/feedback/").status_code == 404
    assert client.get(f"/errors/{CODE}/").status_code == 404


def test_json_api_and_search_hide_a_draft(client, draft):
    assert client.get(f"/api/errors/{CODE}/").status_code == 404
    assert CODE not in [e["code"] for e in client.get("/api/errors/").json()["results"]]
    assert CODE not in [r["code"] for r in client.get("/api/search/", {"q": CODE}).json()["results"]]


def test_a_replay_naming_a_draft_shows_none_of_it(draft):
    answer = read_answer(f"https://site.example/back?AT=LI&ST=FAIL&RS={CODE}", status=200)
    diagnosis = diagnose(answer, api="url", command="p.php?AT=LI")
    assert diagnosis.outcome == "fail" and diagnosis.entry is None and diagnosis.cause is None
    assert "not in the knowledge base" in diagnosis.message


def test_a_replay_naming_a_published_entry_is_diagnosed(kb):
    answer = read_answer(f"https://site.example/back?AT=LI&ST=FAIL&RS={CODE}", status=200)
    assert diagnose(answer, api="url", command="p.php?AT=LI").entry.code == CODE


def test_the_wizard_reads_no_draft_alias(draft):
    assert code_names(CODE) == {CODE.lower()}


def test_explain_hides_a_draft_unless_asked(draft):
    with pytest.raises(CommandError, match="No entry"):
        call_command("explain", CODE, stdout=io.StringIO())
    out = io.StringIO()
    call_command("explain", CODE, "--drafts", stdout=out)
    assert SECRET_STEP in out.getvalue()
