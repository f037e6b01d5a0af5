"""``python manage.py webex_sandbox [--port 8765]``: serve the simulated WebEx site on 127.0.0.1."""

import logging
import signal

from django.core.management.base import CommandError

from core.terminal import SafeOutputCommand
from replay.sandbox.server import SandboxServer
from replay.sandbox.server import logger as sandbox_logger
from replay.sandbox.state import FORMS, SITES, SandboxConfig


class Command(SafeOutputCommand):
    help = "Serve a simulated WebEx site (URL API and a few XML API calls) on 127.0.0.1 for offline replays."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765, help="TCP port on 127.0.0.1 (default 8765)")
        parser.add_argument(
            "--session-idle",
            type=float,
            default=30 * 60,
            metavar="SECONDS",
            help="Idle time after which a login cookie expires (default 1800, as WebEx)",
        )

    def handle(self, *args, port, session_idle, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a TCP port: use 1 to 65535.")
        if session_idle <= 0:
            raise CommandError("--session-idle must be a positive number of seconds.")
        sandbox_logger.setLevel(logging.INFO)
        try:
            server = SandboxServer(port=port, config=SandboxConfig(session_idle_seconds=session_idle))
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
        self.stdout.write(f"WebEx sandbox on {server.base_url}/ (Ctrl-C stops it)")
        for name in SITES:
            forms = ", ".join(f"/{name}-{form}/" for form in FORMS if form != "href")
            self.stdout.write(f"  {server.base_url}/{name}/  (also {forms})")
        self.stdout.write(f"  {server.base_url}/WBXService/XMLService  (XML API)")
        self.stdout.write("Accounts: host1 / Sandbox-pass1 (site admin), user2 / Sandbox-pass2. PID 4242.")

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)  # `make run` stops the sandbox with SIGTERM
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Sandbox stopped.")
        finally:
            server.httpd.stopping.set()
            server.httpd.server_close()
