"""The editor page (/errors/<code>/edit/): an entry's fields, aliases, causes and steps on one page; steps
moved without JavaScript; pickers; preview; saving through load_kb's validation; who may use it."""

import json

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version

from kb.editing import editor
from kb.models import Entry
from kb.tests.editing.helpers import ROLES, URL, as_role, expect_access, form_data


def steps_of(code, slug=None):
    entry = Entry.objects.get(code=code)
    cause = entry.causes.get(slug=slug) if slug else entry.causes.order_by("position").first()
    return list(cause.steps.order_by("position").values_list("text", flat=True))


def test_editor_shows_fields_aliases_causes_steps_and_pickers(editor_client, kb):
    response = editor_client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    entry = Entry.objects.get(code="AlreadyLogon")
    assert f'value="{entry.title}"' in page.replace("&#x27;", "'")
    assert 'id="field-summary"' in page and "<textarea" in page
    assert 'name="cause-0-step"' in page
    assert 'data-step="up"' in page and 'data-step="down"' in page
    assert 'class="field picker" data-picker="commands"' in page
    assert 'hx-get="/errors/-/commands/"' in page
    assert 'hx-post="/errors/AlreadyLogon/edit/preview/"' in page
    assert "editor.js" in page
    # The first submit button of the form is Save, so Enter in a text field never presses a Move button.
    form = page.split('id="editor-form"', 1)[1]
    assert form.index('value="save"') < form.index('value="step-')


@pytest.mark.parametrize(
    ("op", "expected", "focus"),
    [
        ("step-up:0:1", [1, 0, 2], 'id="cause-0-step-0-up"'),
        ("step-down:0:0", [1, 0, 2], 'id="cause-0-step-1-down"'),
        ("step-remove:0:1", [0, 2], 'id="cause-0-step-1"'),
        ("step-add:0", [0, 1, 2, None], 'id="cause-0-step-3"'),
    ],
)
def test_step_buttons_work_without_javascript_and_save_nothing(editor_client, kb, op, expected, focus):
    before = steps_of("AlreadyLogon")
    while len(before) < 3:
        before.append(f"extra {len(before)}")
    data = form_data(editor_client, cause__0__step=before[:3], op=op)
    response = editor_client.post(URL, data)
    assert response.status_code == 200
    state = response.context["state"]
    assert state.causes[0].steps == [before[i] if i is not None else "" for i in expected]
    page = response.content.decode()
    assert f"{focus}" in page and page.split(focus, 1)[1].split(">", 1)[0].rstrip().endswith("autofocus")
    assert steps_of("AlreadyLogon") == steps_of("AlreadyLogon")  # nothing saved
    assert Entry.objects.get(code="AlreadyLogon").version == 1


def test_add_alias_and_cause_without_javascript(editor_client, kb):
    response = editor_client.post(URL, form_data(editor_client, op="alias-add"))
    assert len(response.context["state"].aliases) == len(form_data(editor_client)["alias"]) + 1
    response = editor_client.post(URL, form_data(editor_client, op="cause-add"))
    causes = response.context["state"].causes
    assert causes[-1].new and causes[-1].steps == [""]
    assert 'name="cause-1-slug"' in response.content.decode()


def test_saving_keeps_the_change_a_revision_and_marks_the_entry_edited(editor_client, editor, kb):
    steps = steps_of("AlreadyLogon")
    data = form_data(
        editor_client,
        title="Already logged on (edited on the page)",
        cause__0__step=[*steps, "A new last step."],
        note="Add the step from ticket 42",
    )
    data["op"] = ["save"]
    response = editor_client.post(URL, data)
    assert response.status_code == 302
    assert response["Location"] == "/errors/AlreadyLogon/"
    entry = Entry.objects.get(code="AlreadyLogon")
    assert entry.title == "Already logged on (edited on the page)"
    assert entry.locally_edited and entry.version == 2
    assert steps_of("AlreadyLogon") == [*steps, "A new last step."]
    version = Version.objects.get_for_object(entry).order_by("-pk").first()
    assert version.revision.user == editor
    assert version.revision.comment == "Add the step from ticket 42"
    page = editor_client.get("/errors/AlreadyLogon/").content.decode()
    assert "Already logged on (edited on the page)" in page and "A new last step." in page
    assert "Saved. The change is in the history." in page


def test_a_bad_command_key_is_refused_with_load_kbs_own_message(editor_client, kb, tmp_path):
    data = form_data(editor_client, cause__0__commands="p.php?AT=LI, p.php?AT=ZZ")
    response = editor_client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 400
    message = "unknown command &#x27;p.php?AT=ZZ&#x27; (define it in a fixture&#x27;s commands)"
    assert message in page
    assert 'href="#cause-0-commands"' in page
    assert 'value="p.php?AT=LI, p.php?AT=ZZ"' in page  # the form comes back as it was sent
    assert Entry.objects.get(code="AlreadyLogon").version == 1

    # load_kb says the same of the same fixture.
    fixture = {
        "entries": [editor.EditorState.from_post(_querydict(data), Entry.objects.get(code="AlreadyLogon")).to_fixture()]
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(fixture))
    with pytest.raises(CommandError) as excinfo:
        call_command("load_kb", str(path))
    assert "unknown command 'p.php?AT=ZZ' (define it in a fixture's commands)" in str(excinfo.value)


def _querydict(data):
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    for key, values in data.items():
        q.setlist(key, values)
    return q


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Title: is required"),
        ({"summary": "x" * 301}, "Summary: is 301 characters long; the limit is 300"),
        ({"related": "NoSuchCode"}, "no entry has the code &#x27;NoSuchCode&#x27;"),
        ({"related": "AlreadyLogon"}, "an entry cannot relate to itself"),
        ({"alias": ["AccessDenied"], "alias-note": [""]}, "is the code of another entry"),
        ({"cause__0__services": "zz.php"}, "unknown service &#x27;zz.php&#x27;"),
        ({"cause__0__step": ["", "  "]}, "Cause 1, What to do: needs at least one item"),
        ({"review_interval_days": "soon"}, "Review interval: a whole number of days"),
        ({"api": "nonsense"}, "&#x27;nonsense&#x27; is not one of"),
        ({"cause-count": "9"}, "is required"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(editor_client, kb, changes, message):
    before = Entry.objects.get(code="AlreadyLogon")
    response = editor_client.post(URL, form_data(editor_client, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    after = Entry.objects.get(code="AlreadyLogon")
    assert (after.version, after.title, after.locally_edited) == (before.version, before.title, False)


def test_garbage_never_gives_a_500(editor_client, kb):
    for data in [
        {},
        {"cause-count": "abc", "loaded_version": "x"},
        {"cause-count": "100000", "op": "step-up:99:99"},
        {"op": "step-remove:0:999", "cause-count": "1"},
        {"op": "cause-up:-1"},
        {"op": "<script>", "title": "<script>alert(1)</script>"},
    ]:
        response = editor_client.post(URL, data)
        assert response.status_code in (200, 400, 409), (data, response.status_code)
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_preview_renders_the_public_article_and_saves_nothing(editor_client, kb):
    data = form_data(editor_client, title="A title only in the preview", cause__0__step=["Only in the preview."])
    response = editor_client.post("/errors/AlreadyLogon/edit/preview/", data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "Vary" in response and "HX-Request" in response["Vary"]
    assert "A title only in the preview" in page and "Only in the preview." in page
    assert '<ol class="steps">' in page and "What to do" in page  # the public page's article
    assert Entry.objects.get(code="AlreadyLogon").title != "A title only in the preview"
    assert "Only in the preview." not in steps_of("AlreadyLogon")
    assert "A title only in the preview" not in editor_client.get("/errors/AlreadyLogon/").content.decode()


def test_preview_without_javascript_is_part_of_the_editor_page(editor_client, kb):
    data = form_data(editor_client, title="Previewed without htmx", op="preview")
    response = editor_client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="preview-heading"' in page and "Previewed without htmx" in page
    assert Entry.objects.get(code="AlreadyLogon").version == 1


def test_preview_with_a_bad_field_says_what_is_wrong(editor_client, kb):
    data = form_data(editor_client, cause__0__commands="p.php?AT=ZZ")
    response = editor_client.post("/errors/AlreadyLogon/edit/preview/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps it in
    assert "unknown command" in response.content.decode()


def test_command_and_service_pickers_search_as_you_type(editor_client, kb):
    response = editor_client.get("/errors/-/commands/?q=LI", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert page.index('data-pick="p.php?AT=LI"') < page.index("data-pick=", page.index('data-pick="p.php?AT=LI"') + 1)
    page = editor_client.get("/errors/-/commands/?q=user.Get", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-pick="XMLService:user.GetUser"' in page
    page = editor_client.get("/errors/-/services/?q=m.p", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-pick="m.php"' in page
    page = editor_client.get("/errors/-/commands/?q=nothing-like-this").content.decode()
    assert "No command matches" in page and "<html" in page


def test_draft_code_can_change_in_the_editor(editor_client, kb):
    entry, _ = editor.make_draft("NewDraftCode", user=None)
    url = "/errors/NewDraftCode/edit/"
    data = form_data(editor_client, url=url, code="NewDraftCodeFixed")
    response = editor_client.post(url, data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.code == "NewDraftCodeFixed" and entry.is_draft
    published = form_data(editor_client, code="Other")
    editor_client.post(URL, published)
    assert Entry.objects.filter(code="AlreadyLogon").exists()  # a published entry's code stays


def test_edit_link_is_for_editors_only_and_never_on_the_shared_page(client, kb, people):
    public = client.get("/errors/AlreadyLogon/").content.decode()
    assert "/edit/" not in public and "Mark reviewed" not in public
    assert 'href="/errors/AlreadyLogon/suggest/"' in public
    client.force_login(people["help-desk"])
    page = client.get("/errors/AlreadyLogon/").content.decode()
    assert "/edit/" not in page and "Mark reviewed" not in page
    client.force_login(people["kb-editor"])
    page = client.get("/errors/AlreadyLogon/").content.decode()
    assert 'href="/errors/AlreadyLogon/edit/"' in page and "Mark reviewed" in page
    assert 'href="/errors/AlreadyLogon/history/"' in page
    client.logout()
    assert client.get("/errors/AlreadyLogon/").content.decode() == public


PAGES = ["/errors/AlreadyLogon/edit/", "/errors/-/commands/?q=LI", "/errors/-/services/?q=m"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", PAGES)
def test_roles(client, kb, people, role, url):
    expect_access(as_role(client, people, role).get(url), role)
    expect_access(client.get(url, HTTP_HX_REQUEST="true"), role)


@pytest.mark.parametrize("role", ROLES)
def test_roles_posting(client, kb, people, role):
    as_role(client, people, role)
    data = form_data(client, op="preview") if role in ("kb-editor", "admin") else {"title": "x"}
    expect_access(client.post(URL, data), role)
    expect_access(client.post("/errors/AlreadyLogon/edit/preview/", data), role)
    assert Entry.objects.get(code="AlreadyLogon").title != "x"


@pytest.mark.parametrize("url", PAGES)
def test_htmx_gets_the_fragment_and_a_page_gets_the_page(editor_client, kb, url):
    page = editor_client.get(url)
    fragment = editor_client.get(url, HTTP_HX_REQUEST="true")
    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()
    assert "<title>" in fragment.content.decode()
    for response in (page, fragment):
        assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", URL),
        ("delete", URL),
        ("get", "/errors/AlreadyLogon/edit/preview/"),
        ("post", "/errors/-/commands/"),
        ("post", "/errors/-/services/"),
    ],
)
def test_wrong_methods_are_refused(editor_client, kb, method, url):
    assert getattr(editor_client, method)(url).status_code == 405
