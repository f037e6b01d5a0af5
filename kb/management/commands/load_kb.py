from django.core.management.base import CommandError

from core.terminal import SafeOutputCommand
from kb import fixtures


class Command(SafeOutputCommand):
    help = "Load knowledge base fixtures (all of fixtures/ when no path is given). Idempotent; one transaction."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Fixture files to load (default: every fixtures/*.json)")
        parser.add_argument("--force", action="store_true", help="Overwrite entries edited in the admin")

    def handle(self, *args, paths, force, **options):
        try:
            report = fixtures.load(paths or None, force=force)
        except fixtures.FixtureError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from None
        for line in report.lines():
            self.stdout.write(line)
        if report.skipped_items:
            self.stdout.write(self.style.WARNING(f"{len(report.skipped_items)} item(s) skipped; see above."))
        self.stdout.write(self.style.SUCCESS("Knowledge base loaded." if report.changed else "Already up to date."))
