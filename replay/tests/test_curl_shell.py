"""Copy as curl is safe by construction: the copied command is pasted into bash, with curl stubbed as a shell
function that records its arguments. Hostile bodies, parameters and URLs run nothing, and curl receives exactly
the bytes that were replayed (secrets coming from the $WEBEX_… variables the person exported). An IPv6 host is in
brackets, in records stored before targets had them too."""

import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from replay.curl import curl_command
from replay.models import ReplayRecord
from replay.outbound import log_target

MASK = "\u2022\u2022\u2022"
SECRETS = {"WEBEX_PW": "pw'\"$(x)`y`!\\", "WEBEX_NPW": "new pw", "WEBEX_LOGIN_PW": "login$pw"}

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def hostile(marker):
    """Values that would run ``touch <marker>`` if any of them reached the shell unquoted."""
    touch = f"touch {marker}"
    return [
        f"EOF\n{touch}\nEOF",
        f"$({touch})",
        f"`{touch}`",
        f"'; {touch}; '",
        f'"; {touch}; "',
        f"\\'; {touch} #",
        f"a\nEOF\n{touch}\n",
        f"x\\\n{touch}",
        f"${{IFS}}$({touch})",
        f"!!; {touch}",
        f"tab\there\rcr\x1b[2J\x03\x04 ; {touch}",
        f"\u202e; {touch}",
        f"@/etc/passwd\n{touch}",
        "-o" + str(Path.home() / "curl-out"),
    ]


def paste_into_bash(command, tmp_path, *, interactive):
    """Run ``command`` as if pasted into a shell; returns the argument lists curl was called with."""
    calls = tmp_path / "calls"
    calls.mkdir(exist_ok=True)
    stub = f'n=0; curl() {{ n=$((n+1)); printf "%s\\0" "$@" > "{calls}/$n"; }}\n'
    args = ["bash", "--noprofile", "--norc"] + (["-i"] if interactive else [])
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LC_ALL": "C.UTF-8", **SECRETS}
    done = subprocess.run(
        args, input=(stub + command + "\n").encode(), cwd=tmp_path, env=env, capture_output=True, timeout=30
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return [
        [arg.decode() for arg in path.read_bytes().split(b"\0")[:-1]]
        for path in sorted(calls.iterdir(), key=lambda p: int(p.name))
    ]


def value_after(args, flag):
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == flag]


def url_record(values, **extra):
    params = [["AT", "LI"], *[[f"X{i}", value] for i, value in enumerate(values)], ["PW", MASK], ["NPW", MASK]]
    params += [[value, "v"] for value in values if "=" not in value]  # hostile names too
    fields = {"api": "url", "method": "POST", "command": "p.php?AT=LI", "target": "https://acme.example/acme/p.php"}
    record = ReplayRecord(parameters=params, **{**fields, **extra})
    return record, params


def expected_data(params):
    out = []
    for name, value in params:
        if name in ("PW", "NPW"):
            value = SECRETS[f"WEBEX_{name}"]
        out.append(f"{quote_plus(name, safe='')}={value}")
    return out


@pytest.mark.parametrize("interactive", [False, True], ids=["script", "interactive"])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_url_api_command_runs_nothing_and_sends_the_exact_parameters(tmp_path, interactive, method):
    marker = tmp_path / "pwned"
    values = hostile(marker)
    record, params = url_record(values, method=method)
    calls = paste_into_bash(curl_command(record), tmp_path, interactive=interactive)
    assert not marker.exists()
    assert not (Path.home() / "curl-out").exists()
    assert len(calls) == 1
    (args,) = calls
    assert value_after(args, "--url") == [record.target]
    assert value_after(args, "--data-urlencode") == expected_data(params)
    assert ("-G" in args) == (method == "GET")


@pytest.mark.parametrize("interactive", [False, True], ids=["script", "interactive"])
def test_log_in_first_runs_nothing_and_shares_one_cookie_jar(tmp_path, interactive):
    marker = tmp_path / "pwned"
    values = hostile(marker)
    for wid in values:
        record, params = url_record([], login_first=True, login_wid=wid)
        record.target = f"https://acme.example/a'$(touch {marker})`touch {marker}`/p.php"
        calls = paste_into_bash(curl_command(record), tmp_path, interactive=interactive)
        assert not marker.exists(), wid
        login, command = calls
        assert value_after(login, "--url") == [f"https://acme.example/a'$(touch {marker})`touch {marker}`/p.php"]
        assert value_after(login, "--data-urlencode") == ["AT=LI", f"WID={wid}", f"PW={SECRETS['WEBEX_LOGIN_PW']}"]
        assert value_after(login, "-c") == ["webex-cookies.txt"]
        assert value_after(command, "-b") == ["webex-cookies.txt"]
        assert value_after(command, "--data-urlencode") == expected_data(params)


@pytest.mark.parametrize("interactive", [False, True], ids=["script", "interactive"])
def test_xml_body_is_one_argument_and_runs_nothing(tmp_path, interactive):
    marker = tmp_path / "pwned"
    inner = "".join(f"<v>{value}</v>\n" for value in hostile(marker))
    body = f"<serv:message>\n<securityContext><password>{MASK}</password>\n<sessionTicket>{MASK}</sessionTicket>"
    body += f"</securityContext>\n{inner}\nEOF\n</serv:message>"
    record = ReplayRecord(
        api="xml", method="POST", command="XMLService:user.GetUser", target="https://acme.example/WBXService/XMLService"
    )
    record.request_xml = body
    command = curl_command(record)
    calls = paste_into_bash(command, tmp_path, interactive=interactive)
    assert not marker.exists()
    (args,) = calls
    sent = body.replace(f"<password>{MASK}", f"<password>{SECRETS['WEBEX_PW']}").replace(
        f"<sessionTicket>{MASK}", "<sessionTicket>"
    )
    assert value_after(args, "--data-raw") == [sent]
    assert value_after(args, "-H") == ["Content-Type: text/xml; charset=UTF-8"]
    assert "<<" not in command, "never a heredoc around user data"


def test_the_copied_command_holds_only_printable_text(tmp_path):
    """Control characters (a pasted ^C or an escape sequence would act in a terminal) are written as escapes."""
    marker = tmp_path / "pwned"
    record, _params = url_record(hostile(marker))
    command = curl_command(record)
    lines = command.split("\n")
    assert all(line.isprintable() for line in lines)
    assert all(line.endswith(" \\") for line in lines[:-1]), "every newline is a line continuation"


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
