"""`make loadtest`: the production server under a mixed load, on 127.0.0.1 only, bounded in time.

It starts gunicorn with DEBUG off on a scratch database (SQLite, or DATABASE_URL when set), crawls the app for
real URLs (entry pages, search-as-you-type bursts, wizard steps, the JSON API), then drives them with wrk
(LOADTEST_THREADS (8) threads, each a group of browsers with its own session cookie, as visitors keep theirs):
  1. the mixed load: LOADTEST_SECONDS (60) at LOADTEST_CONNECTIONS (32) connections;
  2. the entry page alone, and a bare Django view (the ceiling), LOADTEST_SHORT_SECONDS (20) each.
It prints requests per second, p50/p95/p99 latency and errors, and writes bench/results/loadtest.json.
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scratch import server_env, start_gunicorn  # noqa: E402 - after the path

RESULTS = ROOT / "bench" / "results"
PY = sys.executable
SECONDS = int(os.getenv("LOADTEST_SECONDS", "60"))
SHORT = int(os.getenv("LOADTEST_SHORT_SECONDS", "20"))
CONNECTIONS = int(os.getenv("LOADTEST_CONNECTIONS", "32"))
THREADS = int(os.getenv("LOADTEST_THREADS", "8"))

LUA = r"""
local paths = {PATHS}
local cookies = {COOKIES}
local counter = 0
local thread_count = 0
-- Each thread is a group of browsers with its own session cookie, as real visitors keep theirs.
setup = function(thread)
  thread_count = thread_count + 1
  thread:set("cookie", cookies[((thread_count - 1) % #cookies) + 1])
  thread:set("offset", thread_count * 7)
end
init = function(args)
  counter = offset or 0
end
request = function()
  counter = counter + 1
  local p = paths[(counter % #paths) + 1]
  local headers = {}
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  if p[2] then headers["HX-Request"] = "true" end
  return wrk.format("GET", p[1], headers)
end
done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
end
"""


def manage(env, *args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def fetch(base, path, headers=None):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def crawl_wizard(base, limit=40):
    """Wizard step URLs, found by following its links from /troubleshoot/."""
    seen, queue, steps = set(), ["/troubleshoot/"], []
    while queue and len(steps) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            status, html = fetch(base, path)
        except Exception:  # noqa: S112 - a missing wizard just means no wizard URLs in the mix
            continue
        if status != 200:
            continue
        steps.append(path)
        parser = Links()
        parser.feed(html)
        for href in parser.hrefs:
            url = urlparse(urljoin(base + path, href))
            if url.path.startswith("/troubleshoot/") and "feedback" not in url.path:
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return steps


def build_paths(base):
    codes = [e["code"] for e in json.loads(fetch(base, "/api/errors/")[1])["results"]]
    entries = [(f"/errors/{quote(c)}/", False) for c in codes]
    api = [(f"/api/errors/{quote(c)}/", False) for c in codes[:10]]
    bursts = []
    for word in ["badwebexidorpassword", "theduration", "accessdenied", "wrong password", "p.php?AT=SU"]:
        for n in range(2, len(word) + 1, 2):
            bursts.append((f"/search/?q={quote(word[:n])}", True))
    api_search = [(f"/api/search/?q={quote(q)}", False) for q in ["AccessDenied", "030002", "AT=SU", "sign up"]]
    wizard = [(p, False) for p in crawl_wizard(base)]
    mixed = []
    # Interleave the kinds so that every connection sees the mix.
    kinds = [entries, bursts, wizard, api + api_search]
    longest = max(len(k) for k in kinds)
    for i in range(longest):
        for kind in kinds:
            if kind:
                mixed.append(kind[i % len(kind)])
    for path, htmx in mixed:
        status, _ = fetch(base, path, {"HX-Request": "true"} if htmx else None)
        if status != 200:
            raise SystemExit(f"loadtest: {path} answered {status} before the run; fix it first")
    return {"mixed": mixed, "entry": [("/errors/BadWebExIDorPassword/", False)], "bare": [("/bench/bare", False)]}, {
        "entries": len(entries),
        "search_bursts": len(bursts),
        "wizard_steps": len(wizard),
        "api": len(api) + len(api_search),
    }


def lua_table(paths):
    return "{" + ", ".join(f"{{{json.dumps(p)}, {'true' if h else 'false'}}}" for p, h in paths) + "}"


def session_cookies(base, count):
    """One session per wrk thread, started the way a browser starts one: by opening the wizard."""
    cookies = []
    for _ in range(count):
        request = urllib.request.Request(base + "/troubleshoot/log-in/")
        with urllib.request.urlopen(request, timeout=10) as response:
            header = response.headers.get_all("Set-Cookie") or []
        cookies.append("; ".join(h.split(";", 1)[0] for h in header))
    return cookies


def run_wrk(base, paths, seconds, cookies=()):
    lua_cookies = "{" + ", ".join(json.dumps(c) for c in (cookies or [""])) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.replace("{PATHS}", lua_table(paths)).replace("{COOKIES}", lua_cookies))
    try:
        out = subprocess.run(
            ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s", "-s", script.name, base],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    match = re.search(r"^RESULT (\{.*\})$", out, re.M)
    if not match:
        raise SystemExit(f"loadtest: could not read wrk's output:\n{out}")
    raw = json.loads(match.group(1))
    errors = sum(raw[k] for k in ("connect", "read", "write", "timeout", "status"))
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "errors": errors,
        "error_detail": {k: raw[k] for k in ("connect", "read", "write", "timeout", "status")},
    }


def main():
    if not shutil.which("wrk"):
        raise SystemExit("loadtest needs wrk: apt-get install -y wrk (make loadtest installs it when run as root)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="kb-loadtest-"))
    # DATABASE_URL when set (the database it names), a scratch SQLite file otherwise.
    database = None if os.getenv("DATABASE_URL") else {"SQLITE_PATH": str(workdir / "loadtest.sqlite3")}
    env = server_env(
        database,
        static_root=workdir / "static",
        allowed_hosts="127.0.0.1,localhost",
        settings_module="bench.settings",
    )
    print("loadtest: preparing a scratch database and static files …", flush=True)
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "load_kb")
        manage(env, "collectstatic", "--noinput")
        with start_gunicorn(env) as base:  # gunicorn.conf.py's workers and threads, as `make serve` runs
            paths, mix = build_paths(base)
            print(f"loadtest: mix of {mix}; {CONNECTIONS} connections", flush=True)
            cookies = session_cookies(base, THREADS)
            results = {}
            for name, seconds in (("mixed", SECONDS), ("entry", SHORT), ("bare", SHORT)):
                print(f"loadtest: {name} for {seconds}s …", flush=True)
                results[name] = run_wrk(base, paths[name], seconds, cookies if name == "mixed" else ())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    ratio = results["entry"]["rps"] / results["bare"]["rps"]
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "database": "postgresql" if os.getenv("DATABASE_URL") else "sqlite",
        "connections": CONNECTIONS,
        "mix": mix,
        "results": results,
        "entry_vs_bare": round(ratio, 3),
        "targets": {
            "zero_errors": all(r["errors"] == 0 for r in results.values()),
            "p99_under_100ms": results["mixed"]["p99_ms"] < 100,
            "entry_at_least_half_of_bare": ratio >= 0.5,
        },
    }
    out = RESULTS / f"loadtest-{report['database']}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(f"| run ({report['database']}, {CONNECTIONS} conns) | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']} |")
    print(f"\nentry page / bare view = {ratio:.0%}; targets: {report['targets']}; written to {out}")
    if not all(report["targets"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
