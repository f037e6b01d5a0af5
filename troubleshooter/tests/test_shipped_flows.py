"""What the shipped log-in and join-meeting flows conclude on their hard branches: a PartnerIDError from the sign-up
probe is inconclusive, other sign-up codes point at a missing account with a hedge, a log-in page sends nobody in a
circle, and an attendee who is not logged in is told to log in (not the host); every path of both still ends in an
outcome.

Each test walks the flow over HTTP, the way a help desk person clicks through it, and reads the outcome shown."""

import html
import re

from troubleshooter.flows import FlowGraph
from troubleshooter.models import Flow

OUTCOME = re.compile(r'data-outcome="([^"]*)" data-entry="([^"]*)" data-cause="([^"]*)"')


def _walk(client, flow, answers):
    response = client.get(f"/troubleshoot/{flow}/?" + "&".join(f"{k}={v}" for k, v in answers))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    outcome, entry, cause = OUTCOME.search(page).groups()
    return page, outcome, entry, cause


def test_partner_id_error_from_the_sign_up_probe_is_inconclusive(kb, client):
    page, kind, entry, _ = _walk(
        client, "log-in", [("came-back", "reason-code"), ("li-code", "bad-id"), ("su-test", "partner-id")]
    )
    assert kind == "probe-inconclusive"
    assert entry == "PartnerIDError"
    assert "Inconclusive" in page
    assert "does not show that the WebEx ID is missing" in page
    assert "The account most likely does not exist" not in page


def test_other_sign_up_codes_still_point_at_a_missing_account_with_a_hedge(kb, client):
    page, kind, entry, cause = _walk(
        client, "log-in", [("came-back", "reason-code"), ("li-code", "bad-id"), ("su-test", "other-code")]
    )
    assert (kind, entry, cause) == ("no-account", "BadWebExIDorPassword", "no-account")
    assert "most likely" in page


def test_the_log_in_flows_login_page_branch_does_not_send_the_person_in_a_circle(kb, client):
    page, kind, _, _ = _walk(client, "log-in", [("came-back", "login-page"), ("login-address", "no-rs")])
    assert kind == "login-page-other"
    guidance = page[page.index("p.php?AT=LI answered with") :]
    assert "Log the host in with p.php?AT=LI" not in guidance
    assert "will not change it" in guidance


def test_join_meeting_not_logged_in_means_the_attendee_must_log_in(kb, client):
    page, kind, entry, _ = _walk(
        client,
        "join-meeting",
        [("came-back", "reason-code"), ("jm-code", "access-denied"), ("access-denied-test", "no-login")],
    )
    assert (kind, entry) == ("not-logged-in", "AccessDenied")
    assert "The person joining was not logged in" in page
    assert "attendee, not the host" in page
    assert "require login before site access" in page
    assert "Log the host in" not in page


def test_join_meeting_login_page_asks_the_attendee_to_log_in(kb, client):
    page, kind, _, _ = _walk(client, "join-meeting", [("came-back", "login-page"), ("login-address", "no-rs")])
    assert kind == "login-page-other"
    assert "WebEx asked the attendee to log in" in page
    assert "Log the host in" not in page


def test_the_corrected_flows_still_end_every_path_in_an_outcome(kb):
    for slug in ("log-in", "join-meeting"):
        graph = FlowGraph(Flow.objects.get(slug=slug))
        assert graph.problems() == []
        assert all(end is not None and end.is_outcome for _, end in graph.paths())
