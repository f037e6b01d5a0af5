#!/usr/bin/env python
"""Search quality on real WebEx texts (`make eval`).

For each database (SQLite always; PostgreSQL too when DATABASE_URL points at one) it builds a scratch database (a
temporary SQLite file; a PostgreSQL database named eval_<pid>, created and dropped here), migrates it, loads the
shipped knowledge base, runs every text of the dev set (kb/tests/data/eval_corpus.json) and of the held-out set
(kb/tests/data/eval_heldout.json) through ``kb.search.search``, then searches each stored message with itself left
out ("leave-one-out": a wording search has not stored, like the held-out set's, but one that may be tuned on; see
bench/evaluation.py for the scoring), prints ``top-1 0.xx (n/N), top-3 0.xx``, the calibration and the misses (the
held-out set's only when asked), and writes bench/results/eval.json. Leave-one-out runs on the first database only
(a delete and a rollback per message; both databases rank alike, as the golden-order test checks). Each database is
evaluated in a child process (Django is set up once per process).

A report, not a test: the threshold is asserted by kb/tests/search/test_eval.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scratch import child_env, chosen_backends, each_scratch_database, run_child, server_version  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "eval.json"


def run_backend(corpus, heldout, child_out, *, loo=True):
    """Runs inside a child process whose environment points Django at the scratch database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.evaluation import evaluate, leave_one_out, load_corpus
    from kb.models import Entry

    call_command("migrate", verbosity=0)
    call_command("load_kb", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    known = set(Entry.objects.values_list("code", flat=True))
    out = {
        "vendor": connection.vendor,
        "server_version": server_version(connection),
        "entries": Entry.objects.count(),
        "sets": {},
    }
    for name, path in (("dev", corpus), ("held-out", heldout)):
        if not path or not Path(path).exists():
            continue
        started = time.perf_counter()
        report = evaluate(load_corpus(path))
        out["sets"][name] = {
            "summary": report.summary(),
            "miss_lines": report.miss_lines(),
            "codes_not_in_kb": sorted({o.item.get("expected") for o in report.outcomes} - known - {None}),
            "seconds": round(time.perf_counter() - started, 1),
            **report.to_json(),
        }
    if not loo:
        Path(child_out).write_text(json.dumps(out))
        return
    started = time.perf_counter()
    report = leave_one_out()
    out["sets"]["leave-one-out"] = {
        "summary": report.summary(),
        "miss_lines": report.miss_lines(),
        "codes_not_in_kb": [],
        "seconds": round(time.perf_counter() - started, 1),
        **report.to_json(),
    }
    Path(child_out).write_text(json.dumps(out))


def _groups(rows):
    return ", ".join(
        f"{k} {v['top1']}/{v['n']}" + (f" ({v['confident']} sure)" if v.get("confident") else "")
        for k, v in rows.items()
    )


def print_backend(backend, data, *, show_heldout_misses=False):
    print(f"{backend} ({data['server_version']}, {data['entries']} entries)")
    for name, result in data["sets"].items():
        print(f"  {name} ({result['total']} texts, {result['seconds']} s): {result['summary']}")
        print(f"    top-1 by kind: {_groups(result['by_kind'])}")
        print(f"    top-1 by language: {_groups(result['by_language'])}")
        print(f"    top-1 by language, codes with an entry: {_groups(result['by_language_known_code'])}")
        print(f"    by category: {_groups(result['by_category'])}")
        held, other = result["verbatim"]["verbatim"], result["verbatim"]["other"]
        print(
            f"    texts holding a stored message word for word: {held['top1']}/{held['n']} top-1; "
            f"the others {other['top1']}/{other['n']}"
        )
        if result["codes_not_in_kb"]:
            print(f"    expected codes not in the knowledge base: {', '.join(result['codes_not_in_kb'])}")
        if result["miss_lines"] and (name != "held-out" or show_heldout_misses):
            print(f"    misses ({len(result['miss_lines'])}):")
            for line in result["miss_lines"]:
                print(f"      {line}")
        elif result["miss_lines"]:
            count = len(result["miss_lines"])
            print(f"    {count} misses, not shown (held out: --show-heldout-misses once tuning is done)")
    print()


def main(argv=None):
    from bench.evaluation import CORPUS_PATH, HELDOUT_PATH

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(CORPUS_PATH), help="the dev set (tuned on)")
    parser.add_argument("--heldout", default=str(HELDOUT_PATH), help="the held-out set (only scored)")
    parser.add_argument("--show-heldout-misses", action="store_true", help="print the held-out set's misses too")
    parser.add_argument("--backends", default="auto", help="sqlite,postgresql or auto (PostgreSQL when DATABASE_URL)")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--no-leave-one-out", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_backend(args.corpus, args.heldout, args.child_out, loo=not args.no_leave_one_out)
        return 0

    env = child_env("config.settings")
    results = {}
    for backend, overrides in each_scratch_database(chosen_backends(args.backends), prefix="eval"):
        print(f"Evaluating on {backend} ...", file=sys.stderr, flush=True)
        child_args = ["--child", backend, "--corpus", str(args.corpus), "--heldout", str(args.heldout)]
        if results:  # leave-one-out on the first database only: the ranking is shared (the golden-order test)
            child_args.append("--no-leave-one-out")
        results[backend] = run_child(Path(__file__).resolve(), child_args, env | overrides)
    print()
    for backend, data in results.items():
        print_backend(backend, data, show_heldout_misses=args.show_heldout_misses)
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "corpus": str(Path(args.corpus).relative_to(ROOT)) if Path(args.corpus).is_relative_to(ROOT) else args.corpus,
        "results": {
            b: {**d, "sets": {n: {k: v for k, v in r.items() if k != "miss_lines"} for n, r in d["sets"].items()}}
            for b, d in results.items()
        },
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
