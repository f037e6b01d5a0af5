"""The replay form filled in from a link: /replay/?command=…&site=…&from=<wizard step>&login_first=1 or ?again=<id>.
One site is chosen by itself; m.php, o.php and c.php log in first; build mode lists the command's parameters (required
ones marked, secrets only in password fields and never filled in); XML mode offers a template per call."""

import re

import pytest

from kb.models import Command
from replay.models import ReplayRecord
from replay.xmltemplates import XSI_TYPE_PREFIX, xml_template

HX = {"HTTP_HX_REQUEST": "true"}


def page(client, **query):
    response = client.get("/replay/", query)
    assert response.status_code == 200
    return response.content.decode()


def selected(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)[1]
    option = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return option[1] if option else None


def checked(html, name, value=None):
    pattern = rf'<input type="(?:checkbox|radio)" name="{name}"' + (rf' value="{re.escape(value)}"' if value else "")
    tag = re.search(pattern + r"[^>]*>", html)
    return tag is not None and "checked" in tag[0]


def test_with_one_site_it_is_selected(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    assert selected(page(replay_client), "site") == str(site.pk)


def test_with_two_sites_none_is_chosen_unless_asked(replay_client, make_site, sandbox):
    make_site(sandbox)
    other = make_site(sandbox, "noauto")
    assert selected(page(replay_client), "site") in (None, "")  # "Choose a site…"
    assert selected(page(replay_client, site=str(other.pk)), "site") == str(other.pk)
    assert selected(page(replay_client, site="noauto"), "site") == str(other.pk)  # a slug works too


@pytest.mark.parametrize(
    ("command", "login_first"),
    [("m.php?AT=SM", True), ("o.php?AT=ST", True), ("c.php?AT=XX&MK=1", True), ("p.php?AT=LI", False)],
)
def test_commands_that_need_a_session_log_in_first(replay_client, make_site, sandbox, command, login_first):
    make_site(sandbox)
    assert checked(page(replay_client, command=command), "login_first") is login_first


def test_login_first_and_wid_from_the_link(replay_client, make_site, sandbox):
    make_site(sandbox)
    html = page(replay_client, command="p.php?AT=LO", login_first="1", login_wid="host1")
    assert checked(html, "login_first") and 'name="login_wid" value="host1"' in html


def test_build_mode_lists_the_commands_parameters_with_required_ones_marked(replay_client, make_site, sandbox):
    make_site(sandbox)
    html = page(replay_client, command="p.php?AT=SU")
    assert checked(html, "mode", "build") and selected(html, "command") == "p.php?AT=SU"
    for name in ("WID", "FN", "LN", "EM", "PID", "MT", "BU"):
        assert f'name="param_{name}"' in html
    assert re.search(r'<input type="text" name="param_WID"[^>]*aria-required="true"', html)
    assert not re.search(r'<input type="text" name="param_MT"[^>]*aria-required', html)
    assert '<span class="visually-hidden"> (required)</span>' in html
    assert 'type="password" name="param_PW"' in html  # a secret only in a password field


def test_values_from_the_link_fill_the_fields_but_never_secrets(replay_client, make_site, sandbox):
    make_site(sandbox)
    html = page(replay_client, command="m.php?AT=SM&DU=20&PW=Leaked-pass-1&XX=1")
    assert 'name="param_DU" value="20"' in html
    assert re.search(r'<input type="password" name="param_PW"(?![^>]*value=)', html)
    assert "Leaked-pass-1" not in html
    assert re.search(r'<textarea name="params"[^>]*>\s*XX=1</textarea>', html)  # not listed: a line below


def test_the_parameters_fragment_follows_the_chosen_command(replay_client, make_site, sandbox):
    response = replay_client.get("/replay/parameters/", {"command": "m.php?AT=JM"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="build-params"' in html
    assert 'name="param_MK"' in html and 'aria-required="true"' in html
    assert "HX-Request" in response["Vary"]
    assert replay_client.post("/replay/parameters/").status_code == 405
    unknown = replay_client.get("/replay/parameters/", {"command": "nope"}).content.decode()
    assert "Choose a command" in unknown


def test_a_required_parameter_left_empty_is_a_form_error(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    data = {"site": site.pk, "mode": "build", "method": "POST", "command": "m.php?AT=JM", "param_MK": ""}
    response = replay_client.post("/replay/", data)
    assert response.status_code == 400 and "MK is required for m.php?AT=JM." in response.content.decode()
    assert ReplayRecord.objects.count() == 0 and sandbox.state.hits == 0


def test_built_parameters_and_secrets_are_sent(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    data = {
        "site": site.pk, "mode": "build", "method": "POST", "command": "p.php?AT=LI",
        "param_WID": "host1", "param_PW": "Sandbox-pass1", "params": "",
    }  # fmt: skip
    response = replay_client.post("/replay/", data)
    assert "Success" in response.content.decode()
    record = ReplayRecord.objects.get()
    assert record.parameters == [["AT", "LI"], ["WID", "host1"], ["PW", "•••"]]
    assert "Sandbox-pass1" not in response.content.decode()


def test_xml_commands_open_xml_mode_with_their_template(replay_client, make_site, sandbox):
    make_site(sandbox)
    html = page(replay_client, command="XMLService:user.GetUser")
    assert checked(html, "mode", "xml") and selected(html, "xml_template") == "XMLService:user.GetUser"
    assert f"xsi:type=&quot;{XSI_TYPE_PREFIX}user.GetUser&quot;" in html
    for key in Command.objects.filter(service__name="XMLService").values_list("code", flat=True):
        assert f'data-xml-template="XMLService:{key}"' in html


def test_every_xml_template_is_a_minimal_message_the_sandbox_reads(replay_client, make_site, sandbox, kb):
    site = make_site(sandbox)
    command = Command.objects.select_related("service").get(service__name="XMLService", code="user.GetUser")
    template = xml_template(command)
    assert "starting skeleton" in template and "<password></password>" in template
    assert template.count("<bodyContent ") == 1 and "<webExID></webExID>" in template
    xml = template.replace("<webExID></webExID>", "<webExID>host1</webExID>", 1)
    data = {"site": site.pk, "mode": "xml", "method": "POST", "xml": xml, "xml_password": "Sandbox-pass1"}
    replay_client.post("/replay/", data)
    record = ReplayRecord.objects.get()
    assert (record.outcome, record.command) == ("success", "XMLService:user.GetUser")


def test_login_fields_are_shown_without_javascript_and_toggled_with_it(replay_client, make_site, sandbox):
    make_site(sandbox)
    html = page(replay_client)
    assert 'class="secret-grid login-fields" data-login-fields' in html  # replay.js hides them unless ticked
    assert 'name="login_wid"' in html and 'name="login_password"' in html


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("/troubleshoot/schedule-meeting/?came-back=reason-code", True),
        ("https://evil.example/troubleshoot/", False),
        ("//evil.example/troubleshoot/", False),
        ("/\\evil.example/troubleshoot/", False),
        ("/replay/", False),
        ("/troubleshoot/../admin/", False),
        ("javascript:alert(1)", False),
    ],
)
def test_from_is_only_a_same_site_wizard_path(replay_client, make_site, sandbox, value, kept):
    make_site(sandbox)
    html = page(replay_client, command="m.php?AT=SM", **{"from": value})
    assert ("Back to the step" in html) is kept
    if not kept:
        assert "evil.example" not in html.split('name="from_step"')[1][:200]


def test_replay_again_keeps_the_command_without_secrets(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    replay_client.post(
        "/replay/",
        {"site": site.pk, "mode": "paste", "method": "GET", "command_text": "m.php?AT=SM&DU=20&MN=Weekly",
         "pw": "Meet-secret-9", "login_first": "on", "login_wid": "host1", "login_password": "Sandbox-pass1"},
    )  # fmt: skip
    record = ReplayRecord.objects.get()
    html = page(replay_client, again=str(record.pk))
    assert selected(html, "site") == str(site.pk) and selected(html, "command") == "m.php?AT=SM"
    assert 'name="param_DU" value="20"' in html and 'name="param_MN" value="Weekly"' in html
    assert checked(html, "login_first") and 'name="login_wid" value="host1"' in html
    assert checked(html, "method", "GET")
    assert "Meet-secret-9" not in html and "Sandbox-pass1" not in html


def test_replay_again_of_an_xml_record_empties_its_secrets(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    record = ReplayRecord.objects.create(
        site=site, api="xml", command="XMLService:user.GetUser", outcome="fail",
        request_xml="<serv:message><header><securityContext><webExID>host1</webExID><password>•••</password>"
        "</securityContext></header></serv:message>",
    )  # fmt: skip
    html = page(replay_client, again=str(record.pk))
    assert checked(html, "mode", "xml") and "&lt;password&gt;&lt;/password&gt;" in html and "•••" not in html


def test_garbage_again_is_ignored(replay_client, make_site, sandbox):
    make_site(sandbox)
    assert "Replay a command" in page(replay_client, again="not-a-uuid")
