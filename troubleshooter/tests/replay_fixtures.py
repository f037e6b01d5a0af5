"""Fixtures for the replay and sandbox tests: a real sandbox on an ephemeral loopback port.

Import them into a test module: ``from troubleshooter.tests.replay_fixtures import sandbox  # noqa: F401``.
"""

import pytest

from troubleshooter.sandbox import SandboxConfig, SandboxServer


@pytest.fixture(scope="session")
def sandbox_server():
    server = SandboxServer(port=0, config=SandboxConfig(slow_seconds=10, huge_bytes=50 * 1024 * 1024)).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    """The shared sandbox with its accounts, meetings and sessions back to their documented start."""
    with sandbox_server.state.lock:
        sandbox_server.state.reset()
    sandbox_server.config.session_idle_seconds = 30 * 60
    return sandbox_server
