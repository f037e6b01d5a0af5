"""The secret shapes an attack found stored (issue 23), in a replayed XML request and in a hostile site's answer:
no part of the secret reaches the record (its request XML, body, headers, preview, message, reason) or any table."""

import uuid

import pytest
from django.db import connection

from replay import run
from replay.models import ReplayRecord
from replay.plan import ReplayInput
from replay.tests.helpers import post_replay
from webex.tests.samples import LEAKED_SHAPES

SERV = "http://www.webex.com/schemas/2002/06/service"


def _secret():
    return f"Qz{uuid.uuid4().hex[:10]}-{uuid.uuid4().hex[:10]}Vv"


def _answer(shape_text):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="{SERV}"><serv:header><serv:response>'
        f"<serv:result>FAILURE</serv:result><serv:reason>Incorrect user or password {shape_text}</serv:reason>"
        f"<serv:gsbStatus>PRIMARY</serv:gsbStatus><serv:exceptionID>030002</serv:exceptionID></serv:response>"
        f"</serv:header><serv:body><serv:bodyContent/></serv:body></serv:message>"
    )


def _request(shape_text):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="{SERV}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext>'
        f"<webExID>host1</webExID>{shape_text}<siteName>acme</siteName></securityContext></header><body>"
        '<bodyContent xsi:type="java:com.webex.service.binding.user.GetUser"/></body></serv:message>'
    )


def _every_table():
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            out.append(repr(cursor.fetchall()))
    return "\n".join(out)


def _kept(secret, text):
    return [half for half in secret.split("-") if half in text]


@pytest.fixture
def echo_site(stand_in, make_site):
    """A site (URL API and XML API on one stand-in) whose every answer is ``body``."""

    def make(body):
        server = stand_in(body=body.encode(), headers=[("Content-Type", "text/xml; charset=UTF-8")])
        site = make_site(base_url=f"{server.base_url}/acme/", slug=f"echo-{uuid.uuid4().hex[:6]}")
        site.xml_url = f"{server.base_url}/WBXService/XMLService"
        site.save(update_fields=["xml_url"])
        return site

    return make


@pytest.mark.parametrize(("shape", "template"), LEAKED_SHAPES, ids=[s for s, _ in LEAKED_SHAPES])
def test_a_replayed_xml_request_and_its_answer_keep_no_secret(db, echo_site, shape, template):
    sent, echoed = _secret(), _secret()
    site = echo_site(_answer(template.format(s=echoed)))
    done = run.replay(site, ReplayInput(mode="xml", text=_request(template.format(s=sent))), actor="test")
    record = ReplayRecord.objects.get(pk=done.record.pk)
    assert record.exception_id == "030002", record.outcome
    fields = [record.request_xml, record.response_body, str(record.response_headers), record.response_preview]
    fields += [record.message, record.reason, str(record.parameters)]
    for secret in (sent, echoed):
        assert not _kept(secret, "\n".join(fields)), shape
        assert not _kept(secret, _every_table()), shape
    assert "\u2022\u2022\u2022" in record.response_body


@pytest.mark.parametrize(("shape", "template"), LEAKED_SHAPES, ids=[s for s, _ in LEAKED_SHAPES])
def test_a_pasted_url_api_command_keeps_no_secret(replay_client, echo_site, shape, template):
    secret = _secret()
    site = echo_site(_answer("nothing"))
    response = post_replay(replay_client, site, f"p.php?AT=GS&WID=host1&{template.format(s=secret)}")
    assert not _kept(secret, response.content.decode()), shape
    assert not _kept(secret, _every_table()), shape
