"""``manage.py replay`` prints what a hostile site answered (its reason, its redirect, the entry's text) with every
control character and escape sequence shown visibly: no clipboard write, window title, clear screen or bidi override
reaches the terminal (core.terminal)."""

import re
import uuid

from replay.tests.helpers import run_replay_command
from webex.tests.samples import TERMINAL_ATTACKS, UNSHOWABLE

SERV = "http://www.webex.com/schemas/2002/06/service"


def _site(stand_in, make_site, **answer):
    server = stand_in(**answer)
    site = make_site(base_url=f"{server.base_url}/acme/", slug=f"hostile-{uuid.uuid4().hex[:6]}")
    site.xml_url = f"{server.base_url}/WBXService/XMLService"
    site.save(update_fields=["xml_url"])
    return site


def test_a_hostile_reason_is_shown_visibly(db, stand_in, make_site):
    body = (
        f'<?xml version="1.0"?><serv:message xmlns:serv="{SERV}"><serv:header><serv:response>'
        f"<serv:result>FAILURE</serv:result><serv:reason>Bad {TERMINAL_ATTACKS}</serv:reason>"
        "<serv:exceptionID>999999</serv:exceptionID></serv:response></serv:header></serv:message>"
    )
    site = _site(stand_in, make_site, body=body.encode(), headers=[("Content-Type", "text/xml")])
    code, out = run_replay_command("--site", site.slug, "p.php?AT=GS&WID=host1")
    assert "Record:" in out
    assert not [ch for ch in UNSHOWABLE if ch in out], repr(out)


def test_a_hostile_redirect_is_shown_visibly(db, stand_in, make_site):
    location = "https://a.example/back?AT=LI&ST=FAIL&RS=x%1B%5D52%3Bc%3BZXZpbA%3D%3D%07" + "\u202eevil"
    site = _site(stand_in, make_site, status=302, headers=[("Location", location)], body=b"")
    code, out = run_replay_command("--site", site.slug, "p.php?AT=LI&WID=host1")
    assert "Record:" in out
    assert not [ch for ch in UNSHOWABLE if ch in out], repr(out)


def test_a_hostile_rs_lands_escaped_in_the_replay_ticket(replay_client, stand_in, make_site):
    from urllib.parse import quote

    from replay.models import ReplayRecord
    from replay.tests.helpers import post_replay

    rs = "[click](http://evil.example)![x](http://track.example/p.png)"
    location = f"https://a.example/back?AT=GS&ST=FAIL&RS={quote(rs)}"
    site = _site(stand_in, make_site, status=302, headers=[("Location", location)], body=b"")
    post_replay(replay_client, site, "p.php?AT=GS&WID=host1")
    record = ReplayRecord.objects.get()
    markdown = replay_client.get(f"/replay/{record.pk}/ticket/", {"format": "markdown"}).content.decode()
    jira = replay_client.get(f"/replay/{record.pk}/ticket/", {"format": "jira"}).content.decode()
    assert "Replay of `p.php?AT=GS`" in markdown
    for text in (markdown, jira):
        prose = re.sub(r"`[^`]*`|\{\{.*?\}\}", "", text)  # code spans show their text as it is
        assert not re.search(r"(?<!\\)\]\(|(?<!\\)!\[|(?<!\\)\[[^\]]*\|", prose), text
