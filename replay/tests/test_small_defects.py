"""Smaller defects of issue 11 on the replay side: secrets are removed before a preview is cut; a non-http
redirect is kept as the answer, labelled; an IPv6 site gets brackets."""

import pytest

from replay import run
from replay.curl import curl_command
from replay.models import ReplayRecord
from replay.outbound import log_target
from replay.plan import ReplayInput
from replay.tests.test_curl_shell import paste_into_bash, url_record, value_after
from webex import read_answer

SECRET = "Sandbox-Secret-4431"


@pytest.mark.parametrize("at", [150, 180, 190, 195, 198])
def test_secrets_are_removed_before_the_preview_is_cut(at):
    body = ("<html><body><p>" + "w" * at + f" your password {SECRET} was wrong</p></body></html>").encode()
    answer = read_answer(body, status=200, secrets=[SECRET])
    for n in range(4, len(SECRET) + 1):
        assert SECRET[:n] not in answer.preview, answer.preview


def test_a_record_never_keeps_part_of_an_echoed_password(db, stand_in, make_site):
    body = ("<html><body>" + "w" * 190 + f" {SECRET} is wrong</body></html>").encode()
    site = make_site(base_url=f"{stand_in(body=body).base_url}/acme/", slug="echo")
    record = run.replay(site, ReplayInput(text="p.php?AT=LI&WID=host1", secrets={"PW": SECRET}), actor="test").record
    stored = ReplayRecord.objects.get(pk=record.pk)
    for field in ("response_preview", "message", "reason", "location"):
        assert SECRET[:4] not in getattr(stored, field), field


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


def test_an_ipv6_site_gets_brackets(tmp_path):
    assert log_target("http://[::1]:8765/sandbox/p.php?AT=LI&PW=x") == "http://[::1]:8765/sandbox/p.php"
    record, _params = url_record([])
    record.target = "http://::1:8765/sandbox/p.php"  # a record stored before targets were bracketed
    (args,) = paste_into_bash(curl_command(record), tmp_path, interactive=False)
    assert value_after(args, "--url") == ["http://[::1]:8765/sandbox/p.php"]
    record.target = log_target("http://[::1]:8765/sandbox/p.php")
    (tmp_path / "again").mkdir()
    (args,) = paste_into_bash(curl_command(record), tmp_path / "again", interactive=False)
    assert value_after(args, "--url") == ["http://[::1]:8765/sandbox/p.php"]
