"""Hand probe of the write limits (docs/deploy.md): gunicorn as ``make serve`` runs it, on a scratch SQLite database
(or DATABASE_URL's PostgreSQL with ``--postgres``), and one client on 127.0.0.1 that keeps no cookie but its CSRF
token, firing 300 "not helpful" votes and then 300 edit suggestions as fast as it can. Prints what was accepted, the
time taken, the session rows made, and where an older real suggestion stands in the review queue.

    .venv/bin/python bench/probe_writes.py [--postgres]
"""

import argparse
import http.client
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import ROOT, each_scratch_database, server_env, start_gunicorn

CHECK = """
import json
from datetime import timedelta
from django.contrib.sessions.models import Session
from django.utils import timezone
from kb.editing import review
from kb.models import Entry, EntryFeedback, Suggestion
edits, codes = review.open_suggestion_pages()
groups, total = edits.groups, edits.total
print(json.dumps({
    "sessions": Session.objects.count(),
    "votes": EntryFeedback.objects.count(),
    "unhelpful_senders": sum(review.unhelpful_counts(30).values()),
    "edit_suggestions": Suggestion.objects.filter(entry__isnull=False).count(),
    "queue_groups": total,
    "real_item_position": [g.first.note for g in groups].index("Step 3 names the wrong menu (real, older)") + 1,
}))
"""

SEED = """
from datetime import timedelta
from django.utils import timezone
from kb.models import Entry, Suggestion
entry = Entry.objects.get(code="AlreadyLogon")
note = "Step 3 names the wrong menu (real, older)"
s, _ = Suggestion.objects.record("AlreadyLogon", origin=Suggestion.Origin.EDIT, entry=entry, note=note, sender="u:0")
Suggestion.objects.filter(pk=s.pk).update(created_at=timezone.now() - timedelta(days=20))
"""


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def csrf(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    html = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    return cookie, token


def fire(base, path, fields, n=300):
    """``n`` POSTs on one keep-alive connection, sending only the CSRF cookie (any other cookie is dropped)."""
    conn = http.client.HTTPConnection(urlsplit(base).hostname, urlsplit(base).port, timeout=30)
    cookie, token = csrf(conn, path)
    statuses = []
    started = time.perf_counter()
    for i in range(n):
        body = urlencode({**fields(i), "csrfmiddlewaretoken": token})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
        headers["Referer"] = base + path
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
    seconds = time.perf_counter() - started
    conn.close()
    return {
        "accepted": sum(1 for s in statuses if s < 400),
        "refused_429": statuses.count(429),
        "other": sorted({s for s in statuses if s >= 400 and s != 429}),
        "seconds": round(seconds, 2),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    for backend, database in each_scratch_database(["postgresql" if args.postgres else "sqlite"], "probe_writes"):
        env = server_env(database, static_root=tempfile.mkdtemp(prefix="probe-static-"))
        manage(env, "migrate", "--noinput")
        manage(env, "load_kb")
        manage(env, "collectstatic", "--noinput")
        manage(env, "shell", "-c", SEED)
        with start_gunicorn(env, output=subprocess.DEVNULL, seconds=120) as base:
            votes = fire(base, "/errors/AccessDenied/feedback/", lambda i: {"helpful": "no"})
            suggestions = fire(base, "/errors/AccessDenied/suggest/", lambda i: {"note": f"spam {i}"})
        after = json.loads(manage(env, "shell", "-c", CHECK).strip().splitlines()[-1])
        print(json.dumps({"backend": backend, "votes": votes, "suggestions": suggestions, "after": after}, indent=2))


if __name__ == "__main__":
    main()
