"""How long a triage card takes for a 20 KB ticket, in process: ``python bench/triage.py [runs]``.

Two tickets of 20,000 characters. The dense one is a worst case: every block holds something to read (a mail with
quoted replies, log lines carrying XML API and URL API codes, back URLs with passwords, an XML API answer, an HTML
form, a REST error), repeated with other values. The mail thread is a usual ticket: a first message with a log line, a
back URL and a REST error, then replies that each quote it. ``build_card`` runs ``runs`` times (50 by default) on
each; the dense ticket with the search's per-process answer cache as configured and with it off, the thread with it
off. Each run's ticket differs (its times and numbers change), so no run reuses another's parts. Prints p50, p95 and
the worst, wall-clock and CPU, in milliseconds.

Uses the database the settings name (SQLITE_PATH or DATABASE_URL), with the knowledge base loaded (``load_kb``).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.test.utils import override_settings  # noqa: E402

from kb.triage.card import build_card  # noqa: E402

BLOCK = """
> On Mon, 07 Dec 2026 {hh}:{mm}:12 +0100, Ana Pereira <ana@example.com> wrote:
> Our portal cannot log users in since this morning, request #{n}.

2026-12-07T{hh}:{mm}:40Z ERROR webex-client Error 030002: Incorrect user or password
2026-12-07 {hh}:{mm}:02 UTC [WebEx] FAILURE 060001 Corresponding Meeting not found
2026-12-07 {hh}:{mm}:05 UTC INFO retrying user {n} after AccessDenied
https://acme.webex.com/acme/p.php?AT=LI&ST=FAIL&RS=AccessDenied&WID=jdoe{n}&PW=secret{n}

<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service">
  <serv:header><serv:response><serv:result>FAILURE</serv:result>
  <serv:reason>Corresponding Meeting not found</serv:reason>
  <serv:gsbStatus>PRIMARY</serv:gsbStatus><serv:exceptionID>060001</serv:exceptionID></serv:response></serv:header>
  <serv:body><serv:bodyContent/></serv:body>
</serv:message>

<form action="https://acme.webex.com/acme/p.php" method="post"><input type="hidden" name="AT" value="SU">
<input name="PID" value="pid{n}"><input name="WID" value="new{n}"><input type="password" name="PW" value="x{n}"></form>

HTTP/1.1 429 Too Many Requests
Content-Type: application/json

{{"message": "Rate limit exceeded", "errors": [{{"description": "Too many requests"}}], "trackingId": "ROUTER_{n}_ABC"}}

Thanks for looking at this, the customer is waiting and this has been going on for a while now. We tried
clearing the cookies, another browser, and a different network; nothing helped. Kind regards, the portal team.
"""


def ticket(run: int, size: int = 20_000) -> str:
    parts, i = [], 0
    while sum(map(len, parts)) < size:
        parts.append(BLOCK.format(hh=f"{8 + i % 10:02d}", mm=f"{(run + i) % 60:02d}", n=run * 100 + i))
        i += 1
    return "".join(parts)[:size]


THREAD_START = """From: Ana Pereira <ana@example.com>
Date: Mon, 07 Dec 2026 09:{mm}:12 +0100
Subject: WebEx log-in broken since this morning (case {n})

Hi team, since this morning our portal cannot log users in. The log shows:
2026-12-07T08:{mm}:40Z ERROR webex-client Error 030002: Incorrect user or password
The browser came back to https://acme.webex.com/acme/p.php?AT=LI&ST=FAIL&RS=AccessDenied&WID=jdoe{n}&PW=secret{n}
Our REST call answered HTTP/1.1 401 with
{{"message": "The request requires a valid access token.", "trackingId": "ROUTER_{n}_ABC"}}
"""
REPLY = """
Hello Ana, thank you for the details. Could you tell us which site this is, the exact request you sent, and when
it started? We also need the tracking ID of the REST answer if you have it. Kind regards, the help desk ({i}).
"""


def thread(run: int, size: int = 20_000) -> str:
    """A mail thread: a first message with a log line, a back URL and a REST error, then replies that each quote it,
    until ``size`` characters."""
    first = THREAD_START.format(mm=f"{run % 60:02d}", n=run)
    quoted = "\n".join("> " + line for line in first.splitlines())
    text, i = first, 0
    while len(text) < size:
        text = REPLY.format(i=i) + "\n" + quoted + "\n" + text
        i += 1
    return text[-size:]  # the newest replies may be cut; the first message stays whole


def measure(runs: int, make=None) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run (CPU time leaves out the time other processes of a shared machine
    took the cores; SQLite runs in this process, so its work is counted)."""
    wall, cpu = [], []
    for run in range(runs):
        text = (make or ticket)(run)
        started, started_cpu = time.perf_counter(), time.process_time()
        build_card(text)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def _p95(times):
    ordered = sorted(times)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def report(label: str, measured) -> None:
    wall, cpu = measured
    print(
        f"{label}: runs {len(wall)}, wall p50 {statistics.median(wall):.1f} ms, p95 {_p95(wall):.1f} ms, "
        f"worst {max(wall):.1f} ms; CPU p50 {statistics.median(cpu):.1f} ms, p95 {_p95(cpu):.1f} ms"
    )


def main(runs: int = 50) -> None:
    text = ticket(0)
    card = build_card(text)  # warm up: the search's knowledge snapshot and the lexicon load once per process
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"ticket: {len(text)} characters, {len(text.splitlines())} lines, {len(card.items)} things found")
    report("dense ticket, answer cache as configured", measure(runs))
    with override_settings(SEARCH_CACHE_SIZE=0):
        report("dense ticket, answer cache off", measure(runs))
        mail = thread(0)
        found = len(build_card(mail).items)
        print(f"mail thread: {len(mail)} characters, {len(mail.splitlines())} lines, {found} things found")
        report("mail thread, answer cache off", measure(runs, thread))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
