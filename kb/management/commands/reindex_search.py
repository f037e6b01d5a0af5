from django.core.management.base import BaseCommand

from kb.search import reindex


class Command(BaseCommand):
    help = "Rebuild the search index of every entry (after a raw import, or to compact the typo vocabulary)."

    def handle(self, *args, **options):
        count = reindex()
        self.stdout.write(f"Indexed {count} entr{'y' if count == 1 else 'ies'}.")
