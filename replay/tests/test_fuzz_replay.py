"""Random input to every replay form field and history filter: never a 500, never unescaped input in the page,
and never a password in the answer. The site's address is loopback without the private-network allowance,
so nothing leaves the process: every replay that gets that far is refused at connect time."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replay.models import ReplayRecord, Site

MARKER = "<zz-unescaped>"
SECRET = "Fuzz-Secret-7731"
nasty = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "p.php?AT=LI&WID=a&PW=x",
            "https://elsewhere.example/p.php?AT=LI",
            "m.php?AT=SM&DU=20",
            "<serv:message><password>p</password></serv:message>",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "http://[::1]/x",
            "\r\n\r\nGET / HTTP/1.1",
        ]
    ),
)
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def blocked_site(db):
    return Site.objects.create(name="Blocked", slug="blocked", base_url="https://127.0.0.1:9/site/", timeout=1)


@pytest.fixture
def replayer_client(client, django_user_model, settings):
    from django.contrib.auth.models import Permission

    settings.REPLAY_RATE_LIMIT = 10_000
    user = django_user_model.objects.create_user("fuzzer")
    user.user_permissions.add(Permission.objects.get(codename="can_replay"))
    client.force_login(user)
    return client


@FUZZ
@given(
    mode=st.sampled_from(["paste", "build", "xml", "", "other"]),
    method=st.sampled_from(["POST", "GET", "PUT", ""]),
    command_text=nasty,
    command=nasty,
    params=nasty,
    xml=nasty,
    login_first=st.booleans(),
    login_wid=nasty,
    htmx=st.booleans(),
)
def test_replay_form_never_fails(
    replayer_client, blocked_site, mode, method, command_text, command, params, xml, login_first, login_wid, htmx
):
    data = {
        "site": blocked_site.pk,
        "mode": mode,
        "method": method,
        "command_text": command_text + MARKER,
        "command": command,
        "params": params + MARKER,
        "xml": xml + MARKER,
        "pw": SECRET,
        "xml_password": SECRET,
        "login_wid": login_wid,
        "login_password": SECRET,
    }
    if login_first:
        data["login_first"] = "on"
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = replayer_client.post("/replay/", data, **headers)
    assert response.status_code in (200, 400), response.status_code
    page = response.content.decode()
    assert MARKER not in page
    assert SECRET not in page
    for record in ReplayRecord.objects.all():
        assert SECRET not in repr(record.__dict__)


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["site", "outcome", "code", "page", "x"]), nasty, max_size=4))
def test_history_filters_never_fail(replayer_client, blocked_site, params):
    query = urlencode({k: v + MARKER for k, v in params.items()})
    response = replayer_client.get(f"/replay/history/?{query}")
    if response.status_code == 303:  # a value shaped like a secret: sent to the redacted address (core/safequery.py)
        response = replayer_client.get(response["Location"])
    assert response.status_code in (200, 400)
    assert MARKER not in response.content.decode()


@FUZZ
@given(value=nasty)
def test_replay_get_prefill_never_fails(replayer_client, blocked_site, value):
    query = urlencode({"site": value + MARKER, "command": value + MARKER})
    response = replayer_client.get(f"/replay/?{query}")
    assert response.status_code in (200, 400)
    assert MARKER not in response.content.decode()
