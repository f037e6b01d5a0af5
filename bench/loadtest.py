"""`make loadtest`: the production set-up under a mixed load, on 127.0.0.1 only, bounded in time.

It starts LOADTEST_SERVERS (1) gunicorn servers with DEBUG off on one scratch database (SQLite, or DATABASE_URL when
set: two servers are meant for PostgreSQL), behind the documented front (Debian's nginx with deploy/nginx.conf; see
docs/deploy.md), crawls the app for real URLs, then drives them through the front with wrk (LOADTEST_THREADS (8)
threads, each a group of browsers with its own session cookie, as visitors keep theirs):
  1. the mixed load, LOADTEST_SECONDS (60) at LOADTEST_CONNECTIONS (32) connections: entry pages, search pages and
     search-as-you-type fragments, wizard steps, the JSON API, pasted texts that are never repeated (tickets'
     answers, back URLs and log lines miss every cache), and triage cards when the app has them;
  2. the entry page alone, and a bare Django view (the ceiling), LOADTEST_SHORT_SECONDS (20) each.
It prints requests per second, p50/p95/p99 latency, errors and the resident memory of each worker, checks the
targets (mixed p99 at most 1.5x the bare view's, mixed requests per second at least 40% of the bare view's, no
error) and writes bench/results/loadtest-<database>.json.
"""

import contextlib
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

from bench.scratch import free_port, server_env, start_gunicorn, start_nginx, worker_rss_mb  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PY = sys.executable
SECONDS = int(os.getenv("LOADTEST_SECONDS", "60"))
SHORT = int(os.getenv("LOADTEST_SHORT_SECONDS", "20"))
CONNECTIONS = int(os.getenv("LOADTEST_CONNECTIONS", "32"))
THREADS = int(os.getenv("LOADTEST_THREADS", "8"))
SERVERS = int(os.getenv("LOADTEST_SERVERS", "1"))
PASTED = 300  # never-repeated pasted texts in the mix
TARGET_P99_RATIO = 1.5  # mixed p99 at most this many times the bare view's
TARGET_RPS_RATIO = 0.40  # mixed requests per second at least this share of the bare view's

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
  local path = p[1]
  -- A pasted text is never the same twice: its ticket number is this thread's request count.
  if string.find(path, "NNNN", 1, true) then
    path = string.gsub(path, "NNNN", tostring(offset or 0) .. "x" .. counter)
  end
  local headers = {}
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  if p[2] then headers["HX-Request"] = "true" end
  if p[3] then
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", path, headers, p[3])
  end
  return wrk.format("GET", path, headers)
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
    pages = [(f"/search/?q={quote(q)}", False) for q in ["password", "AccessDenied", "meeting too long", "AT=SU"]]
    pasted = pasted_texts(codes)
    triage = []
    if fetch(base, "/triage/")[0] == 200:
        ticket = "\n".join(text for text in (pasted_texts(codes, 12)[i][0] for i in range(12)))
        triage = [("/api/triage/", False, json.dumps({"text": ticket}))]
    mixed = []
    # Interleave the kinds so that every connection sees the mix.
    kinds = [entries, bursts, wizard, api + api_search, pages, pasted, triage]
    longest = max(len(k) for k in kinds)
    for i in range(longest):
        for kind in kinds:
            if kind:
                mixed.append(kind[i % len(kind)])
    for path, htmx, *body in mixed:
        if body:
            continue  # a POST is checked by the run's error count
        status, _ = fetch(base, path, {"HX-Request": "true"} if htmx else None)
        if status != 200:
            raise SystemExit(f"loadtest: {path} answered {status} before the run; fix it first")
    return {"mixed": mixed, "entry": [("/errors/BadWebExIDorPassword/", False)], "bare": [("/bench/bare", False)]}, {
        "entries": len(entries),
        "search_bursts": len(bursts),
        "wizard_steps": len(wizard),
        "api": len(api) + len(api_search),
        "search_pages": len(pages),
        "pasted_texts_never_repeated": len(pasted),
        "triage": len(triage),
    }


def lua_table(paths):
    rows = []
    for item in paths:
        path, htmx, body = (*item, None)[:3]
        rows.append(
            f"{{{json.dumps(path)}, {'true' if htmx else 'false'}" + (f", {json.dumps(body)}" if body else "") + "}"
        )
    return "{" + ", ".join(rows) + "}"


def pasted_texts(codes, count=PASTED):
    """``count`` texts as people paste them: back URLs, XML answers, log lines and mail sentences. Each holds a
    ticket number whose NNNN wrk replaces with its request count, so that no text is sent twice and no cache of
    search answers or fragments ever holds one."""
    out = []
    for i in range(count):
        code = codes[i % len(codes)]
        ticket = f"{40000 + i * 7}NNNN"  # NNNN: the run's request count (LUA), so a text is never repeated
        kind = i % 4
        if kind == 0:
            text = f"https://acme{i}.webex.com/acme{i}/p.php?AT=LI&ST=FAIL&RS={code}&WID=user{ticket}"
        elif kind == 1:
            text = (
                f"<serv:message><serv:header><serv:response><serv:result>FAILURE</serv:result><serv:reason>"
                f"request {ticket} failed</serv:reason><serv:exceptionID>{code}</serv:exceptionID></serv:response>"
                "</serv:header></serv:message>"
            )
        elif kind == 2:
            text = f"2026-12-08 10:{i % 60:02d}:11 ERROR [sync-{ticket}] webex call failed: {code} (retry {i % 5})"
        else:
            text = f"Ticket {ticket}: user{ticket} cannot log in since this morning, WebEx says {code}. Please help."
        out.append((f"/search/?q={quote(text)}", i % 2 == 0))
    return out


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
        TRUSTED_PROXY_COUNT="1",  # behind the front: the client's address is the one nginx forwards
    )
    print("loadtest: preparing a scratch database and static files …", flush=True)
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "load_kb")
        manage(env, "collectstatic", "--noinput")
        with contextlib.ExitStack() as stack:
            ports = [free_port() for _ in range(SERVERS)]
            for port in ports:  # gunicorn.conf.py's workers and threads, as `make serve` runs
                stack.enter_context(start_gunicorn(env, port=port))
            base = stack.enter_context(start_nginx([f"127.0.0.1:{p}" for p in ports], workdir / "static"))
            paths, mix = build_paths(base)
            print(f"loadtest: {SERVERS} server(s) behind nginx; mix of {mix}; {CONNECTIONS} connections", flush=True)
            cookies = session_cookies(base, THREADS)
            results = {}
            rss = {}
            for name, seconds in (("mixed", SECONDS), ("entry", SHORT), ("bare", SHORT)):
                print(f"loadtest: {name} for {seconds}s …", flush=True)
                results[name] = run_wrk(base, paths[name], seconds, cookies if name == "mixed" else ())
                if name == "mixed":
                    rss = {str(port): worker_rss_mb(port) for port in ports}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    mixed, bare = results["mixed"], results["bare"]
    p99_ratio = mixed["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else None
    rps_ratio = mixed["rps"] / bare["rps"] if bare["rps"] else 0.0
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "database": "postgresql" if os.getenv("DATABASE_URL") else "sqlite",
        "servers": SERVERS,
        "front": "nginx (deploy/nginx.conf)",
        "connections": CONNECTIONS,
        "mix": mix,
        "results": results,
        "worker_rss_mb": rss,
        "mixed_p99_vs_bare": round(p99_ratio, 2) if p99_ratio else None,
        "mixed_rps_vs_bare": round(rps_ratio, 3),
        "entry_vs_bare": round(results["entry"]["rps"] / bare["rps"], 3) if bare["rps"] else None,
        "targets": {
            "zero_errors": all(r["errors"] == 0 for r in results.values()),
            f"mixed_p99_at_most_{TARGET_P99_RATIO}x_bare": p99_ratio is not None and p99_ratio <= TARGET_P99_RATIO,
            f"mixed_rps_at_least_{TARGET_RPS_RATIO:.0%}_of_bare": rps_ratio >= TARGET_RPS_RATIO,
        },
    }
    name = report["database"] + (f"-{SERVERS}-servers" if SERVERS > 1 else "")
    out = RESULTS / f"loadtest-{name}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(
        f"| run ({report['database']}, {SERVERS} server(s), {CONNECTIONS} conns) "
        "| req/s | p50 ms | p95 ms | p99 ms | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, r in results.items():
        print(f"| {label} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']} |")
    print(
        f"\nmixed p99 / bare p99 = {report['mixed_p99_vs_bare']}x; mixed req/s / bare = {rps_ratio:.0%}; "
        f"worker RSS (MB) per server: {rss}"
    )
    for target, met in report["targets"].items():
        print(f"  [{'met' if met else 'MISSED'}] {target}")
    print(f"written to {out}")
    if not all(report["targets"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
