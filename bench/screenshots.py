"""`make screenshots`: PNGs of the main pages at 1280×800 and 390×844, light and dark, in docs/screenshots/.

It serves the app as production does (gunicorn, DEBUG off, collected static files; bench/scratch.py's server_env and
start_gunicorn) on a free loopback port with a scratch SQLite database, loads the knowledge base,
starts the WebEx sandbox on another free port and configures the "Sandbox" site, creates a help-desk user (and a
staff user for /insights/), then drives Debian's Chromium through Playwright: it logs in, opens each page, makes a
replay against the sandbox, and writes ``<page>-<desktop|phone>-<light|dark>.png``. Nothing leaves 127.0.0.1.

``SCREENSHOTS_DIR`` writes elsewhere; ``SCREENSHOTS_PAGES=home,entry`` takes only those pages;
``SCREENSHOTS_FULL_PAGE=1`` takes whole pages instead of the first screen.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scratch import free_port, server_env, start_gunicorn  # noqa: E402 - after the path

PY = sys.executable
CHROMIUM = "/usr/bin/chromium"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
SCHEMES = ("light", "dark")
FULL_PAGE = os.getenv("SCREENSHOTS_FULL_PAGE") == "1"
PASSWORD = "Screens-pass-1"  # noqa: S105 - a throwaway user in a scratch database


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # loopback only
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s")


WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5 && el.offsetParent !== null)
  .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
  + ' ' + (el.textContent || '').trim().slice(0, 40))"""


@contextmanager
def process(args, env, log=None):
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=output)
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        if log:
            output.close()


def manage(env, *args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(env, sandbox_port):
    manage(env, "migrate", "--noinput")
    manage(env, "load_kb")
    manage(env, "collectstatic", "--noinput")
    manage(env, "ensure_sandbox_site", "--port", str(sandbox_port))
    script = (
        "from django.contrib.auth import get_user_model;"
        "from core.roles import grant;"
        "U = get_user_model();"
        f"d = U.objects.create_user('desk', password='{PASSWORD}');"
        "grant(d, 'help-desk');"
        f"s = U.objects.create_user('lead', password='{PASSWORD}');"
        "grant(s, 'admin')"
    )
    manage(env, "shell", "-c", script)


def shoot(page, out, name, focus=None):
    """Four PNGs of the page as it is now: both sizes, light and dark (scrolled to ``focus``, a selector, when
    given). Returns the page's sideways overflow."""
    overflow = {}
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        if focus:
            page.locator(focus).first.evaluate("el => el.scrollIntoView({block: 'start'})")
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            page.wait_for_timeout(50)
            page.screenshot(path=str(out / f"{name}-{size}-{scheme}.png"), full_page=FULL_PAGE, caret="initial")
            extra = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if extra > 0:
                overflow[f"{size}-{scheme}"] = {"pixels": extra, "elements": page.evaluate(WIDE)}
    page.set_viewport_size({"width": 1280, "height": 800})
    page.emulate_media(color_scheme="light")
    return overflow


def login(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


# A help desk ticket for the triage card: a mail, log lines, a back URL with a password, a REST error.
TRIAGE_SAMPLE = """From: Ana Pereira <ana@example.com>
Date: Mon, 07 Dec 2026 09:58:12 +0100
Subject: WebEx log-in broken since this morning

Our portal cannot log users in. The log shows:
2026-12-07T08:57:40Z ERROR webex-client Error 030002: Incorrect user or password
2026-12-07 09:01:02 UTC [WebEx] FAILURE 060001 Corresponding Meeting not found

The browser came back to
https://acme.webex.com/acme/p.php?AT=LI&ST=FAIL&RS=AccessDenied&WID=jdoe&PW=hunter2

HTTP/1.1 401 Unauthorized
Content-Type: application/json

{"message": "The request requires a valid access token.", "trackingId": "ROUTER_6F2B3C4D-1111-2222"}
"""


def take(page, base, out, wanted, sandbox_port=None):
    from urllib.parse import quote

    problems = {}

    def visit(name, path, then=None, focus=None):
        if wanted and name not in wanted:
            return
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        if then:
            then()
        extra = shoot(page, out, name, focus)
        if extra:
            problems[name] = extra
        print(f"  {name}: {path}")

    # A few look-ups, so that the home page has "most looked up" codes to show.
    for query, times in (("AccessDenied", 5), ("BadWebExIDorPassword", 4), ("030002", 2), ("AlreadyLogon", 1)):
        for _ in range(times):
            urllib.request.urlopen(f"{base}/search/?q={query}", timeout=10).close()  # loopback
    step = "/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration"
    visit("home", "/")
    visit("entry", "/errors/BadWebExIDorPassword/")
    visit("entry-long-code", "/errors/TheDurationIsExceedTheMaxDuration/")
    visit("search", "/search/?q=wrong+password")
    visit("errors", "/errors/")
    visit("command", "/commands/m.php/SM/")
    visit("wizard-step", step)
    visit("wizard-outcome", step + "&du-20=worked")
    login(page, base, "desk")
    visit("entry-accessdenied", "/errors/AccessDenied/")  # signed in: the Replay control shows
    visit("entry-030002", "/errors/030002/")

    def not_solved():
        page.check("#wizard-feedback input[name=resolved][value=no]")
        page.click("#wizard-feedback button[type=submit]")
        page.wait_for_selector("[data-wizard-escalate]")
        page.wait_for_timeout(200)

    outcome = "/troubleshoot/log-in/?came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict"
    visit("wizard-not-solved", outcome, not_solved, "#wizard-feedback")
    visit("wizard-another-code", "/troubleshoot/log-in/?came-back=reason-code&li-code=other")
    login(page, base, "desk")  # the help desk: a condition's probe shows to those who may replay
    visit("condition", "/conditions/sso-site/")
    visit("entry-conditions", "/errors/030002/", focus=".entry-conditions")
    visit("replay-form", f"/replay/?command={quote('m.php?AT=SM&DU=20')}&from={quote(step)}")

    def replay_without_duration():
        page.fill("#id_login_wid", "host1")
        page.fill("#id_login_password", "Sandbox-pass1")
        page.fill("#id_param_DU", "")
        page.click(".replay-form button[type=submit]")
        page.wait_for_selector("#replay-result h2")
        page.wait_for_timeout(300)

    visit("replay-result", f"/replay/?command={quote('m.php?AT=SM')}", replay_without_duration, "#replay-result")
    record = ""
    if not wanted or "escalation" in wanted:  # the escalation pack of a replay started from a wizard step
        page.goto(f"{base}/replay/?command={quote('m.php?AT=SM')}&from={quote(step)}")
        replay_without_duration()
        record = page.get_attribute("[data-replay-result]", "data-replay-result")

    def paste_ticket():
        page.fill("#triage-text", TRIAGE_SAMPLE)
        page.click(".triage-form button[type=submit]")
        page.wait_for_selector(".triage-card")
        page.wait_for_timeout(300)

    visit("triage-card", "/triage/", paste_ticket, "#triage-result")

    def log_in_before_and_after_the_switch():
        for switch in ("api-on", "api-off"):
            request = urllib.request.Request(f"http://127.0.0.1:{sandbox_port}/_switch/{switch}", method="POST")
            urllib.request.urlopen(request, timeout=10).close()  # loopback: the sandbox's "it worked before" switch
            page.fill("#id_param_PW", "Sandbox-pass1")
            page.click(".replay-form button[type=submit]")
            page.wait_for_selector("#replay-result h2")
            page.wait_for_timeout(300)
        request = urllib.request.Request(f"http://127.0.0.1:{sandbox_port}/_switch/api-on", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    if sandbox_port:
        visit(
            "worked-before",
            f"/replay/?command={quote('p.php?AT=LI&WID=host1')}",
            log_in_before_and_after_the_switch,
            ".worked-before",
        )
    if record:
        visit("escalation", f"/replay/{record}/escalation/?format=text")
    visit("replay-history", "/replay/history/")
    for code, comment in (("AccessDenied", "Which cookie expires, and after how long exactly?"), ("030002", "")):
        page.goto(f"{base}/errors/{code}/feedback/")
        page.click("#entry-feedback button[value=no]")
        if comment:
            page.fill("#entry-feedback textarea[name=comment]", comment)
            page.click("#entry-feedback .feedback-comment button[type=submit]")
    page.context.clear_cookies()
    login(page, base, "lead")
    visit("insights", "/insights/")
    return problems


def main():
    out = Path(os.getenv("SCREENSHOTS_DIR", ROOT / "docs" / "screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    wanted = {p for p in os.getenv("SCREENSHOTS_PAGES", "").split(",") if p}
    if not shutil.which(CHROMIUM):
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    port, sandbox_port = free_port(), free_port()
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kb-screens-")))
        env = server_env(
            {"DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}"},
            static_root=scratch / "static",
            SITE_ROOT=f"http://127.0.0.1:{port}",
            REPLAY_RATE_LIMIT="1000",
        )
        prepare(env, sandbox_port)
        log = scratch / "server.log"
        stack.enter_context(process([PY, "manage.py", "webex_sandbox", "--port", str(sandbox_port)], env, log))
        output = stack.enter_context(open(log, "ab"))
        base = stack.enter_context(start_gunicorn(env, workers=2, port=port, output=output))
        wait_for(f"http://127.0.0.1:{sandbox_port}/")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            print(f"Writing screenshots to {out}")
            problems = take(page, base, out, wanted, sandbox_port)
            browser.close()
    if problems:
        print(f"Pages that scroll sideways (pixels): {problems}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
