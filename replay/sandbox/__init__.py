"""A simulated WebEx site, so a replay can be tried offline and tested over a real socket.

Standard library only. It binds 127.0.0.1 and nothing else. Start it with
``python manage.py webex_sandbox [--port 8765]`` or, from Python/tests::

    from replay.sandbox.server import SandboxServer
    from replay.sandbox.state import SandboxConfig

    server = SandboxServer(port=0, config=SandboxConfig(session_idle_seconds=2))
    server.start()            # serves in a background thread
    server.base_url           # "http://127.0.0.1:<port>"
    server.stop()

It imitates the legacy WebEx URL API (``/<site>/p.php``, ``m.php``, ``o.php``, ``c.php``) and a few XML API
calls (``/WBXService/XMLService``). Everything it says is simulated: the reason codes are the real ones from the
error catalogue, but which code a command gets in which situation is this sandbox's own, documented choice.

Sandbox sites (the first path segment) and their settings
---------------------------------------------------------
The first path segment is ``<site>`` or ``<site>-<form>``.

``<site>``:

==============  ==============================================================================================
``sandbox``     The normal site: API and auto login on.
``noauto``      Auto login off: ``SU``, ``LI`` and ``LO`` answer ``AutoLoginDisabled``.
``noapi``       API off: every command answers ``DoNotSupportAPI``.
==============  ==============================================================================================

``<form>``, how the result is sent back (default: ``href``):

==============  ==============================================================================================
(none)          The HTML page whose script sends the browser to the back URL, hex-escaped, as WebEx does:
                ``location.href="https\\x3a\\x2f\\x2f…"``.
``-replace``    ``window.location.replace("…")``.
``-var``        ``var url = "…"; window.location = url;``.
``-302``        A plain ``HTTP 302`` with a ``Location`` header.
``-xml``        A small XML document ``<UrlApiResponse><AT>…</AT><Status>SUCCESS|FAIL</Status><Reason>…</Reason>
                </UrlApiResponse>`` (a sandbox-only form; real WebEx answers in XML only for ``m.php?AT=OM``,
                which answers ``<ListOpenMeetings>`` on every site path).
==============  ==============================================================================================

So ``/sandbox/p.php``, ``/sandbox-302/p.php``, ``/noauto-var/p.php``, ``/noapi-xml/m.php`` … all exist.

All these sites share one set of accounts and meetings (one sandbox = one WebEx customer), but each
site path has its own session cookie.

Site settings (all sites): partner ID ``PID=4242``; supported meeting types ``MT=1`` and ``MT=2``
(``MT`` absent means the default type 1); maximum meeting duration 40 minutes, so the default ``DU`` of 60
answers ``TheDurationIsExceedTheMaxDuration`` while ``DU=20`` succeeds; the XML API requires a meeting
password on ``meeting.CreateMeeting``. Sessions expire after 30 minutes idle (``SandboxConfig.session_idle_seconds``).

Test accounts
-------------
``host1`` / ``Sandbox-pass1`` (email host1@sandbox.example, site administrator) and
``user2`` / ``Sandbox-pass2`` (email user2@sandbox.example, not an administrator). One meeting exists:
key ``621018655``, meeting password ``Meet-pass1``, hosted by host1, not in progress until ``HM`` starts it.

How to get every catalogue reason code (URL API, back-URL ``RS``)
------------------------------------------------------------------
===================================  ===================================================================
``AccessDenied``                     any ``m.php`` (except ``JM``), ``o.php`` or ``c.php`` call without the
                                     session cookie, or after it expired
``AlreadyLogon``                     ``p.php?AT=LI`` while the session cookie is valid
``AutoLoginDisabled``                ``SU``, ``LI`` or ``LO`` on ``/noauto/`` (or ``/noauto-302/`` …)
``BadWebExIDorPassword``             ``LI`` with a wrong ``PW`` or an unknown ``WID`` (or a bad ``TK``)
``DoNotSupportAPI``                  any command on ``/noapi/`` (or ``/noapi-302/`` …)
``EmailConflict``                    ``SU`` (or ``EU`` with ``NEM``) with an email already in use
``NoMeetingTypeSupport``             ``SM`` with an ``MT`` other than 1 or 2
``SiteDoNotSupportThisMeetingType``  ``SU`` or ``IM`` with an ``MT`` other than 1 or 2
``PartnerIDError``                   ``SU`` or ``EU`` with a ``PID`` other than 4242
``TheDurationIsExceedTheMaxDuration``  ``SM`` or ``IM`` without ``DU`` (default 60) or with ``DU`` over 40
``Unknown``                          ``SU`` with ``EM`` missing or not an email address
``WebExIDConflict``                  ``SU`` (or ``EU`` with ``NWID``) with a ``WID`` that exists
===================================  ===================================================================
Also: ``InvalidMeetingKey`` (``HM``/``JM`` with an unknown ``MK``), ``InvalidMeetingKeyOrPassword``
(``JM`` with a wrong meeting ``PW``), ``MeetingNotInProgress`` (``JM`` before ``HM``), ``InvalidDataFormat``
(``SU`` missing ``WID``, ``PW``, ``FN`` or ``LN``) and ``UnknownATCommand`` (an ``AT`` the file does not know).

Check order of ``SU``: auto login, PID, EM, required fields, WID, email, MT.

XML API (``POST /WBXService/XMLService``, HTTP 200 even on failure)
-------------------------------------------------------------------
``user.AuthenticateUser`` (gives a ``sessionTicket``), ``user.GetLoginTicket`` (gives a ticket usable as
``TK`` in ``p.php?AT=LI``), ``user.GetUser``, ``user.LstsummaryUser``, ``meeting.CreateMeeting``,
``meeting.GetMeeting``, ``meeting.DelMeeting``. Failures:
``030002`` "Incorrect user or password" (wrong password or unknown webExID), ``030047`` "Not a valid session
ticket", ``000001`` "Access denied, additional privileges are required" (``LstsummaryUser``, or ``GetUser`` of
another user, by a non-administrator), ``060026`` "Meeting password must not be null" (``CreateMeeting`` without
``<meetingPassword>``), ``060001`` "Corresponding Meeting not found" (``GetMeeting``/``DelMeeting`` with an
unknown key), ``030001`` (``GetUser`` of an unknown user; the reason text is the sandbox's own, the real one was
not seen).

Trouble sites (for the replay's bad-input tests and demos)
----------------------------------------------------------
``/slow/…`` waits ``SandboxConfig.slow_seconds`` (default 30) before answering; ``/huge/…`` streams
``SandboxConfig.huge_bytes`` (default 50 MB); ``/html/…`` answers a page that is not from WebEx;
``/badxml/…`` answers broken XML; ``/empty/…`` answers 200 with an empty body.

With no ``BU`` the answer sends the browser to the sandbox's own back page, ``/<site>/back``.
The sandbox never logs a query string or a request body.

Modules: ``state`` (settings, accounts, meetings, sessions and tickets), ``rules`` (which answer a command
gets, as plain functions of the command, its parameters and the state) and ``server`` (the HTTP server: it reads
requests and writes each answer in the form its site path asks for).
"""
