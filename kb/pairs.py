"""Counterpart pairs (an entry of one API that looks like the same failure as one of the other, and how that is known)
and timeline events (when Cisco's notes say a code or its text appeared or changed). Imported by kb/models.py."""

from django.db import models

from kb.vocabulary import Confidence


class Counterpart(models.Model):
    """A pair of entries in the two APIs that report what looks like the same failure, and how that is known.

    Stored in both directions (``Entry.counterparts`` is symmetrical), each with the same basis. An inferred pair is
    shown as "may correspond" and never lifts a search result's rank."""

    class Basis(models.TextChoices):
        DOCUMENTED = "documented", "A source pairs them"
        SAME_MEANING = "same_meaning", "Same meaning in two Cisco documents"
        INFERRED = "inferred", "Inferred from the wording"

    from_entry = models.ForeignKey("kb.Entry", on_delete=models.CASCADE, related_name="counterpart_links")
    to_entry = models.ForeignKey("kb.Entry", on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=12, choices=Basis.choices, default=Basis.INFERRED)

    class Meta:
        db_table = "kb_entry_counterparts"
        unique_together = [("from_entry", "to_entry")]

    def __str__(self):
        return f"{self.from_entry_id} ~ {self.to_entry_id} ({self.basis})"

    @property
    def is_inferred(self):
        return self.basis == self.Basis.INFERRED


class TimelineEvent(models.Model):
    """When a code or its reason text appeared or changed, from Cisco's release notes: shown on the entry."""

    entry = models.ForeignKey("kb.Entry", on_delete=models.CASCADE, related_name="timeline")
    version = models.CharField(max_length=40, help_text="The API release (XML API 8.0 SP12, API 41.12) or a date")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the entry: oldest first")
    change = models.TextField(help_text="What changed")
    source = models.CharField(max_length=300, help_text="The release note or page that says so")
    confidence = models.CharField(max_length=6, choices=Confidence.choices)

    class Meta:
        ordering = ["entry", "position", "pk"]

    def __str__(self):
        return f"{self.entry_id} {self.version}: {self.change[:60]}"


# Reason texts and code spellings seen in real answers, for the review queue (kb/reasons.py).
