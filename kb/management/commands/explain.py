import textwrap

from django.conf import settings
from django.core.management.base import CommandError

from core.terminal import SafeOutputCommand
from kb.models import Entry
from kb.vocabulary import CONFIDENCE_HELP


class Command(SafeOutputCommand):
    help = "Explain a WebEx error code in the terminal, like `rustc --explain`. Codes and aliases, any case."

    def add_arguments(self, parser):
        parser.add_argument("code", help="A reason code (BadWebExIDorPassword), an alias, or an exception ID (030002)")
        parser.add_argument("--width", type=int, default=88)
        parser.add_argument("--drafts", action="store_true", help="Include draft entries (for KB editors)")

    def handle(self, *args, code, width, drafts=False, **options):
        entries = Entry.objects.all() if drafts else Entry.objects.published()
        entry, how = entries.resolve(code)
        if entry is None:
            closest = entries.closest(code)
            hint = f" Closest: {', '.join(closest)}." if closest else ""
            raise CommandError(f"No entry for {code!r}.{hint}")
        entry = Entry.objects.prefetch_for_page().get(pk=entry.pk)
        self.stdout.write(self.render(entry, how, code, width))

    def render(self, entry, how, asked, width):
        wrap = textwrap.TextWrapper(width=width)
        indent = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ")
        out = []
        if how == "alias":
            out.append(f"({asked} is another name for {entry.code})")
        out.append(self.style.MIGRATE_HEADING(f"{entry.code}: {entry.title}"))
        tags = f"{entry.get_api_display()} · {entry.get_category_display()}"
        if entry.retired:
            tags += " · RETIRED: WebEx no longer returns this code"
        out += [tags, "", wrap.fill(entry.summary)]
        aliases = [a.alias for a in entry.aliases.all()]
        if aliases:
            out.append(f"Also seen as: {', '.join(aliases)}")
        causes = list(entry.causes.all())
        for number, cause in enumerate(causes, start=1):
            title = f"Cause {number}: {cause.title}" if len(causes) > 1 else cause.title
            out += ["", self.style.HTTP_INFO(f"{title} [{cause.get_api_display()}]"), "  What it means"]
            out.append(indent.fill(cause.meaning))
            out += ["  When you might see it", indent.fill(cause.when_seen)]
            seen = [c.key for c in cause.commands.all()] + [f"any {s.name} command" for s in cause.services.all()]
            if seen:
                out.append(indent.fill(", ".join(seen)))
            out.append("  What to do")
            for i, step in enumerate(cause.steps.all(), start=1):
                out.append(
                    textwrap.fill(step.text, width=width, initial_indent=f"    {i}. ", subsequent_indent="       ")
                )
        related = sorted(r.code for r in entry.related.all())
        if related:
            out += ["", f"Related: {', '.join(related)}"]
        out += [
            "",
            f"Source: {entry.source}",
            f"Confidence: {entry.get_confidence_display()}. {CONFIDENCE_HELP[entry.confidence]}",
            f"Page: {settings.SITE_ROOT}{entry.get_absolute_url()}",
        ]
        return "\n".join(out)
