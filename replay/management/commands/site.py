"""``python manage.py site add|list|remove``: the WebEx sites replays may be sent to."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction

from core.terminal import SafeOutputCommand
from replay.models import ReplayRecord, Site


class Command(SafeOutputCommand):
    help = "Manage the WebEx sites that replays are sent to."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add,list,remove}")
        add = sub.add_parser("add", help="Add a site (or update the one with this slug)")
        add.add_argument("slug", help="Short name, e.g. acme")
        add.add_argument("base_url", help="URL API base, e.g. https://acme.webex.com/acme/")
        add.add_argument("--xml-url", default="", help="XML API URL (default https://<host>/WBXService/XMLService)")
        add.add_argument(
            "--timeout",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="The whole replay's deadline (default 10; at most REPLAY_MAX_TIMEOUT)",
        )
        add.add_argument(
            "--allow-private-network",
            action="store_true",
            help="Allow loopback/private addresses and plain http (a local sandbox or lab)",
        )
        add.add_argument("--name", default="", help="Display name (default: the slug)")
        add.add_argument("--partner-id", default="", help="Partner ID (PID) of the site")
        sub.add_parser("list", help="List the sites")
        remove = sub.add_parser("remove", help="Remove a site (its replay records stay, without the link)")
        remove.add_argument("slug")

    def handle(self, *args, action, **options):
        return getattr(self, f"do_{action}")(**options)

    def do_add(self, slug, base_url, xml_url, timeout, allow_private_network, name, partner_id, **options):
        site = Site.objects.filter(slug=slug).first()
        created = site is None
        site = site or Site(slug=slug)
        site.name = name or site.name or slug
        site.base_url = base_url
        site.xml_url = xml_url
        site.timeout = timeout
        site.allow_private_network = allow_private_network
        site.partner_id = partner_id or site.partner_id
        try:
            site.full_clean(validate_unique=True)
        except ValidationError as exc:
            lines = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
            raise CommandError("Site not saved. " + " ".join(lines)) from None
        with transaction.atomic():
            site.save()
        verb = "Added" if created else "Updated"
        self.stdout.write(f"{verb} site {site.slug}: {site.base_url} (XML API {site.xml_api_url})")

    def do_list(self, **options):
        sites = list(Site.objects.order_by("slug"))
        if not sites:
            self.stdout.write("No sites. Add one: python manage.py site add acme https://acme.webex.com/acme/")
            return
        for site in sites:
            flags = f"timeout {site.timeout:g}s"
            if site.allow_private_network:
                flags += ", private network allowed"
            self.stdout.write(f"{site.slug}\t{site.base_url}\t{site.xml_api_url}\t{flags}")

    def do_remove(self, slug, **options):
        site = Site.objects.filter(slug=slug).first()
        if site is None:
            known = ", ".join(Site.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"No site {slug!r}. Known sites: {known}.")
        with transaction.atomic():
            kept = ReplayRecord.objects.filter(site=site).count()
            site.delete()
        self.stdout.write(f"Removed site {slug}. {kept} replay record{'s' if kept != 1 else ''} kept.")
