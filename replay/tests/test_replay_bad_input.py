"""Bad input ends in a clear message, never a 500. An input mistake (unreadable input) is shown on the form and not
kept; a replay that was refused or failed on the way (another host, a blocked address, a timeout) is recorded. Real
loopback sockets throughout."""

import socket
import threading
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from replay.models import ReplayRecord
from replay.tests.helpers import post_replay


def only_record():
    records = list(ReplayRecord.objects.all())
    assert len(records) == 1, "exactly one record is saved"
    return records[0]


def assert_shown(response, record, text):
    assert response.status_code == 200
    page = response.content.decode()
    assert text in record.message
    assert text in page
    assert record.get_absolute_url() in page


def test_timeout_within_site_limit_plus_margin(replay_client, sandbox, make_site):
    site = make_site(sandbox, "slow", timeout=0.5)
    response = post_replay(replay_client, site, "p.php?AT=LO")
    record = only_record()
    assert record.outcome == "timeout"
    assert_shown(response, record, "did not answer within 0.5 seconds")
    assert record.duration_ms < (0.5 + 2.0) * 1000
    assert record.http_status is None


def test_connection_refused(replay_client, make_site):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = make_site(base_url=f"http://127.0.0.1:{port}/acme/", slug="closed")
    response = post_replay(replay_client, site, "p.php?AT=LO")
    record = only_record()
    assert record.outcome == "error"
    assert_shown(response, record, "Connection refused")


def test_tls_error(replay_client, sandbox, make_site):
    site = make_site(base_url=f"https://127.0.0.1:{sandbox.port}/sandbox/", slug="tls")
    response = post_replay(replay_client, site, "p.php?AT=LO")
    record = only_record()
    assert record.outcome == "error"
    assert_shown(response, record, "TLS error")


def test_fifty_megabyte_answer_is_cut_off_with_bounded_memory(replay_client, sandbox, make_site):
    assert sandbox.config.huge_bytes == 50 * 1024 * 1024
    site = make_site(sandbox, "huge")
    tracemalloc.start()
    try:
        response = post_replay(replay_client, site, "p.php?AT=LO")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    record = only_record()
    assert record.truncated is True
    assert record.outcome == "unrecognized"
    assert_shown(response, record, "cut off")
    assert peak < 16 * 1024 * 1024, f"peak memory {peak} bytes"
    assert len(record.response_preview) <= 1000


class CountingHandler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args):
        return


@pytest.fixture
def other_host():
    CountingHandler.hits = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_redirect_to_another_host_is_shown_not_followed(replay_client, sandbox, make_site, other_host):
    site = make_site(sandbox, "sandbox-302")
    elsewhere = f"http://127.0.0.1:{other_host.server_address[1]}/back"
    response = post_replay(replay_client, site, f"p.php?AT=LI&WID=host1&BU={elsewhere}", pw="Wrong-pass-9")
    record = only_record()
    assert record.http_status == 302
    assert record.location.startswith(elsewhere + "?AT=LI")
    assert (record.outcome, record.rs) == ("fail", "BadWebExIDorPassword")
    assert CountingHandler.hits == 0
    page = response.content.decode()
    assert "Redirect (not followed)" in page and elsewhere in page


def test_name_resolving_to_a_private_address_is_refused_unless_allowed(replay_client, sandbox, make_site):
    refused = make_site(
        base_url=f"http://localhost:{sandbox.port}/sandbox/", slug="private", allow_private_network=False
    )
    response = post_replay(replay_client, refused, "p.php?AT=LI&WID=host1", pw="Sandbox-pass1")
    record = only_record()
    assert record.outcome == "blocked"
    assert_shown(response, record, "localhost resolves to")
    assert "loopback" in record.message
    assert sandbox.state.hits == 0

    allowed = make_site(base_url=f"http://localhost:{sandbox.port}/sandbox/", slug="lab", allow_private_network=True)
    post_replay(replay_client, allowed, "p.php?AT=LI&WID=host1", pw="Sandbox-pass1")
    assert ReplayRecord.objects.get(site=allowed).outcome == "success"
    assert sandbox.state.hits == 1


def test_pasted_url_for_another_host_is_refused_and_never_sent(replay_client, sandbox, make_site):
    site = make_site(sandbox)
    other = f"http://127.0.0.2:{sandbox.port}/sandbox/p.php?AT=LI&WID=host1"
    response = post_replay(replay_client, site, other, pw="Sandbox-pass1")
    record = only_record()
    assert record.outcome == "blocked"
    assert_shown(response, record, "not for the site")
    assert sandbox.state.hits == 0
    other_port = f"http://127.0.0.1:{sandbox.port + 1}/sandbox/p.php?AT=LO"
    post_replay(replay_client, site, other_port)
    # The site's host as user info in front of another host is still another host.
    userinfo = f"http://127.0.0.1:{sandbox.port}@evil.example/sandbox/p.php?AT=LO"
    post_replay(replay_client, site, userinfo)
    assert ReplayRecord.objects.filter(outcome="blocked").count() == 3
    assert sandbox.state.hits == 0


@pytest.mark.parametrize(
    ("pasted", "text"),
    [
        ("http://[::1/p.php?AT=LI", "not valid"),
        ("http://127.0.0.1:99999/sandbox/p.php?AT=LI", "not valid"),
        ("ftp://127.0.0.1/sandbox/p.php?AT=LI", "Only http and https"),
        ("p.php", "no parameters"),
        ("index.html?AT=LI", "service file"),
        ("p.php?WID=host1", "no AT parameter"),
        ("//127.0.0.1/p.php?AT=LI", "no scheme"),
        ("<serv:message/>", "XML request"),
    ],
)
def test_invalid_url(replay_client, sandbox, make_site, pasted, text):
    site = make_site(sandbox)
    response = post_replay(replay_client, site, pasted)
    assert_input_mistake(response, text)
    assert sandbox.state.hits == 0


def assert_input_mistake(response, text):
    """Shown on the form (a 400, the field marked), sent nowhere, kept nowhere."""
    assert response.status_code == 400
    assert text in response.content.decode()
    assert any(text in e for errors in response.context["form"].errors.values() for e in errors)
    assert ReplayRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "form", "text"),
    [
        ("html", "unrecognised", "does not look like a WebEx answer"),
        ("badxml", "unrecognised", "does not look like a WebEx answer"),
        ("empty", "empty", "empty body"),
    ],
)
def test_unreadable_answers(replay_client, sandbox, make_site, path, form, text):
    site = make_site(sandbox, path)
    response = post_replay(replay_client, site, "p.php?AT=LO")
    record = only_record()
    # An HTML page where WebEx sends its redirect page is shaped like a retired API (replay/diagnose.py).
    outcome = "retired" if path == "html" else "unrecognized"
    assert (record.outcome, record.answer_form, record.http_status) == (outcome, form, 200)
    assert_shown(response, record, text)
    if path == "html":
        assert "Welcome to our intranet" in record.response_preview
        assert "Welcome to our intranet" in response.content.decode()


def test_answer_preview_is_escaped(replay_client, sandbox, make_site):
    site = make_site(sandbox, "badxml")
    response = post_replay(replay_client, site, "p.php?AT=LO")
    assert "&lt;serv:message" in response.content.decode()
    assert "<serv:message" not in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mode": "paste", "command_text": "p.php?AT=LO"}, "site"),
        ({"mode": "paste", "command_text": ""}, "command_text"),
        ({"mode": "build", "command": ""}, "command"),
        ({"mode": "xml", "xml": ""}, "xml"),
        ({"mode": "teleport"}, "mode"),
        ({"mode": "paste", "command_text": "p.php?AT=LO", "login_first": "on"}, "login_wid"),
    ],
)
def test_incomplete_form_is_a_400_with_named_field(replay_client, sandbox, make_site, data, field):
    site = make_site(sandbox)
    payload = {"site": site.pk, "method": "POST", **data}
    if field == "site":
        payload.pop("site")
    response = replay_client.post("/replay/", payload)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert ReplayRecord.objects.count() == 0


def test_masked_secret_in_paste_asks_for_the_field(replay_client, sandbox, make_site):
    site = make_site(sandbox)
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1&PW=\u2022\u2022\u2022")
    assert_input_mistake(response, "type it in the PW field")


def test_nul_characters_are_recorded_not_fatal(replay_client, sandbox, make_site):
    """PostgreSQL refuses NUL in text and jsonb: a pasted %00 must still give a saved record, not a 500."""
    site = make_site(sandbox)
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=ho%00st1", pw="Sandbox-pass1")
    assert response.status_code == 200
    record = only_record()
    assert record.rs == "BadWebExIDorPassword"
    assert ["WID", "ho\ufffdst1"] in record.parameters
    record.reason = "odd\x00reason"
    record.response_preview = "a\x00b"
    record.save()
    record.refresh_from_db()
    assert (record.reason, record.response_preview) == ("odd\ufffdreason", "a\ufffdb")


def test_nul_in_a_remote_reason_code(replay_client, sandbox, make_site):
    site = make_site(sandbox, "sandbox-302")
    # The back URL's own RS=%00 comes first, so the answer's RS is a NUL character.
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1&BU=http://back.example/b?RS=%2500", pw="bad!")
    assert response.status_code == 200
    record = only_record()
    assert (record.outcome, record.entry, record.rs) == ("fail", None, "\ufffd")
