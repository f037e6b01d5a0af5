import json

from django.core.management.base import BaseCommand

from kb import loader


class Command(BaseCommand):
    help = "Write the whole knowledge base (entries, causes, aliases, commands, flows) as one fixture to stdout."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(loader.export(), indent=2, ensure_ascii=False))
