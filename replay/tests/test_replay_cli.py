"""``manage.py replay``: exit codes, refusals, bad arguments."""

import json

import pytest
from django.core.management import CommandError, call_command

from replay.models import ReplayRecord
from replay.tests.helpers import run_replay_command as replay


def test_exit_codes(sandbox, make_site, monkeypatch):
    site = make_site(sandbox)
    monkeypatch.setenv("TEST_PW", "Sandbox-pass1")
    assert replay("--site", site.slug, "p.php?AT=LI&WID=host1", "--password-env", "TEST_PW")[0] == 0
    code, out = replay("--site", site.slug, "m.php?AT=LM", "--json")  # the cookie jar is per replay
    assert code == 1 and json.loads(out)["rs"] == "AccessDenied"
    code, out = replay(
        "--site",
        site.slug,
        "m.php?AT=LM",
        "--login-first",
        "--login-wid",
        "host1",
        "--password-env",
        "TEST_PW",
        "--json",
    )
    assert code == 0 and json.loads(out)["outcome"] == "success"


@pytest.mark.parametrize(
    ("path", "timeout", "outcome"),
    [("slow", 0.3, "timeout"), ("sandbox", 5, "blocked")],
)
def test_replays_that_could_not_be_made_exit_2(sandbox, make_site, path, timeout, outcome):
    site = make_site(sandbox, path, timeout=timeout, allow_private_network=(outcome != "blocked"))
    code, out = replay("--site", site.slug, "p.php?AT=LO", "--json")
    data = json.loads(out)
    assert code == 2 and data["outcome"] == outcome and data["http_status"] is None
    assert data["record_url"].endswith(ReplayRecord.objects.get().get_absolute_url())


def test_pasted_url_for_another_host_exits_2_and_is_recorded(sandbox, make_site):
    site = make_site(sandbox)
    code, out = replay("--site", site.slug, "https://evil.example/acme/p.php?AT=LO")
    assert code == 2 and "Refused before sending" in out and "not for the site" in out
    assert ReplayRecord.objects.get().outcome == "blocked" and sandbox.state.hits == 0


def test_unreadable_answer_exits_1(sandbox, make_site):
    site = make_site(sandbox, "html")
    code, out = replay("--site", site.slug, "p.php?AT=LO", "--json")
    assert code == 1 and json.loads(out)["outcome"] == "retired"  # an HTML page: shaped like a retired API


def test_get_sends_the_query(sandbox, make_site):
    site = make_site(sandbox)
    replay("--site", site.slug, "m.php?AT=OM", "--get")
    assert ReplayRecord.objects.get().method == "GET"


def test_unknown_site_and_missing_variable_exit_2(sandbox, make_site, monkeypatch):
    make_site(sandbox)
    with pytest.raises(CommandError) as error:
        call_command("replay", "--site", "nope", "p.php?AT=LO")
    assert error.value.returncode == 2 and "Known sites: sandbox" in str(error.value)
    monkeypatch.delenv("NOT_SET_PW", raising=False)
    with pytest.raises(CommandError) as error:
        call_command("replay", "--site", "sandbox", "p.php?AT=LI&WID=host1", "--password-env", "NOT_SET_PW")
    assert error.value.returncode == 2 and "NOT_SET_PW is not set" in str(error.value)
    with pytest.raises(CommandError) as error:
        call_command("replay", "--site", "sandbox", "m.php?AT=LM", "--login-first")
    assert error.value.returncode == 2 and "--login-first needs" in str(error.value)
    assert ReplayRecord.objects.count() == 0
