"""One overall deadline per replay: the site's timeout covers connecting, the headers and the body together, and
holds while a site sends a byte at a time. The site timeout's maximum stays below gunicorn's worker timeout, so
a replay always ends as a record (outcome "timeout"), never as a killed worker."""

import io
import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from replay import run
from replay.models import ReplayRecord, Site
from replay.outbound import GuardedSession, OutboundError
from replay.plan import ReplayInput
from replay.tests.helpers import post_replay

DRIP = 0.3
SLACK = 1.0  # scheduling on a loaded 2-core machine


def fetch_timed(url, timeout):
    started = time.monotonic()
    with (
        GuardedSession(timeout_seconds=timeout, allow_private_network=True) as session,
        pytest.raises(OutboundError) as caught,
    ):
        session.fetch("GET", url)
    return caught.value, time.monotonic() - started


def test_dripping_headers_are_cut_off_at_the_deadline(stand_in):
    site = stand_in(drip=DRIP, body=b"x" * 100)
    error, took = fetch_timed(f"{site.base_url}/p.php", 1.5)
    assert error.kind == "timeout"
    assert "did not answer within 1.5 seconds" in error.message
    assert took < 1.5 + SLACK


def test_dripping_body_is_cut_off_at_the_deadline(stand_in):
    site = stand_in(drip=DRIP, drip_head=False, body=b"<html>" + b"x" * 1000)
    error, took = fetch_timed(f"{site.base_url}/p.php", 1.5)
    assert error.kind == "timeout"
    assert took < 1.5 + SLACK


def test_a_silent_site_is_cut_off_at_the_deadline(stand_in):
    site = stand_in(delay=30)
    error, took = fetch_timed(f"{site.base_url}/p.php", 1.0)
    assert error.kind == "timeout"
    assert took < 1.0 + SLACK


def test_log_in_first_and_the_command_share_one_deadline(db, stand_in, make_site):
    """Each request alone would fit in the timeout; the two together do not."""
    standin = stand_in(drip=0.05, drip_head=False, body=b"x" * 24)  # about 1.2 s per answer
    site = make_site(base_url=f"{standin.base_url}/acme/", slug="dripping", timeout=2.0)
    given = ReplayInput(text="p.php?AT=SM&WID=host1", login_first=True, login_password="pw-12345")
    started = time.monotonic()
    record = run.replay(site, given, actor="test").record
    assert time.monotonic() - started < 2.0 + SLACK
    assert record.outcome == "timeout"


def test_the_web_replay_ends_as_a_timeout_record(replay_client, stand_in, make_site):
    standin = stand_in(drip=DRIP)
    site = make_site(base_url=f"{standin.base_url}/acme/", slug="dripping", timeout=1.5)
    started = time.monotonic()
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1")
    assert time.monotonic() - started < 1.5 + SLACK
    assert response.status_code == 200
    record = ReplayRecord.objects.get()
    assert record.outcome == "timeout" and record.duration_ms < (1.5 + SLACK) * 1000
    assert "Timed out" in response.content.decode()


def test_the_cli_ends_within_the_timeout(db, stand_in, make_site):
    standin = stand_in(drip=DRIP)
    make_site(base_url=f"{standin.base_url}/acme/", slug="dripping", timeout=2.0)
    out = io.StringIO()
    started = time.monotonic()
    with pytest.raises(SystemExit) as exited:
        call_command("replay", "--site", "dripping", "p.php?AT=LI&WID=host1", "--json", stdout=out)
    assert time.monotonic() - started < 2.0 + SLACK
    assert exited.value.code == 2
    assert json.loads(out.getvalue())["outcome"] == "timeout"


def test_a_stored_timeout_over_the_maximum_is_capped(db, stand_in, make_site, settings):
    settings.REPLAY_MAX_TIMEOUT = 1
    standin = stand_in(drip=DRIP)
    site = make_site(base_url=f"{standin.base_url}/acme/", slug="dripping")
    Site.objects.filter(pk=site.pk).update(timeout=60)  # stored before the maximum existed
    site.refresh_from_db()
    started = time.monotonic()
    record = run.replay(site, ReplayInput(text="p.php?AT=LI"), actor="test").record
    assert record.outcome == "timeout"
    assert time.monotonic() - started < 1 + SLACK
    assert "within 1 seconds" in record.message


def test_site_timeout_must_stay_below_the_worker_timeout(db):
    assert settings.REPLAY_MAX_TIMEOUT < settings.GUNICORN_TIMEOUT
    site = Site(name="Acme", slug="acme", base_url="https://acme.example/acme/", timeout=60)
    with pytest.raises(ValidationError) as caught:
        site.full_clean()
    assert f"at most {settings.REPLAY_MAX_TIMEOUT:g} seconds" in str(caught.value)
    site.timeout = settings.REPLAY_MAX_TIMEOUT
    site.full_clean()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REPLAY_MAX_TIMEOUT": "30", "GUNICORN_TIMEOUT": "30"}, "REPLAY_MAX_TIMEOUT"),
        ({"REPLAY_MAX_TIMEOUT": "60"}, "REPLAY_MAX_TIMEOUT"),
    ],
)
def test_start_up_refuses_a_maximum_that_outlives_the_worker(env, message):
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert message in done.stderr and "GUNICORN_TIMEOUT" in done.stderr
