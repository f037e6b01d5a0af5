"""The wizard's replay links: "Send m.php?AT=SM&DU=20 with replay" opens a form that replays as offered (one site
chosen, log in first on, DU=20 filled in) and carries the step, so the result can lead back to it. The outcome's
summary comes in the same three ticket formats as an entry."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission

from replay.models import Site
from troubleshooter.answers import back_to_step, next_tests

STEP = "/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration"
OUTCOME = "/troubleshoot/log-in/?came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict"


@pytest.fixture
def desk(client, django_user_model, kb):
    user = django_user_model.objects.create_user("desk")
    user.user_permissions.add(Permission.objects.get(codename="can_replay"))
    client.force_login(user)
    Site.objects.create(
        name="Sandbox", slug="sandbox", base_url="http://127.0.0.1:9/sandbox/", allow_private_network=True
    )
    return client


def test_the_test_link_carries_the_step(client, kb):
    html = client.get(STEP).content.decode()
    href = unescape(re.search(r'href="([^"]+)" data-test-command="m.php\?AT=SM&amp;DU=20"', html)[1])
    query = parse_qs(urlsplit(href).query)
    assert query == {"command": ["m.php?AT=SM&DU=20"], "from": [STEP]}


def test_the_link_opens_a_form_that_replays_as_offered(desk):
    html = desk.get(STEP).content.decode()
    href = unescape(re.search(r'href="([^"]+)" data-test-command=', html)[1])
    form = desk.get(href).content.decode()
    assert re.search(r'<option value="\d+" selected>Sandbox</option>', form)  # the one site
    assert re.search(r'<input type="checkbox" name="login_first"[^>]*checked', form)  # m.php needs a session
    assert 'name="param_DU" value="20"' in form
    assert f'name="from_step" value="{STEP.replace("&", "&amp;")}"' in form
    assert "Back to the step" in form


def test_the_header_links_replay_and_history_for_those_who_may(desk, client):
    html = desk.get("/").content.decode()
    assert '<a href="/replay/">Replay</a>' in html and '<a href="/replay/history/">History</a>' in html
    assert 'class="can-replay"' in html


def test_no_replay_links_for_readers_who_may_not(client, kb):
    html = client.get("/errors/AccessDenied/").content.decode()
    assert '<a href="/replay/">Replay</a>' not in html and "can-replay" not in html
    assert 'class="replay-control replay-link"' in html  # hidden by CSS for them


def test_entry_causes_and_command_pages_offer_replay_this_command(desk):
    entry = desk.get("/errors/TheDurationIsExceedTheMaxDuration/").content.decode()
    control = re.search(
        r'<form class="replay-control replay-link" method="get" action="/replay/">.*?</form>', entry, re.S
    )
    assert '<option value="m.php?AT=SM">m.php?AT=SM</option>' in control[0]  # one picker, one button
    command = desk.get("/commands/m.php/SM/").content.decode()
    assert 'href="/replay/?command=m.php%3FAT%3DSM"' in command and "Replay this command" in command


def test_the_outcome_summary_in_three_formats(client, kb):
    html = client.get(OUTCOME).content.decode()
    url = unescape(re.search(r'data-ticket-url="([^"]+)"', html)[1])
    for fmt, start in (("markdown", "### WebEx"), ("text", "WebEx troubleshooting"), ("jira", "h3. WebEx")):
        response = client.get(url + f"format={fmt}")
        assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode().startswith(start)
    assert "{{BadWebExIDorPassword}}" in client.get(url + "format=jira").content.decode()
    assert client.get(url + "format=doc").status_code == 400
    assert client.get("/troubleshoot/log-in/ticket/?came-back=reason-code").status_code == 404  # not an outcome
    assert client.post(url + "format=text").status_code == 405


def test_back_to_step_marks_the_matching_choice(kb):
    success = back_to_step(STEP, outcome="success", code="")
    assert success["choice"].startswith("ST=SUCCESS") and "du-20=worked" in success["url"]
    same = back_to_step(STEP, outcome="fail", code="thedurationisexceedthemaxduration")  # any case
    assert "du-20=same" in same["url"]
    other = back_to_step(STEP, outcome="fail", code="AccessDenied")
    assert "du-20=different" in other["url"]  # "A different reason code"
    unreadable = back_to_step(STEP, outcome="unrecognized", code="")
    assert unreadable["choice"] is None and unreadable["url"] == STEP
    alias = back_to_step("/troubleshoot/log-in/?came-back=reason-code", outcome="fail", code="BadWebIDorPassword")
    assert "li-code=bad-id" in alias["url"]  # an alias names the same entry
    assert back_to_step("/troubleshoot/no-such-flow/", outcome="success", code="")["choice"] is None


def test_next_tests_come_from_the_flows(kb):
    kinds = {(t["kind"], t["command"]) for t in next_tests(code="BadWebExIDorPassword", command="p.php?AT=LI")}
    assert ("test", "p.php?AT=SU") in kinds
    (retry,) = next_tests(code="TheDurationIsExceedTheMaxDuration", command="m.php?AT=SM")
    assert retry["kind"] == "retry" and retry["params"] == {"DU": "20"}
    denied = next_tests(code="AccessDenied", command="m.php?AT=SM", cause_slug="session-expired")
    assert [t["kind"] for t in denied] == ["login-first"]
    assert next_tests(code="AccessDenied", command="XMLService:user.GetUser", cause_slug="xml-privilege") == []
    assert next_tests(code="NoSuchCode", command="p.php?AT=LI") == []
