"""``python manage.py ensure_sandbox_site [--port 8765]``: the "Sandbox" site pointing at the local sandbox."""

import os

from django.core.management.base import CommandError
from django.db import transaction

from core.terminal import SafeOutputCommand
from replay.models import Site
from replay.sandbox.state import PARTNER_ID


class Command(SafeOutputCommand):
    help = "Create or update the 'Sandbox' site for the local WebEx sandbox (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.getenv("SANDBOX_PORT", "8765")))

    def handle(self, *args, port, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a TCP port: use 1 to 65535.")
        values = {
            "name": "Sandbox",
            "base_url": f"http://127.0.0.1:{port}/sandbox/",
            "xml_url": f"http://127.0.0.1:{port}/WBXService/XMLService",
            "partner_id": PARTNER_ID,
            "timeout": 10.0,
            "allow_private_network": True,
            "is_test_site": True,  # the sandbox: site-changing commands need no confirmation
        }
        with transaction.atomic():
            site, created = Site.objects.update_or_create(slug="sandbox", defaults=values)
        self.stdout.write(f"{'Created' if created else 'Checked'} site 'Sandbox' -> {site.base_url}")
