"""The one guarded outbound function, over real loopback sockets (no mocked httpx)."""

import logging
import socket

import pytest

from replay.outbound import (
    MAX_BODY_BYTES,
    GuardedSession,
    OutboundError,
    QuietHttpLibrariesFilter,
    log_target,
    refusal_reason,
    strip_query_strings,
)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to refuse, not a bind
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
        ("::ffff:169.254.169.254", "IPv4-mapped link-local"),
        ("::ffff:10.0.0.1", "IPv4-mapped private"),
        ("::127.0.0.1", "IPv4-compatible loopback"),
        ("::10.0.0.1", "IPv4-compatible private"),
        ("2002:7f00:1::1", "6to4 loopback"),
        ("2002:a9fe:a9fe::1", "6to4 link-local"),
        ("64:ff9b::a9fe:a9fe", "NAT64 link-local"),
        ("fe80::1%eth0", "link-local"),
    ],
)
def test_refused_addresses(address, reason):
    assert refusal_reason(address) == reason


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address):
    assert refusal_reason(address) is None


def fetch(url, *, allow=True, timeout=5.0, method="GET", **kwargs):
    with GuardedSession(timeout_seconds=timeout, allow_private_network=allow) as session:
        return session.fetch(method, url, **kwargs)


def test_loopback_refused_unless_allowed(sandbox):
    url = f"{sandbox.base_url}/sandbox/p.php?AT=LO"
    with pytest.raises(OutboundError) as refused:
        fetch(url, allow=False)
    assert refused.value.kind == "blocked"
    assert "127.0.0.1 is a loopback address" in refused.value.message
    assert sandbox.state.hits == 0
    assert fetch(url, allow=True).status == 200
    assert sandbox.state.hits == 1


def test_name_resolving_to_loopback_refused(sandbox):
    with pytest.raises(OutboundError) as refused:
        fetch(f"http://localhost:{sandbox.port}/sandbox/p.php?AT=LO", allow=False)
    assert refused.value.kind == "blocked"
    assert "localhost resolves to" in refused.value.message and "loopback" in refused.value.message
    assert sandbox.state.hits == 0


def test_address_is_resolved_once_and_the_checked_address_is_connected(sandbox, monkeypatch):
    """The backend resolves the name itself, checks it, and connects to that very address: no second lookup
    that a DNS answer could change. Host header (and SNI) keep the name."""
    real_getaddrinfo = socket.getaddrinfo
    real_create_connection = socket.create_connection
    lookups, connects = [], []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        if host == "webex.test":
            return real_getaddrinfo("127.0.0.1", port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    def recording_create_connection(address, *args, **kwargs):
        connects.append(address)
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", recording_create_connection)
    fetched = fetch(f"http://webex.test:{sandbox.port}/sandbox/p.php?AT=LI&WID=host1&PW=x", allow=True)
    assert lookups.count("webex.test") == 1
    assert connects == [("127.0.0.1", sandbox.port)]
    assert b"webex.test" in fetched.body  # the sandbox built its back URL from the Host header

    lookups.clear()
    with pytest.raises(OutboundError) as refused:
        fetch(f"http://webex.test:{sandbox.port}/sandbox/p.php", allow=False)
    assert refused.value.kind == "blocked" and "webex.test resolves to 127.0.0.1" in refused.value.message
    assert len(connects) == 1  # nothing more was connected


def test_redirect_is_not_followed(sandbox):
    fetched = fetch(f"{sandbox.base_url}/sandbox-302/p.php?AT=LO&BU=http://127.0.0.1:9/elsewhere", method="POST")
    assert fetched.status == 302
    assert fetched.location.startswith("http://127.0.0.1:9/elsewhere?AT=LO")
    assert fetched.body == b""


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/p.php", "file:///etc/passwd", "gopher://x/", "http:///p.php", "http://exa mple.com/p.php"],
)
def test_only_http_and_https(url):
    with pytest.raises(OutboundError) as error:
        fetch(url)
    assert error.value.kind == "error"


def test_body_capped_at_one_mebibyte(sandbox):
    fetched = fetch(f"{sandbox.base_url}/huge/p.php")
    assert fetched.truncated is True
    assert len(fetched.body) == MAX_BODY_BYTES


def test_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OutboundError) as error:
        fetch(f"http://127.0.0.1:{port}/x/p.php")
    assert error.value.kind == "error" and "Connection refused" in error.value.message


def test_tls_error(sandbox):
    with pytest.raises(OutboundError) as error:
        fetch(f"https://127.0.0.1:{sandbox.port}/sandbox/p.php")
    assert error.value.kind == "error" and error.value.message.startswith("TLS error")


def test_timeout(sandbox):
    with pytest.raises(OutboundError) as error:
        fetch(f"{sandbox.base_url}/slow/p.php", timeout=0.3)
    assert error.value.kind == "timeout"
    assert "did not answer within 0.3 seconds" in error.value.message


def test_unresolvable_name():
    with pytest.raises(OutboundError) as error:
        fetch("http://no-such-host.invalid/p.php")
    assert error.value.kind == "error" and "could not be resolved" in error.value.message


def test_logs_target_status_and_duration_never_query_or_body(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "httpcore.http11", "httpcore.connection"):
        caplog.set_level(logging.DEBUG, logger=name)
    fetch(f"{sandbox.base_url}/sandbox/p.php?AT=LI&WID=host1&PW=Query-secret-41")
    fetch(f"{sandbox.base_url}/sandbox/p.php", method="POST", content=b"AT=LI&PW=Body-secret-42")
    assert "Query-secret-41" not in caplog.text and "Body-secret-42" not in caplog.text
    assert "WID=host1" not in caplog.text
    lines = [r.getMessage() for r in caplog.records if r.name == "replay"]
    assert f"replay GET http://127.0.0.1:{sandbox.port}/sandbox/p.php -> 200 in " in lines[0]
    assert not [r for r in caplog.records if r.name.startswith(("httpx", "httpcore"))]


def test_library_warnings_lose_their_query_strings():
    record = logging.LogRecord(
        "httpx", logging.WARNING, __file__, 1, "odd answer from %s", ("https://h/p.php?PW=x",), None
    )
    assert QuietHttpLibrariesFilter().filter(record) is True
    assert record.getMessage() == "odd answer from https://h/p.php?…"
    debug = logging.LogRecord("httpcore.http11", logging.DEBUG, __file__, 1, "headers %s", ("Cookie: t=1",), None)
    assert QuietHttpLibrariesFilter().filter(debug) is False


def test_helpers_never_keep_queries():
    assert log_target("https://acme.webex.com/acme/p.php?AT=LI&PW=x#f") == "https://acme.webex.com:443/acme/p.php"
    assert (
        strip_query_strings("GET http://h:1/p.php?PW=1 and https://x/y?z") == "GET http://h:1/p.php?… and https://x/y?…"
    )
