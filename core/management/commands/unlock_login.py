"""``python manage.py unlock_login <user name> [--address A]``: clear the failed log-in counts (core/throttle.py)."""

from django.core.management.base import CommandError

from core.terminal import SafeOutputCommand
from core.throttle import unlock


class Command(SafeOutputCommand):
    help = "Let a locked-out user log in again: clear the failed log-in counts of a user name and/or an address."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="The user name (any case or width: it is normalised)")
        parser.add_argument("--address", help="A client address to clear as well (as the app sees it)")

    def handle(self, *args, username=None, address=None, **options):
        if not username and not address:
            raise CommandError("Name a user name, an --address, or both.")
        cleared = unlock(username=username, address=address)
        self.stdout.write(f"Cleared {cleared} failed log-in counter{'s' if cleared != 1 else ''}.")
