"""One rule for a code (letters, digits, '.', '-', '_'; an alias may also hold single spaces), applied by the model
(so the admin), load_kb and `manage.py check`; and no page fails because one stored row breaks it."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from kb import codes, fixtures
from kb.models import Alias, Entry

BAD_CODES = ["a/b", "Access Denied", "a\x00b", "../x", "a?b", "tab\tcode", "é", ".", "..", "-", "_", "...", ".-_"]


@pytest.mark.parametrize("code", ["AccessDenied", "030002", "a.b-c_d"])
def test_good_codes_pass(code):
    codes.validate_code(code)


@pytest.mark.parametrize("code", BAD_CODES)
def test_bad_codes_are_refused_by_the_model(kb, code):
    entry = Entry.objects.get(code="AccessDenied")
    entry.code = code
    with pytest.raises(ValidationError) as caught:
        entry.full_clean()
    assert "not a valid code" in str(caught.value)


def test_aliases_may_hold_single_spaces(kb):
    codes.validate_alias("Access Denied")
    Alias(entry=Entry.objects.get(code="AccessDenied"), alias="Access Refused").full_clean()
    for bad in ("a/b", "two  spaces", " lead", "x\ny"):
        with pytest.raises(ValidationError):
            codes.validate_alias(bad)


def test_the_admin_refuses_a_bad_code(client, kb):
    client.force_login(User.objects.create_superuser("root", password="Root-Pass-55321"))
    entry = Entry.objects.get(code="AccessDenied")
    page = client.get(f"/admin/kb/entry/{entry.pk}/change/")
    assert page.status_code == 200
    response = client.post("/admin/kb/entry/add/", {"code": "a/b", "title": "t"})
    assert response.status_code == 200
    assert "not a valid code" in response.content.decode()
    assert not Entry.objects.filter(code="a/b").exists()


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("code", "a/b", "code"),
        ("code", ".", "code"),
        ("code", "..", "code"),
        ("code", "-", "code"),
        ("alias", "x/y", "aliases[0].alias"),
        ("alias", "..", "aliases[0].alias"),
    ],
)
def test_load_kb_refuses_a_bad_code_with_a_clear_message(tmp_path, kb, field, value, where):
    entry = {
        "code": "NewCode",
        "title": "T",
        "summary": "S",
        "api": "url",
        "category": "service",
        "source": "test",
        "confidence": "low",
        "causes": [{"slug": "c", "api": "url", "title": "C", "meaning": "M", "when_seen": "W", "steps": ["s"]}],
    }
    if field == "code":
        entry["code"] = value
    else:
        entry["aliases"] = [{"alias": value}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"entries": [entry]}))
    with pytest.raises(CommandError) as caught:
        call_command("load_kb", str(path))
    message = str(caught.value)
    assert str(path) in message and f"field '{where}'" in message and "not a valid" in message
    with pytest.raises(fixtures.FixtureError):
        fixtures.load([path])
    assert not Entry.objects.filter(code__in=["NewCode", "a/b"]).exists()


def store_bad_row(code="a/b"):
    """A row that breaks the rule, written around the model as a bulk update or an old release could."""
    Entry.objects.filter(code="Unknown").update(code=code)
    Alias.objects.filter(alias="Access Denied").update(alias="Access/Denied")


def test_check_reports_stored_codes_that_break_the_rule(kb, capsys):
    store_bad_row()
    call_command("check")
    err = capsys.readouterr().err
    assert "kb.W001" in err and "'a/b' is not a valid code" in err
    assert "kb.W002" in err and "'Access/Denied' is not a valid alias" in err


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/errors/",
        "/errors/?category=input-validation",
        "/search/?q=a",
        "/search/?q=Unknown",
        "/api/errors/",
        "/api/search/?q=a",
        "/errors/AccessDenied/",
        "/api/errors/AccessDenied/",
        "/commands/p.php/SU/",
    ],
)
def test_no_page_fails_because_of_one_bad_row(client, kb, url):
    store_bad_row()
    response = client.get(url)
    assert response.status_code == 200


def test_a_bad_row_still_gets_a_working_link(client, kb):
    store_bad_row()
    entry = Entry.objects.get(code="a/b")
    assert entry.get_absolute_url() == "/errors/a%252Fb/"
    assert entry.get_api_url() == "/api/errors/a%252Fb/"
    assert "/errors/a%252Fb/" in client.get("/errors/").content.decode()
    assert client.get(entry.get_absolute_url()).status_code == 200
    assert client.get(entry.get_api_url()).json()["code"] == "a/b"
    assert client.get("/errors/AccessDenied/").status_code == 200, "valid codes keep their plain URLs"


def test_staff_pages_survive_a_bad_row(client, kb):
    store_bad_row()
    Entry.objects.filter(code="a/b").update(status=Entry.Status.DRAFT)
    client.force_login(User.objects.create_superuser("root", password="Root-Pass-55321"))
    for url in ["/review/", "/errors/a%252Fb/", "/errors/a%252Fb/edit/", "/errors/a%252Fb/history/", "/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("code", ["AccessDenied", "030002", "a.b-c_d", "0code0", "code0code0", *BAD_CODES, ""])
@pytest.mark.parametrize("url_name", ["kb:entry-detail", "kb:api-entry-detail"])
def test_entry_path_is_what_reverse_gives(code, url_name):
    """A valid code's path comes from a reversed template (the search page links many entries): always the same as
    reversing it, under any script prefix; a code that breaks the rule is encoded, an empty one gets a search link."""
    from django.urls import NoReverseMatch, reverse, set_script_prefix

    for prefix in ("/", "/kb/"):
        set_script_prefix(prefix)
        try:
            expected = reverse(url_name, args=[code])
        except NoReverseMatch:
            expected = None
        try:
            path = codes.entry_path(code, url_name)
        finally:
            set_script_prefix("/")
        if expected is None:
            assert "?q=" in path
        else:
            assert path == expected and path.startswith(prefix)
