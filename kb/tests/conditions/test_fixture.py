"""The conditions section: the shipped file loads, every problem is named by file, condition and field, a bad file
changes nothing, and export_kb gives back what was loaded."""

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from kb import fixtures
from kb.fixtures import FixtureError
from kb.models import Condition, Confidence, Entry

SHIPPED = Path(settings.KB_FIXTURE_DIR) / "05-conditions.json"

GOOD = {
    "slug": "test-condition",
    "title": "A test condition",
    "summary": "Something about the site.",
    "codes": ["AccessDenied"],
    "codes_pending": ["E099999"],
    "http_answers": ["418 I'm a teapot"],
    "keywords": ["teapot mode"],
    "question": "Is the site a teapot?",
    "probe": "p.php?AT=LI",
    "probe_note": "A teapot answers 418.",
    "steps": ["Stop brewing."],
    "sources": [{"title": "A test", "url": "https://example.com/a", "confidence": "low"}],
    "confidence": "low",
}


def write(tmp_path, *items):
    path = tmp_path / "conditions.json"
    path.write_text(json.dumps({"conditions": list(items)}), encoding="utf-8")
    return path


def problem(tmp_path, **changes):
    item = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    path = write(tmp_path, item)
    with pytest.raises(FixtureError) as caught:
        fixtures.load([path])
    return caught.value, path


def test_the_shipped_file_holds_at_least_nine_complete_conditions(kb):
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))["conditions"]
    assert len(data) >= 9
    assert Condition.objects.count() == len(data)
    for condition in Condition.objects.prefetch_related("entries"):
        symptoms = [*condition.entries.all(), *condition.codes_pending, *condition.reason_texts]
        symptoms += [*condition.http_answers, *condition.signs]
        assert symptoms, condition.slug
        assert condition.question and condition.steps, condition.slug
        assert condition.sources and condition.confidence in Confidence.values, condition.slug
        assert all(s["confidence"] in Confidence.values and s["title"] for s in condition.sources)


def test_the_issues_conditions_are_there_with_their_sourced_codes(kb):
    sso = Condition.objects.get(slug="sso-site")
    assert {e.code for e in sso.entries.all()} == {"030002", "030048", "AccessDenied"}
    retired = Condition.objects.get(slug="api-retired")
    assert "2024" in retired.explanation and "March 2022" in retired.explanation
    assert "not affected" in retired.explanation
    assert any("410 Gone" in a and "not confirmed" in a for a in retired.http_answers)  # uncertain, and says so
    assert {s["confidence"] for s in retired.sources} == {"high", "low"}
    # The codes that have entries are linked (Cisco's documents write the exception IDs with an E: E030103).
    assert {e.code for e in Condition.objects.get(slug="rate-limit-reached").entries.all()} == {"000045"}
    provisioning = Condition.objects.get(slug="common-identity-provisioning")
    assert {e.code for e in provisioning.entries.all()} == {"030103", "030104", "030105"}
    assert "12 hours" in Condition.objects.get(slug="rest-token-or-scope").summary
    for slug in ("site-admin-setting-changed", "https-post-required", "control-hub-session-ticket", "site-url-changed"):
        assert Condition.objects.filter(slug=slug).exists()


def test_a_good_condition_loads_links_its_entries_and_keeps_a_revision(kb, tmp_path):
    from reversion.models import Version

    report = fixtures.load([write(tmp_path, GOOD)])
    assert "conditions: 1 created" in "\n".join(report.lines())
    condition = Condition.objects.get(slug="test-condition")
    assert [e.code for e in condition.entries.all()] == ["AccessDenied"]
    assert condition in Entry.objects.get(code="AccessDenied").conditions.all()
    assert Version.objects.get_for_object(condition).count() == 1
    again = fixtures.load([write(tmp_path, GOOD)])
    assert "conditions: 1 unchanged" in "\n".join(again.lines())
    assert Version.objects.get_for_object(condition).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": None}, "title", "is required"),
        ({"codes": ["NoSuchCodeHere"]}, "codes[0]", "no KB entry has the code 'NoSuchCodeHere'"),
        ({"codes_pending": ["not a code!"]}, "codes_pending[0]", "is not a valid code"),
        ({"probe": "p.php?AT=QQ"}, "probe", "no KB command 'p.php?AT=QQ'"),
        ({"confidence": "certain"}, "confidence", "'certain' is not one of high, medium, low"),
        ({"sources": []}, "sources", "needs at least one source"),
        ({"sources": [{"title": "x", "url": "ftp://x", "confidence": "high"}]}, "sources[0].url", "http(s)"),
        ({"sources": [{"title": "x", "confidence": "sure"}]}, "confidence", "'sure' is not one of"),
        ({"steps": []}, "steps", "needs at least one item"),
        ({"codes": [], "codes_pending": [], "http_answers": []}, "codes", "at least one symptom"),
        ({"slug": "Bad Slug"}, "slug", "lower-case letters"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"probe": None}, "probe_note", "no probe"),
        ({"reviewed_at": "yesterday"}, "reviewed_at", "ISO 8601"),
    ],
)
def test_a_bad_condition_is_named_by_file_condition_and_field_and_nothing_changes(kb, tmp_path, changes, field, words):
    before = Condition.objects.count()
    error, path = problem(tmp_path, **changes)
    assert error.path == str(path)
    assert error.field == field
    assert words in error.message
    assert "condition" in error.item
    assert Condition.objects.count() == before


def test_a_slug_defined_twice_is_refused(kb, tmp_path):
    path = write(tmp_path, GOOD, GOOD)
    with pytest.raises(FixtureError) as caught:
        fixtures.load([path])
    assert caught.value.field == "slug" and "also defined" in caught.value.message


def test_load_kb_names_the_problem_on_the_command_line(kb, tmp_path):
    from django.core.management import CommandError

    path = write(tmp_path, {**GOOD, "codes": ["NoSuchCodeHere"]})
    with pytest.raises(CommandError) as caught:
        call_command("load_kb", str(path))
    assert "condition 'test-condition'" in str(caught.value) and "field 'codes[0]'" in str(caught.value)


def test_export_gives_back_the_shipped_conditions(kb):
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))["conditions"]
    exported = fixtures.export()["conditions"]
    assert exported == shipped


def test_a_pending_code_is_linked_once_an_entry_has_it(kb, tmp_path):
    fixtures.load([write(tmp_path, {**GOOD, "codes": [], "codes_pending": ["AlreadyLogon"]})])
    condition = Condition.objects.get(slug="test-condition")
    assert [e.code for e in condition.entries.all()] == ["AlreadyLogon"]
    exported = next(c for c in fixtures.export()["conditions"] if c["slug"] == "test-condition")
    assert exported["codes"] == [] and exported["codes_pending"] == ["AlreadyLogon"]
