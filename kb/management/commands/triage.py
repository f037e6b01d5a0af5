import sys

from django.conf import settings
from django.core.management.base import CommandError

from core.terminal import SafeOutputCommand
from core.tickets import render, triage_ticket
from kb.triage.card import build_card
from webex.ticket import printable


class Command(SafeOutputCommand):
    help = (
        "Read a whole ticket on standard input (a mail thread, log lines, XML, URLs, REST JSON, HTML forms) and print "
        "its triage card: every code, status, command, site, user, tracking ID and time, linked to the knowledge base, "
        "and what is still missing before escalating. Secrets are redacted first; nothing is stored."
    )

    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="A file to read instead of standard input")

    def handle(self, *args, file=None, **options):
        if file:
            try:
                with open(file, "rb") as handle:
                    data = handle.read()
            except OSError as error:
                raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        else:
            stream = options.get("stdin") or sys.stdin
            data = getattr(stream, "buffer", stream).read()
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        if not text.strip():
            raise CommandError("The ticket is empty: pipe it in (manage.py triage < ticket.txt).")
        self.stdout.write(
            printable(render(triage_ticket(build_card(text), root=settings.SITE_ROOT), "text")), ending=""
        )
