"""A simulated WebEx site, so a replay can be tried offline and tested over a real socket.

The manual (sites and answer forms, accounts, meetings, how to get every reason code and XML API exception, the
trouble sites) is docs/sandbox.md. Standard library only; it binds 127.0.0.1 and nothing else. Start it with
``python manage.py webex_sandbox [--port 8765]`` or, from Python and tests::

    from replay.sandbox.server import SandboxServer
    from replay.sandbox.state import SandboxConfig

    server = SandboxServer(port=0, config=SandboxConfig(session_idle_seconds=2))
    server.start()            # serves in a background thread
    server.base_url           # "http://127.0.0.1:<port>"
    server.stop()

It imitates the legacy WebEx URL API (``/<site>/p.php``, ``m.php``, ``o.php``, ``c.php``) and a few XML API
calls (``/WBXService/XMLService``). Everything it says is simulated: the reason codes are the real ones from the
error catalogue, but which code a command gets in which situation is this sandbox's own, documented choice.

Modules: ``state`` (settings, accounts, meetings, sessions and tickets), ``rules`` (which answer a command
gets, as plain functions of the command, its parameters and the state) and ``server`` (the HTTP server: it reads
requests and writes each answer in the form its site path asks for).
"""
