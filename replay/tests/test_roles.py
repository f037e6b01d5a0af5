"""Every role against every view: anonymous, a plain user, Help desk, KB editors and Admins.

Permissions are checked in the views, so htmx fragment requests are refused the same way as full pages.
The matrix covers every app's pages; it lives with replay, the app whose records it needs. The roles themselves
are tested in core/tests/test_roles.py.
"""

import pytest
from django.contrib.auth.models import User

from core.roles import ensure_roles, grant
from replay.models import ReplayRecord, Site

ROLES = ["anonymous", "user", "help-desk", "kb-editor", "admin"]
OK, LOGIN, DENIED, ADMIN_LOGIN = "ok", "login", "denied", "admin-login"

PUBLIC = dict.fromkeys(ROLES, OK)
REPLAYERS = {"anonymous": LOGIN, "user": DENIED, "help-desk": OK, "kb-editor": DENIED, "admin": OK}
STAFF = {"anonymous": LOGIN, "user": DENIED, "help-desk": DENIED, "kb-editor": OK, "admin": OK}
EDITORS_ADMIN = {"anonymous": ADMIN_LOGIN, "user": ADMIN_LOGIN, "help-desk": ADMIN_LOGIN, "kb-editor": OK, "admin": OK}
ADMIN_ONLY = {"anonymous": ADMIN_LOGIN, "user": ADMIN_LOGIN, "help-desk": ADMIN_LOGIN, "kb-editor": DENIED, "admin": OK}

VIEWS = [
    ("/", PUBLIC),
    ("/errors/", PUBLIC),
    ("/errors/?category=session-auth", PUBLIC),
    ("/errors/AccessDenied/", PUBLIC),
    ("/errors/AccessDenied/ticket/?cause=session-expired&format=jira", PUBLIC),
    ("/errors/AccessDenied/feedback/", PUBLIC),
    ("/commands/", PUBLIC),
    ("/commands/p.php/SU/", PUBLIC),
    ("/api/errors/", PUBLIC),
    ("/api/errors/AccessDenied/", PUBLIC),
    ("/search/?q=AccessDenied", PUBLIC),
    ("/api/search/?q=AccessDenied", PUBLIC),
    ("/opensearch.xml", PUBLIC),
    ("/troubleshoot/", PUBLIC),
    ("/troubleshoot/log-in/", PUBLIC),
    ("/troubleshoot/log-in/?came-back=reason-code", PUBLIC),
    ("/troubleshoot/log-in/ticket/?came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict", PUBLIC),
    ("/healthz", PUBLIC),
    ("/insights/", STAFF),
    ("/replay/", REPLAYERS),
    ("/replay/history/", REPLAYERS),
    ("/replay/{record}/", REPLAYERS),
    ("/replay/{record}/ticket/?format=text", REPLAYERS),
    ("/replay/?again={record}", REPLAYERS),
    ("/replay/parameters/?command=p.php%3FAT%3DLI", REPLAYERS),
    ("/admin/kb/entry/", EDITORS_ADMIN),
    ("/admin/kb/entry/{entry}/change/", EDITORS_ADMIN),
    ("/admin/troubleshooter/flow/", EDITORS_ADMIN),
    ("/admin/replay/site/", ADMIN_ONLY),
    ("/admin/auth/user/", ADMIN_ONLY),
]


@pytest.fixture
def people(db):
    ensure_roles()
    users = {"anonymous": None, "user": User.objects.create_user("plain")}
    for role in ("help-desk", "kb-editor", "admin"):
        users[role] = User.objects.create_user(role)
        grant(users[role], role)
    return users


@pytest.fixture
def record(db):
    site = Site.objects.create(name="Acme", slug="acme", base_url="https://acme.webex.com/acme/")
    return ReplayRecord.objects.create(site=site, command="p.php?AT=LI", outcome="fail", rs="AccessDenied")


def expect(response, outcome):
    if outcome == OK:
        assert response.status_code == 200, response.status_code
    elif outcome == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif outcome == ADMIN_LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == 403, response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "access"), VIEWS, ids=[v[0] for v in VIEWS])
def test_role_against_view(client, kb, people, record, role, url, access):
    from kb.models import Entry

    if people[role]:
        client.force_login(people[role])
    url = url.format(record=record.pk, entry=Entry.objects.get(code="AccessDenied").pk)
    expect(client.get(url), access[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url", ["/replay/", "/replay/history/", "/insights/", "/replay/parameters/?command=p.php%3FAT%3DLI"]
)
def test_htmx_fragments_are_checked_too(client, kb, people, role, url):
    access = dict(VIEWS)[url]
    if people[role]:
        client.force_login(people[role])
    expect(client.get(url, HTTP_HX_REQUEST="true"), access[role])


@pytest.mark.parametrize("role", ROLES)
def test_replay_post_needs_the_replay_role(client, kb, people, record, role):
    if people[role]:
        client.force_login(people[role])
    response = client.post("/replay/", {"site": record.site_id, "mode": "paste", "command_text": "p.php?AT=LO"})
    if REPLAYERS[role] == OK:
        assert response.status_code in (200, 400)  # the form ran (and may point out a missing field)
        assert "Log in" not in response.content.decode().split("<main", 1)[1][:200]
    else:
        expect(response, REPLAYERS[role])


LOGGED_IN = {"anonymous": LOGIN, "user": OK, "help-desk": OK, "kb-editor": OK, "admin": OK}
OUTCOME_QUERY = "came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict"
POSTS = [
    # (url, data, who may, what "may" answers)
    ("/search/suggest/", {"query": "ZzMissingCode", "note": "seen in a ticket"}, PUBLIC, 302),
    (f"/troubleshoot/log-in/feedback/?{OUTCOME_QUERY}", {"resolved": "yes"}, PUBLIC, 302),
    ("/replay/{record}/suggest/", {}, REPLAYERS, 302),
    ("/errors/AccessDenied/feedback/", {"helpful": "yes"}, PUBLIC, 302),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "data", "access", "allowed_status"), POSTS, ids=[p[0][:24] for p in POSTS])
def test_role_against_posting_view(client, kb, people, record, role, url, data, access, allowed_status):
    if people[role]:
        client.force_login(people[role])
    response = client.post(url.format(record=record.pk), data)
    if access[role] == OK:
        assert response.status_code == allowed_status, response.status_code
    else:
        expect(response, access[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "access"), [("/accounts/login/", PUBLIC), ("/accounts/password_change/", LOGGED_IN)])
def test_role_against_account_pages(client, kb, people, role, url, access):
    if people[role]:
        client.force_login(people[role])
    expect(client.get(url), access[role])
