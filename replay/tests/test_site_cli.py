"""``manage.py site add|list|remove``, Site validation, ``ensure_sandbox_site`` and the admin."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from replay.models import ReplayRecord, Site


def run(*args):
    out = io.StringIO()
    call_command("site", *args, stdout=out)
    return out.getvalue()


def test_add_list_remove(db):
    assert "No sites" in run("list")
    out = run("add", "acme", "https://acme.webex.com/acme")
    assert "Added site acme: https://acme.webex.com/acme/ (XML API https://acme.webex.com/WBXService/XMLService)" in out
    site = Site.objects.get(slug="acme")
    assert (site.name, site.timeout, site.allow_private_network, site.xml_url) == ("acme", 10.0, False, "")
    assert site.xml_api_url == "https://acme.webex.com/WBXService/XMLService"
    run(
        "add",
        "lab",
        "http://127.0.0.1:8765/sandbox/",
        "--xml-url",
        "http://127.0.0.1:8765/WBXService/XMLService",
        "--timeout",
        "2.5",
        "--allow-private-network",
    )
    lab = Site.objects.get(slug="lab")
    assert (lab.timeout, lab.allow_private_network) == (2.5, True)
    listed = run("list")
    assert listed.splitlines()[0].startswith("acme\thttps://acme.webex.com/acme/")
    assert (
        "lab\thttp://127.0.0.1:8765/sandbox/\thttp://127.0.0.1:8765/WBXService/XMLService\ttimeout 2.5s, private"
        in listed
    )
    ReplayRecord.objects.create(site=lab, site_label=lab.name, actor="x", outcome="success")
    assert "Removed site lab. 1 replay record kept." in run("remove", "lab")
    assert ReplayRecord.objects.get().site is None and ReplayRecord.objects.get().site_label == "lab"
    assert list(Site.objects.values_list("slug", flat=True)) == ["acme"]


def test_add_again_updates(db):
    run("add", "acme", "https://acme.webex.com/acme/")
    assert "Updated site acme" in run("add", "acme", "https://acme.webex.com/other/", "--timeout", "5")
    site = Site.objects.get()
    assert (site.base_url, site.timeout) == ("https://acme.webex.com/other/", 5.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["acme", "http://acme.webex.com/acme/"], "must use https"),
        (["acme", "ftp://acme.webex.com/acme/"], "must start with https://"),
        (["acme", "not a url"], "base_url"),
        (["acme", "https://acme.webex.com/acme/?x=1"], "query string"),
        (["acme", "https://user:pw@acme.webex.com/acme/"], "user name or password"),
        (["acme", "https://acme.webex.com/acme/", "--timeout", "0"], "timeout"),
        (["acme", "https://acme.webex.com/acme/", "--timeout", "500"], "timeout"),
        (["acme", "https://acme.webex.com/acme/", "--xml-url", "http://acme.webex.com/x"], "xml_url"),
        (["bad slug!", "https://acme.webex.com/acme/"], "slug"),
    ],
)
def test_add_refuses_bad_values_clearly(db, args, message):
    with pytest.raises(CommandError) as error:
        run("add", *args)
    assert "Site not saved." in str(error.value) and message in str(error.value)
    assert not Site.objects.exists()


def test_remove_unknown(db):
    run("add", "acme", "https://acme.webex.com/acme/")
    with pytest.raises(CommandError, match="No site 'nope'. Known sites: acme."):
        run("remove", "nope")


def test_model_validation_allows_http_only_on_private_network(db):
    site = Site(name="Lab", slug="lab", base_url="http://10.0.0.5/lab", allow_private_network=False)
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert "must use https" in str(error.value.message_dict["base_url"])
    site.allow_private_network = True
    site.full_clean()
    assert site.base_url == "http://10.0.0.5/lab/"


def test_ensure_sandbox_site_is_idempotent(db):
    out = io.StringIO()
    call_command("ensure_sandbox_site", "--port", "8765", stdout=out)
    call_command("ensure_sandbox_site", "--port", "8765", stdout=out)
    site = Site.objects.get()
    assert (site.name, site.slug, site.base_url, site.allow_private_network) == (
        "Sandbox",
        "sandbox",
        "http://127.0.0.1:8765/sandbox/",
        True,
    )
    assert site.xml_api_url == "http://127.0.0.1:8765/WBXService/XMLService"
    assert site.partner_id == "4242"
    assert "Created" in out.getvalue() and "Checked" in out.getvalue()
    site.full_clean()


def test_ensure_sandbox_site_bad_port(db):
    with pytest.raises(CommandError, match="not a TCP port"):
        call_command("ensure_sandbox_site", "--port", "0")


def test_webex_sandbox_command_refuses_bad_port():
    with pytest.raises(CommandError, match="not a TCP port"):
        call_command("webex_sandbox", "--port", "70000")


def test_webex_sandbox_command_reports_a_busy_port():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(CommandError, match="Cannot listen on 127.0.0.1"):
            call_command("webex_sandbox", "--port", str(busy.getsockname()[1]))


def test_admin_pages(admin_client, db):
    run("add", "acme", "https://acme.webex.com/acme/")
    site = Site.objects.get()
    record = ReplayRecord.objects.create(site=site, site_label="acme", actor="x", outcome="fail", rs="AccessDenied")
    assert admin_client.get("/admin/replay/site/").status_code == 200
    assert admin_client.get(f"/admin/replay/site/{site.pk}/change/").status_code == 200
    assert admin_client.get("/admin/replay/replayrecord/").status_code == 200
    assert admin_client.get(f"/admin/replay/replayrecord/{record.pk}/change/").status_code == 200
    assert admin_client.get("/admin/replay/replayrecord/add/").status_code == 403
    response = admin_client.post(
        "/admin/replay/site/add/",
        {"name": "Plain", "slug": "plain", "base_url": "http://plain.example/x/", "timeout": "10"},
    )
    assert response.status_code == 200 and "must use https" in response.content.decode()
