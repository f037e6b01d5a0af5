"""Configured WebEx sites and the records of replays made against them."""

import uuid
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from kb.models import Api
from replay.outbound import url_origin
from webex.rest import CONDITION_LABELS, RETIRED_CONDITION

SITE_HELP = "The site's URL API base, e.g. https://acme.webex.com/acme/ (p.php, m.php … are sent below it)."


def validate_site_url(value, *, allow_private_network=False, field="base URL"):
    """Raise ValidationError unless ``value`` is a usable http(s) URL for a site."""
    try:
        parts = urlsplit(value or "")
        port = parts.port
    except ValueError:
        raise ValidationError(f"The {field} is not a valid URL (bad host or port).") from None
    if parts.scheme not in ("http", "https"):
        raise ValidationError(f"The {field} must start with https:// (http:// only for private-network sites).")
    if parts.scheme == "http" and not allow_private_network:
        raise ValidationError(
            f"The {field} must use https. Plain http is allowed only when the site allows the private network "
            "(a local sandbox or test server)."
        )
    if not parts.hostname:
        raise ValidationError(f"The {field} has no host name.")
    if port == 0:
        raise ValidationError(f"The {field} has an invalid port.")
    if parts.username or parts.password:
        raise ValidationError(f"The {field} must not contain a user name or password.")
    if parts.query or parts.fragment:
        raise ValidationError(f"The {field} must not have a query string or fragment.")


def validate_site_timeout(value):
    """A site's timeout is one replay's whole deadline: it must end before the app server kills the worker."""
    if value is not None and value > settings.REPLAY_MAX_TIMEOUT:
        raise ValidationError(
            f"The timeout may be at most {settings.REPLAY_MAX_TIMEOUT:g} seconds (REPLAY_MAX_TIMEOUT), which keeps "
            "every replay shorter than the app server's worker timeout."
        )


class Site(models.Model):
    """A WebEx site that replays may be sent to. Managed in the admin and with ``manage.py site``."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    base_url = models.URLField(max_length=300, help_text=SITE_HELP)
    xml_url = models.URLField(
        "XML API URL",
        max_length=300,
        blank=True,
        help_text="Leave empty to use https://<host>/WBXService/XMLService of the base URL.",
    )
    partner_id = models.CharField("partner ID", max_length=60, blank=True, help_text="PID, for SU and EU commands")
    timeout = models.FloatField(
        "timeout (seconds)",
        default=10.0,
        validators=[MinValueValidator(0.1), validate_site_timeout],
        help_text="The whole replay (log in first, connect, send, headers and body) ends after this many seconds.",
    )
    allow_private_network = models.BooleanField(
        default=False,
        help_text="Allow loopback and private addresses (and plain http). Only for a local sandbox or lab site.",
    )
    is_test_site = models.BooleanField(
        "test site",
        default=False,
        help_text="A test or sandbox site: commands that create, change or delete on it (SU, SM, CreateUser …) run "
        "without asking for confirmation. On other sites they need an explicit confirmation.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "troubleshooter_site"  # the table this model had when replay lived in troubleshooter
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        try:
            validate_site_url(self.base_url, allow_private_network=self.allow_private_network)
        except ValidationError as exc:
            errors["base_url"] = exc.messages
        if self.xml_url:
            try:
                validate_site_url(self.xml_url, allow_private_network=self.allow_private_network, field="XML API URL")
            except ValidationError as exc:
                errors["xml_url"] = exc.messages
        if errors:
            raise ValidationError(errors)
        self.base_url = self.normalized_base_url(self.base_url)

    @staticmethod
    def normalized_base_url(url):
        """The base URL with a trailing slash and a lower-case scheme and host."""
        parts = urlsplit(url)
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))

    @property
    def xml_api_url(self):
        if self.xml_url:
            return self.xml_url
        parts = urlsplit(self.base_url)
        return urlunsplit((parts.scheme, parts.netloc, "/WBXService/XMLService", "", ""))

    @property
    def origin(self):
        """(scheme, host, port) of the base URL: what a pasted URL must match."""
        return url_origin(self.base_url)

    @property
    def host(self):
        parts = urlsplit(self.base_url)
        return parts.netloc.lower()

    @property
    def site_name(self):
        """The WebEx site name an XML request's ``<siteName>`` carries: the first path segment of the base URL
        (``https://acme.webex.com/acme/`` -> ``acme``), else the host's first label."""
        parts = urlsplit(self.base_url or "")
        segment = next((s for s in parts.path.split("/") if s), "")
        return segment or (parts.hostname or "").split(".", 1)[0]

    @property
    def effective_timeout(self):
        """The timeout a replay uses: the site's, never more than REPLAY_MAX_TIMEOUT (a site stored before that
        maximum existed may hold a longer one)."""
        return min(float(self.timeout), float(settings.REPLAY_MAX_TIMEOUT))

    def service_url(self, service):
        return self.base_url + service


def _no_nul(text):
    return text.replace("\x00", "\ufffd")


class ReplayRecordQuerySet(models.QuerySet):
    def for_code(self, code):
        code = (code or "").strip()
        return self.filter(models.Q(rs__iexact=code) | models.Q(exception_id__iexact=code))

    def recent_for_user(self, user, seconds=60):
        since = timezone.now() - timezone.timedelta(seconds=seconds)
        return self.filter(user=user, created_at__gte=since)


class ReplayRecord(models.Model):
    """One replay: what was sent (with every secret replaced by •••), what came back, and what it means."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAIL = "fail", "Failed (the site answered FAIL)"
        TIMEOUT = "timeout", "Timed out"
        BLOCKED = "blocked", "Refused before sending"
        ERROR = "error", "Could not be made"
        UNRECOGNIZED = "unrecognized", "Unrecognised answer"
        RETIRED = "retired", "API may be retired"

    # One or two words, for the history table's pill (the full label is its title).
    SHORT_OUTCOME = {"fail": "Failed", "blocked": "Refused", "error": "Not made", "unrecognized": "Unrecognised"}

    @property
    def outcome_short(self):
        return self.SHORT_OUTCOME.get(self.outcome, self.get_outcome_display())

    class Method(models.TextChoices):
        POST = "POST", "POST"
        GET = "GET", "GET"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    actor = models.CharField(max_length=150, help_text="Who replayed: the user name, or 'command line'")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    site_label = models.CharField(max_length=120, help_text="The site's name when the replay was made")
    api = models.CharField(max_length=4, choices=Api.one_api_choices(), default="url")
    method = models.CharField(max_length=4, choices=Method.choices, default=Method.POST)
    command = models.CharField(max_length=120, blank=True, help_text="p.php?AT=LI or XMLService:user.GetUser")
    target = models.CharField(max_length=400, blank=True, help_text="scheme://host:port/path, never a query")
    parameters = models.JSONField(default=list, blank=True, help_text="[name, value] pairs; secrets are •••")
    request_xml = models.TextField(blank=True, help_text="The XML request, secrets replaced by •••")
    login_first = models.BooleanField(default=False)
    login_wid = models.CharField("log-in WID", max_length=120, blank=True)
    login_summary = models.CharField(max_length=200, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    message = models.TextField(blank=True, help_text="What went wrong, for outcomes other than success/fail")
    answer_form = models.CharField(max_length=30, blank=True)
    st = models.CharField("ST / result", max_length=20, blank=True)
    rs = models.CharField("RS", max_length=80, blank=True)
    exception_id = models.CharField("exception ID", max_length=20, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="serv:reason text of an XML API failure")
    location = models.TextField(blank=True, help_text="Redirect target (redacted); never followed")
    entry = models.ForeignKey("kb.Entry", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    cause = models.ForeignKey("kb.Cause", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    response_preview = models.TextField(blank=True, help_text="Redacted and truncated")
    response_body = models.TextField(blank=True, help_text="The whole answer body (at most 1 MiB), redacted")
    response_headers = models.JSONField(
        default=list, blank=True, help_text="[name, value] pairs, redacted; Set-Cookie values hidden"
    )
    truncated = models.BooleanField(default=False, help_text="The body was cut off at 1 MiB")
    from_step = models.CharField(
        max_length=600, blank=True, help_text="The wizard step this replay was started from (a /troubleshoot/ path)"
    )

    objects = ReplayRecordQuerySet.as_manager()

    class Meta:
        db_table = "troubleshooter_replayrecord"  # the table this model had when replay lived in troubleshooter
        ordering = ["-created_at"]
        permissions = [("can_replay", "Can replay commands against a WebEx site and see replay records")]
        indexes = [
            models.Index(fields=["user", "created_at"], name="ts_replay_user_created_idx"),
            models.Index(fields=["site", "outcome", "created_at"], name="ts_replay_site_outcome_idx"),
        ]

    def __str__(self):
        return f"{self.command or '(no command)'} on {self.site_label}: {self.outcome}"

    def save(self, *args, **kwargs):
        # Text from a remote site or a pasted %00 may hold NUL characters, which PostgreSQL refuses in text and
        # jsonb: store U+FFFD instead, so that such an answer is recorded rather than failing the replay.
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(value, str) and "\x00" in value:
                setattr(self, field.attname, value.replace("\x00", "\ufffd"))
        self.parameters = [[_no_nul(str(k)), _no_nul(str(v))] for k, v in (self.parameters or [])]
        self.response_headers = [[_no_nul(str(k)), _no_nul(str(v))] for k, v in (self.response_headers or [])]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("replay:detail", args=[self.pk])

    @property
    def code(self):
        return self.rs or self.exception_id

    @property
    def condition(self) -> str:
        """The slug of the condition the outcome points to (webex.rest.CONDITIONS), or ""."""
        return RETIRED_CONDITION if self.outcome == self.Outcome.RETIRED else ""

    @property
    def condition_label(self) -> str:
        return CONDITION_LABELS.get(self.condition, "")

    @property
    def could_not_be_made(self):
        return self.outcome in (self.Outcome.TIMEOUT, self.Outcome.BLOCKED, self.Outcome.ERROR)


class ReplaySlot(models.Model):
    """A replay in flight: a lease row, deleted when the replay ends, or ignored after ``expires_at`` if its
    process died first. Counted by :mod:`replay.slots` to cap replays per user and for the whole site."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="replay_slots"
    )
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"replay in flight since {self.started_at:%H:%M:%S} (user {self.user_id or '-'})"
