"""``manage.py replay`` prints what a hostile site answered (its reason, its redirect, the entry's text) with every
control character and escape sequence shown visibly: no clipboard write, window title, clear screen or bidi override
reaches the terminal (core.terminal)."""

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
