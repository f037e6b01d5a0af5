"""A triage card kept for a short time: the ticket's text, redacted before it is stored, behind a random token.

Imported by kb/models.py (the app's models module), so that it belongs to the ``kb`` app."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from webex.redaction import redact_text

TRIAGE_PERMISSION = "kb.use_triage"


def new_token() -> str:
    return secrets.token_urlsafe(18)


class TriageCardQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())

    def purge(self, now=None) -> int:
        """Delete every expired card; returns how many."""
        return self.expired(now).delete()[0]


class TriageCard(models.Model):
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    text = models.TextField(help_text="The pasted ticket, every secret replaced by •••")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="triage_cards"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = TriageCardQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("use_triage", "Can paste a ticket into a triage card and open triage cards")]

    def __str__(self):
        return f"triage card {self.token[:6]}…"

    def save(self, *args, **kwargs):
        self.text = redact_text(self.text)  # never stored with a secret, whoever saves it
        if self.expires_at is None:
            self.expires_at = timezone.now() + timedelta(hours=settings.TRIAGE_KEEP_HOURS)
        super().save(*args, **kwargs)

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def get_absolute_url(self):
        return reverse("kb:triage-card", args=[self.token])
