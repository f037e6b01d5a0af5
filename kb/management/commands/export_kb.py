import json

from core.terminal import SafeOutputCommand
from kb import fixtures


class Command(SafeOutputCommand):
    help = "Write the whole knowledge base (entries, causes, aliases, commands, flows) as one fixture to stdout."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(fixtures.export(), indent=2, ensure_ascii=False))
