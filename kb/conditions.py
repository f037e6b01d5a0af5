"""Conditions: a state of the site, the account or the API that makes calls fail, whatever code they answer with.

Its models live here, imported by kb/models.py (which Django reads) so that they stay one app's models."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from kb.vocabulary import CONFIDENCE_HELP, Confidence

# =====================================================================================================
# Conditions: a state of the site, the account or the API that makes calls fail, whatever code they answer with
# ("the site uses SSO" shows as 030002, 030048 or AccessDenied). Loaded from the fixtures' "conditions" section
# (kb.fixtures.conditions), versioned with django-reversion, found by search (kb.search.conditions), shown at
# /conditions/<slug>/ (kb.views_conditions) and named by wizard outcomes.
# =====================================================================================================


def _texts(help_text):
    return models.JSONField(default=list, blank=True, help_text=f"{help_text}: a list of text")


class ConditionQuerySet(models.QuerySet):
    def for_page(self):
        """Everything a condition's page and the list show, in two queries."""
        return self.select_related("reviewed_by").prefetch_related("entries")


class Condition(models.Model):
    """A state behind failing calls: its symptoms, how to tell it apart, what to do, and where it is known from."""

    slug = models.SlugField(max_length=60, unique=True, help_text="Its permanent page: /conditions/<slug>/")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, help_text="One line: what it is and what it breaks")
    explanation = models.TextField(blank=True, help_text="What it is, in a few sentences")
    entries = models.ManyToManyField("kb.Entry", blank=True, related_name="conditions", help_text="Codes it shows as")
    codes_pending = _texts("Documented codes it shows as that had no entry when loaded")
    reason_texts = _texts("Reason texts it shows as")
    http_answers = _texts('HTTP answers it shows as ("401 Unauthorized")')
    signs = _texts("Other signs a person notices (old links fail, no error at all)")
    keywords = _texts('Plain words people use for it ("SSO", "single sign-on"), which search reads')
    question = models.TextField(help_text="How to tell it apart: the question to answer")
    probe = models.CharField(max_length=200, blank=True, help_text="A command key the replay can run to tell")
    probe_note = models.CharField(max_length=300, blank=True, help_text="What the probe's answer tells")
    steps = models.JSONField(default=list, help_text="What to do: numbered steps, a list of text")
    sources = models.JSONField(default=list, help_text='A list of {"title", "url", "confidence"}')
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

    def get_absolute_url(self):
        return reverse("kb:condition-detail", args=[self.slug])

    @property
    def confidence_note(self) -> str:
        return CONFIDENCE_HELP[self.confidence]

    def review_state(self, now=None) -> str:
        """As an entry's: "never" reviewed, "overdue" (past KB_REVIEW_INTERVAL_DAYS), or "current"."""
        if self.reviewed_at is None:
            return "never"
        due = self.reviewed_at + timedelta(days=settings.KB_REVIEW_INTERVAL_DAYS)
        return "overdue" if due <= (now or timezone.now()) else "current"
