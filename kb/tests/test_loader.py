"""load_kb: idempotent, keeps admin edits, names what is wrong in a broken fixture and changes nothing."""

import copy
import json
from datetime import UTC

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kb import fixtures
from kb.models import Alias, Cause, Command, Entry, Service, Step

BASE = {
    "services": [
        {"name": "p.php", "api": "url", "title": "Users", "position": 1},
        {"name": "m.php", "api": "url", "title": "Meetings", "position": 2},
    ],
    "commands": [
        {"command": "p.php?AT=ZZ", "name": "Test command", "parameters": [{"name": "WID", "description": "id"}]},
        {"command": "m.php?AT=ZY", "name": "Other test command"},
    ],
    "entries": [
        {
            "code": "TestAlphaError",
            "title": "Alpha",
            "summary": "Alpha went wrong.",
            "api": "url",
            "category": "session-auth",
            "source": "test",
            "confidence": "high",
            "aliases": [{"alias": "TestAlfaError", "note": "typo"}],
            "related": ["TestBetaError"],
            "causes": [
                {
                    "slug": "first",
                    "api": "url",
                    "title": "First cause",
                    "meaning": "It means alpha.",
                    "when_seen": "On p.php?AT=ZZ",
                    "commands": ["p.php?AT=ZZ"],
                    "services": ["m.php"],
                    "steps": ["Do one thing.", "Then another."],
                }
            ],
        },
        {
            "code": "TestBetaError",
            "title": "Beta",
            "summary": "Beta went wrong.",
            "api": "xml",
            "category": "site-config",
            "source": "test",
            "confidence": "low",
            "causes": [
                {
                    "slug": "only",
                    "api": "xml",
                    "title": "Only cause",
                    "meaning": "It means beta.",
                    "when_seen": "Sometimes.",
                    "steps": ["Ask support."],
                }
            ],
        },
    ],
}


def write(tmp_path, data, name="kb.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def snapshot():
    """Everything stored, to compare before and after a load."""
    return (
        sorted(Service.objects.values_list("name", "title", "api", "position")),
        sorted((c.key, c.name, json.dumps(c.parameters)) for c in Command.objects.select_related("service")),
        sorted(Entry.objects.values_list("code", "title", "summary", "updated_at", "version")),
        sorted(Alias.objects.values_list("alias", "entry__code")),
        sorted(Cause.objects.values_list("entry__code", "slug", "title", "meaning")),
        sorted(Step.objects.values_list("cause__slug", "position", "text")),
    )


@pytest.mark.django_db
def test_load_creates_everything(tmp_path):
    report = fixtures.load([write(tmp_path, BASE)])
    alpha = Entry.objects.get(code="TestAlphaError")
    assert report.counts["entries"]["created"] == 2
    assert list(alpha.aliases.values_list("alias", flat=True)) == ["TestAlfaError"]
    cause = alpha.causes.get()
    assert [s.text for s in cause.steps.all()] == ["Do one thing.", "Then another."]
    assert [c.key for c in cause.commands.all()] == ["p.php?AT=ZZ"]
    assert [s.name for s in cause.services.all()] == ["m.php"]
    assert [r.code for r in alpha.related.all()] == ["TestBetaError"]
    # Symmetrical: Beta relates back to Alpha though only Alpha declares it.
    assert [r.code for r in Entry.objects.get(code="TestBetaError").related.all()] == ["TestAlphaError"]


@pytest.mark.django_db
def test_second_load_changes_nothing(tmp_path):
    path = write(tmp_path, BASE)
    fixtures.load([path])
    before = snapshot()
    report = fixtures.load([path])
    assert snapshot() == before
    assert not report.changed
    assert report.counts["entries"]["unchanged"] == 2


@pytest.mark.django_db
def test_edited_fixture_updates_its_entry_and_keeps_cause_rows(tmp_path):
    fixtures.load([write(tmp_path, BASE)])
    cause_pk = Cause.objects.get(entry__code="TestAlphaError", slug="first").pk
    edited = copy.deepcopy(BASE)
    edited["entries"][0]["title"] = "Alpha, retitled"
    edited["entries"][0]["causes"][0]["steps"] = ["Only this now."]
    edited["entries"][0]["aliases"] = []
    report = fixtures.load([write(tmp_path, edited)])
    alpha = Entry.objects.get(code="TestAlphaError")
    assert alpha.title == "Alpha, retitled"
    assert alpha.version == 2
    assert not alpha.aliases.exists()
    assert [s.text for s in Step.objects.filter(cause__entry=alpha)] == ["Only this now."]
    assert Cause.objects.get(entry=alpha, slug="first").pk == cause_pk
    assert report.counts["entries"] == {"updated": 1, "unchanged": 1}


@pytest.mark.django_db
def test_admin_edit_is_kept_unless_forced(tmp_path, capsys):
    path = write(tmp_path, BASE)
    fixtures.load([path])
    Entry.objects.filter(code="TestAlphaError").update(title="Edited by a person", locally_edited=True)
    changed = copy.deepcopy(BASE)
    changed["entries"][0]["title"] = "From the fixture"
    path = write(tmp_path, changed)
    call_command("load_kb", path)
    out = capsys.readouterr().out
    assert "skipped entries TestAlphaError: edited in the admin" in out
    assert Entry.objects.get(code="TestAlphaError").title == "Edited by a person"
    call_command("load_kb", path, "--force")
    alpha = Entry.objects.get(code="TestAlphaError")
    assert alpha.title == "From the fixture"
    assert not alpha.locally_edited


def broken(mutate):
    data = copy.deepcopy(BASE)
    mutate(data)
    return data


BROKEN_CASES = [
    (
        "unknown command",
        lambda d: d["entries"][0]["causes"][0].update(commands=["p.php?AT=QQ"]),
        "entry 'TestAlphaError'",
        "causes[0].commands",
        "unknown command 'p.php?AT=QQ'",
    ),
    (
        "bad category",
        lambda d: d["entries"][1].update(category="nonsense"),
        "entry 'TestBetaError'",
        "category",
        "'nonsense' is not one of",
    ),
    (
        "missing title",
        lambda d: d["entries"][0].pop("title"),
        "entry 'TestAlphaError'",
        "title",
        "is required",
    ),
    (
        "no steps",
        lambda d: d["entries"][1]["causes"][0].update(steps=[]),
        "entry 'TestBetaError'",
        "causes[0].steps",
        "needs at least one item",
    ),
    (
        "unknown field",
        lambda d: d["entries"][0].update(colour="red"),
        "entry 'TestAlphaError'",
        "colour",
        "unknown field",
    ),
    (
        "duplicate code",
        lambda d: d["entries"][1].update(code="testalphaerror"),
        "entry 'testalphaerror'",
        "code",
        "duplicates 'TestAlphaError'",
    ),
    (
        "alias is another code",
        lambda d: d["entries"][0]["aliases"].append({"alias": "TestBetaError"}),
        "entry 'TestAlphaError'",
        "aliases[1]",
        "is the code of another entry",
    ),
    (
        "related unknown",
        lambda d: d["entries"][0].update(related=["NoSuchCode"]),
        "entry 'TestAlphaError'",
        "related[0]",
        "no entry has the code 'NoSuchCode'",
    ),
    (
        "bad command key",
        lambda d: d["commands"][0].update(command="p.php-ZZ"),
        "command 'p.php-ZZ'",
        "command",
        "is not a command",
    ),
    (
        "unknown service",
        lambda d: d["commands"][0].update(command="x.php?AT=ZZ"),
        "command 'x.php?AT=ZZ'",
        "command",
        "service 'x.php' is not defined",
    ),
    (
        "steps not a list",
        lambda d: d["entries"][0]["causes"][0].update(steps="do it"),
        "entry 'TestAlphaError'",
        "causes[0].steps",
        "must be a list",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("label,mutate,item,field,message", BROKEN_CASES, ids=[c[0] for c in BROKEN_CASES])
def test_broken_fixture_names_the_problem_and_changes_nothing(tmp_path, label, mutate, item, field, message):
    fixtures.load([write(tmp_path, BASE, "good.json")])
    before = snapshot()
    bad = write(tmp_path, broken(mutate), "bad.json")
    with pytest.raises(CommandError) as excinfo:
        call_command("load_kb", bad)
    text = str(excinfo.value)
    assert "bad.json" in text
    assert item in text
    assert f"field '{field}'" in text
    assert message in text
    assert "Nothing was loaded" in text
    assert snapshot() == before


@pytest.mark.django_db
def test_a_late_error_rolls_back_earlier_files(tmp_path):
    """The first file is valid and new, the second broken: nothing of the first may stay."""
    first = write(tmp_path, BASE, "01.json")
    second = write(tmp_path, {"entries": [{"code": "Broken"}]}, "02.json")
    with pytest.raises(fixtures.FixtureError, match="02.json: entry 'Broken': field 'title'"):
        fixtures.load([first, second])
    assert not Entry.objects.filter(code__startswith="Test").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content,expected",
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "the top level must be a JSON object"),
        ('{"entries": {"a": 1}}', "field 'entries': must be a list"),
        ('{"widgets": []}', "unknown section"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
    ],
)
def test_malformed_file_is_named(tmp_path, content, expected):
    path = tmp_path / "broken.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.load([str(path)])
    assert str(path) in str(excinfo.value)
    assert expected in str(excinfo.value)


@pytest.mark.django_db
def test_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="nope.json: file: field '-': no such file"):
        call_command("load_kb", str(tmp_path / "nope.json"))


@pytest.fixture
def content_types_forgotten():
    """flush inside a test's transaction recreates the content types with new ids, which Django caches; the
    transaction is rolled back, so forget them afterwards (revisions name their model by content type)."""
    from django.contrib.contenttypes.models import ContentType

    yield
    ContentType.objects.clear_cache()


@pytest.mark.django_db
def test_export_round_trips_into_an_empty_database(tmp_path, content_types_forgotten):
    # Review fields and drafts travel too: a reviewed entry (by a user who exists on both sides), one with its own
    # interval, and a draft.
    from datetime import datetime

    from django.contrib.auth.models import User

    reviewer = User.objects.create_user("reviewer")
    Entry.objects.filter(code="AccessDenied").update(
        reviewed_at=datetime(2026, 11, 30, 10, 15, 30, 123456, tzinfo=UTC), reviewed_by=reviewer
    )
    Entry.objects.filter(code="AlreadyLogon").update(review_interval_days=30, status=Entry.Status.DRAFT)
    exported = fixtures.export()
    by_code = {e["code"]: e for e in exported["entries"]}
    assert by_code["AccessDenied"]["reviewed_at"] == "2026-11-30T10:15:30.123456+00:00"
    assert by_code["AccessDenied"]["reviewed_by"] == "reviewer"
    assert by_code["AlreadyLogon"]["review_interval_days"] == 30 and by_code["AlreadyLogon"]["status"] == "draft"
    before = snapshot()
    connection.check_constraints()  # PostgreSQL: run the deferred FK checks of the updates, or TRUNCATE refuses
    call_command("flush", interactive=False, verbosity=0)
    assert not Entry.objects.exists()
    User.objects.create_user("reviewer")
    fixtures.load([write(tmp_path, exported)])
    after = snapshot()
    # Timestamps and versions are new; the content is the same.
    strip = lambda snap: (snap[0], snap[1], [row[:3] for row in snap[2]], *snap[3:])  # noqa: E731
    assert strip(after) == strip(before)
    assert fixtures.export() == exported
    assert Entry.objects.get(code="AccessDenied").reviewed_by.username == "reviewer"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("reviewed_at", "last tuesday", "must be a date and time in ISO 8601"),
        ("reviewed_by", 42, "must be a user name, or null"),
        ("review_interval_days", 0, "must be a whole number of days from 1 to 36500"),
        ("review_interval_days", True, "must be a whole number of days"),
        ("status", "hidden", "'hidden' is not one of draft, published"),
    ],
)
def test_bad_review_fields_are_named(tmp_path, field, value, expected):
    data = copy.deepcopy(BASE)
    data["entries"][0][field] = value
    with pytest.raises(fixtures.FixtureError, match=f"field '{field}': {expected}"):
        fixtures.load([write(tmp_path, data)])


@pytest.mark.django_db
def test_fixtures_without_review_fields_keep_the_stored_review(tmp_path):
    from django.utils import timezone

    Entry.objects.filter(code="AccessDenied").update(
        reviewed_at=timezone.now(), review_interval_days=9, locally_edited=True, title="Local"
    )
    call_command("load_kb", "--force", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    entry = Entry.objects.get(code="AccessDenied")
    assert entry.title != "Local"  # load_kb --force wrote the fixture over it
    assert entry.reviewed_at is not None and entry.review_interval_days == 9


@pytest.mark.parametrize("where", ["code", "title", "causes[0].steps[0]", "aliases[0].alias"])
def test_a_nul_in_a_fixture_gets_the_usual_message(tmp_path, kb, where):
    entry = {
        "code": "NulCode",
        "title": "T",
        "summary": "S",
        "api": "url",
        "category": "service",
        "source": "test",
        "confidence": "low",
        "aliases": [{"alias": "Nul Alias"}],
        "causes": [{"slug": "c", "api": "url", "title": "C", "meaning": "M", "when_seen": "W", "steps": ["s"]}],
    }
    if where == "code":
        entry["code"] = "Nul\x00Code"
    elif where == "title":
        entry["title"] = "T\x00"
    elif where.startswith("causes"):
        entry["causes"][0]["steps"][0] = "step \x00 one"
    else:
        entry["aliases"][0]["alias"] = "Nul\x00"
    path = tmp_path / "nul.json"
    path.write_text(json.dumps({"entries": [entry]}))
    with pytest.raises(fixtures.FixtureError) as caught:
        fixtures.load([path])
    message = str(caught.value)
    assert message.startswith(f"{path}: entry ") and f"field '{where}'" in message
    assert "contains a NUL character" in message
