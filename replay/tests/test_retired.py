"""A replay against a retired API (the sandbox's "retired" site, docs/sandbox.md) is diagnosed "this API may be
retired on this site" and names the condition, never a look-alike code; a failing replay's reason text is counted
for the review queue."""

import pytest

from kb.reasons import SeenReason, review_items
from replay import run
from replay.models import ReplayRecord
from replay.plan import ReplayInput
from replay.tests.helpers import post_replay
from webex.rest import RETIRED_CONDITION


def replay(site, text, mode="paste", **extra):
    return run.replay(site, ReplayInput(text=text, mode=mode, **extra), actor="test").record


@pytest.mark.parametrize(
    ("path", "status", "shape"),
    [
        ("retired", 410, "HTTP 410 on the service path"),
        ("retired-var", 404, "HTTP 404 on the service path"),
        ("retired-302", 302, "redirect to a log-in page"),
        ("retired-xml", 200, "an HTML page where WebEx sends its redirect page or XML"),
    ],
)
def test_a_replay_against_the_retired_sandbox_is_diagnosed_as_possible_retirement(
    kb, sandbox, make_site, path, status, shape
):
    site = make_site(sandbox, path)
    record = replay(site, "m.php?AT=LM")
    assert record.outcome == ReplayRecord.Outcome.RETIRED
    assert record.http_status == status
    assert shape in record.message and "may be retired on this site" in record.message
    assert record.entry is None and record.cause is None and not record.code
    assert record.condition == RETIRED_CONDITION
    assert not SeenReason.objects.exists()


def test_the_retired_xml_service_is_diagnosed_too(kb, sandbox, make_site):
    site = make_site(sandbox, "retired")
    site.xml_url = f"{sandbox.base_url}/retired/WBXService/XMLService"
    site.save()
    xml = (
        '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext>'
        "<webExID>host1</webExID><password>Sandbox-pass1</password><siteName>sandbox</siteName></securityContext>"
        '</header><body><bodyContent xsi:type="java:com.webex.service.binding.meeting.GetMeeting">'
        "<meetingKey>621018655</meetingKey></bodyContent></body></serv:message>"
    )
    record = replay(site, xml, mode="xml")
    assert (record.api, record.outcome, record.http_status) == ("xml", "retired", 404)
    assert record.entry is None


def test_the_result_page_says_so(kb, sandbox, make_site, replay_client):
    site = make_site(sandbox, "retired")
    page = post_replay(replay_client, site, "m.php?AT=LM").content.decode()
    assert "This API may be retired on this site" in page
    assert f'data-condition="{RETIRED_CONDITION}"' in page


def test_the_normal_sandbox_is_not_retired(kb, sandbox, make_site):
    record = replay(make_site(sandbox), "m.php?AT=LM")
    assert record.outcome == ReplayRecord.Outcome.FAIL and record.code == "AccessDenied"


def test_a_failing_replays_reason_text_reaches_the_review_queue_once(kb, sandbox, make_site):
    site = make_site(sandbox)
    xml = (
        '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext>'
        "<webExID>host1</webExID><password>Sandbox-pass1</password><siteName>sandbox</siteName></securityContext>"
        '</header><body><bodyContent xsi:type="java:com.webex.service.binding.user.GetUser">'
        "<webExId>nobody-here</webExId></bodyContent></body></serv:message>"
    )
    for _ in range(2):
        record = replay(site, xml, mode="xml", xml_password="Sandbox-pass1")
        assert record.outcome == "fail" and record.code == "030001"
    row = SeenReason.objects.get()
    assert (row.code, row.count, row.last_origin) == ("030001", 2, "replay")
    assert "Sandbox-pass1" not in row.text
    # The sandbox's own wording for 030001 is not a known text of the entry: one work item, seen twice.
    assert row.kind == "new-text"
    assert [(i["code"], i["count"]) for i in review_items()] == [("030001", 2)]
