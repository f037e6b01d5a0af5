"""The wizard can end at a condition: the outcome shows it and links its page, the ticket text includes it, and a
flow naming an unknown condition is refused by name."""

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings

from kb import fixtures
from kb.fixtures import FixtureError
from troubleshooter.flows import NodeSpec, validate_flow

REFUSED = "/troubleshoot/xml-api/?came-back=reason-code&xml-code=030002&xml-credentials-test=refused"
SSO_END = REFUSED + "&xml-password-sso=sso"
NOT_SSO = REFUSED + "&xml-password-sso=no-sso"
RATE_END = "/troubleshoot/xml-api/?came-back=reason-code&xml-code=000045"


def test_the_xml_flow_asks_about_sso_after_030002_and_ends_at_the_condition(kb, client):
    # 030002: the same credentials through user.AuthenticateUser first; refused too, is the site on SSO?
    test = client.get("/troubleshoot/xml-api/?came-back=reason-code&xml-code=030002").content.decode()
    assert "user.AuthenticateUser" in test
    question = client.get(REFUSED).content.decode()
    assert "single sign-on" in question
    text = client.get(SSO_END).content.decode()
    assert 'data-condition="sso-site"' in text
    assert '<a href="/conditions/sso-site/">Condition: The site signs people in through SSO' in text
    assert "How to tell" in text and "Stop sending passwords for this site" in text
    # "No" keeps the entry's diagnosis.
    assert 'data-entry="030002" data-cause="bad-security-context"' in client.get(NOT_SSO).content.decode()


def test_a_rate_limit_answer_ends_at_its_condition(kb, client):
    assert 'data-condition="rate-limit-reached"' in client.get(RATE_END).content.decode()


@pytest.mark.parametrize("fmt", ["markdown", "text", "jira"])
def test_the_ticket_text_includes_the_condition(kb, client, fmt):
    ticket = client.get(SSO_END.replace("/xml-api/?", "/xml-api/ticket/?") + f"&format={fmt}").content.decode()
    assert "condition: The site signs people in through SSO" in ticket
    assert "How to tell:" in ticket and "Stop sending passwords" in ticket
    assert "/conditions/sso-site/" in ticket


def test_a_diagnosis_may_name_a_condition_instead_of_an_entry():
    start = NodeSpec("q", "question", "Q?", choices=[])
    start.choices = [type("C", (), {"slug": "a", "label": "A", "target": "end"})()]
    assert validate_flow("q", [start, NodeSpec("end", "diagnose", "End", condition="sso-site")]) == []
    problems = validate_flow("q", [start, NodeSpec("end", "diagnose", "End")])
    assert any("or a condition" in str(p) for p in problems)


def test_a_flow_naming_an_unknown_condition_is_refused_by_name(kb, tmp_path):
    flows = json.loads((Path(settings.KB_FIXTURE_DIR) / "03-flows.json").read_text(encoding="utf-8"))["flows"]
    flow = copy.deepcopy(next(f for f in flows if f["slug"] == "xml-api"))
    node = next(n for n in flow["nodes"] if n["slug"] == "password-sso-site")
    node["condition"] = "no-such-condition"
    path = tmp_path / "flows.json"
    path.write_text(json.dumps({"flows": [flow]}), encoding="utf-8")
    with pytest.raises(FixtureError) as caught:
        fixtures.load([path])
    assert caught.value.item == "flow 'xml-api'" and caught.value.field.endswith(".condition")
    assert "no KB condition 'no-such-condition'" in caught.value.message


def test_export_keeps_the_condition_of_a_node(kb):
    flow = next(f for f in fixtures.export()["flows"] if f["slug"] == "xml-api")
    ends = {n["slug"]: n.get("condition") for n in flow["nodes"]}
    assert ends["password-sso-site"] == "sso-site" and ends["rate-limited"] == "rate-limit-reached"
