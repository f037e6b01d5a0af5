"""Evidence in the ticket: the wizard's summary lists the replays made from its steps (permalink, outcome, code, time)
and an entry's ticket text the person's last replay of its code; the escalation pack; "it worked before"."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission

from replay.models import ReplayRecord
from replay.tests.helpers import post_replay

STEP = "/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration"
PASSWORD = "Sandbox-pass1"


def login_first(**extra):
    return {"login_first": "on", "login_wid": "host1", "login_password": PASSWORD, **extra}


def _link(html, attr):
    (url,) = [unescape(m) for m in re.findall(rf'href="([^"]+)" {attr}', html)]
    return url


def test_the_wizard_summary_holds_the_replays_made_from_its_steps(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    html = post_replay(replay_client, site, "m.php?AT=SM&DU=20", from_step=STEP, **login_first()).content.decode()
    record = ReplayRecord.objects.get()
    outcome_url = _link(html, "data-continue-step")
    page = unescape(replay_client.get(outcome_url).content.decode())
    assert "Replays made from these steps" in page
    assert f"http://testserver/replay/{record.pk}/" in page
    assert f"{record.created_at:%Y-%m-%d %H:%M:%S} UTC" in page and "Success" in page
    flow, query = urlsplit(outcome_url).path, urlsplit(outcome_url).query
    text = replay_client.get(f"{flow}ticket/?{query}&format=text").content.decode()
    assert f"/replay/{record.pk}/" in text and "m.php?AT=SM" in text
    assert PASSWORD not in page and PASSWORD not in text


def test_a_failed_replay_in_the_summary_names_its_code(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    post_replay(replay_client, site, "m.php?AT=SM", from_step=STEP, **login_first())
    record = ReplayRecord.objects.get()
    assert record.code == "TheDurationIsExceedTheMaxDuration"
    outcome = (
        "/troubleshoot/schedule-meeting/ticket/?came-back=reason-code&sm-code=duration&du-20=worked&format=markdown"
    )
    text = replay_client.get(outcome).content.decode()
    assert "`TheDurationIsExceedTheMaxDuration`" in text and f"/replay/{record.pk}/" in text


def test_another_persons_replays_are_not_in_my_summary(client, replay_client, make_site, sandbox, django_user_model):
    site = make_site(sandbox)
    post_replay(replay_client, site, "m.php?AT=SM&DU=20", from_step=STEP, **login_first())
    other = django_user_model.objects.create_user("other")
    other.user_permissions.add(Permission.objects.get(codename="can_replay"))
    client.force_login(other)
    text = client.get(
        "/troubleshoot/schedule-meeting/ticket/?came-back=reason-code&sm-code=duration&du-20=worked&format=text"
    ).content.decode()
    assert "/replay/" not in text.split("Replay:")[0] and "Replays made from these steps" not in text


def test_an_entry_ticket_includes_my_last_replay_of_its_code(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    post_replay(replay_client, site, "m.php?AT=SM")  # AccessDenied: no session
    record = ReplayRecord.objects.get()
    assert record.code == "AccessDenied"
    text = replay_client.get("/errors/AccessDenied/ticket/?format=markdown").content.decode()
    assert "Last replay of this code" in text and f"http://testserver/replay/{record.pk}/" in text
    assert "`AccessDenied`" in text
    without = replay_client.get("/errors/AccessDenied/ticket/?format=markdown&replay=0").content.decode()
    assert "Last replay" not in without
    other_code = replay_client.get("/errors/030002/ticket/?format=markdown").content.decode()
    assert "Last replay" not in other_code


def test_anonymous_entry_ticket_has_no_replay(client, kb):
    assert "Last replay" not in client.get("/errors/AccessDenied/ticket/").content.decode()


# --- the escalation pack -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_escalation_pack(replay_client, make_site, sandbox, fmt):
    site = make_site(sandbox)
    post_replay(replay_client, site, "m.php?AT=SM", from_step=STEP, **login_first())
    record = ReplayRecord.objects.get()
    response = replay_client.get(f"/replay/{record.pk}/escalation/", {"format": fmt})
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Escalation:" in text and "m.php?AT=SM" in text
    assert "Time window" in text and f"{record.created_at:%Y-%m-%d %H:%M:%S}" in text and "UTC" in text
    assert f"{site.name}" in text and "127.0.0.1" in text  # the site and its host
    assert "Request (secrets removed)" in text and "Answer (secrets removed)" in text
    assert "TheDurationIsExceedTheMaxDuration" in text
    assert "Already tried" in text and record.entry.title in text
    assert "Wizard path" in text and "What were you trying to do?" in text
    assert "none in the answer" in text  # a URL API answer has no tracking ID or gsbStatus
    assert PASSWORD not in text
    if fmt == "markdown":
        assert "```" in text
    else:
        assert "```" not in text and "    " in text


def test_the_escalation_pack_of_an_xml_failure_names_its_gsb_status(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service">'
        "<header><securityContext><webExID>host1</webExID><password></password><siteName>sandbox</siteName>"
        "</securityContext></header><body><bodyContent "
        'xsi:type="java:com.webex.service.binding.user.GetUser" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><webExId>host1</webExId></bodyContent></body>'
        "</serv:message>"
    )
    data = {"site": site.pk, "method": "POST", "mode": "xml", "xml": xml, "xml_password": "wrong-pass"}
    replay_client.post("/replay/", data)
    record = ReplayRecord.objects.get()
    assert record.api == "xml" and record.outcome == "fail" and "gsbStatus" in record.response_body
    text = replay_client.get(f"/replay/{record.pk}/escalation/?format=text").content.decode()
    assert "gsbStatus: PRIMARY" in text and "none in the answer" not in text
    assert "wrong-pass" not in text


def test_the_escalation_pack_permissions(client, replay_client, make_site, sandbox, django_user_model):
    site = make_site(sandbox)
    post_replay(replay_client, site, "m.php?AT=SM")
    url = f"/replay/{ReplayRecord.objects.get().pk}/escalation/"
    assert replay_client.get(url, {"format": "pdf"}).status_code == 400
    assert replay_client.post(url).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302
    reader = django_user_model.objects.create_user("reader")
    client.force_login(reader)
    assert client.get(url).status_code == 403
    assert client.get("/replay/00000000-0000-0000-0000-000000000000/escalation/").status_code in (403, 404)


def test_the_result_links_to_the_escalation_pack(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    html = post_replay(replay_client, site, "m.php?AT=SM").content.decode()
    record = ReplayRecord.objects.get()
    assert f'href="/replay/{record.pk}/escalation/?format=text"' in html


# --- it worked before ------------------------------------------------------------------------------------------


def test_it_worked_before_shows_the_last_good_answer_and_what_changed(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    good_html = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw=PASSWORD).content.decode()
    good = ReplayRecord.objects.get()
    assert good.outcome == "success" and "It worked before" not in good_html
    sandbox.state.api_switched_off = True  # the site's administrator turned the API off
    html = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw=PASSWORD).content.decode()
    bad = ReplayRecord.objects.exclude(pk=good.pk).get()
    assert bad.outcome == "fail" and bad.code == "DoNotSupportAPI"
    assert "It worked before" in html and f'href="/replay/{good.pk}/"' in html
    changed = re.findall(r'data-change="([^"]+)"', html)
    assert "code" in changed and "host" not in changed and "HTTP status" not in changed
    assert "DoNotSupportAPI" in html
    page = replay_client.get(f"/replay/{bad.pk}/").content.decode()
    assert "It worked before" in page
    assert PASSWORD not in html


def test_no_comparison_without_an_earlier_success(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    html = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="wrong").content.decode()
    assert "It worked before" not in html
    other = make_site(sandbox, "sandbox-302", slug="other")
    post_replay(replay_client, other, "p.php?AT=LI&WID=host1", pw=PASSWORD)
    html = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="wrong").content.decode()
    assert "It worked before" not in html  # the success was on another site


def test_what_changed_names_the_redirect_and_the_answer_form(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw=PASSWORD)
    site.base_url = f"{sandbox.base_url}/noapi-302/"
    site.save()
    html = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw=PASSWORD).content.decode()
    changed = re.findall(r'data-change="([^"]+)"', html)
    assert {"code", "answer form", "HTTP status"} <= set(changed)
