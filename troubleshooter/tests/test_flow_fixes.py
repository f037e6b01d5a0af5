"""Issue 21's wizard fixes, each read from the shipped flows: the require-login branch cites Cisco's "Site Admin
Changes on the API" page; a login page in answer to a p.php command gets no m.php-session advice; "Unknown" from the
sign-up probe is inconclusive."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from troubleshooter.models import Choice

FLOWS = Path(settings.KB_FIXTURE_DIR) / "03-flows.json"


def shipped_flow(slug):
    flows = json.loads(FLOWS.read_text())["flows"]
    return {node["slug"]: node for node in next(f for f in flows if f["slug"] == slug)["nodes"]}


# ------------------------------------------------------------------------------------------------- wizard fixes


def test_the_require_login_branch_cites_cisco_s_site_admin_page():
    guidance = shipped_flow("join-meeting")["not-logged-in"]["guidance"]
    assert "does not describe" not in guidance
    assert "Site Admin Changes on the API" in guidance and "site-admin-changes-on-api" in guidance


@pytest.mark.parametrize("flow", ["log-in", "log-out", "create-user", "edit-user"])
def test_a_login_page_to_a_p_php_command_gets_no_m_php_session_advice(flow):
    guidance = shipped_flow(flow)["login-page-other"]["guidance"]
    assert "need the session that p.php?AT=LI sets" not in guidance
    assert "send the command again within 30 minutes" not in guidance
    assert "WebEx API Developer Support" in guidance


def test_unknown_from_the_sign_up_probe_is_inconclusive():
    nodes = shipped_flow("log-in")
    choice = next(c for c in nodes["su-test"]["choices"] if c["label"].startswith("RS=Unknown"))
    target = nodes[choice["target"]]
    assert target["kind"] == "escalate" and target["text"].startswith("Inconclusive")
    assert (
        "most likely" not in target["guidance"] and "does not show that the WebEx ID is missing" in target["guidance"]
    )


def test_the_wizard_reads_unknown_from_the_probe_as_its_choice(kb):
    choice = Choice.objects.get(question__flow__slug="log-in", question__slug="su-test", slug="unknown")
    assert choice.target.slug == "probe-inconclusive-email"
