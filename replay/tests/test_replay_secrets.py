"""The password never reaches the database, a log line, an error page, the browser's URL or a response; an echoed
password is removed from an answer before its preview is cut, so no part of it is kept."""

import io
import logging
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from replay import run
from replay.models import ReplayRecord
from replay.plan import ReplayInput
from replay.tests.helpers import post_replay
from webex import read_answer

SECRET = "Sandbox-Secret-4431"


def unique_secret():
    return f"Zq{uuid.uuid4().hex}Secret"


def database_contains(needle):
    """Search every column of every table (text, JSON, bytes) for ``needle``."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if needle in str(value):
                        hits.append(table)
    return hits


@pytest.fixture
def loud_logs(caplog):
    """Capture every logger at DEBUG, including httpx and httpcore, which would print URLs and headers."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "httpcore.http11", "httpcore.connection", "django", "django.request"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def assert_nowhere(secret, caplog, *responses):
    assert ReplayRecord.objects.exists()
    assert database_contains(secret) == []
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in str(record.__dict__)
    for response in responses:
        assert secret not in response.content.decode("utf-8", "replace")
        assert secret not in str(response.headers)
        assert secret not in response.get("Location", "")
    for record in ReplayRecord.objects.all():
        assert secret not in record.location and secret not in str(record.parameters)


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_password_in_the_pasted_url_and_the_field(replay_client, sandbox, make_site, loud_logs, method):
    site = make_site(sandbox, "sandbox-302")
    secret, other = unique_secret(), unique_secret()
    pasted = f"{site.base_url}p.php?AT=LI&WID=host1&PW={secret}&BU=https://back.example/b"
    first = post_replay(replay_client, site, pasted, method=method)
    # The same secret typed in the password field, the pasted one replaced; and an NPW on EU.
    second = post_replay(replay_client, site, "p.php?AT=LI&WID=host1&PW=x", pw=other, method=method)
    third = post_replay(replay_client, site, "p.php?AT=EU&PID=4242&WID=host1", pw=secret, npw=other, method=method)
    assert ReplayRecord.objects.count() == 3
    for s in (secret, other):
        assert_nowhere(s, loud_logs, first, second, third)
    record = ReplayRecord.objects.filter(command="p.php?AT=EU").get()
    assert ["PW", "\u2022\u2022\u2022"] in record.parameters and ["NPW", "\u2022\u2022\u2022"] in record.parameters
    assert "p.php?AT=LI&amp;WID=host1&amp;PW=\u2022\u2022\u2022" in first.content.decode()  # re-shown redacted


def test_password_of_log_in_first_and_htmx(replay_client, sandbox, make_site, loud_logs):
    site = make_site(sandbox)
    secret = unique_secret()
    response = post_replay(
        replay_client, site, "m.php?AT=LM", login_first="on", login_wid="host1", login_password=secret, htmx=True
    )
    record = ReplayRecord.objects.get()
    assert record.login_summary == "Log in first: FAIL BadWebExIDorPassword"
    assert record.rs == "BadWebExIDorPassword"
    assert_nowhere(secret, loud_logs, response)
    detail = replay_client.get(record.get_absolute_url())
    history = replay_client.get("/replay/history/")
    assert_nowhere(secret, loud_logs, detail, history)


def test_xml_password_and_session_ticket(replay_client, sandbox, make_site, loud_logs):
    site = make_site(sandbox)
    secret, ticket = unique_secret(), unique_secret()
    xml = (
        '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext>'
        f"<webExID>host1</webExID><password>{secret}</password></securityContext></header><body>"
        '<bodyContent xsi:type="java:com.webex.service.binding.user.GetUser"/></body></serv:message>'
    )
    pasted = post_replay(replay_client, site, mode="xml", xml=xml)
    typed = post_replay(replay_client, site, mode="xml", xml=xml.replace(secret, ""), xml_password=secret)
    by_ticket = post_replay(
        replay_client,
        site,
        mode="xml",
        xml=xml.replace(f"<password>{secret}</password>", "<sessionTicket/>"),
        xml_session_ticket=ticket,
    )
    assert [r.exception_id for r in ReplayRecord.objects.order_by("created_at")] == ["030002", "030002", "030047"]
    assert_nowhere(secret, loud_logs, pasted, typed, by_ticket)
    assert_nowhere(ticket, loud_logs, by_ticket)
    assert "<password>\u2022\u2022\u2022</password>" in ReplayRecord.objects.order_by("created_at").first().request_xml


def test_cli_password_env(sandbox, make_site, loud_logs, monkeypatch):
    site = make_site(sandbox, "sandbox-302")
    secret = unique_secret()
    monkeypatch.setenv("UNIQUE_WEBEX_PW", secret)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "replay",
            "--site",
            site.slug,
            "p.php?AT=LI&WID=host1",
            "--password-env",
            "UNIQUE_WEBEX_PW",
            stdout=out,
            stderr=err,
        )
    with pytest.raises(SystemExit):
        call_command(
            "replay",
            "--site",
            site.slug,
            "p.php?AT=LI&WID=host1",
            "--password-env",
            "UNIQUE_WEBEX_PW",
            "--json",
            stdout=out,
        )
    assert secret not in out.getvalue() + err.getvalue()
    assert ReplayRecord.objects.count() == 2
    assert_nowhere(secret, loud_logs)


def test_secrets_stay_out_of_the_error_page_and_error_report(replay_client, sandbox, make_site, monkeypatch, caplog):
    """A crash during a replay: the 500 page shows nothing of the request, and the error report (what
    AdminEmailHandler mails, built from the django.request log record) hides POST secrets and local variables."""
    from django.views.debug import ExceptionReporter

    site = make_site(sandbox)
    secret = unique_secret()

    def explode(plan, **kwargs):
        local_copy = plan.params  # noqa: F841 - a local that holds the secret, as real code might
        raise RuntimeError("boom")

    monkeypatch.setattr("replay.run.run_replay", explode)
    replay_client.raise_request_exception = False
    caplog.set_level(logging.ERROR, logger="django.request")
    response = post_replay(replay_client, site, f"p.php?AT=LI&WID=host1&PW={secret}", pw=secret, login_password=secret)
    assert response.status_code == 500
    assert secret not in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "django.request"]
    report = ExceptionReporter(record.request, *record.exc_info)
    html, text = report.get_traceback_html(), report.get_traceback_text()
    assert "boom" in html and "RuntimeError" in text
    assert secret not in html and secret not in text
    assert "********" in html  # the filter was active, not just silent


def test_plan_repr_hides_values(sandbox, make_site):
    from replay.plan import plan_from_paste

    secret = unique_secret()
    plan = plan_from_paste(make_site(sandbox), "p.php?AT=LI&WID=host1", secrets={"PW": secret})
    assert secret not in repr(plan) and secret not in str(plan)


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
