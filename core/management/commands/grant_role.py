from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from core.roles import ROLE_NAMES, ensure_roles, grant
from core.terminal import SafeOutputCommand


class Command(SafeOutputCommand):
    help = "Give a user a role: help-desk (replay), kb-editor (edit entries and flows) or admin (sites and users)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLE_NAMES))

    def handle(self, *args, username, role, **options):
        ensure_roles()
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}: create it in the admin or with createsuperuser.") from None
        grant(user, role)
        self.stdout.write(self.style.SUCCESS(f"{username} is now in {ROLE_NAMES[role]!r}."))
