"""The admin: entries with causes and aliases inline; an edit there is protected from load_kb."""

import pytest
from django.contrib.auth.models import User

from kb.models import Entry


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("admin", "admin@example.com", "pw-for-tests")
    client.force_login(user)
    return client


def test_entry_changelist_filters_and_search(admin_client, kb):
    response = admin_client.get("/admin/kb/entry/?q=BadWebID&category__exact=session-auth")
    assert response.status_code == 200
    assert "BadWebExIDorPassword" in response.content.decode()


def test_entry_change_page_has_inlines(admin_client, kb):
    entry = Entry.objects.get(code="AccessDenied")
    page = admin_client.get(f"/admin/kb/entry/{entry.pk}/change/").content.decode()
    assert "aliases-TOTAL_FORMS" in page
    assert "causes-TOTAL_FORMS" in page


def change_form_data(client, entry, **changes):
    """What the admin change form would post for ``entry`` as loaded now, with ``changes`` applied."""
    page = client.get(f"/admin/kb/entry/{entry.pk}/change/")
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


def test_saving_in_admin_marks_entry_locally_edited(admin_client, kb):
    entry = Entry.objects.get(code="AlreadyLogon")
    data = change_form_data(admin_client, entry, title="Already logged on (edited)")
    response = admin_client.post(f"/admin/kb/entry/{entry.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry.refresh_from_db()
    assert entry.title == "Already logged on (edited)"
    assert entry.locally_edited
    assert entry.version == 2


def test_second_editor_gets_a_conflict_not_a_silent_overwrite(admin_client, kb):
    entry = Entry.objects.get(code="EmailConflict")
    first = change_form_data(admin_client, entry, title="First editor's title")
    second = change_form_data(admin_client, entry, title="Second editor's title")
    assert admin_client.post(f"/admin/kb/entry/{entry.pk}/change/", first).status_code == 302
    response = admin_client.post(f"/admin/kb/entry/{entry.pk}/change/", second)
    assert response.status_code == 200
    assert "Someone else saved this entry after you opened it" in response.content.decode()
    entry.refresh_from_db()
    assert entry.title == "First editor's title"


def test_anonymous_cannot_open_admin(client, kb):
    response = client.get("/admin/kb/entry/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
