"""Entries carry message texts (WebEx's own and client libraries') and counterparts in the other API."""

import json

import pytest
from django.test import override_settings

from kb import fixtures
from kb.fixtures import FixtureError
from kb.models import Entry, Message

pytestmark = pytest.mark.django_db

BASE = {
    "services": [{"name": "p.php", "api": "url", "title": "Users"}, {"name": "XMLService", "api": "xml", "title": "X"}],
    "commands": [{"command": "p.php?AT=LI", "name": "Log in"}],
}


def _entry(code, api="url", **extra):
    return {
        "code": code,
        "title": f"{code} title",
        "summary": f"{code} summary",
        "api": api,
        "category": "session-auth",
        "source": "a test",
        "confidence": "medium",
        "causes": [{"slug": "one", "api": api, "title": "t", "meaning": "m", "when_seen": "w", "steps": ["s"]}],
        **extra,
    }


def _load(tmp_path, entries, name="k.json"):
    path = tmp_path / name
    path.write_text(json.dumps({**BASE, "entries": entries}))
    with override_settings(KB_FIXTURE_DIR=str(tmp_path)):
        return fixtures.load([path])


def test_messages_and_counterparts_load_show_and_export(tmp_path, client):
    _load(
        tmp_path,
        [
            _entry(
                "BadLogin",
                messages=[
                    {"text": "  Incorrect   user or password ", "kind": "webex", "source": "owner/repo spec/a.xml"},
                    {"text": "Login failed", "kind": "client", "source": "owner/lib src/x.py"},
                ],
                counterparts=["099990"],
            ),
            _entry("099990", api="xml"),
        ],
    )
    bad = Entry.objects.get(code="BadLogin")
    assert [(m.text, m.kind) for m in bad.messages.all()] == [
        ("Incorrect user or password", "webex"),
        ("Login failed", "client"),
    ]
    # symmetrical: the XML entry links back without declaring it
    assert [e.code for e in Entry.objects.get(code="099990").counterparts.all()] == ["BadLogin"]

    page = client.get("/errors/BadLogin/").content.decode()
    assert "Messages you may see" in page
    assert "Incorrect user or password" in page and "owner/repo spec/a.xml" in page
    assert "In the other API" in page and 'href="/errors/099990/"' in page
    other = client.get("/errors/099990/").content.decode()
    assert 'href="/errors/BadLogin/"' in other and "Messages you may see" not in other

    api = client.get("/api/errors/BadLogin/").json()
    assert api["messages"][1] == {"text": "Login failed", "kind": "client", "source": "owner/lib src/x.py"}
    assert [c["code"] for c in api["counterparts"]] == ["099990"]

    exported = {e["code"]: e for e in fixtures.export()["entries"]}
    assert exported["BadLogin"]["counterparts"] == ["099990"]
    assert exported["BadLogin"]["messages"][0]["text"] == "Incorrect user or password"


def test_a_fixture_without_messages_keeps_the_stored_ones(tmp_path):
    _load(tmp_path, [_entry("BadLogin", messages=[{"text": "Nope", "kind": "client", "source": "s"}])])
    _load(tmp_path, [_entry("BadLogin", title="changed")], name="k2.json")
    mine = Message.objects.filter(entry__code="BadLogin")
    assert list(mine.values_list("text", flat=True)) == ["Nope"]
    _load(tmp_path, [_entry("BadLogin", messages=[])], name="k3.json")
    assert not mine.exists()


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"messages": "Nope"}, "messages", "must be a list"),
        ({"messages": [{"text": "x", "kind": "vendor", "source": "s"}]}, "messages[0].kind", "'vendor' is not one of"),
        ({"messages": [{"text": "x", "kind": "client"}]}, "messages[0].source", "is required"),
        ({"messages": [{"text": "x" * 301, "kind": "client", "source": "s"}]}, "messages[0].text", "limit is 300"),
        (
            {
                "messages": [
                    {"text": "Same", "kind": "client", "source": "s"},
                    {"text": "same", "kind": "webex", "source": "t"},
                ]
            },
            "messages[1].text",
            "listed twice",
        ),
        ({"counterparts": ["Nowhere"]}, "counterparts[0]", "no entry has the code 'Nowhere'"),
        ({"counterparts": ["BadLogin"]}, "counterparts[0]", "its own counterpart"),
        ({"counterparts": ["Other"]}, "counterparts[0]", "not of the other API"),
    ],
)
def test_bad_messages_and_counterparts_are_named_and_nothing_is_written(tmp_path, extra, field, words):
    with pytest.raises(FixtureError) as err:
        _load(tmp_path, [_entry("BadLogin", **extra), _entry("Other")])
    assert err.value.field == field
    assert words in err.value.message
    assert not Entry.objects.filter(code__in=["BadLogin", "Other"]).exists()
