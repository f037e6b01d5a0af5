"""The knowledge: services, their commands, error entries, aliases, causes and steps.

Every table has a natural key so that fixtures carry no primary keys:
a service by its file name (``p.php``), a command as it is written (``p.php?AT=LI``),
an entry by its canonical code, a cause by (entry code, slug).
"""

import difflib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import CharField, Count, Value
from django.db.models.functions import Cast, Coalesce, Concat, Lower, NullIf
from django.urls import reverse
from django.utils import timezone

from core import hotsql
from kb.codes import entry_path, validate_alias, validate_code
from kb.lifecycle import REST_BASE, Lifecycle, RestBasis, lifecycle_sentence, rest_sentence
from kb.vocabulary import Confidence  # re-exported: kb.models.Confidence
from webex.commandkeys import command_key, key_matches, service_of, split_command_key
from webex.redaction import redact_text


class Api(models.TextChoices):
    URL = "url", "URL API"
    XML = "xml", "XML API"
    BOTH = "both", "URL and XML API"

    @classmethod
    def label_of(cls, value) -> str:
        """The label of an API value ("URL API"), "" for none or an unknown one."""
        return cls(value).label if value in cls.values else ""

    @classmethod
    def one_api_choices(cls):
        """The choices of something that belongs to one API (a replay, an answer): URL or XML, not both."""
        return [(cls.URL.value, cls.URL.label), (cls.XML.value, cls.XML.label)]


class Category(models.TextChoices):
    SESSION_AUTH = "session-auth", "Session and authentication"
    ACCOUNT_CONFLICT = "account-conflict", "Account conflicts"
    SITE_CONFIG = "site-config", "Site configuration"
    MEETING_OPTIONS = "meeting-options", "Meeting options"
    MEETING_ACCESS = "meeting-access", "Joining and hosting meetings"
    INPUT_VALIDATION = "input-validation", "Input validation"
    SERVICE = "service", "Service and system"


class ServiceQuerySet(models.QuerySet):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Service(models.Model):
    """A WebEx endpoint: one of the URL API's .php files, or the XML API service."""

    name = models.CharField(max_length=40, unique=True, help_text="As written in a URL: p.php, m.php, XMLService")
    api = models.CharField(max_length=4, choices=[(Api.URL, Api.URL.label), (Api.XML, Api.XML.label)])
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class CommandQuerySet(models.QuerySet):
    def get_by_natural_key(self, key):
        service, code = Command.split_key(key)
        return self.get(service__name=service, code=code)


class Command(models.Model):
    """A command of a service: ``p.php?AT=LI`` in the URL API, ``XMLService:user.GetUser`` in the XML API."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="commands")
    code = models.CharField(max_length=80, help_text="The AT value (LI, SM) or the XML operation (user.GetUser)")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    parameters = models.JSONField(default=list, blank=True, help_text='A list of {"name": ..., "description": ...}')
    source = models.CharField(max_length=300, blank=True)
    confidence = models.CharField(max_length=6, choices=Confidence.choices, default=Confidence.HIGH)
    # Its lifecycle (kb/lifecycle.py), each with a source and a confidence; "" when no source states it.
    lifecycle = models.CharField(max_length=16, choices=Lifecycle.choices, blank=True)
    lifecycle_date = models.DateField(null=True, blank=True, help_text="The date of end of support or end of life")
    lifecycle_source = models.CharField(max_length=400, blank=True)
    lifecycle_confidence = models.CharField(max_length=6, choices=Confidence.choices, blank=True)
    lifecycle_note = models.CharField(max_length=400, blank=True)
    # Its REST way on: a method and a path below https://webexapis.com/v1, with how the pairing is known.
    rest_method = models.CharField(max_length=6, blank=True)
    rest_path = models.CharField(max_length=200, blank=True, help_text="Below https://webexapis.com/v1: /meetings")
    rest_basis = models.CharField(max_length=8, choices=RestBasis.choices, blank=True)
    rest_source = models.CharField(max_length=400, blank=True)
    rest_note = models.CharField(max_length=300, blank=True)

    objects = CommandQuerySet.as_manager()

    class Meta:
        ordering = ["service__position", "service__name", "code"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="kb_command_service_code_uniq")]

    def __str__(self):
        return self.key

    @staticmethod
    def split_key(key):
        """``p.php?AT=LI`` -> ("p.php", "LI"); ``XMLService:user.GetUser`` -> ("XMLService", "user.GetUser")."""
        return split_command_key(key)

    @property
    def key(self):
        return command_key(self.service.name, self.code, xml=self.service.api == Api.XML)

    def natural_key(self):
        return (self.key,)

    def get_absolute_url(self):
        return reverse("kb:command-detail", args=[self.service.name, self.code])

    @property
    def lifecycle_text(self) -> str:
        """The lifecycle in one sentence for a ticket (kb/lifecycle.py), with its source."""
        return lifecycle_sentence(self, brief=True)

    @property
    def rest_text(self) -> str:
        """The REST way on in one sentence for a ticket, with how the pairing is known."""
        return rest_sentence(self, brief=True)

    @property
    def rest_url(self) -> str:
        return f"{REST_BASE}{self.rest_path}" if self.rest_path else ""

    @property
    def is_retired(self) -> bool:
        """End of life, or only on an extension: a call may fail because the API is gone."""
        return self.lifecycle in (Lifecycle.END_OF_LIFE, Lifecycle.EXTENSION_ONLY)


EDIT_PERMISSION = "kb.change_entry"


def can_edit(user) -> bool:
    """KB editors and admins: they edit entries, see drafts, history and the review queue."""
    return bool(user is not None and user.is_authenticated and user.has_perm(EDIT_PERMISSION))


class EntryQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def current(self):
        return self.filter(retired=False)

    def published(self):
        """What readers see: drafts are for KB editors only."""
        return self.filter(status=Entry.Status.PUBLISHED)

    def visible_to(self, user):
        return self if can_edit(user) else self.published()

    def review_due(self, now=None):
        """Entries never reviewed or past their review interval, the longest waiting first."""
        from django.utils import timezone

        now = now or timezone.now()
        default_cutoff = now - timedelta(days=settings.KB_REVIEW_INTERVAL_DAYS)
        candidates = self.filter(
            models.Q(reviewed_at__isnull=True)
            | models.Q(review_interval_days__isnull=True, reviewed_at__lt=default_cutoff)
            | models.Q(review_interval_days__isnull=False)
        )
        due = [e for e in candidates if e.review_state(now) != "current"]
        return sorted(due, key=lambda e: (e.reviewed_at is not None, e.reviewed_at or e.created_at, e.code))

    def for_api(self, api):
        """Entries that can come back from ``api`` ("url" or "xml"); "both" entries match either."""
        if api == Api.BOTH:
            return self.filter(api=Api.BOTH)
        return self.filter(models.Q(api=api) | models.Q(api=Api.BOTH))

    def for_service(self, name):
        return self.filter(
            models.Q(causes__commands__service__name=name) | models.Q(causes__services__name=name)
        ).distinct()

    def for_command(self, command):
        return self.filter(
            models.Q(causes__commands=command) | models.Q(causes__services=command.service_id)
        ).distinct()

    def prefetch_for_page(self):
        """Everything an entry page, its JSON and its export show, in a fixed number of queries."""
        return self.prefetch_related(
            "aliases",
            "related",
            models.Prefetch("counterpart_links", queryset=Counterpart.objects.select_related("to_entry")),
            "timeline",
            "messages",
            models.Prefetch("causes", queryset=Cause.objects.order_by("position", "pk")),
            "causes__steps",
            models.Prefetch("causes__commands", queryset=Command.objects.select_related("service")),
            "causes__services",
        )

    def with_cause_links(self):
        """Causes with their commands and services: what :meth:`Entry.cause_for` reads, in three queries."""
        return self.prefetch_related(
            models.Prefetch("causes", queryset=Cause.objects.order_by("position", "pk")),
            models.Prefetch("causes__commands", queryset=Command.objects.select_related("service")),
            "causes__services",
        )

    def closest(self, text, n=5):
        """Codes and aliases that look like ``text``: for "did you mean" on unknown codes."""
        text = (text or "").replace("\x00", "").strip().lower()[:100]
        if not text:
            return []
        names = {}
        for code in self.values_list("code", flat=True):
            names.setdefault(code.lower(), code)
        for alias, code in Alias.objects.filter(entry__in=self).values_list("alias", "entry__code"):
            names.setdefault(alias.lower(), code)
        matches = difflib.get_close_matches(text, list(names), n=n * 2, cutoff=0.6)
        matches += [name for name in names if len(text) >= 3 and name.startswith(text) and name not in matches]
        codes = []
        for name in matches:
            if names[name] not in codes:
                codes.append(names[name])
        return codes[:n]

    def resolve(self, text):
        """Find the entry a code or alias names, ignoring case.

        Returns ``(entry, how)`` where ``how`` is "exact", "case" or "alias", or ``(None, None)``.
        """
        text = (text or "").strip()
        if not text or "\x00" in text or len(text) > 200:
            return None, None
        entry = self.filter(code=text).first()
        if entry:
            return entry, "exact"
        entry = self.filter(code__iexact=text).first()
        if entry:
            return entry, "case"
        alias = Alias.objects.select_related("entry").filter(alias__iexact=text, entry__in=self).first()
        if alias:
            return alias.entry, "alias"
        return None, None


class Entry(models.Model):
    """One error code, with everything a person needs to act on it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    code = models.CharField(
        max_length=80,
        unique=True,
        validators=[validate_code],
        help_text="The canonical code, as WebEx returns it: letters, digits, '.', '-' and '_'",
    )
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, help_text="One line: what the code means")
    api = models.CharField(max_length=4, choices=Api.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    source = models.TextField(help_text="Where this code and its meaning come from")
    confidence = models.CharField(max_length=6, choices=Confidence.choices)
    retired = models.BooleanField(default=False, help_text="Kept for old links; WebEx no longer returns this code")
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    counterparts = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        through="Counterpart",
        through_fields=("from_entry", "to_entry"),
        help_text="Entries of the other API that report what looks like the same failure (each pair says how known)",
    )
    locally_edited = models.BooleanField(
        default=False, help_text="Changed in the admin: load_kb leaves it alone unless --force"
    )
    fixture_hash = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.PUBLISHED,
        help_text="Drafts are seen by KB editors only, until published",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, help_text="When an editor last checked the entry")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_interval_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days until the next review; empty: the KB_REVIEW_INTERVAL_DAYS setting"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "entries"
        constraints = [models.UniqueConstraint(Lower("code"), name="kb_entry_code_ci_uniq")]
        indexes = [models.Index(fields=["category", "code"], name="kb_entry_category_idx")]

    def __str__(self):
        return self.code

    def natural_key(self):
        return (self.code,)

    def get_absolute_url(self):
        return entry_path(self.code)

    def get_api_url(self):
        return entry_path(self.code, "kb:api-entry-detail")

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def is_visible_to(self, user):
        """One entry as ``Entry.objects.visible_to(user)`` sees it: a draft is for KB editors only."""
        return not self.is_draft or can_edit(user)

    @property
    def review_interval(self) -> int:
        return self.review_interval_days or settings.KB_REVIEW_INTERVAL_DAYS

    @property
    def review_due_at(self):
        return self.reviewed_at + timedelta(days=self.review_interval) if self.reviewed_at else None

    def review_state(self, now=None) -> str:
        """How the entry stands: never reviewed ("never"), past its interval ("overdue") or "current"."""
        from django.utils import timezone

        if self.reviewed_at is None:
            return "never"
        return "overdue" if self.review_due_at <= (now or timezone.now()) else "current"

    def counterpart_pairs(self):
        """The entry's counterparts as ``Counterpart`` links (``link.to_entry``, ``link.basis``), by code; drafts
        left out. Prefetched by ``prefetch_for_page()``."""
        links = [link for link in self.counterpart_links.all() if not link.to_entry.is_draft]
        return sorted(links, key=lambda link: link.to_entry.code.lower())

    def cause_for(self, api=None, command=""):
        """The cause that fits an answer from ``api`` ("url" or "xml") to ``command`` (a command key, possibly
        without its service: ``?AT=LI``). Search and replay both ask this, so they name the same cause.

        Among the causes of that API (all, when none is), the first that names the command, else the first seen
        on any command of the command's service, else the first one."""
        causes = list(self.causes.all())
        fitting = [c for c in causes if c.api in (api, Api.BOTH)] if api else causes
        fitting = fitting or causes
        if command:
            for cause in fitting:
                if any(key_matches(cmd.key, command) for cmd in cause.commands.all()):
                    return cause
            service = service_of(command)
            if service:
                for cause in fitting:
                    if any(s.name.lower() == service.lower() for s in cause.services.all()):
                        return cause
        return fitting[0] if fitting else None


class Alias(models.Model):
    """Another spelling or name of an entry's code (``SiteDoNotSupportThisMeetingType``, ``BadWebIDorPassword``)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=80, validators=[validate_alias])
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "aliases"
        constraints = [models.UniqueConstraint(Lower("alias"), name="kb_alias_ci_uniq")]

    def __str__(self):
        return self.alias


class Message(models.Model):
    """A message text seen for an entry's code: WebEx's own ``<serv:reason>`` or a client library's wording.

    Help desk tickets quote these; the search matches them, exactly or nearly."""

    class Kind(models.TextChoices):
        WEBEX = "webex", "WebEx's own text"
        CLIENT = "client", "A client library's message"

    MAX_LENGTH = 300

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="messages")
    text = models.CharField(max_length=MAX_LENGTH)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    source = models.CharField(max_length=300, help_text="Where the text was seen: repository and path, or address")
    language = models.CharField(
        max_length=10, default="en", help_text="ISO 639-1 code of the text's language (en, de, pt-BR …)"
    )
    english = models.CharField(
        max_length=MAX_LENGTH, blank=True, help_text="For a translation: the English original it translates"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["entry", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "text"], name="kb_message_entry_text_uniq")]

    def __str__(self):
        return self.text


class CauseQuerySet(models.QuerySet):
    def get_by_natural_key(self, code, slug):
        return self.get(entry__code=code, slug=slug)


class Cause(models.Model):
    """One reason an entry's code comes back, with where it is seen and what to do."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="causes")
    slug = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    api = models.CharField(max_length=4, choices=Api.choices)
    title = models.CharField(max_length=200)
    meaning = models.TextField()
    when_seen = models.TextField(help_text="When you might see it")
    commands = models.ManyToManyField(Command, blank=True, related_name="causes")
    services = models.ManyToManyField(
        Service, blank=True, related_name="causes", help_text="Seen on any command of these services"
    )

    objects = CauseQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "slug"], name="kb_cause_entry_slug_uniq")]

    def __str__(self):
        return f"{self.entry.code}: {self.title}"

    def natural_key(self):
        return (self.entry.code, self.slug)

    natural_key.dependencies = ["kb.entry"]

    @property
    def anchor(self):
        """The id of the cause's section on its entry's page, and the fragment of its link: ``cause-<slug>``."""
        return f"cause-{self.slug}"

    def get_absolute_url(self):
        return f"{self.entry.get_absolute_url()}#{self.anchor}"

    @property
    def when_seen_adds(self):
        """False when "When you might see it" only lists the commands the "Returned by" chips already show
        (``p.php?AT=SU, p.php?AT=LI or p.php?AT=LO.``): the page then shows the chips alone."""
        rest = self.when_seen or ""
        for command in sorted(self.commands.all(), key=lambda c: -len(c.key)):
            rest = rest.replace(command.key, " ")
        return bool(_LIST_GLUE.sub("", rest))

    def replay_keys(self, commands_by_service):
        """The commands a reader may replay for this cause: those it names, then every command of the services it
        names ("any command of XMLService"), from ``{service name: [command key]}``; no key twice."""
        keys = [command.key for command in self.commands.all()]
        for service in self.services.all():
            keys += commands_by_service.get(service.name, [])
        return list(dict.fromkeys(keys))


# What is left of a "When you might see it" text that only lists commands: separators and "or"/"and".
_LIST_GLUE = re.compile(r"[\s,.;]+|\b(?:or|and)\b")


class Step(models.Model):
    """One numbered "what to do" step of a cause."""

    cause = models.ForeignKey(Cause, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["cause", "position"]
        constraints = [models.UniqueConstraint(fields=["cause", "position"], name="kb_step_cause_position_uniq")]

    def __str__(self):
        return f"{self.position}. {self.text[:60]}"


class KbState(models.Model):
    """One row: a generation token that changes on every knowledge change.

    Rendered pages and search answers are cached per process under the current token, so every app process
    sees a change at once without sharing its cache. The token is random rather than a counter, so a value
    can never come back after a rolled-back change.
    """

    generation = models.BigIntegerField(default=1)

    @classmethod
    def current(cls):
        # Raw SQL: this runs on every cached page and search, where building an ORM query would cost more.
        row = hotsql.fetchone(f"SELECT generation FROM {cls._meta.db_table} WHERE id = 1")  # noqa: S608 - table name
        return row[0] if row else 0

    @classmethod
    def bump(cls):
        token = secrets.randbits(62)
        if not cls.objects.filter(pk=1).update(generation=token):
            cls.objects.update_or_create(pk=1, defaults={"generation": token})

    def __str__(self):
        return f"generation {self.generation}"


def sender_of(prefix=""):
    """A row's sender (``sender``), for counting distinct ones; a row kept before senders were (blank) is a sender
    of its own."""
    return Coalesce(NullIf(f"{prefix}sender", Value("")), Concat(Value("#"), Cast(f"{prefix}id", CharField())))


def distinct_senders(prefix=""):
    """An aggregate: how many distinct senders a group of rows has (``sender_of``)."""
    return Count(sender_of(prefix), distinct=True)


SENDER_HELP = "Who sent it (a user, or a keyed hash of an address: core.writelimits.sender); editors count them"


class SuggestionManager(models.Manager):
    def record(self, query, *, origin, note="", user=None, entry=None, sender=""):
        """Record that somebody asked for a missing entry, or (with ``entry``) for a change to one; the same
        request (origin, entry, query ignoring case, note) from the same sender (``core.writelimits.sender``) is
        kept once while it is open. Secrets are taken out first. Returns ``(suggestion, created)``."""
        query = redact_text(query or "").replace("\x00", "").strip()[: self.model._meta.get_field("query").max_length]
        note = redact_text(note or "").replace("\x00", "").strip()[:2000]
        existing = self.filter(
            origin=origin, entry=entry, query__iexact=query, note=note, sender=sender, status=Suggestion.Status.OPEN
        ).first()
        if existing is not None:
            return existing, False
        user = user if getattr(user, "is_authenticated", False) else None
        return self.create(query=query, note=note, origin=origin, user=user, entry=entry, sender=sender), True

    def open(self):
        return self.filter(status=Suggestion.Status.OPEN)


class Suggestion(models.Model):
    """A missing entry somebody asked for (an empty search, an unknown code page, a replay), or a change to an
    existing entry ("Suggest an edit")."""

    class Origin(models.TextChoices):
        SEARCH = "search", "Search with no result"
        NOT_FOUND = "not-found", "Unknown code page"
        REPLAY = "replay", "Replay answer"
        WIZARD = "wizard", "Wizard"
        EDIT = "edit", "Suggest an edit"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        DRAFTED = "drafted", "Made into a draft entry"

    query = models.CharField(max_length=500)
    note = models.TextField(blank=True, max_length=2000)
    origin = models.CharField(max_length=12, choices=Origin.choices)
    entry = models.ForeignKey(
        Entry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
        help_text="The entry an edit suggestion is about, or the draft made from a suggestion",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    sender = models.CharField(max_length=40, blank=True, default="", help_text=SENDER_HELP)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuggestionManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at"], name="kb_suggestion_created_idx"),
            models.Index(fields=["status", "-created_at"], name="kb_suggestion_status_idx"),
        ]

    def __str__(self):
        return self.query


class FeedbackQuerySet(models.QuerySet):
    def since(self, days):
        return self.filter(updated_at__gte=timezone.now() - timezone.timedelta(days=days))

    def unhelpful(self):
        return self.filter(helpful=False)

    def cast(self, entry, *, helpful, comment="", user=None, session_key="", sender=""):
        """One reader's vote on an entry, changeable: a logged-in user votes once per entry, an anonymous reader
        once per browser (``session_key``: the vote cookie's id, never a session). ``sender``
        (``core.writelimits.sender``) is what the review queue counts distinct. Returns ``(feedback, created)``."""
        comment = redact_text(comment or "").replace("\x00", "").strip()[:2000]
        if getattr(user, "is_authenticated", False):
            who = {"user": user}
        elif session_key:
            who = {"user": None, "session_key": session_key}
        else:
            raise ValueError("a vote needs a user or a session")
        defaults = {"helpful": bool(helpful), "comment": comment, "sender": sender}
        return self.update_or_create(entry=entry, **who, defaults=defaults)


class EntryFeedback(models.Model):
    """ "Was this helpful?" on an entry page: one changeable vote per user or browser session."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=2000, help_text="What was missing (asked after a no)")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    session_key = models.CharField(
        max_length=40, blank=True, help_text="An anonymous reader's browser: the vote cookie's id (once a session key)"
    )
    sender = models.CharField(max_length=40, blank=True, default="", help_text=SENDER_HELP)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name_plural = "entry feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "user"], condition=models.Q(user__isnull=False), name="kb_feedback_entry_user_uniq"
            ),
            models.UniqueConstraint(
                fields=["entry", "session_key"],
                condition=models.Q(user__isnull=True) & ~models.Q(session_key=""),
                name="kb_feedback_entry_session_uniq",
            ),
        ]
        indexes = [models.Index(fields=["entry", "helpful", "updated_at"], name="kb_feedback_entry_idx")]

    def __str__(self):
        return f"{self.entry.code}: {'helpful' if self.helpful else 'not helpful'}"


# =====================================================================================================
# Search (the kb/search package). The tables below are derived from the entries:
# kb.search.reindex() rebuilds them, and kb/signals.py keeps them current on every ORM change.
# =====================================================================================================


class EntryDocument(models.Model):
    """An entry's searchable text, one row per entry, in four weights (A highest).

    The database keeps its own index of these columns current: on PostgreSQL a stored, generated
    ``tsvector`` column with a GIN index; on SQLite an external-content FTS5 table fed by triggers.
    Both are created by migration 0002 for the database in use.
    """

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    a = models.TextField(blank=True, help_text="Code, aliases and the words of the code")
    b = models.TextField(blank=True, help_text="Title and cause titles")
    c = models.TextField(blank=True, help_text="Summary, meaning and when it is seen")
    d = models.TextField(blank=True, help_text="Steps")
    words = models.TextField(
        blank=True, help_text="The entry's vocabulary, space-separated: what SearchWord.documents counts"
    )

    class Meta:
        verbose_name = "search document"

    def __str__(self):
        return f"search document of {self.entry_id}"


class SearchKey(models.Model):
    """A code or alias of an entry, normalised (lower case, letters and digits only) for exact,
    prefix and typo-tolerant lookups."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="search_keys")
    term = models.CharField(max_length=80)
    display = models.CharField(max_length=80, help_text="As written: the code or alias")
    is_code = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["term"], name="kb_searchkey_term_idx")]

    def __str__(self):
        return self.display


class SearchWord(models.Model):
    """A word that occurs in the knowledge base: the vocabulary typos are corrected against."""

    term = models.CharField(max_length=40, unique=True)
    documents = models.PositiveIntegerField(
        default=0, help_text="How many published entries use the word (its document frequency, for ranking)"
    )

    def __str__(self):
        return self.term


class SearchLog(models.Model):
    """One search, for /insights/: what people look for and what finds nothing."""

    query = models.CharField(max_length=200, help_text="Normalised: lower case, spaces collapsed, secrets redacted")
    results = models.PositiveIntegerField(default=0)
    duration_ms = models.FloatField(default=0)
    detected = models.BooleanField(default=False, help_text="The query was a pasted WebEx answer or command")
    missing_code = models.CharField(
        max_length=80, blank=True, help_text="A code-shaped query (or a detected code) that no entry has"
    )
    unanswered = models.BooleanField(
        default=False, help_text="Search was not sure of its answer: no entry matched the text well"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    sender = models.CharField(max_length=40, blank=True, default="", help_text=SENDER_HELP)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["query", "created_at"], name="kb_searchlog_query_idx"),
            models.Index(
                fields=["missing_code", "created_at"],
                condition=~models.Q(missing_code=""),
                name="kb_searchlog_missing_idx",
            ),
        ]

    def __str__(self):
        return self.query


# Counterpart pairs and timeline events (kb/pairs.py): how an entry relates to the other API and to time.
# Conditions (kb/conditions.py): a state of the site, the account or the API that makes calls fail.
from kb.conditions import Condition, ConditionQuerySet  # noqa: E402, F401
from kb.pairs import Counterpart, TimelineEvent  # noqa: E402, F401
from kb.reasons import SeenReason  # noqa: E402, F401
from kb.triage.models import TriageCard  # noqa: E402, F401  (a model of this app, kept in its room)
