"""Fixtures for the replay and sandbox tests: a real sandbox on an ephemeral loopback port, sites pointing at it,
and a user (and a logged-in client) allowed to replay."""

import pytest
from django.contrib.auth.models import Permission

from replay.models import Site
from replay.sandbox.server import SandboxServer
from replay.sandbox.state import PARTNER_ID, SandboxConfig


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


@pytest.fixture
def make_site(db):
    """Create a Site pointing at a sandbox path (``sandbox``, ``noauto-302`` …) or at any base URL."""

    def make(server=None, path="sandbox", *, slug=None, base_url=None, timeout=5.0, allow_private_network=True):
        slug = slug or path.replace("_", "-")
        base_url = base_url or f"{server.base_url}/{path}/"
        xml_url = f"{server.base_url}/WBXService/XMLService" if server else ""
        return Site.objects.create(
            name=f"Test {slug}",
            slug=slug,
            base_url=base_url,
            xml_url=xml_url,
            timeout=timeout,
            allow_private_network=allow_private_network,
            is_test_site=server is not None,  # a sandbox is a test site
            partner_id=PARTNER_ID if server is not None else "",
        )

    return make


@pytest.fixture
def replayer(db, django_user_model):
    user = django_user_model.objects.create_user("helpdesk")
    user.user_permissions.add(Permission.objects.get(codename="can_replay", content_type__app_label="replay"))
    return user


@pytest.fixture
def replay_client(client, replayer):
    client.force_login(replayer)
    return client


@pytest.fixture
def stand_in():
    """``stand_in(drip=0.3, body=b"…")`` starts a stand-in site (replay/tests/standin.py); all stop after the test."""
    from replay.tests.standin import StandInSite

    sites = []

    def start(**options):
        site = StandInSite(**options).start()
        sites.append(site)
        return site

    yield start
    for site in sites:
        site.stop()
