"""Replays in flight are capped per user and for the whole site (lease rows in the database, shared by every
process), and per process; beyond a cap the replay is refused with a 429 and a record, and nothing is sent."""

import io
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from replay import run, slots
from replay.models import ReplayRecord, ReplaySlot
from replay.plan import ReplayInput
from replay.tests.helpers import post_replay


def in_flight(user=None, seconds=20):
    """A replay in flight elsewhere (another thread, process or server)."""
    now = timezone.now()
    return ReplaySlot.objects.create(user=user, started_at=now, expires_at=now + timedelta(seconds=seconds))


def test_a_user_over_the_cap_gets_a_429_and_a_record(replay_client, replayer, sandbox, make_site, settings):
    settings.REPLAY_MAX_IN_FLIGHT_PER_USER = 2
    site = make_site(sandbox)
    in_flight(replayer), in_flight(replayer)
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="Sandbox-pass1")
    assert response.status_code == 429
    assert response["Retry-After"] == "5"
    record = ReplayRecord.objects.get()
    assert record.outcome == "blocked" and record.command == "p.php?AT=LI"
    assert "you already have 2 replays running" in record.message
    assert "you already have 2 replays running" in response.content.decode()
    assert sandbox.state.hits == 0, "nothing was sent"
    assert ReplaySlot.objects.count() == 2, "the refused replay took no slot"


def test_the_site_wide_cap_counts_every_user(replay_client, django_user_model, sandbox, make_site, settings):
    settings.REPLAY_MAX_IN_FLIGHT = 3
    site = make_site(sandbox)
    for name in ("a", "b", "c"):
        in_flight(django_user_model.objects.create_user(name))
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="Sandbox-pass1")
    assert response.status_code == 429
    assert "3 replays are already running" in ReplayRecord.objects.get().message
    assert sandbox.state.hits == 0


def test_under_the_caps_a_replay_runs_and_gives_its_slot_back(replay_client, replayer, sandbox, make_site):
    site = make_site(sandbox)
    in_flight(replayer)
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="Sandbox-pass1")
    assert response.status_code == 200
    assert ReplayRecord.objects.get().outcome == "success"
    assert ReplaySlot.objects.count() == 1, "only the other replay's slot is left"


def test_an_expired_lease_does_not_count(replay_client, replayer, sandbox, make_site, settings):
    """A process killed mid-replay cannot hold its slot for ever."""
    settings.REPLAY_MAX_IN_FLIGHT_PER_USER = 1
    site = make_site(sandbox)
    in_flight(replayer, seconds=-1)
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="Sandbox-pass1")
    assert response.status_code == 200
    assert ReplaySlot.objects.count() == 0


def test_a_lease_ends_before_the_worker_timeout(db, replayer):
    with slots.hold(replayer) as slot:
        assert (slot.expires_at - slot.started_at).total_seconds() == pytest.approx(
            settings.REPLAY_MAX_TIMEOUT + settings.REPLAY_TIMEOUT_MARGIN
        )
        assert settings.REPLAY_MAX_TIMEOUT + settings.REPLAY_TIMEOUT_MARGIN <= settings.GUNICORN_TIMEOUT


def test_the_slot_is_released_when_the_replay_fails(db, sandbox, make_site, replayer, monkeypatch):
    site = make_site(sandbox)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(run, "run_replay", broken)
    with pytest.raises(RuntimeError):
        run.replay(site, ReplayInput(text="p.php?AT=LI&WID=host1"), user=replayer)
    assert ReplaySlot.objects.count() == 0
    assert slots._in_process == 0


def test_the_per_process_cap(db, sandbox, make_site, replayer, settings, monkeypatch):
    """Each app server process keeps threads for pages, whatever the site-wide cap."""
    settings.REPLAY_MAX_IN_FLIGHT_PER_PROCESS = 2
    monkeypatch.setattr(slots, "_in_process", 2)
    replayed = run.replay(make_site(sandbox), ReplayInput(text="p.php?AT=LI&WID=host1"), user=replayer)
    record = replayed.record
    assert record.outcome == "blocked" and replayed.busy
    assert "this app server is already running 2 replays" in record.message
    assert sandbox.state.hits == 0


def test_the_command_line_counts_towards_the_site_wide_cap(db, sandbox, make_site, settings):
    settings.REPLAY_MAX_IN_FLIGHT = 1
    make_site(sandbox)
    in_flight()
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("replay", "--site", "sandbox", "p.php?AT=LI&WID=host1", "--json", stdout=out)
    assert exited.value.code == 2
    assert json.loads(out.getvalue())["outcome"] == "blocked"
    assert sandbox.state.hits == 0
