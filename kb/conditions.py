"""Conditions: a state of the site, the account or the API that makes calls fail, whatever code they answer with.

"The site uses SSO, so password log-in is refused" is not one code: it shows as ``030002``, ``030048`` or
``AccessDenied``. A condition has a permanent page (``/conditions/<slug>/``), the symptoms it shows as (codes, linked to
their entries; reason texts; HTTP answers), how to tell it apart (a question, and optionally a command the replay can
run as a probe), what to do, its sources with their confidence, and review dates like an entry. It is loaded from the
``conditions`` section of the fixtures (``kb.fixtures.conditions``), versioned with django-reversion, found by search
(``kb.search.conditions``) and named by wizard outcomes.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse

from kb.vocabulary import CONFIDENCE_HELP, Confidence


class ConditionQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_page(self):
        """Everything a condition's page and the list show, in a fixed number of queries."""
        return self.select_related("reviewed_by").prefetch_related("entries")


class Condition(models.Model):
    """A state behind failing calls, with its symptoms, the way to tell it apart and what to do."""

    slug = models.SlugField(max_length=60, unique=True, help_text="The permanent page's address: /conditions/<slug>/")
    title = models.CharField(max_length=200, help_text='What is the case: "The site uses single sign-on (SSO)"')
    summary = models.CharField(max_length=300, help_text="One line: what it is and what it breaks")
    explanation = models.TextField(blank=True, help_text="What it is, in a few sentences")
    entries = models.ManyToManyField(
        "kb.Entry", blank=True, related_name="conditions", help_text="The codes it shows as (their entries)"
    )
    codes_pending = models.JSONField(
        default=list, blank=True, help_text="Documented codes it shows as that had no entry when loaded"
    )
    reason_texts = models.JSONField(default=list, blank=True, help_text="Reason texts it shows as (a list of text)")
    http_answers = models.JSONField(
        default=list, blank=True, help_text='HTTP answers it shows as ("401 Unauthorized"), a list of text'
    )
    signs = models.JSONField(
        default=list, blank=True, help_text="Other signs: what a person notices (old links fail, no error at all)"
    )
    keywords = models.JSONField(
        default=list, blank=True, help_text='Plain words people use for it ("SSO", "single sign-on"): search reads them'
    )
    question = models.TextField(help_text="How to tell it apart: the question to answer")
    probe = models.CharField(
        max_length=200, blank=True, help_text="A command key the replay can run to tell (p.php?AT=LI), or empty"
    )
    probe_note = models.CharField(max_length=300, blank=True, help_text="What the probe's answer tells")
    steps = models.JSONField(default=list, help_text="What to do: numbered steps, a list of text")
    sources = models.JSONField(
        default=list, help_text='Where it is known from: a list of {"title", "url", "confidence"}'
    )
    confidence = models.CharField(max_length=6, choices=Confidence.choices)
    position = models.PositiveSmallIntegerField(default=0)
    fixture_hash = models.CharField(max_length=64, blank=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, help_text="When an editor last checked it")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("kb:condition-detail", args=[self.slug])

    @property
    def confidence_note(self) -> str:
        return CONFIDENCE_HELP[self.confidence]

    @property
    def review_due_at(self):
        return self.reviewed_at + timedelta(days=settings.KB_REVIEW_INTERVAL_DAYS) if self.reviewed_at else None

    def review_state(self, now=None) -> str:
        """As an entry's: "never" reviewed, "overdue", or "current"."""
        from django.utils import timezone

        if self.reviewed_at is None:
            return "never"
        return "overdue" if self.review_due_at <= (now or timezone.now()) else "current"

    def visible_entries(self, editor=False):
        """Its entries (by code) a reader may see: drafts only for KB editors. Reads the prefetched rows."""
        return [e for e in self.entries.all() if editor or not e.is_draft]
