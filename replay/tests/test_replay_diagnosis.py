"""Replays against the sandbox, over a real loopback socket, diagnose every catalogue reason code in every answer
form, from the form and from the CLI; XML API exceptionIDs too."""

import io
import json

import pytest
from django.core.management import call_command

from replay.models import ReplayRecord
from replay.tests.helpers import post_replay

# Fixtures used by this module's tests.

LOGIN = ("host1", "Sandbox-pass1")

# (code the sandbox returns, the KB entry it must map to, site, command, PW, log in first)
SEED_CASES = [
    ("AccessDenied", "AccessDenied", "sandbox", "m.php?AT=LM", None, False),
    ("AlreadyLogon", "AlreadyLogon", "sandbox", "p.php?AT=LI&WID=host1", "Sandbox-pass1", True),
    ("AutoLoginDisabled", "AutoLoginDisabled", "noauto", "p.php?AT=LI&WID=host1", "Sandbox-pass1", False),
    ("BadWebExIDorPassword", "BadWebExIDorPassword", "sandbox", "p.php?AT=LI&WID=host1", "Wrong-pass-9", False),
    ("DoNotSupportAPI", "DoNotSupportAPI", "noapi", "m.php?AT=LM", None, False),
    (
        "EmailConflict",
        "EmailConflict",
        "sandbox",
        "p.php?AT=SU&PID=4242&WID=new1&FN=N&LN=U&EM=user2@sandbox.example",
        "New-pass-1",
        False,
    ),
    ("NoMeetingTypeSupport", "NoMeetingTypeSupport", "sandbox", "m.php?AT=SM&DU=20&MT=9", None, True),
    ("SiteDoNotSupportThisMeetingType", "NoMeetingTypeSupport", "sandbox", "m.php?AT=IM&DU=20&MT=9", None, True),
    (
        "PartnerIDError",
        "PartnerIDError",
        "sandbox",
        "p.php?AT=SU&PID=1&WID=new1&FN=N&LN=U&EM=n@x.example",
        "P-1",
        False,
    ),
    ("TheDurationIsExceedTheMaxDuration", "TheDurationIsExceedTheMaxDuration", "sandbox", "m.php?AT=SM", None, True),
    ("Unknown", "Unknown", "sandbox", "p.php?AT=SU&PID=4242&WID=new1&FN=N&LN=U", "New-pass-1", False),
    (
        "WebExIDConflict",
        "WebExIDConflict",
        "sandbox",
        "p.php?AT=SU&PID=4242&WID=user2&FN=N&LN=U&EM=n@x.example",
        "New-pass-1",
        False,
    ),
]

FORMS = [
    pytest.param("", "script-redirect", id="location.href"),
    pytest.param("-replace", "script-redirect", id="location.replace"),
    pytest.param("-var", "script-redirect", id="var-url"),
    pytest.param("-302", "http-redirect", id="http-302"),
    pytest.param("-xml", "status-xml", id="xml-status"),
]


def check_diagnosis(record, code, entry_code, command, answer_form):
    assert record.outcome == ReplayRecord.Outcome.FAIL, record.message
    assert record.st == "FAIL"
    assert record.rs == code
    assert record.entry is not None and record.entry.code == entry_code
    assert record.cause is not None and record.cause.api in ("url", "both")
    service = command.split("?")[0]
    assert command in {c.key for c in record.cause.commands.all()} or service in {
        s.name for s in record.cause.services.all()
    }
    assert record.answer_form == answer_form
    assert record.duration_ms is not None and record.http_status in (200, 302)


@pytest.mark.parametrize(("form_suffix", "answer_form"), FORMS)
@pytest.mark.parametrize(("code", "entry_code", "path", "command", "pw", "login_first"), SEED_CASES)
def test_seed_code_from_the_form(
    replay_client,
    sandbox,
    make_site,
    form_suffix,
    answer_form,
    code,
    entry_code,
    path,
    command,
    pw,
    login_first,
):
    site = make_site(sandbox, path + form_suffix)
    # Half the cases paste a full URL on the site, half just the command.
    pasted = f"{site.base_url}{command}" if len(code) % 2 else command
    response = post_replay(
        replay_client,
        site,
        pasted,
        pw=pw,
        login_first="on" if login_first else None,
        login_wid=LOGIN[0] if login_first else None,
        login_password=LOGIN[1] if login_first else None,
    )
    assert response.status_code == 200
    record = ReplayRecord.objects.get()
    check_diagnosis(record, code, entry_code, command.split("&")[0], answer_form)
    page = response.content.decode()
    assert f"<code>{entry_code}</code>" in page
    assert "What to do" in page
    assert record.get_absolute_url() in page
    assert record.cause.steps.first().text.split("'")[0][:40] in page.replace("&#x27;", "'")


@pytest.mark.parametrize(("form_suffix", "answer_form"), FORMS)
@pytest.mark.parametrize(("code", "entry_code", "path", "command", "pw", "login_first"), SEED_CASES)
def test_seed_code_from_the_cli(
    sandbox,
    make_site,
    monkeypatch,
    form_suffix,
    answer_form,
    code,
    entry_code,
    path,
    command,
    pw,
    login_first,
):
    site = make_site(sandbox, path + form_suffix)
    args = ["replay", "--site", site.slug, f"{site.base_url}{command}", "--json"]
    if pw:
        monkeypatch.setenv("TEST_WEBEX_PW", pw)
        args += ["--password-env", "TEST_WEBEX_PW"]
    if login_first:
        monkeypatch.setenv("TEST_LOGIN_PW", LOGIN[1])
        args += ["--login-first", "--login-wid", LOGIN[0], "--login-password-env", "TEST_LOGIN_PW"]
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(*args, stdout=out)
    assert exit_info.value.code == 1
    data = json.loads(out.getvalue())
    assert data["outcome"] == "fail"
    assert data["rs"] == code
    assert data["entry"] == entry_code
    assert data["entry_url"].endswith(f"/errors/{entry_code}/")
    assert data["command"] == command.split("&")[0]
    record = ReplayRecord.objects.get()
    assert data["record_url"].endswith(record.get_absolute_url())
    check_diagnosis(record, code, entry_code, command.split("&")[0], answer_form)


# --- m.php?AT=OM's XML, and the XML API -------------------------------------------------------------------


@pytest.mark.parametrize(("path", "code"), [("sandbox", "AccessDenied"), ("noapi", "DoNotSupportAPI")])
def test_open_meetings_xml_failure(replay_client, sandbox, make_site, path, code):
    site = make_site(sandbox, path)
    post_replay(replay_client, site, "m.php?AT=OM", method="GET")
    record = ReplayRecord.objects.get()
    assert record.answer_form == "open-meetings-xml"
    assert (record.outcome, record.rs, record.entry.code) == ("fail", code, code)


def test_open_meetings_xml_success_after_login(replay_client, sandbox, make_site):
    site = make_site(sandbox)
    post_replay(replay_client, site, "m.php?AT=OM", login_first="on", login_wid="host1", login_password="Sandbox-pass1")
    record = ReplayRecord.objects.get()
    assert (record.outcome, record.st, record.answer_form) == ("success", "SUCCESS", "open-meetings-xml")
    assert record.login_summary == "Log in first: SUCCESS"


def xml_request(op, ctx, body=""):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"  <header><securityContext>{ctx}<siteName>sandbox</siteName></securityContext></header>\n"
        f'  <body><bodyContent xsi:type="java:com.webex.service.binding.{op}">{body}</bodyContent></body>\n'
        "</serv:message>"
    )


XML_CASES = [
    ("030002", "user.GetUser", "<webExID>host1</webExID><password></password>", "", "Wrong-pass-9", ""),
    ("000001", "user.LstsummaryUser", "<webExID>user2</webExID><password/>", "", "Sandbox-pass2", ""),
    ("060026", "meeting.CreateMeeting", "<webExID>host1</webExID><password/>", "<metaData/>", "Sandbox-pass1", ""),
    (
        "060001",
        "meeting.GetMeeting",
        "<webExID>host1</webExID><password/>",
        "<meetingKey>1</meetingKey>",
        "Sandbox-pass1",
        "",
    ),
    (
        "060001",
        "meeting.DelMeeting",
        "<webExID>host1</webExID><password/>",
        "<meetingKey>1</meetingKey>",
        "Sandbox-pass1",
        "",
    ),
    ("030047", "user.GetUser", "<webExID>host1</webExID><sessionTicket/>", "", "", "Not-a-ticket-1"),
]


@pytest.mark.parametrize(("exception_id", "op", "ctx", "body", "password", "ticket"), XML_CASES)
def test_xml_api_exception_id_from_the_form(
    replay_client,
    sandbox,
    make_site,
    exception_id,
    op,
    ctx,
    body,
    password,
    ticket,
):
    site = make_site(sandbox)
    response = replay_client.post(
        "/replay/",
        {
            "site": site.pk,
            "mode": "xml",
            "method": "POST",
            "xml": xml_request(op, ctx, body),
            "xml_password": password,
            "xml_session_ticket": ticket,
        },
    )
    assert response.status_code == 200
    record = ReplayRecord.objects.get()
    assert record.api == "xml"
    assert record.command == f"XMLService:{op}"
    assert (record.outcome, record.st, record.exception_id) == ("fail", "FAILURE", exception_id)
    assert record.http_status == 200 and record.answer_form == "xml-api"
    assert record.entry.code == exception_id
    assert record.cause.api in ("xml", "both")
    assert record.reason
    assert f"<code>{exception_id}</code>" in response.content.decode()


@pytest.mark.parametrize(("exception_id", "op", "ctx", "body", "password", "ticket"), XML_CASES[:5])
def test_xml_api_exception_id_from_the_cli(
    sandbox,
    make_site,
    monkeypatch,
    exception_id,
    op,
    ctx,
    body,
    password,
    ticket,
):
    site = make_site(sandbox)
    monkeypatch.setenv("TEST_WEBEX_PW", password)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "replay",
            "--site",
            site.slug,
            xml_request(op, ctx, body),
            "--password-env",
            "TEST_WEBEX_PW",
            "--json",
            stdout=out,
        )
    assert exit_info.value.code == 1
    data = json.loads(out.getvalue())
    assert (data["outcome"], data["exception_id"], data["entry"], data["rs"]) == (
        "fail",
        exception_id,
        exception_id,
        None,
    )


def test_access_denied_in_the_xml_api_maps_to_the_xml_cause(replay_client, sandbox, make_site):
    from kb.models import Entry

    entry = Entry.objects.get(code="AccessDenied")
    assert entry.cause_for("xml", "XMLService:user.GetUser").api == "xml"
    assert entry.cause_for("url", "m.php?AT=LM").api == "url"


# --- success, said plainly ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "-replace", "-var", "-302"])
def test_success_is_said_plainly(replay_client, sandbox, make_site, suffix):
    site = make_site(sandbox, "sandbox" + suffix)
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="Sandbox-pass1")
    record = ReplayRecord.objects.get()
    assert (record.outcome, record.st, record.rs, record.entry) == ("success", "SUCCESS", "", None)
    assert "Success: the site answered ST=SUCCESS." in response.content.decode()


def test_xml_success_and_cli_exit_code_zero(sandbox, make_site, monkeypatch):
    site = make_site(sandbox)
    monkeypatch.setenv("TEST_WEBEX_PW", "Sandbox-pass1")
    out = io.StringIO()
    call_command(
        "replay",
        "--site",
        site.slug,
        xml_request("user.GetUser", "<webExID>host1</webExID><password/>"),
        "--password-env",
        "TEST_WEBEX_PW",
        stdout=out,
    )
    assert "Success" in out.getvalue()
    assert ReplayRecord.objects.get().outcome == "success"


def test_cli_success_json(sandbox, make_site, monkeypatch):
    site = make_site(sandbox)
    monkeypatch.setenv("TEST_WEBEX_PW", "Sandbox-pass1")
    out = io.StringIO()
    call_command(
        "replay", "--site", site.slug, "p.php?AT=LI&WID=host1", "--password-env", "TEST_WEBEX_PW", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert list(data) == [
        "site",
        "command",
        "http_status",
        "outcome",
        "st",
        "rs",
        "exception_id",
        "entry",
        "entry_url",
        "condition",
        "duration_ms",
        "record_url",
    ]
    assert data["site"] == site.slug
    assert (data["outcome"], data["st"], data["rs"], data["entry"], data["entry_url"]) == (
        "success",
        "SUCCESS",
        None,
        None,
        None,
    )
    assert data["http_status"] == 200 and isinstance(data["duration_ms"], int)


def test_cli_human_output_names_entry_and_steps(sandbox, make_site, monkeypatch):
    site = make_site(sandbox)
    monkeypatch.setenv("TEST_WEBEX_PW", "Wrong-pass-9")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "replay", "--site", site.slug, "p.php?AT=LI&WID=host1", "--password-env", "TEST_WEBEX_PW", stdout=out
        )
    text = out.getvalue()
    assert "RS=BadWebExIDorPassword" in text
    assert "1. " in text and "/errors/BadWebExIDorPassword/" in text and "Record: " in text
