"""Real WebEx texts (each with its source) and builders shared by the webex tests."""

# The real recorded exchange (RPREP VCR cassette): p.php?AT=LO answered with HTTP 200 and a script.
RPREP_LO = (
    '<script language="JavaScript">location.href="https\\x3a\\x2f\\x2frevolutionprep.webex.com\\x2fmw0307l'
    '\\x2fmywebex\\x2fdefault.do\\x3fsiteurl\\x3drevolutionprep\\x26AT\\x3dLO\\x26ST\\x3dSUCCESS";</script>'
)
# The real EROLMS fixture meeting_del_meeting_response_bad.xml.
EROLMS_DEL = """<?xml version="1.0" encoding="UTF-8"?>
<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"
              xmlns:com="http://www.webex.com/schemas/2002/06/common"
              xmlns:meet="http://www.webex.com/schemas/2002/06/service/meeting">
  <serv:header>
    <serv:response>
      <serv:result>FAILURE</serv:result>
      <serv:reason>Corresponding Meeting not found</serv:reason>
      <serv:gsbStatus>PRIMARY</serv:gsbStatus>
      <serv:exceptionID>060001</serv:exceptionID>
    </serv:response>
  </serv:header>
  <serv:body><serv:bodyContent/></serv:body>
</serv:message>"""
OM_SUCCESS = (
    "<ListOpenMeetings><Status>SUCCESS</Status>"
    "<MeetingKeys>621018655;623350124;629471076;</MeetingKeys></ListOpenMeetings>"
)
JAVA_QA_LI = (
    "https://pluto.qa.webex.com/mw3100/mywebex/default.do?siteurl=pluto&AT=LI&WID=pluto&ST=SUCCESS"
    "&CSRF=c652e364-0000-0000-0000-000000000000"
)
SECRET = "Hunter2-Zq9x"


def xml_failure(code, reason, prefix="serv"):
    p = f"{prefix}:" if prefix else ""
    ns = f' xmlns:{prefix}="http://www.webex.com/schemas/2002/06/service"' if prefix else ""
    return (
        f"<{p}message{ns}><{p}header><{p}response><{p}result>FAILURE</{p}result><{p}reason>{reason}</{p}reason>"
        f"<{p}gsbStatus>PRIMARY</{p}gsbStatus><{p}exceptionID>{code}</{p}exceptionID></{p}response></{p}header>"
        f"<{p}body><{p}bodyContent/></{p}body></{p}message>"
    )


XML_REQUEST = (
    '<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext><webExID>hostid</webExID>'
    "<password>pw</password><siteName>acme</siteName></securityContext></header><body>"
    '<bodyContent xsi:type="java:com.webex.service.binding.meeting.GetMeeting"><meetingKey>123456789</meetingKey>'
    "</bodyContent></body></serv:message>"
)


XML_FAILURE = (
    "<serv:message><serv:header><serv:response><serv:result>FAILURE</serv:result>"
    "<serv:reason>Corresponding Meeting not found</serv:reason><serv:gsbStatus>PRIMARY</serv:gsbStatus>"
    "<serv:exceptionID>060001</serv:exceptionID></serv:response></serv:header><serv:body><serv:bodyContent/>"
    "</serv:body></serv:message>"
)


XML_SUCCESS = (
    "<serv:message><serv:header><serv:response><serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY"
    '</serv:gsbStatus></serv:response></serv:header><serv:body><serv:bodyContent xsi:type="meet:getMeetingResponse">'
    "<meet:meetingkey>123456789</meetingkey></serv:bodyContent></serv:body></serv:message>"
)


# (id, text, command, status, code, api, form, is_request)
SHAPES = [
    # log lines
    (
        "log-error-code",
        "Error 060001: Corresponding Meeting not found",
        None,
        "FAILURE",
        "060001",
        "xml",
        "log-line",
        False,
    ),
    (
        "log-exception-id-equals",
        "10:00:01 ERROR webex exceptionID=030002",
        None,
        "FAILURE",
        "030002",
        "xml",
        "log-line",
        False,
    ),
    ("log-exception-id-colon", "exceptionID: 000015", None, "FAILURE", "000015", "xml", "log-line", False),
    (
        "log-webex-failure",
        "[WebEx] FAILURE 060001 Corresponding Meeting not found",
        None,
        "FAILURE",
        "060001",
        "xml",
        "log-line",
        False,
    ),
    (
        "log-rs-inside",
        "2026-11-30 10:00:01 WARN login for bob RS=AccessDenied (session)",
        None,
        None,
        "AccessDenied",
        "url",
        "log-line",
        False,
    ),
    (
        "log-reason-camel",
        "login failed, reason: BadWebExIDorPassword",
        None,
        None,
        "BadWebExIDorPassword",
        "url",
        "log-line",
        False,
    ),
    ("log-reason-text", "reason: Corresponding Meeting not found", None, "FAILURE", "060001", "xml", "log-line", False),
    ("log-rs-colon-with-status", "ST: FAIL RS: AlreadyLogon", None, "FAIL", "AlreadyLogon", "url", "log-line", False),
    # HTML POST forms
    (
        "form-fields",
        '<form action="https://site.webex.com/site/p.php" method="post"><input type="hidden" name="AT" value="LI">'
        '<input type="hidden" name="WID" value="jdoe"><input type="hidden" name="PW" value="secret"></form>',
        "p.php?AT=LI",
        None,
        None,
        "url",
        "html-form",
        True,
    ),
    (
        "form-at-in-action",
        "<form method=post action='https://site.webex.com/site/m.php?AT=JM'><input name=MK value=123456789>"
        "<input value=x name=PW></form>",
        "m.php?AT=JM",
        None,
        None,
        "url",
        "html-form",
        True,
    ),
    (
        # Dan8dev/prueba_MONI consejo/app/claseswebex/index.php: the page's script sets the form's action
        "form-action-set-by-script",
        '<form id="IDForm" method="POST"><input type="hidden" name="AT" value="RM" /><input name="MK" value="1" />'
        '</form><script>document.getElementById("IDForm").action = "https://u.webex.com/u/m.php";'
        'document.getElementById("IDForm").submit();</script>',
        "m.php?AT=RM",
        None,
        None,
        "url",
        "html-form",
        True,
    ),
    # JSON
    ("json-params", '{"AT": "LI", "WID": "jdoe", "PW": "x"}', "?AT=LI", None, None, "url", "json", True),
    (
        "json-params-with-url",
        '{"url": "https://acme.webex.com/acme/p.php", "params": {"AT": "LI", "WID": "jdoe", "PW": "x"}}',
        "p.php?AT=LI",
        None,
        None,
        "url",
        "json",
        True,
    ),
    (
        "json-params-with-service",
        '{"service": "m.php", "AT": "HM", "MK": "123"}',
        "m.php?AT=HM",
        None,
        None,
        "url",
        "json",
        True,
    ),
    ("json-url-answer", '{"ST": "FAIL", "RS": "AccessDenied"}', None, "FAIL", "AccessDenied", "url", "json", False),
    (
        "json-xml-answer",
        '{"exceptionID": "060001", "reason": "Corresponding Meeting not found"}',
        None,
        "FAILURE",
        "060001",
        "xml",
        "json",
        False,
    ),
    ("json-nested", '{"error": {"exceptionID": "030002"}}', None, "FAILURE", "030002", "xml", "json", False),
    ("json-success", '{"AT": "LI", "ST": "SUCCESS", "WID": "bob"}', "?AT=LI", "SUCCESS", None, "url", "json", False),
    # HTTP captures
    (
        "http-xml-request",
        "POST /WBXService/XMLService HTTP/1.1\nHost: acme.webex.com\nContent-Type: text/xml\n\n" + XML_REQUEST,
        "XMLService:meeting.GetMeeting",
        None,
        None,
        "xml",
        "http-request",
        True,
    ),
    (
        "http-get-request",
        "GET /site/p.php?AT=LI&WID=jdoe&PW=x HTTP/1.1\nHost: site.webex.com\nAccept: */*\n",
        "p.php?AT=LI",
        None,
        None,
        "url",
        "http-request",
        True,
    ),
    (
        "http-post-form-request",
        "POST /acme/p.php HTTP/1.1\nHost: acme.webex.com\nContent-Type: application/x-www-form-urlencoded\n\n"
        "AT=LI&WID=bob&PW=x",
        "p.php?AT=LI",
        None,
        None,
        "url",
        "http-request",
        True,
    ),
    (
        "http-302",
        "HTTP/1.1 302 Found\nLocation: https://acme.example/back?AT=LI&ST=FAIL&RS=BadWebExIDorPassword\n"
        "Content-Length: 0\n",
        "?AT=LI",
        "FAIL",
        "BadWebExIDorPassword",
        "url",
        "http-redirect",
        False,
    ),
    (
        "http-302-curl-verbose",
        "< HTTP/1.1 302 Found\n< Location: https://acme.example/back?AT=SM&ST=FAIL&RS=MeetingScheduleFail\n<\n",
        "?AT=SM",
        "FAIL",
        "MeetingScheduleFail",
        "url",
        "http-redirect",
        False,
    ),
    (
        "http-200-xml-failure",
        'HTTP/1.1 200 OK\nContent-Type: text/xml;charset=UTF-8\n\n<?xml version="1.0" encoding="UTF-8"?>' + XML_FAILURE,
        None,
        "FAILURE",
        "060001",
        "xml",
        "xml-api",
        False,
    ),
    (
        "http-200-script-redirect",
        'HTTP/1.1 200 OK\nContent-Type: text/html\n\n<script language="JavaScript">location.href='
        '"https\\x3a\\x2f\\x2facme.webex.com\\x2fmw0307l\\x2fmywebex\\x2fdefault.do\\x3fsiteurl\\x3dacme\\x26AT\\x3dLO'
        '\\x26ST\\x3dSUCCESS";</script>',
        "?AT=LO",
        "SUCCESS",
        None,
        "url",
        "script-redirect",
        False,
    ),
    # the XML API request on its own is a request, not an answer
    ("xml-request", XML_REQUEST, "XMLService:meeting.GetMeeting", None, None, "xml", "xml-api", True),
    ("xml-success", XML_SUCCESS, "XMLService:meeting.GetMeeting", "SUCCESS", None, "xml", "xml-api", False),
]


IDS = [shape[0] for shape in SHAPES]


FLAT = {shape[0]: shape[1:] for shape in SHAPES}

# The secret shapes an attack found stored or echoed (issue 23): each with {s} where the secret goes. Every door is
# tested with each (webex/tests/test_redaction.py, the search page, API and log, the /errors/ filter, replay records).
LEAKED_SHAPES = [
    ("password-value-attribute", '<password value="{s}"/>'),
    ("comment-pw-space", "<!-- pw {s} -->"),
    ("session-ticket-value", '<sessionTicket value="{s}">'),
    ("pwd-element", "<pwd>{s}</pwd>"),
    ("pwd-param", "AT=LI&pwd={s}"),
    ("passwd-param", "AT=LI&passwd={s}"),
    ("pass-param", "AT=LI&pass={s}"),
    ("token-param", "AT=LI&token={s}"),
    ("json-access-token", '{{"accessToken": "{s}"}}'),
    ("json-access-token-tight", '{{"accessToken":"{s}"}}'),
    ("json-escaped-pw-name", '{{"P\\u0057": "{s}"}}'),
    ("fullwidth-pw", "\uff30\uff37={s}"),
    ("fullwidth-pw-and-eq", "AT=LI&\uff30\uff37\uff1d{s}"),
    ("npw-tab", "NPW\t{s}"),
]
# Ordinary words that look like a secret's name: never redacted outside a name=value or element shape.
PROSE_WITH_SECRET_WORDS = [
    "you shall not pass",
    "pass the token to the API",
    "password expired",
    "the token is invalid",
    "wrong password for user bob",
    "compass=north bypass=1 passport=123 tokens=3",
]

# What a hostile site's answer or an editor's text may carry to a terminal or a ticket: a clipboard write (OSC 52), a
# window title, clear screen (ESC and the single-byte C1 CSI), a carriage return, and bidi overrides and isolates.
TERMINAL_ATTACKS = (
    "\x1b]52;c;ZWNobyBwd25lZA==\x07 \x1b]0;pwned\x07 \x1b[2J\x1b[H \x9b2J \rover \u202eevil\u202c \u2066iso\u2069"
)
UNSHOWABLE = ["\x1b", "\x07", "\x9b", "\r", "\u202e", "\u202c", "\u2066", "\u2069"]
