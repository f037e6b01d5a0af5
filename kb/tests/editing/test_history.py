"""History: every change to an entry (editor page, admin, load_kb --force) is a revision with who, when and why,
listed on /errors/<code>/history/ with a readable diff; an old revision can be restored (a new revision)."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from reversion.models import Revision, Version

from kb.editing import editor, history
from kb.models import Command, Entry
from kb.tests.editing.helpers import ROLES, as_role, expect_access, form_data, revisions_of

HISTORY = "/errors/AlreadyLogon/history/"


def admin_form_data(client, url, **changes):
    """What an admin change form posts for the object as loaded now, with ``changes`` applied."""
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data[f"{fs.prefix}-TOTAL_FORMS"] = fs.total_form_count()
        data[f"{fs.prefix}-INITIAL_FORMS"] = fs.initial_form_count()
        for f in fs.forms:
            for name in f.fields:
                value = f[name].value()
                if value is not None:
                    data[f[name].html_name] = value
    data.update(changes)
    return data


def test_loading_the_knowledge_base_kept_a_first_revision(kb):
    revs = revisions_of("AlreadyLogon")
    assert len(revs) == 1
    assert revs[0].comment == "load_kb from fixtures/01-catalogue.json"
    assert revs[0].user is None
    assert revs[0].snapshot["causes"][0]["steps"]


def test_a_change_on_the_editor_page_shows_in_the_history_with_a_diff(editor_client, kb):
    steps = Entry.objects.get(code="AlreadyLogon").causes.order_by("position")[0].steps.order_by("position")
    texts = [s.text for s in steps]
    data = form_data(
        editor_client,
        title="Already logged on: the session is still open",
        cause__0__step=[*texts, "Log out with p.php?AT=LO first."],
        note="Ticket 1234",
    )
    assert editor_client.post("/errors/AlreadyLogon/edit/", data).status_code == 302
    response = editor_client.get(HISTORY)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ticket 1234" in page and "editor" in page
    assert "<del>" in page and "<ins>" in page
    assert "the session is still open" in page
    assert "Log out with p.php?AT=LO first." in page and "diff-added" in page  # the new step, numbered
    assert "Restore this version" in page
    newest = revisions_of("AlreadyLogon")[0]
    labels = [c.label for c in newest.changes]
    assert "Title" in labels and any(label.startswith("Cause") for label in labels)


def test_a_change_in_the_admin_shows_in_the_history(client, kb, editor):
    admin = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    client.force_login(admin)
    entry = Entry.objects.get(code="AlreadyLogon")
    url = f"/admin/kb/entry/{entry.pk}/change/"
    response = client.post(url, admin_form_data(client, url, summary="Changed in the admin, word by word."))
    assert response.status_code == 302
    newest = revisions_of("AlreadyLogon")[0]
    assert newest.user == "root"
    assert newest.comment.startswith("Admin: Changed")
    assert [c.label for c in newest.changes] == ["Summary"]
    client.force_login(editor)
    page = client.get(HISTORY).content.decode()
    assert "Changed in the admin, word by word." in page and "Admin: Changed" in page


def test_a_step_changed_on_the_cause_admin_page_shows_in_the_entrys_history(client, kb):
    admin = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    client.force_login(admin)
    cause = Entry.objects.get(code="AlreadyLogon").causes.order_by("position")[0]
    url = f"/admin/kb/cause/{cause.pk}/change/"
    data = admin_form_data(client, url)
    data["steps-0-text"] = "Rewritten in the cause admin."
    assert client.post(url, data).status_code == 302
    newest = revisions_of("AlreadyLogon")[0]
    steps = [c for c in newest.changes if c.kind == "cause"][0].changes[0]
    assert steps.kind == "steps"
    assert any(op == "changed" for op, *_ in steps.items)
    assert Entry.objects.get(code="AlreadyLogon").locally_edited


def test_load_kb_force_shows_in_the_history(editor_client, kb):
    editor_client.post("/errors/AlreadyLogon/edit/", form_data(editor_client, title="Edited locally"))
    call_command("load_kb", "--force", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    revs = revisions_of("AlreadyLogon")
    assert revs[0].comment == "load_kb --force from fixtures/01-catalogue.json"
    assert revs[0].who == "load_kb or the system"
    title = [c for c in revs[0].changes if c.label == "Title"][0]
    assert title.old == "Edited locally"
    page = editor_client.get(HISTORY).content.decode()
    assert "load_kb --force from fixtures/01-catalogue.json" in page
    # Entries load_kb left as they were keep a single revision.
    assert len(revisions_of("AccessDenied")) == 1


def test_restoring_an_old_revision_writes_it_back_as_a_new_revision(editor_client, kb):
    original = Entry.objects.get(code="AlreadyLogon")
    first = revisions_of("AlreadyLogon")[0]
    editor_client.post("/errors/AlreadyLogon/edit/", form_data(editor_client, title="A worse title", alias=[]))
    assert Entry.objects.get(code="AlreadyLogon").title == "A worse title"
    response = editor_client.post(f"{HISTORY}{first.id}/restore/", {"note": "the old title was better"})
    assert response.status_code == 302 and response["Location"] == HISTORY
    restored = Entry.objects.get(code="AlreadyLogon")
    assert restored.title == original.title
    assert sorted(restored.aliases.values_list("alias", flat=True)) == [a["alias"] for a in first.snapshot["aliases"]]
    assert restored.version == 3
    revs = revisions_of("AlreadyLogon")
    assert len(revs) == 3
    assert revs[0].comment == f"Restored revision {first.id}: the old title was better"
    assert [c.label for c in revs[0].changes][:1] == ["Title"]
    page = editor_client.get(HISTORY).content.decode()
    assert "Restored. The restore is itself a new revision" in page


def test_a_revision_that_no_longer_passes_is_not_restored(editor_client, kb):
    first = revisions_of("AlreadyLogon")[0]
    commands = first.snapshot["causes"][0]["commands"]
    assert commands, "the test needs a cause that names a command"
    editor_client.post("/errors/AlreadyLogon/edit/", form_data(editor_client, title="Second"))
    Command.objects.get_by_natural_key(commands[0]).delete()
    response = editor_client.post(f"{HISTORY}{first.id}/restore/", follow=True)
    page = response.content.decode()
    assert "cannot be restored as it stands" in page and "unknown command" in page
    assert Entry.objects.get(code="AlreadyLogon").title == "Second"


def test_restoring_another_entrys_revision_is_a_404(editor_client, kb):
    other = revisions_of("AccessDenied")[0]
    assert editor_client.post(f"{HISTORY}{other.id}/restore/").status_code == 404
    assert editor_client.post(f"{HISTORY}999999/restore/").status_code == 404


def test_an_entry_from_before_history_gets_its_old_state_kept_before_the_first_change(editor_client, kb):
    entry = Entry.objects.get(code="AlreadyLogon")
    Revision.objects.filter(pk__in=Version.objects.get_for_object(entry).values("revision_id")).delete()
    editor_client.post("/errors/AlreadyLogon/edit/", form_data(editor_client, title="First recorded change"))
    revs = revisions_of("AlreadyLogon")
    assert [r.comment for r in revs] == ["Edited on the editor page", "State before history was kept"]
    assert revs[0].changes[0].new == "First recorded change"


def test_history_pages_through_many_revisions(editor_client, kb, django_assert_max_num_queries):
    entry = Entry.objects.get(code="AlreadyLogon")
    for n in range(25):
        editor.mark_reviewed(entry, user=None, note=str(n))
    with django_assert_max_num_queries(12):
        page = editor_client.get(HISTORY).content.decode()
    assert page.count('class="card revision"') == 20 and "?page=2" in page
    older = editor_client.get(HISTORY + "?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert older.count('class="card revision"') == 6 and "The first recorded version." in older
    assert editor_client.get(HISTORY + "?page=x").status_code == 200


def test_word_and_step_diffs():
    html = str(history.word_diff("Log in again with PW", "Log in again with TK"))
    assert "<del>" in html and "PW" in html.split("<del>")[1] and "TK" in html.split("<ins>")[1]
    assert str(history.word_diff("<b>", "<i>")).count("&lt;") == 2
    rows = history.steps_diff(["one", "two", "three"], ["two", "one", "three", "four"])
    ops = [(op, old, new) for op, old, new, _ in rows]
    assert ("moved", 1, 2) in ops or ("moved", 2, 1) in ops
    assert ("added", None, 4) in ops and ("same", 3, 3) in ops


def test_diff_of_causes_aliases_and_related():
    old = {
        "title": "T",
        "aliases": [{"alias": "A", "note": ""}],
        "related": ["X"],
        "causes": [{"slug": "a", "title": "Cause A", "steps": ["s"], "commands": ["p.php?AT=LI"]}],
    }
    new = {
        "title": "T",
        "aliases": [{"alias": "B", "note": ""}],
        "related": ["X", "Y"],
        "causes": [{"slug": "b", "title": "Cause B", "steps": ["s"], "commands": []}],
    }
    changes = {c.label: c for c in history.diff(old, new)}
    assert changes["Also seen as"].items == [("removed", "A"), ("added", "B")]
    assert ("added", "Y") in changes["Related codes"].items
    assert changes["Cause “Cause B” (b)"].op == "added"
    assert changes["Cause “Cause A” (a)"].op == "removed"


@pytest.mark.parametrize("role", ROLES)
def test_roles(client, kb, people, role):
    as_role(client, people, role)
    expect_access(client.get(HISTORY), role)
    expect_access(client.get(HISTORY, HTTP_HX_REQUEST="true"), role)
    first = revisions_of("AlreadyLogon")[0]
    expect_access(client.post(f"{HISTORY}{first.id}/restore/"), role)


def test_htmx_gets_the_fragment(editor_client, kb):
    page = editor_client.get(HISTORY)
    fragment = editor_client.get(HISTORY, HTTP_HX_REQUEST="true")
    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()
    assert 'id="history-list"' in fragment.content.decode()
    assert "HX-Request" in page["Vary"] and "HX-Request" in fragment["Vary"]


def test_wrong_methods(editor_client, kb):
    first = revisions_of("AlreadyLogon")[0]
    assert editor_client.post(HISTORY).status_code == 405
    assert editor_client.get(f"{HISTORY}{first.id}/restore/").status_code == 405


def test_deleting_a_cause_in_the_admin_shows_in_the_history(client, kb):
    admin = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    client.force_login(admin)
    entry = Entry.objects.get(code="AccessDenied")
    cause = entry.causes.order_by("position").last()
    response = client.post(f"/admin/kb/cause/{cause.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    newest = revisions_of("AccessDenied")[0]
    assert newest.comment == f"Admin: deleted cause {cause.slug}" and newest.user == "root"
    assert [c.op for c in newest.changes if c.kind == "cause"] == ["removed"]
    assert Entry.objects.get(code="AccessDenied").locally_edited


def test_a_change_of_messages_by_load_kb_shows_in_the_history_and_restores(editor_client, kb, tmp_path):
    """Messages and counterparts are versioned with the entry: a fixture that changes them leaves a revision with
    a diff, and restoring the revision before it brings the old messages back."""
    import json

    from django.test import override_settings

    from kb import fixtures
    from kb.models import Message

    entry = Entry.objects.get(code="AlreadyLogon")
    before = list(entry.messages.values_list("text", flat=True))
    first = revisions_of("AlreadyLogon")[0]
    data = fixtures.entry_to_fixture(Entry.objects.prefetch_for_page().get(pk=entry.pk))
    for key in ("status", "reviewed_at", "reviewed_by", "review_interval_days"):
        data.pop(key)
    data["messages"] = [{"text": "You are already logged in", "kind": "client", "source": "a test's client"}]
    path = tmp_path / "change.json"
    path.write_text(json.dumps({"entries": [data]}))
    with override_settings(KB_FIXTURE_DIR=str(tmp_path)):
        fixtures.load([path])
    newest = revisions_of("AlreadyLogon")[0]
    change = [c for c in newest.changes if c.label == "Messages you may see"][0]
    assert "You are already logged in (client; a test's client)" in str(change.__dict__)
    page = editor_client.get(HISTORY).content.decode()
    assert "Messages you may see" in page and "You are already logged in" in page

    response = editor_client.post(f"{HISTORY}{first.id}/restore/", {"note": "back to the shipped messages"})
    assert response.status_code == 302
    restored = list(Message.objects.filter(entry=entry).order_by("position").values_list("text", flat=True))
    assert restored == before
