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


def test_saving_in_admin_marks_entry_locally_edited(admin_client, kb):
    entry = Entry.objects.get(code="AlreadyLogon")
    page = admin_client.get(f"/admin/kb/entry/{entry.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "related"}
    data.update(title="Already logged on (edited)", related=[])
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data[f"{fs.prefix}-TOTAL_FORMS"] = fs.total_form_count()
        data[f"{fs.prefix}-INITIAL_FORMS"] = fs.initial_form_count()
        for i, f in enumerate(fs.forms):
            for name, field in f.fields.items():
                value = f.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if isinstance(value, list):
                    value = [getattr(v, "pk", v) for v in value]
                if value is not None:
                    data[f"{fs.prefix}-{i}-{name}"] = value
    response = admin_client.post(f"/admin/kb/entry/{entry.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry.refresh_from_db()
    assert entry.title == "Already logged on (edited)"
    assert entry.locally_edited


def test_anonymous_cannot_open_admin(client, kb):
    response = client.get("/admin/kb/entry/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
