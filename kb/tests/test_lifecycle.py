"""Each command's lifecycle (live, end of support, end of life, extension only) with a source and a confidence, and
its REST way on with how the pairing is known: the fixture fields (checked, loaded, exported), the entry and command
pages, and the ticket text."""

import copy
import datetime
import json

import pytest
from django.conf import settings

from kb import fixtures
from kb.fixtures import FixtureError
from kb.lifecycle import REST_BASE, Lifecycle, RestBasis
from kb.models import Command

ANNOUNCEMENT = "developer.webex.com/docs/webex-xml-api-deprecation-announcement"


def shipped_commands():
    data = json.loads((settings.BASE_DIR / "fixtures" / "01-catalogue.json").read_text(encoding="utf-8"))
    return {c["command"]: c for c in data["commands"]}


def test_every_shipped_command_has_a_lifecycle_with_a_source_and_a_confidence(kb):
    commands = list(Command.objects.select_related("service"))
    assert commands and all(c.lifecycle and c.lifecycle_source and c.lifecycle_confidence for c in commands)
    assert all(ANNOUNCEMENT in c.lifecycle_source for c in commands)


def test_meeting_xml_calls_ended_on_2024_03_31_and_user_management_is_live(kb):
    create = Command.objects.get_by_natural_key("XMLService:meeting.CreateMeeting")
    assert (create.lifecycle, create.lifecycle_date, create.lifecycle_confidence) == (
        Lifecycle.END_OF_LIFE,
        datetime.date(2024, 3, 31),
        "high",
    )
    for key in ("XMLService:user.CreateUser", "XMLService:user.SetUser", "XMLService:user.DelUser"):
        user = Command.objects.get_by_natural_key(key)
        assert (user.lifecycle, user.lifecycle_date, user.lifecycle_confidence) == (Lifecycle.LIVE, None, "high")
    # Not named by the announcement ("etc."): live, but only as sure as an inference.
    assert Command.objects.get_by_natural_key("XMLService:user.GetUser").lifecycle_confidence == "medium"


def test_the_url_api_follows_the_same_plan_and_says_how_sure_that_is(kb):
    for command in Command.objects.filter(service__api="url"):
        assert command.lifecycle == Lifecycle.END_OF_LIFE and command.lifecycle_confidence == "medium"
        assert "will follow the same retirement plan" in command.lifecycle_note


def test_rest_replacements_are_on_webexapis_and_say_how_they_are_known(kb):
    create = Command.objects.get_by_natural_key("XMLService:meeting.CreateMeeting")
    assert (create.rest_method, create.rest_url) == ("POST", "https://webexapis.com/v1/meetings")
    with_rest = Command.objects.exclude(rest_path="")
    assert with_rest.count() >= 10
    # The migration guide's table could not be read: no pairing may claim it.
    assert set(with_rest.values_list("rest_basis", flat=True)) == {RestBasis.INFERRED}
    assert all(c.rest_source and c.rest_url.startswith(REST_BASE + "/") for c in with_rest)
    # Log-in and user management name no REST replacement.
    assert not Command.objects.get_by_natural_key("p.php?AT=LI").rest_path
    assert not Command.objects.get_by_natural_key("XMLService:user.CreateUser").rest_path


def _load_commands(tmp_path, command):
    path = tmp_path / "cmd.json"
    path.write_text(json.dumps({"commands": [command]}), encoding="utf-8")
    return fixtures.load([path])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lifecycle": {"state": "gone", "source": "x", "confidence": "high"}}, "lifecycle.state"),
        ({"lifecycle": {"state": "end-of-life", "source": "x", "confidence": "high"}}, "lifecycle.date"),
        (
            {"lifecycle": {"state": "end-of-life", "date": "31/03/2024", "source": "x", "confidence": "high"}},
            "lifecycle.date",
        ),
        ({"lifecycle": {"state": "live", "confidence": "high"}}, "lifecycle.source"),
        ({"lifecycle": {"state": "live", "source": "x", "confidence": "sure"}}, "lifecycle.confidence"),
        ({"lifecycle": {"state": "live", "source": "x", "confidence": "high", "when": 1}}, "lifecycle.when"),
        ({"lifecycle": "live"}, "lifecycle"),
        ({"rest": {"method": "FETCH", "path": "/meetings", "basis": "inferred", "source": "x"}}, "rest.method"),
        (
            {
                "rest": {
                    "method": "GET",
                    "path": "https://webexapis.com/v1/meetings",
                    "basis": "inferred",
                    "source": "x",
                }
            },
            "rest.path",
        ),
        ({"rest": {"method": "GET", "path": "/meetings", "basis": "guessed", "source": "x"}}, "rest.basis"),
        ({"rest": {"method": "GET", "path": "/meetings", "basis": "guide"}}, "rest.source"),
    ],
)
def test_fixture_refuses_a_bad_lifecycle_or_rest(kb, tmp_path, change, field):
    command = copy.deepcopy(shipped_commands()["XMLService:meeting.GetMeeting"])
    command.update(change)
    with pytest.raises(FixtureError) as error:
        _load_commands(tmp_path, command)
    assert error.value.field == field
    assert Command.objects.get_by_natural_key("XMLService:meeting.GetMeeting").lifecycle == Lifecycle.END_OF_LIFE


def test_fixture_changes_and_clears_them_and_export_writes_them_back(kb, tmp_path):
    command = copy.deepcopy(shipped_commands()["XMLService:meeting.GetMeeting"])
    command["lifecycle"] = {"state": "extension-only", "date": None, "source": "a site's own note", "confidence": "low"}
    command["rest"]["basis"] = "guide"
    _load_commands(tmp_path, command)
    stored = Command.objects.get_by_natural_key("XMLService:meeting.GetMeeting")
    assert (stored.lifecycle, stored.lifecycle_confidence, stored.rest_basis) == ("extension-only", "low", "guide")
    exported = {c["command"]: c for c in fixtures.export()["commands"]}["XMLService:meeting.GetMeeting"]
    assert exported["lifecycle"] == command["lifecycle"] and exported["rest"] == command["rest"]
    del command["lifecycle"], command["rest"]
    _load_commands(tmp_path, command)
    stored.refresh_from_db()
    assert (stored.lifecycle, stored.lifecycle_source, stored.rest_path) == ("", "", "")
    assert "lifecycle" not in {c["command"]: c for c in fixtures.export()["commands"]}["XMLService:meeting.GetMeeting"]


def test_shipped_fixture_round_trips(kb):
    exported = {c["command"]: c for c in fixtures.export()["commands"]}
    for key, command in shipped_commands().items():
        assert exported[key].get("lifecycle") == command.get("lifecycle"), key
        assert exported[key].get("rest") == command.get("rest"), key


def test_entry_page_shows_the_lifecycle_and_rest_way_on_of_its_commands(client, kb):
    page = client.get("/errors/060001/").content.decode()
    assert 'id="lifecycle-title"' in page
    assert "End of life 2024-03-31" in page
    assert "DELETE https://webexapis.com/v1/meetings/{meetingId}" in page
    assert "inferred" in page and ANNOUNCEMENT in page


def test_command_page_shows_both(client, kb):
    page = client.get("/commands/XMLService/meeting.CreateMeeting/").content.decode()
    assert "End of life 2024-03-31" in page and "POST https://webexapis.com/v1/meetings" in page
    live = client.get("/commands/XMLService/user.CreateUser/").content.decode()
    assert "Live" in live and "User management is not affected" in live
    assert "None recorded" in live


def test_ticket_text_carries_the_lifecycle_and_rest_way_on(client, kb):
    text = client.get("/errors/060001/ticket/", {"format": "text"}).content.decode()
    assert "Is the API still there?" in text
    assert "XMLService:meeting.DelMeeting lifecycle: End of life 2024-03-31 (confidence: high)." in text
    assert "DELETE https://webexapis.com/v1/meetings/{meetingId} (inferred)." in text
    assert "`" not in text
