"""A pasted password never survives, whatever shape it comes in: each shape below carries a unique secret, is sent
through every search door (the page and its htmx fragment, search as you type, /search/settled/, /search/go/, the
JSON API), and the secret is then looked for everywhere it could end up: every response body and header (Location,
HX-Push-Url, HX-Replace-Url included), every row of every database table, everything logged (every logger at DEBUG,
and what the configured handlers write), the answer cache and the page cache.

One home for the rule: webex/redaction.py (SECRET_PARAMS, SECRET_WORDS, SECRET_XML_ELEMENTS, SECRET_HEADERS).
"""

import io
import json
import logging
import pickle
import uuid

import pytest
from django.core.cache import cache
from django.db import connection

from core.logs import RedactingFilter
from kb.search import answer_cache
from kb.search import log as search_log
from kb.search.views import fragment_cache
from webex.redaction import MASK, SECRET_HEADERS, SECRET_PARAMS, SECRET_XML_ELEMENTS, redact_text

# Each shape: (id, text with {s} where the secret goes). Most also carry an answer or a command, so detection runs
# on them too (and its fragment, command and code are shown, logged and cached).
SHAPES = [
    # query strings
    ("query-pw", "https://acme.webex.com/acme/p.php?AT=LI&WID=bob&PW={s}&MU=GoBack"),
    ("query-npw", "https://acme.webex.com/acme/p.php?AT=EU&WID=bob&NPW={s}&PID=1"),
    ("query-tk", "https://acme.webex.com/acme/p.php?AT=LI&WID=bob&TK={s}"),
    ("query-mpw", "https://acme.webex.com/acme/nobrowser.php?AT=HM&MK=1&MPW={s}"),
    ("query-lower-name", "p.php?at=li&wid=bob&pw={s}"),
    ("query-back-url", "https://acme.example/back?AT=LI&ST=FAIL&RS=BadWebExIDorPassword&PW={s}"),
    ("query-password-param", "AT=LI&WID=bob&password={s}&ST=FAIL&RS=AccessDenied"),
    ("query-session-ticket-param", "AT=LI&sessionTicket={s}&ST=FAIL&RS=InvalidSessionTicket"),
    # percent-encoded names, encoded "=", double-encoded
    ("pct-name-P%57", "https://acme.webex.com/acme/p.php?AT=LI&WID=bob&P%57={s}"),
    ("pct-name-%50%57", "https://acme.webex.com/acme/p.php?AT=LI&WID=bob&%50%57={s}"),
    ("pct-eq-PW%3D", "https://acme.example/cb?u=AT%3DLI%26WID%3Dbob%26PW%3D{s}%26ST%3DFAIL%26RS%3DAccessDenied"),
    ("pct-double", "https://acme.example/cb?u=AT%253DLI%2526PW%253D{s}%2526ST%253DFAIL"),
    ("pct-double-name", "p.php?AT=LI&WID=bob&%2550%2557={s}"),
    # HTML forms
    (
        "form-hidden-inputs",
        '<form action="https://site.webex.com/site/p.php" method="post"><input type="hidden" name="AT" value="LI">'
        '<input type="hidden" name="WID" value="jdoe"><input type="hidden" name="PW" value="{s}"></form>',
    ),
    (
        "form-value-before-name",
        '<form action="https://site.webex.com/site/p.php?AT=LI" method="post"><input value="{s}" type="hidden" '
        'name="PW"></form>',
    ),
    ("form-single-quotes", "<form action='https://a.webex.com/a/p.php'><input type='hidden' name='PW' value='{s}'>"),
    ("form-no-quotes", "<form action=https://a.webex.com/a/p.php?AT=LI><input name=PW value={s}></form>"),
    ("input-no-quotes-alone", "<input name=PW value={s}>"),
    ("input-type-password", '<input type="password" name="pass" value="{s}"> AT=LI&ST=FAIL&RS=BadWebExIDorPassword'),
    ("input-npw-tk", '<input name="NPW" value="{s}"><input name="TK" value="{s}"> p.php?AT=EU'),
    ("input-html-escaped", "&lt;input type=&quot;hidden&quot; name=&quot;PW&quot; value=&quot;{s}&quot;&gt;"),
    # JSON
    ("json-pw", '{{"AT": "LI", "WID": "jdoe", "PW": "{s}"}}'),
    ("json-password", '{{"url": "https://a.webex.com/a/p.php", "AT": "LI", "password": "{s}"}}'),
    ("json-escaped-quote", '{{"AT": "LI", "password": "ab\\"cd\\" {s} \\"x"}}'),
    (
        "json-session-ticket",
        '{{"securityContext": {{"webExID": "bob", "sessionTicket": "{s}"}}, "exceptionID": "030047"}}',
    ),
    (
        "json-access-token-client-secret",
        '{{"webExAccessToken": "{s}", "clientSecret": "{s}", "exceptionID": "000001"}}',
    ),
    ("json-python-repr", "{{'AT': 'LI', 'WID': 'bob', 'PW': '{s}'}}"),
    ("json-in-a-string", '"{{\\"AT\\": \\"LI\\", \\"PW\\": \\"{s}\\"}}"'),
    ("json-user-password", '{{"user_password": "{s}", "newPassword": "{s}", "ST": "FAIL", "RS": "AccessDenied"}}'),
    # XML
    (
        "xml-request",
        "<serv:message><header><securityContext><webExID>bob</webExID><password>{s}</password>"
        '<siteName>acme</siteName></securityContext></header><body><bodyContent xsi:type="java:com.webex.service.'
        'binding.meeting.GetMeeting"><meetingKey>1</meetingKey></bodyContent></body></serv:message>',
    ),
    ("xml-serv-password", "<serv:password>{s}</serv:password><serv:result>FAILURE</serv:result>"),
    ("xml-session-ticket", "<sessionTicket>{s}</sessionTicket><serv:exceptionID>030047</serv:exceptionID>"),
    ("xml-access-token", "<webExAccessToken>{s}</webExAccessToken><clientSecret>{s}</clientSecret>"),
    ("xml-cdata", "<password><![CDATA[{s}]]></password><serv:exceptionID>030002</serv:exceptionID>"),
    ("xml-meeting-password", "<meet:meetingPassword>{s}</meet:meetingPassword><serv:result>FAILURE</serv:result>"),
    ("xml-attribute", '<securityContext webExID="bob" password="{s}"/><serv:exceptionID>030002</serv:exceptionID>'),
    ("xml-attribute-single", "<ctx sessionTicket='{s}'/> exceptionID=030047"),
    (
        "xml-comment-param",
        "<!-- PW={s} --><serv:result>FAILURE</serv:result><serv:exceptionID>030002</serv:exceptionID>",
    ),
    ("xml-comment-colon", "<!-- password: {s} --><serv:exceptionID>030002</serv:exceptionID>"),
    # log lines and HTTP captures
    ("log-password-colon", "2026-11-30 10:00:01 ERROR login failed\nPassword: {s}\nexceptionID=030002"),
    ("log-password-colon-two-words", "Password: {s} and more words\nRS=BadWebExIDorPassword"),
    ("log-password-equals", "2026-11-30 WARN login user=bob password={s} RS=BadWebExIDorPassword"),
    ("log-password-spaced", "login user=bob password = {s} RS=BadWebExIDorPassword"),
    ("log-snake-case", "db_password={s} webex.password: {s} Error 030002: Incorrect user or password"),
    ("log-two-word-password-in-one-line", "10:00 ERROR login Password: first {s} exceptionID=030002"),
    ("log-two-word-password-before-header", "GET /a/p.php?AT=LO HTTP/1.1 Password: pass {s} Host: a.webex.com"),
    ("textarea", '<form action="https://a.webex.com/a/p.php?AT=LI"><textarea name="PW">{s}</textarea></form>'),
    (
        "cookie-flattened",
        "HTTP/1.1 302 Found Set-Cookie: a=1; ticket={s}; Path=/ Location: https://a.example/b?AT=LI&ST=FAIL",
    ),
    ("log-quoted", 'login password="{s} with spaces" exceptionID: 030002'),
    (
        "http-authorization-basic",
        "POST /WBXService/XMLService HTTP/1.1\nHost: acme.webex.com\nAuthorization: Basic {s}\n"
        "Content-Type: text/xml\n\n<serv:message><body><bodyContent "
        'xsi:type="java:com.webex.service.binding.user.GetUser"/></body></serv:message>',
    ),
    (
        "http-authorization-bearer",
        "GET /acme/p.php?AT=LO HTTP/1.1\r\nHost: acme.webex.com\r\nAuthorization: Bearer {s}\r\n",
    ),
    (
        "http-authorization-flattened",
        "GET /acme/p.php?AT=LO HTTP/1.1 Host: acme.webex.com Authorization: Bearer {s} Accept: */*",
    ),
    (
        "http-cookie",
        "HTTP/1.1 302 Found\nSet-Cookie: ticket={s}; Path=/\nLocation: https://a.example/back?AT=LI&ST=SUCCESS\n",
    ),
    ("http-get-pw", "GET /site/p.php?AT=LI&WID=jdoe&PW={s} HTTP/1.1\nHost: site.webex.com\n"),
    (
        "http-post-form-body",
        "POST /acme/p.php HTTP/1.1\nHost: acme.webex.com\nContent-Type: application/x-www-form-urlencoded\n\n"
        "AT=LI&WID=bob&PW={s}&MU=GoBack",
    ),
    (
        "http-post-xml-password",
        'POST /WBXService/XMLService HTTP/1.1\nHost: acme.webex.com\nContent-Type: text/xml\n\n<?xml version="1.0"?>'
        "<serv:message><header><securityContext><webExID>b</webExID><password>{s}</password></securityContext>"
        '</header><body><bodyContent xsi:type="java:com.webex.service.binding.meeting.DelMeeting"/></body>'
        "</serv:message>",
    ),
    ("userinfo", "https://bob:{s}@acme.webex.com/acme/p.php?AT=LI"),
    # every password-like parameter of any command, and the common spellings of secrets
    ("query-ppw", "https://acme.webex.com/acme/m.php?AT=SM&MN=Review&PPW={s}&DU=30"),
    ("query-pwd", "p.php?AT=LI&WID=bob&pwd={s}"),
    ("query-passwd", "p.php?AT=LI&WID=bob&passwd={s}&ST=FAIL&RS=BadWebExIDorPassword"),
    ("query-pass", "login?user=bob&pass={s} RS=BadWebExIDorPassword"),
    ("query-token", "https://a.example/cb?token={s}&AT=LI&ST=FAIL&RS=AccessDenied"),
    ("xml-password-value-attribute", '<password value="{s}"/><serv:exceptionID>030002</serv:exceptionID>'),
    (
        "xml-comment-pw-space",
        "<!-- pw {s} --><serv:result>FAILURE</serv:result><serv:exceptionID>030002</serv:exceptionID>",
    ),
    ("xml-session-ticket-value", '<sessionTicket value="{s}"/> exceptionID=030047'),
    ("xml-pwd-element", "<pwd>{s}</pwd><serv:exceptionID>030002</serv:exceptionID>"),
    ("xml-access-token-element", "<accessToken>{s}</accessToken><serv:exceptionID>000001</serv:exceptionID>"),
    ("json-access-token", '{{"accessToken": "{s}", "exceptionID": "000001"}}'),
    ("json-escaped-name", '{{"AT": "LI", "P\\u0057": "{s}", "ST": "FAIL", "RS": "AccessDenied"}}'),
    ("fullwidth-pw", "p.php?AT=LI&WID=bob&\uff30\uff37\uff1d{s}"),
    ("tab-separated-npw", "AT\tEU\nWID\tbob\nNPW\t{s}\nRS\tAccessDenied"),
    ("attendee-password", "<att:attendeePassword>{s}</att:attendeePassword><panelistPassword>{s}</panelistPassword>"),
    (
        "oauth-token-request-curl",
        'curl -X POST https://webexapis.com/v1/access_token -d "grant_type=authorization_code&client_id=abc'
        '&client_secret={s}&code={s}&redirect_uri=https%3A%2F%2Fa.example%2Fcb"',
    ),
    ("oauth-refresh", '{{"grant_type": "refresh_token", "refresh_token": "{s}", "client_secret": "{s}"}}'),
    ("script-redirect", 'location.href="https\\x3a\\x2f\\x2fa.b\\x2fx\\x3fAT\\x3dLI\\x26PW\\x3d{s}\\x26ST\\x3dFAIL";'),
]


def _secret():
    return f"S3cr3t-{uuid.uuid4().hex}"


@pytest.fixture
def everything_logged(caplog):
    """Every record of every logger at DEBUG (caplog), and what the configured (redacting) handlers write."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters)]
    buffer = io.StringIO()
    old = [h.setStream(buffer) for h in handlers]
    yield lambda: caplog.text + "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records) + buffer.getvalue()
    for handler, stream in zip(handlers, old, strict=True):
        handler.setStream(stream)


def _every_table():
    search_log.flush()
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(include_views=False):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the database itself
            out.append(f"{table}: {cursor.fetchall()!r}")
    return "\n".join(out)


def _caches():
    """The answer cache and the fragment cache (keys and values) and the page cache (keys and pickled values)."""
    parts = [repr(list(answer_cache.items.items())), repr(list(fragment_cache.items.items()))]
    store = getattr(cache, "_cache", {})
    for key, value in list(store.items()):
        parts.append(repr(key))
        parts.append(repr(value if isinstance(value, bytes) else pickle.dumps(value)))
    return "\n".join(parts)


def _dump(response):
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return f"{response.status_code}\n{headers}\n{response.content.decode('utf-8', 'replace')}"


def _every_door(client, text):
    """The text sent through every search door; returns each response, dumped, by door."""
    hx = {"HTTP_HX_REQUEST": "true"}
    seen = {}
    page = client.get("/search/", {"q": text})
    seen["GET /search/"] = _dump(page)
    if page.status_code == 302:
        seen["GET /search/ (followed)"] = _dump(client.get(page["Location"]))
    seen["GET /search/ htmx"] = _dump(client.get("/search/", {"q": text}, **hx))
    seen["GET /search/?go=1"] = _dump(client.get("/search/", {"q": text, "go": "1"}))
    seen["POST /search/ as you type"] = _dump(client.post("/search/", {"q": text}, **hx))
    seen["POST /search/ without htmx"] = _dump(client.post("/search/", {"q": text}))
    seen["POST /search/settled/"] = _dump(client.post("/search/settled/", {"q": text}, **hx))
    seen["POST /search/go/"] = _dump(client.post("/search/go/", {"q": text}))
    api = client.get("/api/search/", {"q": text})
    seen["GET /api/search/"] = _dump(api)
    assert api.status_code == 200
    return seen


@pytest.mark.parametrize(("shape", "template"), SHAPES, ids=[shape for shape, _ in SHAPES])
def test_secret_never_survives(client, kb, everything_logged, shape, template):
    secret = _secret()
    text = template.format(s=secret)
    assert secret in text

    redacted = redact_text(text)
    assert secret not in redacted, redacted
    assert MASK in redacted
    assert redact_text(redacted) == redacted  # idempotent: redacting twice changes nothing

    for door, dump in _every_door(client, text).items():
        assert secret not in dump, f"{door} echoed the secret:\n{dump[:2000]}"
    assert secret not in _every_table()
    assert secret not in everything_logged()
    assert secret not in _caches()
    assert answer_cache.items, "the answers were cached (the cache was looked at, not skipped)"


def test_every_shape_reaches_the_search_log_redacted(client, kb):
    """The search log holds one row per settled query, and not one of them holds a secret."""
    from kb.models import SearchLog

    secrets = []
    for _shape, template in SHAPES:
        secret = _secret()
        secrets.append(secret)
        client.post("/search/settled/", {"q": template.format(s=secret)})
    search_log.flush()
    rows = json.dumps(list(SearchLog.objects.values()), default=str)
    assert SearchLog.objects.count() >= len(SHAPES) - 2  # a few shapes hold nothing to search by but the secret
    assert not [s for s in secrets if s in rows]


def test_one_home_for_secret_names():
    """Every name the issue lists is in the one list kb/redaction.py keeps, and the headers too."""
    assert {"PW", "NPW", "TK", "MPW"} <= SECRET_PARAMS
    assert {"password", "sessionTicket", "webExAccessToken", "clientSecret"} <= set(SECRET_XML_ELEMENTS)
    assert {"Authorization", "Cookie"} <= set(SECRET_HEADERS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<input type="hidden" name="PW" value="x1">', '<input type="hidden" name="PW" value="•••">'),
        ("<input value='x1' name='PW'>", "<input value='•••' name='PW'>"),
        ("<input name=PW value=x1>", "<input name=PW value=•••>"),
        ('<input name="WID" value="bob">', '<input name="WID" value="bob">'),
        ('{"PW": "x1", "WID": "bob"}', '{"PW": "•••", "WID": "bob"}'),
        ('<securityContext password="x1" webExID="bob"/>', '<securityContext password="•••" webExID="bob"/>'),
        ("<!-- password: x1 -->", "<!-- password: ••• -->"),
        ("Password: x1 y2\nHost: a", "Password: •••\nHost: a"),
        ("Authorization: Basic eDE=\nHost: a", "Authorization: Basic •••\nHost: a"),
        ("AT=LI&P%57=x1&WID=bob", "AT=LI&P%57=•••&WID=bob"),
        ("AT=LI&%50%57=x1&WID=bob", "AT=LI&%50%57=•••&WID=bob"),
        ("AT%3DLI%26PW%3Dx1%26WID%3Dbob", "AT%3DLI%26PW%3D•••%26WID%3Dbob"),
        ("ERROR login Password: two words exceptionID=030002", "ERROR login Password: ••• exceptionID=030002"),
        ("x password: a b [WebEx] FAILURE 060001", "x password: ••• [WebEx] FAILURE 060001"),
        ("Cookie: a=1; b=2\nHost: x", "Cookie: •••\nHost: x"),
        ('<textarea name="PW">x1</textarea>', '<textarea name="PW">•••</textarea>'),
        ('{"Authorization": "Bearer x1"}', '{"Authorization": "Bearer •••"}'),
    ],
)
def test_redaction_keeps_the_shape_and_everything_else(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "wrong password",
        "BadWebExIDorPassword: cannot log in",
        "RS=InvalidSessionTicket",
        "sessionTicket expired",
        "<serv:reason>Meeting password must not be null</serv:reason>",
        '<bodyContent xsi:type="java:com.webex.service.binding.user.GetLoginTicket">',
        '<input name="WID" value="bob">',
        "reason: Incorrect user or password",
        "Error 030002: Incorrect user or password",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert redact_text(text) == text
