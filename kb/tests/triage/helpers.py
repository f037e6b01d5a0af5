"""A ticket as a help desk receives it: a mail, log lines with two XML API codes, a back URL with a URL API code and a
password, a request, and a REST error with its tracking ID."""

SECRET = "hunter2secret"
XML_SECRET = "Xml-Pa55word"

TICKET = f"""From: Ana Pereira <ana@example.com>
Date: Mon, 07 Dec 2026 09:58:12 +0100
Subject: WebEx integration broken since this morning

Hi team, our portal cannot log users in. Our log shows:

2026-12-07T08:57:40Z ERROR webex-client Error 030002: Incorrect user or password
2026-12-07 09:01:02 UTC [WebEx] FAILURE 060001 Corresponding Meeting not found

The browser came back to
https://acme.webex.com/acme/p.php?AT=LI&ST=FAIL&RS=AccessDenied&WID=jdoe&PW={SECRET}

> The request we sent:
> https://acme.webex.com/acme/m.php?AT=HM&MK=123456789

<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service">
  <header><securityContext><webExID>jdoe</webExID><password>{XML_SECRET}</password></securityContext></header>
</serv:message>

The REST call answered:

HTTP/1.1 401 Unauthorized
Content-Type: application/json

{{
  "message": "The request requires a valid access token set in the Authorization request header.",
  "errors": [{{"description": "The request requires a valid access token."}}],
  "trackingId": "ROUTER_6F2B3C4D-1111-2222-3333-444455556666"
}}

Thanks, Ana
"""

# Only a code and a question: the card must ask for everything else.
BARE = "Customer says they get 030002 when logging in, what now?"
