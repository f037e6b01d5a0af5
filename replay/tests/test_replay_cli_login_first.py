"""``manage.py replay --login-first --password-env VAR``: the variable is the log-in password only. Checked against the
sandbox by what it received: the meeting that m.php?AT=SM created must not have the host's password as its own."""

import json

import pytest
from django.core.management import CommandError, call_command

from replay.models import ReplayRecord
from replay.sandbox.state import FIRST_MEETING_KEY
from replay.tests.helpers import run_replay_command as replay


def new_meetings(sandbox):
    return [m for key, m in sandbox.state.meetings.items() if key != FIRST_MEETING_KEY]


def test_login_first_never_sends_the_login_password_as_the_commands_pw(sandbox, make_site, monkeypatch):
    site = make_site(sandbox)
    monkeypatch.setenv("HOST_PW", "Sandbox-pass1")
    code, out = replay(
        "--site", site.slug, "m.php?AT=SM&DU=20&MN=Weekly", "--login-first", "--login-wid", "host1",
        "--password-env", "HOST_PW", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["outcome"] == "success"
    (meeting,) = new_meetings(sandbox)
    assert meeting.host == "host1" and meeting.duration == 20
    assert meeting.password == "", "the host's log-in password became the meeting's join password"
    record = ReplayRecord.objects.get()
    assert record.login_first and record.login_wid == "host1"
    assert [name for name, _value in record.parameters] == ["AT", "DU", "MN"]


def test_a_separate_option_gives_the_command_its_own_pw(sandbox, make_site, monkeypatch):
    site = make_site(sandbox)
    monkeypatch.setenv("HOST_PW", "Sandbox-pass1")
    monkeypatch.setenv("MEETING_PW", "Join-pass-77")
    code, _out = replay(
        "--site", site.slug, "m.php?AT=SM&DU=20", "--login-first", "--login-wid", "host1",
        "--password-env", "HOST_PW", "--command-password-env", "MEETING_PW",
    )  # fmt: skip
    assert code == 0
    (meeting,) = new_meetings(sandbox)
    assert meeting.password == "Join-pass-77"
    assert ["PW", "•••"] in ReplayRecord.objects.get().parameters


def test_a_pw_in_the_command_itself_is_still_sent(sandbox, make_site, monkeypatch):
    site = make_site(sandbox)
    monkeypatch.setenv("HOST_PW", "Sandbox-pass1")
    replay("--site", site.slug, "m.php?AT=SM&DU=20&PW=Typed-pass-5", "--login-first", "--login-wid", "host1",
           "--password-env", "HOST_PW")  # fmt: skip
    (meeting,) = new_meetings(sandbox)
    assert meeting.password == "Typed-pass-5"


def test_without_login_first_the_password_is_the_commands_pw_as_before(sandbox, make_site, monkeypatch):
    site = make_site(sandbox)
    monkeypatch.setenv("HOST_PW", "Sandbox-pass1")
    code, out = replay("--site", site.slug, "p.php?AT=LI&WID=host1", "--password-env", "HOST_PW", "--json")
    assert code == 0 and json.loads(out)["st"] == "SUCCESS"


def test_the_command_password_option_needs_login_first(sandbox, make_site, monkeypatch):
    site = make_site(sandbox)
    monkeypatch.setenv("MEETING_PW", "Join-pass-77")
    with pytest.raises(CommandError) as error:
        call_command("replay", "--site", site.slug, "m.php?AT=SM", "--command-password-env", "MEETING_PW")
    assert error.value.returncode == 2 and "--login-first" in str(error.value)
    assert sandbox.state.hits == 0 and ReplayRecord.objects.count() == 0


def test_an_input_mistake_exits_2_and_is_not_recorded(sandbox, make_site):
    site = make_site(sandbox)
    with pytest.raises(CommandError) as error:
        call_command("replay", "--site", site.slug, "not a command")
    assert error.value.returncode == 2 and "no parameters" in str(error.value)
    assert ReplayRecord.objects.count() == 0 and sandbox.state.hits == 0
