"""The ``server`` and ``browser`` marks that `make quick` (``pytest -m "not browser and not server"``) relies on: every
test that starts a real server process or drives Chromium carries its mark (conftest.py sets them from the fixtures a
test uses), so the quick run starts neither."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER_FIXTURES = {"gunicorn", "scratch_env", "manage"}
# Modules whose tests start gunicorn; each must show up under -m server (a test there may also run in-process).
SERVER_MODULES = {
    "core/tests/test_front.py",
    "core/tests/test_head.py",
    "core/tests/test_login_throttle.py",
    "core/tests/test_server_faults.py",
    "core/tests/test_two_servers.py",
    "kb/tests/search/test_log_lock.py",
    "replay/tests/test_multiprocess.py",
    "replay/tests/test_starvation.py",
}


def test_tests_of_this_run_that_use_a_server_or_a_browser_carry_the_mark(request):
    """Whatever this run selected: a test using a server fixture is marked server, one using ``browser`` browser."""
    for item in request.session.items:
        used = set(getattr(item, "fixturenames", ()))
        if used & SERVER_FIXTURES:
            assert item.get_closest_marker("server"), item.nodeid
        if "browser" in used:
            assert item.get_closest_marker("browser"), item.nodeid


def test_minus_m_server_selects_the_tests_that_start_gunicorn_and_only_those():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", "server"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    selected = [line for line in done.stdout.splitlines() if "::" in line]
    assert {line.split("::")[0] for line in selected} == SERVER_MODULES
    assert "kb/tests/search/test_log_lock.py::test_searches_answer_while_the_write_lock_is_held" in selected
    assert not [line for line in selected if "test_log_lock.py::test_rows_are_kept" in line]  # in-process: not marked
