"""``python manage.py replay --site <slug> "<url or p.php?AT=…>" [--password-env VAR] [--login-first] [--json]``.

Passwords come from environment variables, never from the command line. Without ``--login-first``,
``--password-env`` is the command's ``PW`` (or the XML request's ``<password>``). With ``--login-first`` it is the
log-in password only (for ``p.php?AT=LI``): the replayed command gets a ``PW`` only when it carries one itself or
``--command-password-env`` names one, so a host's password never becomes, say, a meeting's password on
``m.php?AT=SM``.

Exit codes: 0 the site answered SUCCESS; 1 the site answered FAIL (or an answer that could not be read);
2 the replay could not be made (refused, timed out, connection or input error).
"""

import getpass
import json
import os

from django.conf import settings
from django.core.management.base import CommandError
from django.views.decorators.debug import sensitive_variables

from core.terminal import SafeOutputCommand
from replay import run
from replay.models import ReplayRecord, Site
from replay.plan import LoginDetailsMissing, ReplayInput, ReplayInputError
from replay.prefill import command_key_of
from webex.commandkeys import site_change

EXIT_SUCCESS, EXIT_FAIL, EXIT_NOT_MADE = 0, 1, 2


def absolute(path):
    return f"{settings.SITE_ROOT.rstrip('/')}{path}" if path else None


def record_json(record):
    return {
        "site": record.site.slug if record.site else record.site_label,
        "command": record.command or None,
        "http_status": record.http_status,
        "outcome": record.outcome,
        "st": record.st or None,
        "rs": record.rs or None,
        "exception_id": record.exception_id or None,
        "entry": record.entry.code if record.entry else None,
        "entry_url": absolute(record.entry.get_absolute_url()) if record.entry else None,
        "condition": record.condition or None,
        "duration_ms": record.duration_ms,
        "record_url": absolute(record.get_absolute_url()),
    }


def exit_code(record):
    if record.outcome == ReplayRecord.Outcome.SUCCESS:
        return EXIT_SUCCESS
    if record.could_not_be_made:
        return EXIT_NOT_MADE
    return EXIT_FAIL


class Command(SafeOutputCommand):
    help = "Replay a WebEx URL API command (or an XML API request) against a configured site and diagnose the answer."

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="The site's slug (see: manage.py site list)")
        parser.add_argument("command", help="A URL on the site, p.php?AT=…&…, or an XML API request starting with <")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="Variable holding the password: sent as PW (or <password> for XML); "
            "with --login-first, the log-in password only",
        )
        parser.add_argument("--login-first", action="store_true", help="Send p.php?AT=LI first (one cookie jar)")
        parser.add_argument("--login-wid", default="", help="WID for --login-first (default: the command's WID)")
        parser.add_argument(
            "--login-password-env", metavar="VAR", help="Variable with the log-in password (default: --password-env)"
        )
        parser.add_argument(
            "--command-password-env",
            metavar="VAR",
            help="With --login-first: a variable whose value is sent as the command's own PW (e.g. a meeting password)",
        )
        parser.add_argument("--get", action="store_true", help="Send with GET instead of POST")
        parser.add_argument("--json", action="store_true", help="Print one JSON object")
        parser.add_argument(
            "--confirm-change",
            action="store_true",
            help="Send a command that creates, changes or deletes on a site not marked as a test site (SU, SM …)",
        )

    def fail(self, message):
        raise CommandError(message, returncode=EXIT_NOT_MADE)

    def secret_from_env(self, name):
        if not name:
            return ""
        value = os.environ.get(name)
        if not value:
            self.fail(f"The environment variable {name} is not set or empty.")
        return value

    @sensitive_variables()
    def handle(self, *args, **options):
        site = Site.objects.filter(slug__iexact=options["site"].strip()).first()  # --site Sandbox finds sandbox
        if site is None:
            known = ", ".join(Site.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            self.fail(f"No site {options['site']!r}. Known sites: {known}. Add one with: manage.py site add")
        password = self.secret_from_env(options["password_env"])
        login_password = self.secret_from_env(options["login_password_env"]) or password
        command_password = self.secret_from_env(options["command_password_env"])
        # With --login-first, --password-env is the log-in password: the command's PW comes only from the command
        # itself or from --command-password-env.
        command_pw = command_password if options["login_first"] else password
        if command_password and not options["login_first"]:
            self.fail("--command-password-env goes with --login-first; without it use --password-env.")
        try:
            actor = f"command line ({getpass.getuser()})"
        except Exception:
            actor = "command line"
        text = options["command"].strip()
        caution = site_change(command_key_of(text), site.name)
        if caution and not site.is_test_site and not options["confirm_change"]:
            self.fail(f"This command {caution}. {site.name} is not marked as a test site: add --confirm-change.")
        given = ReplayInput(
            mode="xml" if text.startswith("<") else "paste",
            text=text,
            method="GET" if options["get"] else "POST",
            secrets={"PW": command_pw} if command_pw else {},
            xml_password=password,
            login_first=options["login_first"],
            login_wid=options["login_wid"],
            login_password=login_password if options["login_first"] else "",
        )
        try:
            record = run.replay(site, given, actor=actor).record
        except LoginDetailsMissing:
            self.fail("--login-first needs a WID (--login-wid or WID= in the command) and a password.")
        except ReplayInputError as error:  # an input mistake: nothing was sent, nothing is recorded
            self.fail(error.message)
        self.report(record, as_json=options["json"])
        code = exit_code(record)
        if code:
            raise SystemExit(code)

    def report(self, record, *, as_json):
        if as_json:
            self.stdout.write(json.dumps(record_json(record)))
            return
        data = record_json(record)
        lines = [f"{record.get_outcome_display()}: {record.command or '(command not read)'} on {data['site']}"]
        if record.http_status is not None:
            lines.append(f"  HTTP {record.http_status} in {record.duration_ms} ms")
        if record.st:
            lines.append(f"  {'result' if record.api == 'xml' else 'ST'}={record.st}")
        if record.code:
            lines.append(f"  {'exceptionID' if record.exception_id else 'RS'}={record.code}")
        if record.reason:
            lines.append(f"  reason: {record.reason}")
        if record.location:
            lines.append(f"  redirect (not followed): {record.location}")
        if record.message:
            lines.append(f"  {record.message}")
        if record.entry:
            lines.append(f"  {record.entry.code}: {record.entry.title}")
            lines.append(f"  {record.entry.summary}")
            if record.cause:
                for step in record.cause.steps.all():
                    lines.append(f"    {step.position}. {step.text}")
            lines.append(f"  Entry: {data['entry_url']}")
        elif record.code and record.outcome == ReplayRecord.Outcome.FAIL:
            lines.append(f"  {record.code} is not in the knowledge base yet.")
        lines.append(f"  Record: {data['record_url']}")
        self.stdout.write("\n".join(lines))
