"""Two app servers on one database (docs/deploy.md, "More than one app server"): what one server changes, the other
sees, and what one counts, both count.

- an edit saved through server A shows on server B at the next request (every cache is keyed by the KB generation,
  which each request reads from the database);
- the log-in throttle counts failures made on either server against one limit;
- the search log loses no row when a server with batched rows (SEARCH_LOG_BATCH) is stopped with SIGTERM mid-run.

The replay rate limit and the log-in session across two servers are in replay/tests/test_multiprocess.py; the replay
slots are database leases (replay/slots.py), counted the same way.

The servers share the root conftest's ``scratch_env`` database: a scratch PostgreSQL database when DATABASE_URL points
at PostgreSQL (the set-up the issue is about), a scratch SQLite file in write-ahead mode otherwise (two servers on
one machine can share it too).
"""

import re
import threading
import time
import uuid
from html.parser import HTMLParser

import httpx
import pytest

PASSWORD = "Two-Servers-Pw-5310"


class _Form(HTMLParser):
    """The fields a browser would post from the first form holding ``marker`` (an input's name)."""

    def __init__(self, marker):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.forms: list[list[tuple[str, str]]] = []
        self._in_form = False
        self._textarea: list | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = True
            self.forms.append([])
        elif not self._in_form:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "file"):
                self.forms[-1].append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self.forms[-1].extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "form":
            self._in_form = False

    def fields(self):
        return next(f for f in self.forms if any(name == self.marker for name, _ in f))


def _log_in(client, base, username, password):
    page = client.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
    )


def _make_editor(manage, env, name):
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from core.roles import ensure_roles, grant; ensure_roles(); "
        f"u = User.objects.create_user({name!r}, password={PASSWORD!r}); grant(u, 'kb-editor'); "
        "u.is_staff = True; u.save()",
    )


@pytest.fixture(scope="module")
def two_servers(scratch_env, gunicorn):
    with gunicorn(scratch_env, workers=2) as a, gunicorn(scratch_env, workers=2) as b:
        yield a, b


def test_an_edit_through_one_server_shows_on_the_other_at_the_next_request(two_servers, scratch_env, manage):
    a, b = two_servers
    name = f"ed{uuid.uuid4().hex[:6]}"
    _make_editor(manage, scratch_env, name)
    with httpx.Client(timeout=20) as reader, httpx.Client(timeout=20) as editor:
        before = reader.get(f"{b}/errors/AlreadyLogon/")
        assert before.status_code == 200  # server B has the page (and its caches) warm
        assert _log_in(editor, a, name, PASSWORD).status_code == 302
        page = editor.get(f"{a}/errors/AlreadyLogon/edit/")
        assert page.status_code == 200
        parser = _Form("loaded_version")
        parser.feed(page.text)
        fields = dict(parser.fields())
        new_title = f"Already logged on (edited through server A {uuid.uuid4().hex[:6]})"
        data: dict[str, list[str]] = {}
        for k, v in parser.fields():
            data.setdefault(k, []).append(new_title if k == "title" else v)
        assert fields["title"] != new_title
        saved = editor.post(
            f"{a}/errors/AlreadyLogon/edit/", data=data, headers={"Referer": f"{a}/errors/AlreadyLogon/edit/"}
        )
        assert saved.status_code in (200, 302), saved.text[:500]
        after = reader.get(f"{b}/errors/AlreadyLogon/")
        assert new_title in after.text
        # and the other server's search index and answers follow too
        found = reader.get(f"{b}/api/search/", params={"q": "AlreadyLogon"}).json()
        assert found["results"][0]["title"] == new_title


def test_the_log_in_throttle_counts_failures_on_both_servers(two_servers, scratch_env, manage):
    a, b = two_servers
    name = f"desk{uuid.uuid4().hex[:6]}"
    manage(
        scratch_env,
        "shell",
        "-c",
        f"from django.contrib.auth.models import User; User.objects.create_user({name!r}, password={PASSWORD!r})",
    )
    statuses = []
    with httpx.Client(timeout=20) as client:
        for i in range(6):  # LOGIN_FAILURE_LIMIT is 5: three wrong passwords on each server
            statuses.append(_log_in(client, (a, b)[i % 2], name, "wrong-password").status_code)
        locked_a = _log_in(client, a, name, PASSWORD).status_code
    manage(scratch_env, "unlock_login", name)
    assert statuses[:5] == [200] * 5  # the form again, with its error
    assert statuses[5] == 429
    assert locked_a == 429  # even the right password, on the other server


def test_no_search_log_row_is_lost_when_a_server_is_stopped_mid_run(scratch_env, gunicorn, manage):
    marker = f"twoservers{uuid.uuid4().hex[:8]}"
    env = dict(scratch_env, SEARCH_LOG_BATCH="50", SEARCH_LOG_MAX_DELAY="600")  # rows wait in the process
    answered = []
    stop = threading.Event()

    def searches(base):
        with httpx.Client(timeout=10) as client:
            i = 0
            while not stop.is_set():
                try:
                    r = client.get(f"{base}/api/search/", params={"q": f"{marker} {i} password"})
                except httpx.HTTPError:
                    break  # the server went away
                if r.status_code == 200:
                    answered.append(i)
                i += 1

    with gunicorn(env, workers=2) as base:
        worker = threading.Thread(target=searches, args=(base,))
        worker.start()
        time.sleep(3)
        # leaving the block sends SIGTERM to the server while the searches go on
    stop.set()
    worker.join(timeout=20)
    assert answered, "no search was answered before the stop"
    stored = manage(
        scratch_env,
        "shell",
        "--no-imports",
        "-c",
        f"from kb.models import SearchLog; print(SearchLog.objects.filter(query__startswith={marker!r}).count())",
    )
    assert int(stored.strip()) == len(answered), (stored, len(answered))
