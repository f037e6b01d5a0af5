"""Two gunicorn servers on one PostgreSQL database: a login session and the replay rate limit hold across both.

This is the scale-out claim of docs/deploy.md, proved with real processes over loopback.
It needs a database that separate processes can share, so it runs on PostgreSQL only.
"""

import os
import re
import subprocess
import sys

import httpx
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from core.roles import ensure_roles, grant
from replay.models import ReplayRecord, Site

PASSWORD = "Shared-Session-Pw-4821"
LIMIT = 3

pytestmark = pytest.mark.skipif(
    not os.getenv("DATABASE_URL", "").startswith(("postgres", "pgsql")),
    reason="needs PostgreSQL: two server processes cannot share the in-memory SQLite test database",
)


def server_env():
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        DEBUG="0",
        SECRET_KEY="multiprocess-test-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SECURE_COOKIES="0",
        REPLAY_RATE_LIMIT=str(LIMIT),
        STATIC_ROOT=str(settings.BASE_DIR / "staticfiles"),
        LOG_LEVEL="WARNING",
    )
    env.pop("DB_POOL", None)
    return env


def csrf_token(client, url):
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


@pytest.mark.django_db(transaction=True)
def test_session_and_rate_limit_hold_across_two_servers(sandbox, gunicorn):
    call_command("load_kb", verbosity=0)
    ensure_roles()
    user = User.objects.create_user("desk", password=PASSWORD)
    grant(user, "help-desk")
    site = Site.objects.create(
        name="Sandbox",
        slug="sandbox",
        base_url=f"{sandbox.base_url}/sandbox/",
        xml_url=f"{sandbox.base_url}/WBXService/XMLService",
        allow_private_network=True,
    )
    # Static files for DEBUG=0 (whitenoise's manifest); quick when they are already collected.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        check=True,
        env={**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "127.0.0.1"},
    )
    with gunicorn(server_env()) as base_a, gunicorn(server_env()) as base_b, httpx.Client(timeout=20) as browser:
        # Log in on server A ...
        token = csrf_token(browser, f"{base_a}/accounts/login/")
        login = browser.post(
            f"{base_a}/accounts/login/",
            data={"username": "desk", "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base_a}/accounts/login/"},
        )
        assert login.status_code == 302
        # ... and the session is good on server B.
        assert browser.get(f"{base_b}/replay/").status_code == 200
        assert browser.get(f"{base_b}/replay/history/").status_code == 200

        # Replays alternate between the servers; the limit counts them together.
        statuses = []
        for i in range(LIMIT + 1):
            base = (base_a, base_b)[i % 2]
            token = csrf_token(browser, f"{base}/replay/")
            response = browser.post(
                f"{base}/replay/",
                data={
                    "site": site.pk,
                    "mode": "paste",
                    "method": "POST",
                    "command_text": "m.php?AT=LM",
                    "csrfmiddlewaretoken": token,
                },
                headers={"Referer": f"{base}/replay/"},
            )
            statuses.append(response.status_code)
        assert statuses == [200] * LIMIT + [429]
        assert ReplayRecord.objects.filter(user=user).count() == LIMIT
