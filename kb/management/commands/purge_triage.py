from core.terminal import SafeOutputCommand
from kb.models import TriageCard


class Command(SafeOutputCommand):
    help = "Delete the triage cards whose time is up (TRIAGE_KEEP_HOURS). Run it from cron on a quiet site."

    def handle(self, *args, **options):
        count = TriageCard.objects.purge()
        self.stdout.write(f"Deleted {count} expired triage card{'s' if count != 1 else ''}.")
