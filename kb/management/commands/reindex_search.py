from core.terminal import SafeOutputCommand
from kb.search import reindex


class Command(SafeOutputCommand):
    help = "Rebuild the search index of every entry (after a raw import, or to compact the typo vocabulary)."

    def handle(self, *args, **options):
        count = reindex()
        self.stdout.write(f"Indexed {count} entr{'y' if count == 1 else 'ies'}.")
