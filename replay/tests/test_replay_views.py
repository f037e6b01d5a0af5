"""Replay pages: permissions, methods, htmx fragments, rate limit, permalink, history, curl, suggestions."""

import re
import uuid

import pytest
from django.contrib.auth.models import Permission

from kb.models import Entry, Suggestion
from replay.curl import curl_command
from replay.models import ReplayRecord
from replay.tests.helpers import post_replay

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def record(db, make_site, sandbox, replayer):
    site = make_site(sandbox)
    return ReplayRecord.objects.create(
        user=replayer,
        actor="helpdesk",
        site=site,
        site_label=site.name,
        command="p.php?AT=LI",
        parameters=[["AT", "LI"], ["WID", "host1"], ["PW", "\u2022\u2022\u2022"]],
        target=f"{sandbox.base_url}/sandbox/p.php",
        outcome="fail",
        st="FAIL",
        rs="BadWebExIDorPassword",
        http_status=200,
        duration_ms=12,
        entry=Entry.objects.get(code="BadWebExIDorPassword"),
    )


def urls(record):
    return [
        "/replay/",
        "/replay/history/",
        record.get_absolute_url(),
    ]


@pytest.mark.parametrize("htmx", [False, True])
def test_anonymous_is_sent_to_login(client, record, htmx):
    for url in urls(record):
        response = client.get(url, **(HTMX if htmx else {}))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    response = client.post(f"{record.get_absolute_url()}suggest/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("htmx", [False, True])
def test_user_without_permission_gets_403(client, django_user_model, record, sandbox, htmx):
    user = django_user_model.objects.create_user("reader")
    client.force_login(user)
    extra = HTMX if htmx else {}
    for url in urls(record):
        assert client.get(url, **extra).status_code == 403
    assert post_replay(client, record.site, "p.php?AT=LO", htmx=htmx).status_code == 403
    assert client.post(f"{record.get_absolute_url()}suggest/", **extra).status_code == 403
    assert sandbox.state.hits == 0
    assert ReplayRecord.objects.count() == 1


def test_permission_is_can_replay(django_user_model):
    perm = Permission.objects.get(codename="can_replay")
    assert perm.content_type.app_label == "replay" and perm.content_type.model == "replayrecord"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", "/replay/"),
        ("delete", "/replay/"),
        ("patch", "/replay/"),
        ("post", "/replay/history/"),
        ("post", "RECORD/"),
        ("get", "RECORD/suggest/"),
    ],
)
def test_wrong_method_is_405(replay_client, record, method, url):
    url = url.replace("RECORD", record.get_absolute_url().rstrip("/"))
    assert getattr(replay_client, method)(url).status_code == 405


def test_form_page_without_javascript(replay_client, make_site, sandbox):
    make_site(sandbox)
    response = replay_client.get("/replay/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page and 'id="replay-panel"' in page
    assert 'method="post" action="/replay/#replay-result"' in page  # the result is scrolled to without JS too
    assert 'type="password" name="pw"' in page and 'type="password" name="login_password"' in page
    assert 'type="password" name="xml_password"' in page and 'type="password" name="xml_session_ticket"' in page
    assert 'value="POST"' in page and "checked" in page.split('value="POST"')[1][:40]
    assert "replay/replay.js" in page and "<script>" not in page
    assert "p.php?AT=LI" in page  # build mode lists the KB's commands
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_post_without_javascript_shows_form_and_result(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="Sandbox-pass1")
    page = response.content.decode()
    assert "<html" in page
    assert page.index('class="stack replay-form"') < page.index('id="replay-result"')
    assert "Success: the site answered ST=SUCCESS." in page


def test_htmx_post_returns_only_the_panel(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    response = post_replay(replay_client, site, "p.php?AT=LI&WID=host1", pw="Wrong-pass-9", htmx=True)
    page = response.content.decode()
    assert response.status_code == 200
    # core.rendering's fragment: the panel, after the <title> that htmx moves into the document head.
    panel = re.sub(r"^<title>[^<]*</title>\s*", "", page.lstrip())
    assert "<html" not in page and panel.startswith('<div id="replay-panel"')
    assert "<code>BadWebExIDorPassword</code>" in page
    assert "HX-Request" in response["Vary"]
    assert 'value=""' not in page.split('name="pw"')[1][:80] or 'name="pw"' in page


def test_htmx_get_and_detail_fragment(replay_client, record):
    assert "<html" not in replay_client.get("/replay/", **HTMX).content.decode()
    fragment = replay_client.get(record.get_absolute_url(), **HTMX).content.decode()
    assert "<html" not in fragment and "BadWebExIDorPassword" in fragment


def test_build_mode(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    response = replay_client.post(
        "/replay/",
        {"site": site.pk, "mode": "build", "method": "GET", "command": "m.php?AT=SM", "params": "DU=20\nMN=Weekly"},
    )
    assert response.status_code == 200
    record = ReplayRecord.objects.get()
    assert (record.command, record.method, record.rs) == ("m.php?AT=SM", "GET", "AccessDenied")
    assert record.parameters == [["AT", "SM"], ["DU", "20"], ["MN", "Weekly"]]


def test_build_mode_rejects_a_bad_parameter_line(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    response = replay_client.post(
        "/replay/", {"site": site.pk, "mode": "build", "method": "POST", "command": "p.php?AT=LO", "params": "oops"}
    )
    assert response.status_code == 400
    assert "Parameter line 1 is not NAME=value." in response.content.decode()
    assert ReplayRecord.objects.count() == 0  # an input mistake is not a record
    assert sandbox.state.hits == 0


def test_rate_limit_is_a_clear_429(replay_client, make_site, sandbox, settings):
    settings.REPLAY_RATE_LIMIT = 2
    site = make_site(sandbox)
    for _ in range(2):
        assert post_replay(replay_client, site, "p.php?AT=LO").status_code == 200
    response = post_replay(replay_client, site, "p.php?AT=LO")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "at most 2 commands a minute" in response.content.decode()
    htmx = post_replay(replay_client, site, "p.php?AT=LO", htmx=True)
    assert htmx.status_code == 429 and "<html" not in htmx.content.decode()
    assert ReplayRecord.objects.count() == 2 and sandbox.state.hits == 2


def test_rate_limit_counts_in_the_database_per_user(replay_client, make_site, sandbox, settings, django_user_model):
    settings.REPLAY_RATE_LIMIT = 1
    site = make_site(sandbox)
    other = django_user_model.objects.create_user("other")
    ReplayRecord.objects.create(user=other, actor="other", site=site, site_label="x", outcome="success")
    assert post_replay(replay_client, site, "p.php?AT=LO").status_code == 200
    assert post_replay(replay_client, site, "p.php?AT=LO").status_code == 429


def test_permalink_page(replay_client, record):
    response = replay_client.get(record.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "<code>BadWebExIDorPassword</code>" in page
    assert "/errors/BadWebExIDorPassword/" in page
    assert "12 ms" in page and "HTTP status" in page
    assert "PW=\u2022\u2022\u2022" in page
    assert 'PW="$WEBEX_PW"' in page.replace("&quot;", '"')
    assert f'rel="canonical" href="http://testserver{record.get_absolute_url()}"' in page


def test_unknown_record_is_404(replay_client):
    assert replay_client.get(f"/replay/{uuid.uuid4()}/").status_code == 404


def test_curl_has_placeholders_for_every_secret(record):
    record.method = "GET"
    record.login_first = True
    record.login_wid = "host1"
    record.parameters = [["AT", "EU"], ["WID", "o'brien"], ["PW", "\u2022\u2022\u2022"], ["NPW", "\u2022\u2022\u2022"]]
    curl = curl_command(record)
    assert '--data-urlencode PW="$WEBEX_PW"' in curl and '--data-urlencode NPW="$WEBEX_NPW"' in curl
    assert "-c webex-cookies.txt" in curl and 'PW="$WEBEX_LOGIN_PW"' in curl and "-b webex-cookies.txt -G" in curl
    assert "WID='o'\"'\"'brien'" in curl
    assert "\u2022" not in curl


def test_curl_for_xml_keeps_shell_text_inert(record):
    record.api = "xml"
    record.request_xml = "<a><password>\u2022\u2022\u2022</password><b>$(rm -rf x) `id` \\</b></a>"
    curl = curl_command(record)
    assert "<password>'\"$WEBEX_PW\"'</password>" in curl
    assert "'</password><b>$(rm -rf x) `id` \\</b></a>'" in curl  # inside single quotes: inert


def test_history_lists_and_filters(replay_client, record, make_site, sandbox, django_assert_max_num_queries):
    other_site = make_site(sandbox, "noapi")
    ReplayRecord.objects.create(
        actor="x", site=other_site, site_label=other_site.name, command="m.php?AT=LM", outcome="timeout"
    )
    ReplayRecord.objects.create(
        actor="x",
        site=other_site,
        site_label=other_site.name,
        command="XMLService:user.GetUser",
        outcome="fail",
        exception_id="030002",
        api="xml",
    )
    with django_assert_max_num_queries(8):
        page = replay_client.get("/replay/history/").content.decode()
    assert page.count("<tr>") == 4  # header + 3 records
    assert "3 replays" in page
    assert "1 replay<" in replay_client.get(f"/replay/history/?site={other_site.pk}&outcome=timeout").content.decode()
    by_code = replay_client.get("/replay/history/?code=badwebexidorpassword").content.decode()
    assert "1 replay<" in by_code and record.get_absolute_url() in by_code
    assert "1 replay<" in replay_client.get("/replay/history/?code=030002").content.decode()
    bad = replay_client.get("/replay/history/?outcome=exploded")
    assert bad.status_code == 400 and "Outcome" in bad.content.decode()
    fragment = replay_client.get("/replay/history/?outcome=fail", **HTMX)
    assert "<html" not in fragment.content.decode() and "HX-Request" in fragment["Vary"]


def test_history_query_count_does_not_grow(replay_client, record, django_assert_max_num_queries):
    for _ in range(30):
        ReplayRecord.objects.create(
            actor="x", site=record.site, site_label="s", outcome="fail", rs="AccessDenied", entry=record.entry
        )
    with django_assert_max_num_queries(8):
        assert replay_client.get("/replay/history/").status_code == 200


def test_unknown_code_offers_and_records_a_suggestion(replay_client, make_site, sandbox, replayer):
    Entry.objects.filter(code="WebExIDConflict").delete()
    site = make_site(sandbox)
    response = post_replay(replay_client, site, "p.php?AT=SU&PID=4242&WID=user2&FN=N&LN=U&EM=n@x.example", pw="x")
    record = ReplayRecord.objects.get()
    assert (record.outcome, record.rs, record.entry) == ("fail", "WebExIDConflict", None)
    page = response.content.decode()
    assert "Unknown code <code>WebExIDConflict</code>" in page
    assert f'action="{record.get_absolute_url()}suggest/"' in page
    done = replay_client.post(f"{record.get_absolute_url()}suggest/")
    assert done.status_code == 302 and done["Location"] == record.get_absolute_url()
    assert "a new entry for WebExIDConflict was suggested" in replay_client.get(done["Location"]).content.decode()
    htmx = replay_client.post(f"{record.get_absolute_url()}suggest/", **HTMX)
    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()
    suggestion = Suggestion.objects.get()  # a second click does not duplicate it
    assert (suggestion.query, suggestion.origin, suggestion.user) == ("WebExIDConflict", "replay", replayer)
    assert record.get_absolute_url() in suggestion.note


def test_suggestion_refused_for_a_known_code(replay_client, record):
    assert replay_client.post(f"{record.get_absolute_url()}suggest/").status_code == 400
    assert not Suggestion.objects.exists()


def test_site_preselected_from_query(replay_client, make_site, sandbox):
    site = make_site(sandbox)
    page = replay_client.get(f"/replay/?site={site.pk}").content.decode()
    assert f'<option value="{site.pk}" selected>' in page


def test_form_page_without_sites_says_how_to_add_one(replay_client):
    page = replay_client.get("/replay/").content.decode()
    assert "No WebEx site is configured yet" in page and "manage.py site add" in page


@pytest.mark.parametrize("value", ["abc", "999999", "<script>"])
def test_site_query_garbage_is_ignored(replay_client, make_site, sandbox, value):
    make_site(sandbox)
    response = replay_client.get("/replay/", {"site": value})
    assert response.status_code == 200 and "<script>" not in response.content.decode().split("<main")[1]


def test_wizard_link_prefills_the_command_and_hides_secrets(replay_client, make_site, sandbox):
    make_site(sandbox)
    response = replay_client.get("/replay/", {"site": "", "command": "m.php?AT=SM&DU=20&PW=Leaked-secret-55"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="param_DU" value="20"' in page  # build mode, the command's parameters as fields
    assert 'type="password" name="param_PW"' in page
    assert "Leaked-secret-55" not in page
    pasted = replay_client.get("/replay/", {"command": "x.php?AT=ZZ&PW=Leaked-secret-55"}).content.decode()
    assert "x.php?AT=ZZ&amp;PW=\u2022\u2022\u2022" in pasted and "Leaked-secret-55" not in pasted
