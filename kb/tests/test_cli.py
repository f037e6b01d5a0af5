"""explain, load_kb and export_kb from the terminal."""

import json

import pytest
from django.core.management import CommandError, call_command


def test_explain_prints_the_entry(kb, capsys):
    call_command("explain", "AccessDenied")
    out = capsys.readouterr().out
    assert "AccessDenied" in out
    assert "Cause 1:" in out and "Cause 2:" in out
    assert "What to do" in out
    assert "1. " in out
    assert "/errors/AccessDenied/" in out


def test_explain_accepts_alias_and_any_case(kb, capsys):
    call_command("explain", "sitedonotsupportthismeetingtype")
    out = capsys.readouterr().out
    assert "is another name for NoMeetingTypeSupport" in out
    assert "NoMeetingTypeSupport:" in out


def test_explain_unknown_code_fails_with_closest(kb):
    with pytest.raises(CommandError) as excinfo:
        call_command("explain", "BadWebExIDorPasword")
    assert "No entry for 'BadWebExIDorPasword'" in str(excinfo.value)
    assert "BadWebExIDorPassword" in str(excinfo.value)


def test_explain_exits_non_zero(kb):
    """A CommandError from the CLI becomes exit status 1."""
    with pytest.raises(SystemExit) as excinfo:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "explain", "NoSuchThing"]).execute()
    assert excinfo.value.code == 1


def test_load_kb_without_changes_says_so(kb, capsys):
    call_command("load_kb")
    assert "Already up to date." in capsys.readouterr().out


def test_export_kb_writes_the_fixture_format(kb, capsys):
    call_command("export_kb")
    data = json.loads(capsys.readouterr().out)
    assert {"services", "commands", "entries"} <= set(data)
    codes = {e["code"] for e in data["entries"]}
    assert {"AccessDenied", "030002"} <= codes
    assert all("id" not in e and "pk" not in e for e in data["entries"])
