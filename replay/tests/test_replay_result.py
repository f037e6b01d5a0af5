"""The replay result: the whole answer (redacted, XML indented, collapsible) with its headers (cookie values hidden),
the next test as one click, the way back to the wizard step with the answer marked, "Replay again", the record as
ticket text, refusals of real commands still recorded, and a redirect to a non-http address kept as the answer,
labelled and never linked."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from replay import run
from replay.models import ReplayRecord
from replay.plan import ReplayInput
from replay.pretty import indent_xml, pretty_body
from replay.tests.helpers import post_replay

HX = {"HTTP_HX_REQUEST": "true"}
STEP = "/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration"


def login_first(**extra):
    return {"login_first": "on", "login_wid": "host1", "login_password": "Sandbox-pass1", **extra}


def links(html, attr):
    return [unescape(m) for m in re.findall(rf'href="([^"]+)" {attr}', html)]


def test_the_whole_body_is_kept_redacted_and_indented(replay_client, make_site, sandbox):
    site = make_site(sandbox, "sandbox-xml")
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="Wrong-pass-77")
    record = ReplayRecord.objects.get()
    assert record.response_body.startswith("<?xml") and record.response_body.endswith("</UrlApiResponse>")
    assert "Wrong-pass-77" not in record.response_body
    html = response.content.decode()
    assert '<details class="response-body" open>' in html and "(indented)" in html
    assert "\n  &lt;" in html  # one element per line, indented


def test_a_large_xml_answer_is_not_cut_to_its_namespaces(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext><webExID>host1</webExID>'
        "<password></password></securityContext></header><body>"
        '<bodyContent xsi:type="java:com.webex.service.binding.user.GetUser"><webExId>user2</webExId>'
        "</bodyContent></body></serv:message>"
    )
    post_replay(replay_client, site, mode="xml", xml=xml, xml_password="Sandbox-pass1")
    record = ReplayRecord.objects.get()
    assert record.outcome == "success", (record.message, record.reason, record.response_body)
    assert "<use:email>user2@sandbox.example</use:email>" in record.response_body  # past the first 200 characters
    assert "Sandbox-pass1" not in record.response_body


def test_headers_are_kept_with_cookie_values_hidden(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="Sandbox-pass1")
    record = ReplayRecord.objects.get()
    names = [name.lower() for name, _value in record.response_headers]
    assert "content-type" in names
    cookies = [value for name, value in record.response_headers if name.lower() == "set-cookie"]
    assert cookies and all(value.split(";")[0].endswith("=•••") for value in cookies)
    html = replay_client.get(record.get_absolute_url()).content.decode()
    assert "Response headers" in html and "Set-Cookie" in html.replace("set-cookie", "Set-Cookie")


def test_duration_answer_offers_retry_with_du_20(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    response = post_replay(replay_client, site, "m.php?AT=SM&MN=Weekly", **login_first())
    record = ReplayRecord.objects.get()
    assert record.rs == "TheDurationIsExceedTheMaxDuration"
    html = response.content.decode()
    assert "Retry with DU=20" in html and "Retry with DU=15" not in html  # DU=15 only once DU=20 failed
    (url,) = links(html, 'data-next-test="retry"')
    query = parse_qs(urlsplit(url).query)
    assert query["command"] == ["m.php?AT=SM&MN=Weekly&DU=20"] and query["site"] == [str(site.pk)]
    assert query["login_first"] == ["1"] and query["login_wid"] == ["host1"]
    assert "from" not in query  # a direct replay: its next test does not claim a wizard step
    form = replay_client.get(url).content.decode()
    assert "Started from a troubleshooting step" not in form
    # After DU=20 fails the same way, DU=15 is next.
    ReplayRecord.objects.all().delete()
    sandbox.config.max_duration = 10
    try:
        html = post_replay(replay_client, site, "m.php?AT=SM&DU=20", **login_first()).content.decode()
    finally:
        sandbox.config.max_duration = 40
    assert "Retry with DU=15" in html and "Retry with DU=20" not in html


def test_bad_password_offers_the_sign_up_test(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    html = post_replay(replay_client, site, "p.php?AT=LI&WID=nobody9", pw="x-pass-1").content.decode()
    assert "Run the p.php?AT=SU test" in html
    (url,) = links(html, 'data-next-test="test"')
    query = parse_qs(urlsplit(url).query)
    assert query["command"] == ["p.php?AT=SU&WID=nobody9&PID=4242"]  # the same data, and the site's partner ID
    assert "Needs WID, PW, FN, LN, EM, PID." in html


def test_access_denied_on_m_php_offers_to_log_in_first(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    html = post_replay(replay_client, site, "m.php?AT=SM&DU=20").content.decode()
    assert ReplayRecord.objects.get().rs == "AccessDenied"
    assert "Log in first and retry" in html
    (url,) = links(html, 'data-next-test="login-first"')
    query = parse_qs(urlsplit(url).query)
    assert query["command"] == ["m.php?AT=SM&DU=20"] and query["login_first"] == ["1"]
    form = replay_client.get(url).content.decode()
    assert re.search(r'<input type="checkbox" name="login_first"[^>]*checked', form)


def test_a_replay_from_a_wizard_step_links_back_with_the_answer_marked(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    html = post_replay(replay_client, site, "m.php?AT=SM&DU=20", from_step=STEP, **login_first()).content.decode()
    record = ReplayRecord.objects.get()
    assert record.outcome == "success" and record.from_step == STEP
    (back,) = links(html, "data-back-to-step")
    assert back.startswith("/troubleshoot/schedule-meeting/?") and "du-20=worked" in back and "change=du-20" in back
    assert "ST=SUCCESS: the meeting was scheduled" in html
    step = replay_client.get(back).content.decode()
    assert re.search(r'data-choice="worked" aria-current="true"', step)  # pre-selected there
    (cont,) = links(html, "data-continue-step")
    assert "change=" not in cont and "du-20=worked" in cont


def test_a_failure_maps_to_the_choice_naming_its_code(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    sandbox.config.max_duration = 10
    try:
        html = post_replay(replay_client, site, "m.php?AT=SM&DU=20", from_step=STEP, **login_first()).content.decode()
    finally:
        sandbox.config.max_duration = 40
    (back,) = links(html, "data-back-to-step")
    assert "du-20=same" in back


def test_a_bad_from_is_dropped(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    post_replay(replay_client, site, "p.php?AT=LO", from_step="https://evil.example/troubleshoot/x/")
    assert ReplayRecord.objects.get().from_step == ""


def test_replay_again_link_and_permalink(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    html = post_replay(replay_client, site, "p.php?AT=LO").content.decode()
    record = ReplayRecord.objects.get()
    assert f'href="/replay/?again={record.pk}" data-replay-again' in html
    detail = replay_client.get(record.get_absolute_url()).content.decode()
    assert f"/replay/?again={record.pk}" in detail


def test_the_result_is_focusable_and_the_form_posts_to_it(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    html = post_replay(replay_client, site, "p.php?AT=LO", htmx=True).content.decode()
    assert re.search(r'<article class="card replay-result[^"]*"[^>]*tabindex="-1" data-replay-result=', html)
    assert 'action="/replay/#replay-result"' in html


def test_the_record_as_ticket_text_in_three_formats(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="Wrong-pass-77")
    record = ReplayRecord.objects.get()
    url = f"{record.get_absolute_url()}ticket/"
    markdown = replay_client.get(url).content.decode()
    assert markdown.startswith(f"### Replay of `p.php?AT=LI` on {site.name}: Failed")
    assert "**RS:** `BadWebExIDorPassword`" in markdown and "**What to do**\n\n1. " in markdown
    assert f"Replay record: http://testserver{record.get_absolute_url()}" in markdown
    assert "Wrong-pass-77" not in markdown
    assert replay_client.get(url, {"format": "jira"}).content.decode().startswith("h3. Replay of {{p.php?AT=LI}}")
    assert "`" not in replay_client.get(url, {"format": "text"}).content.decode()
    assert replay_client.get(url, {"format": "pdf"}).status_code == 400
    assert replay_client.post(url).status_code == 405
    html = replay_client.get(record.get_absolute_url()).content.decode()
    assert f'data-ticket-url="{url}?"' in html


def test_a_refusal_of_a_real_command_is_still_recorded(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    response = post_replay(replay_client, site, "https://evil.example/acme/p.php?AT=LO")
    assert response.status_code == 200 and ReplayRecord.objects.get().outcome == "blocked"


def test_indenting_never_resolves_entities():
    xml = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><a><b>&e;</b><c/></a>'
    text = indent_xml(xml)
    assert "&e;" in text and "root:" not in text
    assert text.splitlines() == [
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">',
        "]>",
        "<a>",
        "  <b>&e;</b>",
        "  <c/>",
        "</a>",
    ]


def test_html_bodies_are_shown_as_they_are():
    body = '<html><script>location.href="x"</script></html>'
    assert pretty_body(body, "text/html") == (body, False)


def test_kept_headers_hide_cookie_values_and_secrets():
    from replay.keep import kept_headers

    headers = [
        ("Set-Cookie", "WBXSESSION=abc123; Path=/; HttpOnly"),
        ("Location", "https://h/p.php?AT=LI&PW=Sent-pass-1"),
        ("X-Echo", "Sent-pass-1"),
    ]
    assert kept_headers(headers, ["Sent-pass-1"]) == [
        ["Set-Cookie", "WBXSESSION=•••; Path=/; HttpOnly"],
        ["Location", "https://h/p.php?AT=LI&PW=•••"],
        ["X-Echo", "•••"],
    ]


@pytest.mark.parametrize(
    "location",
    ["javascript:alert(document.cookie)", "mailto:desk@example.com?subject=PW%3Dx", "data:text/html,<b>x</b>"],
)
def test_a_non_http_redirect_is_kept_as_the_answer(db, stand_in, make_site, replay_client, location):
    site_server = stand_in(status=302, headers=[("Location", location)], body=b"")
    site = make_site(base_url=f"{site_server.base_url}/acme/", slug="redirecting")
    record = run.replay(site, ReplayInput(text="p.php?AT=LI&WID=host1"), actor="test").record
    assert record.outcome == "unrecognized"
    assert record.http_status == 302
    assert record.answer_form == "non-http-redirect"
    assert record.location.split(":", 1)[0] == location.split(":", 1)[0]
    assert "PW%3Dx" not in record.location
    assert "not an http" in record.message and "not followed" in record.message
    page = replay_client.get(record.get_absolute_url()).content.decode()
    assert 'href="javascript:' not in page and 'href="mailto:' not in page and 'href="data:' not in page
