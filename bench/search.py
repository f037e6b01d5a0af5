#!/usr/bin/env python
"""Search benchmark (`make bench`).

For each database (SQLite always; PostgreSQL when DATABASE_URL points at one) it:

1. builds a scratch database (a temporary SQLite file; a PostgreSQL database created and dropped here),
   migrates it, loads the shipped knowledge base and adds synthetic entries with realistic text lengths
   until the knowledge base holds 1k, 10k and 100k entries;
2. at each size runs a fixed mix of 200 queries (exact codes, case variants and aliases, prefixes, typos, known
   message texts typed or quoted in a log line, codes that are not in the knowledge base,
   words and phrases, commands, pasted back URLs / XML) through the real entry point, ``kb.search.search``;
3. runs a naive ``icontains`` search over the same fields (code, title, summary, aliases, cause title, meaning,
   when seen, steps) on the same queries as the baseline (every 4th query at 100k: it is slow);
4. at the largest size serves the app with gunicorn on 127.0.0.1 and measures requests per second of the
   /search/ htmx fragment and of a bare Django view (bench/urls.py, /bench/bare) with a bounded pool of client threads.

It prints p50/p95/p99 per backend and size and writes bench/results/search.json.
A benchmark, not a test: nothing here asserts timings; the targets are checked and reported.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scratch import (  # noqa: E402 - after the path
    ServerDidNotStart,
    child_env,
    chosen_backends,
    each_scratch_database,
    free_port,
    run_child,
    server_env,
    server_version,
    start_gunicorn,
    worker_rss_mb,
)
from bench.yardstick import bare_index_ms, timed_search  # noqa: E402 - after the path

RESULTS = ROOT / "bench" / "results" / "search.json"
SIZES = (1_000, 10_000, 100_000)
QUERY_COUNT = 200
TARGET_P95_MS = {"sqlite": 10.0, "postgresql": 12.0}  # at the largest size, every query word optional
TARGET_WORDS_P95_MS = 15.0  # the words queries at the largest size
TARGET_DB_SHARE = 2.0  # total p95 at most this many times the p95 of the time spent in the database
TARGET_SPEEDUP = 20.0
TARGET_RPS_RATIO = 0.40  # the /search/ fragment against the bare view, answer cache on (the default)
TARGET_RPS_RATIO_NO_CACHE = 0.40  # the same with the answer cache off: every search computed

# ------------------------------------------------------------------------------------------------ synthetic data


def _words(text):
    return text.split()


CODE_PARTS = _words(
    "Access Account Active Address Admin Agenda Alias Already Attendee Audio Auto Backup Bad Billing Branch Cache "
    "Calendar Call Capacity Channel Client Code Conference Config Conflict Cookie Country Credential Data Date "
    "Default Delegate Denied Device Dial Disabled Domain Duration Email Enabled Event Exceeded Expired Failed File "
    "Format Host Identity Instant Invalid Invite Key Language Level License Limit Line List Locked Login Logout "
    "Mail Max Media Meeting Member Missing Mode Name Network Not Number Option Owner Panel Partner Password Phone "
    "Plan Policy Port Presenter Privilege Profile Quota Record Recording Region Register Registration Reminder "
    "Request Required Reserve Resource Role Room Schedule Seat Service Session Setting Site Size Slot Start "
    "Status Storage Support Telephony Template Ticket Time Token Track Type Unknown Upload User Value Video "
    "Webinar Window Zone"
)
DOMAIN_WORDS = _words(
    "meeting session host attendee password ticket login site user account partner duration schedule key "
    "registration telephone line recording email address type service option privilege admin cookie expired "
    "invalid locked limit quota format parameter value missing required denied conflict exists unknown sign "
    "request response command back url redirect status reason code integration client server timeout idle "
    "minutes configuration enabled disabled support contact check send again retry reset verify change create "
    "delete join start list edit allowed maximum default length number phone lines resources calendar invitation "
    "webex api xml security context token permission host's site's administrator tool value format encoded"
)
SYLLABLES = _words("ka lo mi ne ru ta be sor vin dal pre tex mon gra fel cor lin spa ter qua zen hol mar tis")
COMMANDS = [
    "p.php?AT=LI",
    "p.php?AT=LO",
    "p.php?AT=SU",
    "p.php?AT=EU",
    "m.php?AT=SM",
    "m.php?AT=IM",
    "m.php?AT=HM",
    "m.php?AT=JM",
    "m.php?AT=DM",
    "m.php?AT=LM",
    "m.php?AT=OM",
    "o.php?AT=ST",
]


class Generator:
    """Deterministic synthetic entries whose text lengths resemble the shipped ones (about 1-2 KB each)."""

    def __init__(self, seed=20261127):
        self.rng = random.Random(seed)
        pseudo = set()
        while len(pseudo) < 3500:
            pseudo.add("".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4))))
        self.vocabulary = DOMAIN_WORDS + sorted(pseudo)
        # Zipf-like weights: a few words are everywhere, most are rare.
        weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(self.vocabulary))]
        self.cum_weights = list(itertools.accumulate(weights))
        self.codes_used: set[str] = set()

    def words(self, low, high):
        n = self.rng.randint(low, high)
        return self.rng.choices(self.vocabulary, cum_weights=self.cum_weights, k=n)

    def sentence(self, low=8, high=20):
        ws = self.words(low, high)
        return " ".join(ws).capitalize() + "."

    def code(self, existing_lower):
        while True:
            if self.rng.random() < 0.05:
                code = f"{self.rng.randint(100000, 999999):06d}"
            else:
                code = "".join(self.rng.sample(CODE_PARTS, self.rng.randint(3, 4)))
            if code.lower() not in existing_lower:
                existing_lower.add(code.lower())
                return code

    def entry(self, existing_lower):
        code = self.code(existing_lower)
        alias = None
        if self.rng.random() < 0.2 and not code.isdigit():
            alias = self.code(existing_lower)
        causes = []
        for i in range(self.rng.randint(1, 2)):
            causes.append(
                {
                    "slug": f"cause-{i + 1}",
                    "api": "url",
                    "title": self.sentence(5, 10).rstrip("."),
                    "meaning": " ".join(self.sentence() for _ in range(self.rng.randint(2, 3))),
                    "when_seen": self.sentence(6, 14) + " " + self.rng.choice(COMMANDS),
                    "commands": self.rng.sample(COMMANDS, self.rng.randint(1, 3)),
                    "steps": [
                        " ".join(self.sentence(10, 22) for _ in range(self.rng.randint(1, 2)))
                        for _ in range(self.rng.randint(2, 4))
                    ],
                }
            )
        messages = []
        roll = self.rng.random()
        if roll < 0.6:  # most entries carry a message text or two, as the shipped ones do
            messages.append(self.sentence(4, 9))
            if roll < 0.1:
                messages.append(self.sentence(3, 7))
        return {
            "code": code,
            "alias": alias,
            "messages": messages,
            "title": self.sentence(4, 8).rstrip("."),
            "summary": " ".join(self.sentence(10, 20) for _ in range(self.rng.randint(1, 2)))[:300],
            "causes": causes,
        }


def add_synthetic(gen, count, batch=2000):
    """Bulk-insert ``count`` synthetic entries (no signals) and index them; returns the new entry ids."""
    from django.db import transaction

    from kb.models import Alias, Cause, Command, Entry, Message, Step
    from kb.search import reindex

    commands = {c.key: c for c in Command.objects.select_related("service")}
    existing = {c.lower() for c in Entry.objects.values_list("code", flat=True)}
    existing |= {a.lower() for a in Alias.objects.values_list("alias", flat=True)}
    new_ids = []
    done = 0
    while done < count:
        n = min(batch, count - done)
        specs = [gen.entry(existing) for _ in range(n)]
        with transaction.atomic():
            entries = Entry.objects.bulk_create(
                [
                    Entry(
                        code=s["code"],
                        title=s["title"],
                        summary=s["summary"],
                        api="url",
                        category="service",
                        source="synthetic benchmark entry",
                        confidence="low",
                    )
                    for s in specs
                ]
            )
            Alias.objects.bulk_create(
                [Alias(entry=e, alias=s["alias"]) for e, s in zip(entries, specs, strict=True) if s["alias"]]
            )
            Message.objects.bulk_create(
                [
                    Message(entry=e, text=text, kind="client", source="synthetic", position=i)
                    for e, s in zip(entries, specs, strict=True)
                    for i, text in enumerate(s["messages"])
                ]
            )
            cause_specs = [(e, c) for e, s in zip(entries, specs, strict=True) for c in s["causes"]]
            causes = Cause.objects.bulk_create(
                [
                    Cause(
                        entry=e,
                        slug=c["slug"],
                        api="url",
                        title=c["title"],
                        meaning=c["meaning"],
                        when_seen=c["when_seen"],
                        position=i,
                    )
                    for i, (e, c) in enumerate(cause_specs)
                ]
            )
            Step.objects.bulk_create(
                [
                    Step(cause=cause, position=i, text=text)
                    for cause, (_e, c) in zip(causes, cause_specs, strict=True)
                    for i, text in enumerate(c["steps"], start=1)
                ]
            )
            through = Cause.commands.through
            through.objects.bulk_create(
                [
                    through(cause_id=cause.pk, command_id=commands[key].pk)
                    for cause, (_e, c) in zip(causes, cause_specs, strict=True)
                    for key in c["commands"]
                    if key in commands
                ]
            )
            ids = [e.pk for e in entries]
            reindex(ids)
        new_ids.extend(ids)
        done += n
    return new_ids


# ------------------------------------------------------------------------------------------------ queries


def typo(rng, text):
    text = text.lower()
    i = rng.randrange(1, len(text) - 1)
    kind = rng.choice(("drop", "swap", "double"))
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "swap":
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def build_queries(seed=7):
    """200 fixed queries drawn (deterministically) from the knowledge base at its current size."""
    from kb.models import Alias, Entry, Message

    rng = random.Random(seed)
    total = Entry.objects.count()
    ids = sorted(rng.sample(range(total), min(total, 120)))
    sample = list(Entry.objects.order_by("pk").values_list("code", "title")[:total])
    picked = [sample[i] for i in ids]
    codes = [c for c, _ in picked if not c.isdigit()]
    numeric = [c for c, _ in picked if c.isdigit()] or ["030002", "060001"]
    aliases = list(Alias.objects.order_by("pk").values_list("alias", flat=True)[:200])
    queries = []
    queries += [("exact", c) for c in (codes * 2)[:30]]
    queries += [("exact", c) for c in (numeric * 10)[:5]]
    queries += [("case", c.lower()) for c in codes[30:45]]
    queries += [("alias", a) for a in rng.sample(aliases, min(10, len(aliases)))]
    queries += [("prefix", c[: rng.randint(5, 9)]) for c in codes[45:70]]
    queries += [("typo", typo(rng, c)) for c in codes[70:95]]
    title_words = [t.split() for _, t in picked]
    for ws in title_words[:25]:
        k = min(len(ws), rng.randint(2, 3))
        queries.append(("words", " ".join(rng.sample(ws, k)).lower()))
    queries += [
        ("words", q)
        for q in (
            "wrong password",
            "session timed out",
            "meeting too long",
            "wrong passw",
            "email already in use",
            "partner id",
            "meeting locked",
            "phone lines",
            "site admin privilege",
            "ticket not valid",
        )
    ]
    queries += [
        ("command", q)
        for q in (
            "AT=SU",
            "p.php?AT=SU",
            "SU",
            "sign up",
            "login",
            "AT=LI",
            "p.php?AT=LI",
            "m.php?AT=SM",
            "JM",
            "join a meeting",
            "log out",
            "user.GetUser",
            "XMLService:meeting.CreateMeeting",
            "schedule",
            "AT=HM",
        )
    ]
    for c in codes[95:110]:
        at = rng.choice(("LI", "SM", "JM", "SU"))
        queries.append(("pasted-url", f"https://acme.webex.com/acme/back.php?AT={at}&ST=FAIL&RS={c}"))
    for c in numeric[:5]:
        queries.append(
            (
                "pasted-xml",
                f"<serv:result>FAILURE</serv:result><serv:reason>x</serv:reason>"
                f"<serv:exceptionID>{c}</serv:exceptionID>",
            )
        )
    queries.append(
        (
            "pasted-redirect",
            '<script>location.href="https\\x3a\\x2f\\x2facme.webex.com\\x2fa\\x3fAT'
            '\\x3dLI\\x26ST\\x3dFAIL\\x26RS\\x3dBadWebExIDorPassword";</script>',
        )
    )
    queries.append(("pasted-log", "ERROR 10:00 back=https://a.webex.com/a/b?AT=SM&ST=FAIL&RS=AccessDenied"))
    messages = list(Message.objects.order_by("pk").values_list("text", flat=True)[:2000])
    for text in rng.sample(messages, min(8, len(messages))):  # a message typed, or pasted in other case
        queries.append(("message", text if rng.random() < 0.5 else text.upper().rstrip(".")))
    for text in rng.sample(messages, min(6, len(messages))):  # a message quoted in a log line or a trace
        queries.append(("message-quoted", f'2026-11-30 10:02:11 ERROR [sync] webex call failed: "{text}" (retry 2)'))
    queries += [("missing", q) for q in ("030099", "InvalidSiteID", "060099", "SesionTimedOut")]
    while len(queries) < QUERY_COUNT:  # top up with more exact codes, deterministically
        queries.append(("exact", rng.choice(codes)))
    return queries[:QUERY_COUNT]


def naive_search(q, limit=20):
    """What a first attempt would do: icontains over every text field, with joins, distinct."""
    from django.db.models import Q

    from kb.models import Entry

    q = q[:500]
    cond = (
        Q(code__icontains=q)
        | Q(title__icontains=q)
        | Q(summary__icontains=q)
        | Q(aliases__alias__icontains=q)
        | Q(causes__title__icontains=q)
        | Q(causes__meaning__icontains=q)
        | Q(causes__when_seen__icontains=q)
        | Q(causes__steps__text__icontains=q)
    )
    return list(Entry.objects.filter(cond).distinct().order_by("code").values_list("code", flat=True)[:limit])


def percentiles(samples_ms):
    s = sorted(samples_ms)

    def pick(p):
        if not s:
            return None
        k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
        return round(s[k], 3)

    return {"p50": pick(50), "p95": pick(95), "p99": pick(99), "mean": round(statistics.fmean(s), 3), "n": len(s)}


def time_calls(fn, queries, repeat=1):
    """Per query, the median of ``repeat`` timed calls (a shared machine's scheduler adds noise)."""
    out = []
    for _kind, q in queries:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn(q)
            runs.append((time.perf_counter() - started) * 1000)
        out.append(statistics.median(runs))
    return out


# ------------------------------------------------------------------------------------------------ HTTP


def load(port, paths, headers, seconds, threads):
    """Requests per second over ``seconds`` with ``threads`` client threads cycling through ``paths``."""
    stop = time.perf_counter() + seconds
    counts = [0] * threads
    errors = [0] * threads

    def worker(n):
        i = n
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += threads
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    counts[n] += 1
                else:
                    errors[n] += 1
            except OSError:
                errors[n] += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "rps": round(sum(counts) / elapsed, 1),
        "ok": sum(counts),
        "errors": sum(errors),
        "seconds": round(elapsed, 2),
    }


def http_comparison(env, queries, seconds, threads, workers, cache=True):
    port = free_port()
    env = server_env(
        base=env,  # the child's: its scratch database, LOG_LEVEL and ACCESS_LOG_LEVEL at WARNING
        settings_module="bench.search_settings",
        BENCH_SEARCH_CACHE_SIZE="512" if cache else "0",
        DB_CONN_MAX_AGE="60",  # persistent database connections, as a production deployment would use
    )
    try:
        with start_gunicorn(env, workers=workers, port=port, output=subprocess.DEVNULL):
            measured = measure_http(port, queries, seconds, threads, workers)
            measured["worker_rss_mb"] = worker_rss_mb(port)  # after the load: every cache as full as it gets
            return measured
    except ServerDidNotStart as exc:
        return {"error": str(exc)}


def measure_http(port, queries, seconds, threads, workers):
    bare_paths = ["/bench/bare"]
    fragment_paths = ["/search/?q=" + quote(q, safe="") for _k, q in queries]
    hx = {"HX-Request": "true"}
    load(port, bare_paths, {}, 2, threads)  # warm up both
    load(port, fragment_paths, hx, 2, threads)
    rounds = []
    for _ in range(3):  # interleave, so drift on a shared machine hits both alike
        bare = load(port, bare_paths, {}, seconds, threads)
        fragment = load(port, fragment_paths, hx, seconds, threads)
        rounds.append((bare, fragment))
    bare_rps = statistics.median(b["rps"] for b, _ in rounds)
    fragment_rps = statistics.median(f["rps"] for _, f in rounds)
    return {
        "workers": workers,
        "client_threads": threads,
        "seconds_per_round": seconds,
        "rounds": [{"bare": b, "fragment": f} for b, f in rounds],
        "bare_rps": round(bare_rps, 1),
        "fragment_rps": round(fragment_rps, 1),
        "ratio": round(fragment_rps / bare_rps, 3) if bare_rps else None,
    }


# ------------------------------------------------------------------------------------------------ one backend


def run_backend(args):
    """Runs inside a child process whose environment points Django at the scratch database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.search_settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kb.models import Entry
    from kb.search import search

    def uncached(q):
        return search(q, use_cache=False)

    call_command("migrate", verbosity=0)
    call_command("load_kb", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    gen = Generator()
    out = {"vendor": connection.vendor, "sizes": [], "query_mix": {}, "http": {}}
    if args.http_seconds > 0:  # the shipped knowledge base, as served in production
        connection.close()
        http = http_comparison(dict(os.environ), build_queries(), args.http_seconds, args.threads, args.workers)
        out["http"]["shipped"] = dict(http, entries=Entry.objects.count())
        http = http_comparison(
            dict(os.environ), build_queries(), args.http_seconds, args.threads, args.workers, cache=False
        )
        out["http"]["shipped-no-answer-cache"] = dict(http, entries=Entry.objects.count(), answer_cache=False)
    for size in args.sizes:
        have = Entry.objects.count()
        started = time.perf_counter()
        if size > have:
            add_synthetic(gen, size - have)
        build_s = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":
            # What autovacuum does in production after a bulk load: planner statistics, and the GIN indexes' pending
            # lists merged (a scan reads the whole pending list until then).
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
        queries = build_queries()
        out["query_mix"] = {k: sum(1 for kind, _q in queries if kind == k) for k in sorted({k for k, _ in queries})}
        for _kind, q in queries[:20]:  # warm the database's caches
            uncached(q)
        timed = [timed_search(uncached, q) for _kind, q in queries]
        search_ms = [t[0] for t in timed]
        db_ms = [t[1] for t in timed]
        bare_ms = [bare_index_ms(q) for _kind, q in queries]
        baseline_queries = queries if size < 50_000 else queries[::4]
        time_calls(naive_search, baseline_queries[:5])  # warm up
        naive_ms = time_calls(naive_search, baseline_queries)
        by_kind: dict[str, dict[str, list]] = {}
        for (kind, _q), total, db, bare in zip(queries, search_ms, db_ms, bare_ms, strict=True):
            slot = by_kind.setdefault(kind, {"total": [], "db": [], "bare": []})
            slot["total"].append(total)
            slot["db"].append(db)
            if bare is not None:
                slot["bare"].append(bare)
        row = {
            "size": Entry.objects.count(),
            "build_seconds": build_s,
            "search_ms": percentiles(search_ms),
            "db_ms": percentiles(db_ms),
            "bare_index_ms": percentiles([b for b in bare_ms if b is not None]),
            "statements_mean": round(statistics.fmean(t[2] for t in timed), 2),
            "naive_ms": percentiles(naive_ms),
            "naive_queries": len(baseline_queries),
            "search_p95_by_kind": {k: percentiles(v["total"])["p95"] for k, v in sorted(by_kind.items())},
            "by_kind": {
                k: {
                    "n": len(v["total"]),
                    "total_p95": percentiles(v["total"])["p95"],
                    "db_p95": percentiles(v["db"])["p95"],
                    "bare_index_p95": percentiles(v["bare"])["p95"] if v["bare"] else None,
                }
                for k, v in sorted(by_kind.items())
            },
        }
        row["speedup_p50"] = round(row["naive_ms"]["p50"] / row["search_ms"]["p50"], 1)
        row["speedup_p95"] = round(row["naive_ms"]["p95"] / row["search_ms"]["p95"], 1)
        out["sizes"].append(row)
        print(
            f"  {connection.vendor} {row['size']:>7}: search p95 {row['search_ms']['p95']} ms, "
            f"naive p95 {row['naive_ms']['p95']} ms (built in {build_s}s)",
            file=sys.stderr,
            flush=True,
        )
    if args.http_seconds > 0:
        connection.close()
        http = http_comparison(dict(os.environ), build_queries(), args.http_seconds, args.threads, args.workers)
        out["http"]["largest"] = dict(http, entries=Entry.objects.count())
    out["server_version"] = server_version(connection)
    Path(args.child_out).write_text(json.dumps(out))


# ------------------------------------------------------------------------------------------------ orchestration


def fmt(p):
    return f"{p['p50']:>8.2f} {p['p95']:>8.2f} {p['p99']:>8.2f}"


def print_table(results):
    print()
    print(
        f"{'backend':<11}{'entries':>8} | {'search p50':>8} {'p95':>8} {'p99':>8} ms | "
        f"{'naive p50':>8} {'p95':>8} {'p99':>8} ms | {'x p95':>6}"
    )
    print("-" * 100)
    for backend, data in results.items():
        for row in data["sizes"]:
            print(
                f"{backend:<11}{row['size']:>8} | {fmt(row['search_ms'])}    | {fmt(row['naive_ms'])}    | "
                f"{row['speedup_p95']:>6.1f}"
            )
    print()
    print("The yardstick: p95 ms of the search, of its time in the database, and of the bare any-word index query")
    for backend, data in results.items():
        for row in data["sizes"]:
            print(
                f"{backend:<11}{row['size']:>8} | search {row['search_ms']['p95']:>7.2f} | in the database "
                f"{row['db_ms']['p95']:>7.2f} ({row['statements_mean']} statements) | bare index query "
                f"{row['bare_index_ms']['p95']:>8.2f} | total / database "
                f"{row['search_ms']['p95'] / max(row['db_ms']['p95'], 0.001):.2f}"
            )
        big = max(data["sizes"], key=lambda r: r["size"])
        print(f"  {backend} at {big['size']} by kind (p95 ms): total / database / bare index query")
        for kind, k in big["by_kind"].items():
            bare = "-" if k["bare_index_p95"] is None else f"{k['bare_index_p95']:.2f}"
            print(f"    {kind:<16} n={k['n']:>3}  {k['total_p95']:>8.2f} {k['db_p95']:>8.2f} {bare:>9}")
    print()
    for backend, data in results.items():
        for label, h in (data.get("http") or {}).items():
            if "ratio" in h:
                print(
                    f"{backend:<11}{h['entries']:>8} entries{' (answer cache off)' if label.endswith('cache') else ''}"
                    f", gunicorn ({h['workers']} workers, "
                    f"{h['client_threads']} client threads): bare view {h['bare_rps']} req/s, "
                    f"/search/ htmx fragment {h['fragment_rps']} req/s -> {h['ratio'] * 100:.0f}% of bare; "
                    f"worker RSS {h.get('worker_rss_mb')} MB"
                )
            else:
                print(f"{backend:<11} gunicorn ({label}): {h}")
    print()


def check_targets(results):
    notes = []
    for backend, data in results.items():
        big = max(data["sizes"], key=lambda r: r["size"])
        target = TARGET_P95_MS.get(backend, min(TARGET_P95_MS.values()))
        notes.append(
            (
                f"{backend}: p95 at {big['size']} entries <= {target} ms",
                big["search_ms"]["p95"] <= target,
                big["search_ms"]["p95"],
            )
        )
        words = big["by_kind"].get("words")
        if words:
            notes.append(
                (
                    f"{backend}: words queries p95 at {big['size']} entries <= {TARGET_WORDS_P95_MS} ms",
                    words["total_p95"] <= TARGET_WORDS_P95_MS,
                    words["total_p95"],
                )
            )
        share = round(big["search_ms"]["p95"] / max(big["db_ms"]["p95"], 0.001), 2)
        notes.append(
            (
                f"{backend}: total p95 <= {TARGET_DB_SHARE:.0f}x the database part's p95 at {big['size']} entries",
                share <= TARGET_DB_SHARE,
                share,
            )
        )
        notes.append(
            (
                f"{backend}: >= {TARGET_SPEEDUP:.0f}x faster than naive (p95)",
                big["speedup_p95"] >= TARGET_SPEEDUP,
                big["speedup_p95"],
            )
        )
        for h in (data.get("http") or {}).values():
            if "ratio" in h:
                wanted = TARGET_RPS_RATIO_NO_CACHE if h.get("answer_cache") is False else TARGET_RPS_RATIO
                notes.append(
                    (
                        f"{backend}: fragment >= {wanted:.0%} of bare view RPS at {h['entries']} entries"
                        + (" (answer cache off)" if h.get("answer_cache") is False else ""),
                        h["ratio"] >= wanted,
                        h["ratio"],
                    )
                )
    for text, ok, value in notes:
        print(f"  [{'met' if ok else 'MISSED'}] {text}: {value}")
    return [{"target": t, "met": ok, "value": v} for t, ok, v in notes]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--backends", default="auto", help="sqlite,postgresql or auto (PostgreSQL when DATABASE_URL)")
    parser.add_argument("--http-seconds", type=float, default=8.0, help="per round; 0 skips the gunicorn comparison")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in str(args.sizes).split(",") if s]
    if args.child:
        run_backend(args)
        return 0

    # The child runs as production does (DEBUG off: no query log), on loopback.
    env = server_env(base=child_env("bench.search_settings"))
    child_args = ["--sizes", ",".join(str(s) for s in args.sizes), "--http-seconds", str(args.http_seconds)]
    child_args += ["--threads", str(args.threads), "--workers", str(args.workers)]
    results = {}
    for backend, overrides in each_scratch_database(chosen_backends(args.backends), prefix="bench_search"):
        print(f"Benchmarking {backend} at {args.sizes} entries ...", file=sys.stderr, flush=True)
        results[backend] = run_child(Path(__file__).resolve(), ["--child", backend, *child_args], env | overrides)
    print_table(results)
    targets = check_targets(results)
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "queries": QUERY_COUNT,
        "results": results,
        "targets": targets,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 1 if args.strict and not all(t["met"] for t in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
