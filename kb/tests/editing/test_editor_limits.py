"""The editor never loses content: the caps are kb/limits.py's everywhere (load_kb, the admin, the editor), an entry
over one is refused naming the field and never cut, a large form saves, a refused save comes back as typed; codes a
browser would rewrite and control characters are refused by the one rule."""

import io
import json
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from kb import fixtures
from kb.admin import AliasInline, StepInline
from kb.editing import editor
from kb.limits import MAX_ALIASES, MAX_CAUSES, MAX_STEPS
from kb.models import Alias, Cause, Entry, Step
from kb.tests.editing.helpers import URL, form_data


def _post(client, url, data):
    """Post as the editor's page does: URL-encoded (the test client's default is multipart)."""
    return client.post(url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


def _cause(i, steps=8):
    return {
        f"cause-{i}-slug": [f"extra-{i}"],
        f"cause-{i}-api": ["url"],
        f"cause-{i}-title": [f"Extra cause {i}"],
        f"cause-{i}-meaning": ["What it means."],
        f"cause-{i}-when_seen": ["When it is seen."],
        f"cause-{i}-commands": [""],
        f"cause-{i}-services": [""],
        f"cause-{i}-step": [f"Step {n} of cause {i}." for n in range(steps)],
    }


def test_a_form_of_13_causes_with_8_steps_saves(editor_client, kb):
    data = form_data(editor_client)
    first = int(data["cause-count"][0])
    for i in range(first, 13):
        data.update(_cause(i))
    data["cause-count"] = ["13"]
    data.update(op=["save"], csrfmiddlewaretoken=["as-a-browser-sends-it"])  # what the page's form posts too
    assert sum(len(v) for v in data.values()) > 200
    response = _post(editor_client, URL, data)
    assert response.status_code == 302, response.content.decode()[:500]
    entry = Entry.objects.get(code="AlreadyLogon")
    assert entry.causes.count() == 13
    assert Step.objects.filter(cause__entry=entry, cause__slug="extra-12").count() == 8


def test_other_pages_keep_the_field_limit(client, kb):
    response = client.post("/errors/AlreadyLogon/feedback/", {f"f{i}": "x" for i in range(300)})
    assert response.status_code == 400


def test_an_entry_at_every_cap_keeps_all_of_it(editor_client, kb):
    data = form_data(editor_client)
    data["alias"] = [f"AlreadyLogonAlias{n}" for n in range(MAX_ALIASES)]
    data["alias-note"] = [""] * MAX_ALIASES
    data["cause-0-step"] = [f"Step {n}." for n in range(MAX_STEPS)]
    assert _post(editor_client, URL, data).status_code == 302
    entry = Entry.objects.get(code="AlreadyLogon")
    assert entry.aliases.count() == MAX_ALIASES
    assert entry.causes.order_by("position").first().steps.count() == MAX_STEPS


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("aliases", f'href="#aliases">Also seen as: has {MAX_ALIASES + 1} aliases; the limit is {MAX_ALIASES}'),
        ("steps", f"Cause 1, What to do: has {MAX_STEPS + 1} steps; the limit is {MAX_STEPS}"),
        ("causes", f"has {MAX_CAUSES + 1} causes; the limit is {MAX_CAUSES}"),
        ("source", "the limit is 20000"),
    ],
)
def test_over_a_cap_is_refused_by_name_and_the_form_comes_back_as_typed(editor_client, kb, change, message):
    before = fixtures.entry_to_fixture(Entry.objects.prefetch_for_page().get(code="AlreadyLogon"))
    data = form_data(editor_client, title="A title typed before saving")
    if change == "aliases":
        data["alias"] = [f"AlreadyLogonAlias{n}" for n in range(MAX_ALIASES + 1)]
        data["alias-note"] = [""] * (MAX_ALIASES + 1)
    elif change == "steps":
        data["cause-0-step"] = [f"Typed step {n}." for n in range(MAX_STEPS + 1)]
    elif change == "causes":
        for i in range(int(data["cause-count"][0]), MAX_CAUSES + 1):
            data.update(_cause(i, steps=2))
        data["cause-count"] = [str(MAX_CAUSES + 1)]
    else:
        data["source"] = ["s" * 20001]
    response = _post(editor_client, URL, data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert "A title typed before saving" in page
    state = response.context["state"]
    assert len(state.aliases) == len(data["alias"]) and len(state.causes) == int(data["cause-count"][0])
    assert state.causes[0].steps == data["cause-0-step"] and state.source == data["source"][0]
    after = fixtures.entry_to_fixture(Entry.objects.prefetch_for_page().get(code="AlreadyLogon"))
    assert after == before


def _fixture_entry(**changes):
    entry = {
        "code": "CappedCode",
        "title": "T",
        "summary": "S",
        "api": "url",
        "category": "service",
        "source": "test",
        "confidence": "low",
        "causes": [{"slug": "c", "api": "url", "title": "C", "meaning": "M", "when_seen": "W", "steps": ["s"]}],
    }
    entry.update(changes)
    return entry


def _load(tmp_path, entry):
    path = tmp_path / "capped.json"
    path.write_text(json.dumps({"entries": [entry]}))
    with pytest.raises(CommandError) as caught:
        call_command("load_kb", str(path), stdout=io.StringIO())
    assert not Entry.objects.filter(code="CappedCode").exists()
    return str(caught.value)


def test_load_kb_refuses_what_is_over_a_cap(tmp_path, kb):
    cause = _fixture_entry()["causes"][0]
    aliases = [{"alias": f"Capped{n}"} for n in range(MAX_ALIASES + 1)]
    assert "field 'aliases': has 41 aliases; the limit is 40" in _load(tmp_path, _fixture_entry(aliases=aliases))
    causes = [{**cause, "slug": f"c{n}"} for n in range(MAX_CAUSES + 1)]
    assert "field 'causes': has 21 causes" in _load(tmp_path, _fixture_entry(causes=causes))
    steps = [{**cause, "steps": [f"s{n}" for n in range(MAX_STEPS + 1)]}]
    assert "field 'causes[0].steps': has 61 steps" in _load(tmp_path, _fixture_entry(causes=steps))


def _inline_formset(inline_class, parent, prefix, rows):
    request = RequestFactory().post("/")
    request.user = type("U", (), {"has_perm": lambda *a: True, "is_active": True, "is_staff": True})()
    formset_class = inline_class(type(parent), admin.site).get_formset(request, parent)
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return formset_class(data, instance=parent, prefix=prefix)


def test_the_admin_refuses_what_is_over_a_cap_by_name(kb):
    entry = Entry.objects.create(code="AdminCapped", title="t", summary="s", api="url", category="service")
    rows = [{"alias": f"AdminCapped{n}", "note": ""} for n in range(MAX_ALIASES + 1)]
    formset = _inline_formset(AliasInline, entry, "aliases", rows)
    assert not formset.is_valid()
    assert "Aliases: at most 40" in " ".join(formset.non_form_errors())
    cause = Cause.objects.create(entry=entry, slug="c", api="url", title="t", meaning="m", when_seen="w")
    rows = [{"text": f"Step {n}", "position": str(n)} for n in range(MAX_STEPS + 1)]
    formset = _inline_formset(StepInline, cause, "steps", rows)
    assert not formset.is_valid() and "Steps: at most 60" in " ".join(formset.non_form_errors())


def test_the_admin_refuses_control_characters(kb):
    entry = Entry.objects.create(code="AdminControl", title="t", summary="s", api="url", category="service")
    formset = _inline_formset(AliasInline, entry, "aliases", [{"alias": "Fine", "note": "bell\x07"}])
    assert not formset.is_valid()
    assert "U+0007" in str(formset.errors)
    assert not Alias.objects.filter(entry=entry).exists()


# ------------------------------------------------------------------------------------------------ codes


@pytest.mark.parametrize("code", [".", "..", "-", "_", "...", "-.-"])
def test_a_draft_cannot_be_renamed_to_a_code_a_browser_rewrites(editor_client, kb, code):
    editor.make_draft("RenameMe", user=None)
    url = "/errors/RenameMe/edit/"
    response = editor_client.post(url, form_data(editor_client, url=url, code=code))
    assert response.status_code == 400 and "is not a valid code" in response.content.decode()
    assert Entry.objects.filter(code="RenameMe").exists() and not Entry.objects.filter(code=code).exists()


@pytest.mark.parametrize("code", [".", "..", "-"])
def test_no_draft_is_made_for_a_code_a_browser_rewrites(kb, code):
    with pytest.raises(fixtures.FixtureError, match="not a valid code"):
        editor.make_draft(code, user=None)


# ------------------------------------------------------------------------------------------------ control characters


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("title", "Clear \x1b[2J screen", "Title"),
        ("source", "a \x07 bell", "Source"),
        ("cause-0-step", ["Step with \x9b CSI"], "Cause 1, "),
        ("cause-0-meaning", "bidi \u202e override", "Cause 1, "),
    ],
)
def test_the_editor_refuses_control_characters_naming_the_field(editor_client, kb, field, value, label):
    response = editor_client.post(URL, form_data(editor_client, **{field: value}))
    page = response.content.decode()
    assert response.status_code == 400 and "holds a control character (U+" in page and label in page
    assert "\x1b" not in Entry.objects.get(code="AlreadyLogon").title


def test_the_editor_keeps_tabs_and_newlines(editor_client, kb):
    data = form_data(editor_client, cause__0__step=["First line\nsecond line\twith a tab"])
    assert _post(editor_client, URL, data).status_code == 302
    step = Step.objects.filter(cause__entry__code="AlreadyLogon").order_by("cause__position", "position").first()
    assert step.text == "First line\nsecond line\twith a tab"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"title": "a\x1bb"}, "field 'title'"),
        ({"summary": "del\x7f"}, "field 'summary'"),
        ({"aliases": [{"alias": "Fine", "note": "n\x00te"}]}, "aliases[0].note"),
        ({"aliases": [{"alias": "Fine", "note": "n\x08te"}]}, "aliases[0].note"),
    ],
)
def test_load_kb_refuses_control_characters_naming_the_field(tmp_path, kb, changes, where):
    message = _load(tmp_path, _fixture_entry(**changes))
    assert where in message and "capped.json" in message


def test_load_kb_refuses_a_control_character_in_a_step(tmp_path, kb):
    cause = {**_fixture_entry()["causes"][0], "steps": ["ok", "osc \x1b]52;c;aGk=\x07"]}
    message = _load(tmp_path, _fixture_entry(causes=[cause]))
    assert "field 'causes[0].steps[1]'" in message and "U+001B" in message
