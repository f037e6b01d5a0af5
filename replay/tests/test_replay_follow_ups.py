"""Replay for every cause (issue 22): XML templates filled from the chosen site with the password field focused, XML
failures that offer a next test, follow-up tests that carry the failed command's parameters (and the site's partner
ID) so that the SU test concludes on its first run, and commands that change the site: a caution in the form and the
result, and an explicit confirmation on sites not marked as test sites."""

import re
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

from replay.models import ReplayRecord
from replay.tests.helpers import post_replay

LOGIN_STEP = "/troubleshoot/log-in/?came-back=reason-code&li-code=bad-id"


def _next_test(html, kind="test"):
    (url,) = [unescape(m) for m in re.findall(rf'href="([^"]+)" data-next-test="{kind}"', html)]
    return url


def _form_values(html):
    """The text inputs and the checked boxes of a form page, as the browser would post them."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag or 'type="password"' in tag:
            continue
        if 'type="checkbox"' in tag or 'type="radio"' in tag:
            if "checked" in tag:
                values[name[1]] = unescape(re.search(r'value="([^"]*)"', tag)[1]) if 'value="' in tag else "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name[1]] = unescape(value[1]) if value else ""
    for select in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select[2])
        if chosen:
            values[select[1]] = unescape(chosen[1])
    return values


def test_the_su_test_concludes_on_its_first_run_in_the_sandbox(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    html = post_replay(
        replay_client, site, "p.php?AT=LI&WID=nobody9", pw="x-pass-1", from_step=LOGIN_STEP
    ).content.decode()
    url = _next_test(html)
    assert "Needs WID, PW, FN, LN, EM, PID." in html and "creates a host account on" in html
    form = replay_client.get(url).content.decode()
    assert "Started from a troubleshooting step" in form  # this replay did start from one
    assert 'name="param_PID" value="4242"' in form and "Caution:</strong> this command creates a host account" in form
    data = _form_values(form)
    data.update({"param_FN": "No", "param_LN": "Body", "param_EM": "nobody9@sandbox.example", "param_PW": "N-pass-9"})
    result = replay_client.post("/replay/", data).content.decode()
    record = ReplayRecord.objects.latest("created_at")
    assert record.command == "p.php?AT=SU" and record.rs != "PartnerIDError", (record.rs, record.message)
    assert record.outcome == "success"  # nobody9 did not exist: the wizard's "created" answer, not inconclusive
    assert "Caution:</strong> this command creates a host account on Test sandbox if the WebEx ID is free" in result


def test_an_xml_template_arrives_filled_with_the_password_focused(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    form = replay_client.get(f"/replay/?command={quote('XMLService:user.GetUser')}&site={site.slug}&wid=host1")
    html = unescape(form.content.decode())
    assert "<siteName>sandbox</siteName>" in html
    assert html.count("<webExID>host1</webExID>") == 2  # the security context's and the body's, asked once
    assert re.search(r'<input type="password" name="xml_password"[^>]*autofocus', form.content.decode())


def test_an_empty_site_name_and_webex_id_are_filled_when_sent(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    form = unescape(replay_client.get(f"/replay/?command={quote('XMLService:user.GetUser')}").content.decode())
    xml = re.search(r'<textarea name="xml"[^>]*>\n?(.*?)</textarea>', form, re.S)[1]
    post_replay(replay_client, site, mode="xml", xml=xml, xml_webex_id="host1", xml_password="Sandbox-pass1")
    record = ReplayRecord.objects.get()
    assert record.outcome == "success", (record.message, record.request_xml)
    assert "<siteName>sandbox</siteName>" in record.request_xml and "Sandbox-pass1" not in record.request_xml


def test_an_xml_failure_offers_a_next_test_with_the_same_credentials(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    form = unescape(
        replay_client.get(
            f"/replay/?command={quote('XMLService:user.GetUser')}&site={site.slug}&wid=host1"
        ).content.decode()
    )
    xml = re.search(r'<textarea name="xml"[^>]*>\n?(.*?)</textarea>', form, re.S)[1]
    html = post_replay(replay_client, site, mode="xml", xml=xml, xml_password="Wrong-pass-1").content.decode()
    assert ReplayRecord.objects.get().code == "030002"
    url = _next_test(html)
    assert "Run the user.AuthenticateUser test" in html
    query = parse_qs(urlsplit(url).query)
    assert query["command"] == ["XMLService:user.AuthenticateUser"] and query["site"] == [str(site.pk)]
    assert "from" not in query  # a direct replay
    test_form = unescape(replay_client.get(url).content.decode())
    assert "<siteName>sandbox</siteName>" in test_form and "<webExID>host1</webExID>" in test_form


def test_030002_offers_replay_through_the_xml_templates(replay_client, kb):
    page = replay_client.get("/errors/030002/").content.decode()
    control = re.search(r'<form class="replay-control replay-link".*?</form>', page, re.S)[0]
    assert '<option value="XMLService:user.GetUser">' in control and control.count("<button") == 1


def test_a_site_changing_command_needs_confirmation_on_a_real_site(replay_client, make_site, sandbox):
    real = make_site(sandbox, slug="real")
    real.is_test_site = False
    real.save()
    command = "p.php?AT=SU&WID=newhost&FN=A&LN=B&EM=newhost@sandbox.example&PID=4242"
    form = replay_client.get(f"/replay/?command={quote(command)}&site={real.slug}").content.decode()
    assert "Caution:</strong> this command creates a host account on Test real" in form
    assert 'name="confirm_change"' in form
    response = post_replay(replay_client, real, command, pw="New-pass-1")
    assert response.status_code == 400 and not ReplayRecord.objects.exists()
    assert "is not marked as a test site: tick the box to send it" in response.content.decode()
    response = post_replay(replay_client, real, command, pw="New-pass-1", confirm_change="on")
    assert response.status_code == 200 and ReplayRecord.objects.get().outcome == "success"


def test_a_test_site_needs_no_confirmation_and_reading_commands_no_caution(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    command = "p.php?AT=SU&WID=other3&FN=A&LN=B&EM=other3@sandbox.example&PID=4242"
    response = post_replay(replay_client, site, command, pw="New-pass-1")
    assert response.status_code == 200 and ReplayRecord.objects.get().outcome == "success"
    real = make_site(sandbox, slug="real")
    real.is_test_site = False
    real.save()
    response = post_replay(replay_client, real, "p.php?AT=LI&WID=host1", pw="Sandbox-pass1")
    assert response.status_code == 200 and "Caution:" not in response.content.decode()


def test_the_cli_site_is_case_insensitive_and_asks_to_confirm_a_change(make_site, sandbox, monkeypatch):
    import pytest
    from django.core.management import CommandError, call_command

    make_site(sandbox)
    monkeypatch.setenv("TEST_PW", "Sandbox-pass1")
    call_command("replay", "--site", "SandBox", "p.php?AT=LI&WID=host1", "--password-env", "TEST_PW", "--json")
    assert ReplayRecord.objects.get().outcome == "success"
    real = make_site(sandbox, slug="real")
    real.is_test_site = False
    real.save()
    command = "p.php?AT=SU&WID=cli4&FN=A&LN=B&EM=cli4@sandbox.example&PID=4242"
    with pytest.raises(CommandError, match="not marked as a test site: add --confirm-change"):
        call_command("replay", "--site", "REAL", command, "--password-env", "TEST_PW")
    assert ReplayRecord.objects.count() == 1
    call_command("replay", "--site", "real", command, "--password-env", "TEST_PW", "--confirm-change", "--json")
    assert ReplayRecord.objects.latest("created_at").outcome == "success"


def test_a_form_error_focuses_the_first_field_to_fix(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    data = {"site": site.pk, "mode": "build", "method": "POST", "command": "p.php?AT=SU"}
    html = replay_client.post("/replay/", data).content.decode()
    focused = re.findall(r"<input[^>]*autofocus[^>]*>", html)
    assert len(focused) == 1 and 'name="param_WID"' in focused[0] and 'aria-invalid="true"' in focused[0]
    assert 'class="error form-errors" role="alert" tabindex="-1">' in html  # announced, not focused
