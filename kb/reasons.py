"""Reason texts and code spellings seen in real answers (a pasted answer a search recognised, a replay's answer):
counted per code and text, with when each was first and last seen, for the review queue.

A row whose code or text the knowledge base does not know yet is a work item for editors (one per code and text;
for an unknown code, one per code): it is listed in /review/, never published by itself. Texts go through the one
secret rule (webex.redaction) and are cut to :data:`MAX_TEXT` characters before anything is stored."""

from __future__ import annotations

import logging
import re

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from webex.redaction import redact_text

logger = logging.getLogger(__name__)

MAX_TEXT = 300
MAX_CODE = 80
# Catch-all codes whose reason text carries the meaning (reference notes §6: 999999; 000000 "Fail to forward
# request:null" and others): every new text of theirs is worth an editor's look.
GENERIC_CODES = ("000000", "999999")
SHOWN = 50
UNKNOWN_ROWS = 500  # the most recent rows of unknown codes read to make their items (one query)


class SeenReason(models.Model):
    """One code (as spelled) with one reason text ("" when the answer had none), and how often it was seen."""

    class Kind(models.TextChoices):
        KNOWN = "known", "Known code, known text"
        NEW_TEXT = "new-text", "Known code, new text"
        GENERIC_NEW_TEXT = "generic-new-text", "Generic code, new text"
        UNKNOWN_CODE = "unknown-code", "Unknown code"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    code = models.CharField(max_length=MAX_CODE, help_text="As it was spelled in the answer")
    text = models.CharField(max_length=MAX_TEXT, blank=True, help_text="The reason text, redacted and cut")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    entry = models.ForeignKey("kb.Entry", null=True, blank=True, on_delete=models.SET_NULL, related_name="seen_reasons")
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)
    last_origin = models.CharField(max_length=10, blank=True, help_text="search or replay")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-last_seen"]
        constraints = [models.UniqueConstraint(fields=["code", "text"], name="kb_seenreason_code_text_uniq")]

    def __str__(self):
        return f"{self.code}: {self.text[:60]}"

    @property
    def is_work_item(self) -> bool:
        return self.kind != self.Kind.KNOWN


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip().strip(".:;,!- ").lower()


def _clean(value, limit) -> str:
    value = redact_text(str(value or "")).replace("\x00", "").strip()
    return re.sub(r"\s+", " ", value)[:limit]


def classify(code: str, text: str):
    """(kind, entry) of a code and text against the knowledge base."""
    entry_model = apps.get_model("kb", "Entry")
    entry, _how = entry_model.objects.resolve(code)
    if entry is None:
        return SeenReason.Kind.UNKNOWN_CODE, None
    folded = _fold(text)
    if not folded or any(_fold(m) == folded for m in entry.messages.values_list("text", flat=True)):
        return SeenReason.Kind.KNOWN, entry
    if entry.code in GENERIC_CODES:
        return SeenReason.Kind.GENERIC_NEW_TEXT, entry
    return SeenReason.Kind.NEW_TEXT, entry


def record_seen(code, text="", *, origin="") -> bool:
    """Count one sighting of ``code`` with ``text``: created the first time (its kind decided then), counted up
    with ``F()`` after. Returns whether it was counted. Never raises: a failure is logged and the caller goes on."""
    try:
        code = _clean(code, MAX_CODE)
        if not code:
            return False
        text = _clean(text, MAX_TEXT)
        now = timezone.now()
        seen = SeenReason.objects.filter(code=code, text=text)
        if seen.update(count=F("count") + 1, last_seen=now, last_origin=origin[:10]):
            return True
        kind, entry = classify(code, text)
        try:
            with transaction.atomic():
                SeenReason.objects.create(
                    code=code,
                    text=text,
                    kind=kind,
                    entry=entry,
                    first_seen=now,
                    last_seen=now,
                    last_origin=origin[:10],
                )
        except IntegrityError:  # another request created it first: count this sighting on it
            seen.update(count=F("count") + 1, last_seen=now, last_origin=origin[:10])
        return True
    except Exception:  # counting must never fail a search or a replay
        logger.warning("could not count a reason text seen", exc_info=True)
        return False


def review_items():
    """The open work items for /review/: texts new to a known code (generic codes first), then unknown codes, one
    item per code with every text seen for it. Each item: a dict with kind, code, entry, texts, count, first, last.
    Two queries, however many rows."""
    open_rows = SeenReason.objects.filter(status=SeenReason.Status.OPEN)
    texts = list(
        open_rows.filter(kind__in=[SeenReason.Kind.GENERIC_NEW_TEXT, SeenReason.Kind.NEW_TEXT])
        .select_related("entry")
        .order_by("kind", "-count", "code")[:SHOWN]
    )
    items = [
        {
            "kind": row.kind,
            "label": row.get_kind_display(),
            "code": row.code,
            "entry": row.entry,
            "texts": [row.text],
            "count": row.count,
            "first": row.first_seen,
            "last": row.last_seen,
            "ids": [row.pk],
        }
        for row in texts
    ]
    groups: dict[str, list] = {}
    for row in open_rows.filter(kind=SeenReason.Kind.UNKNOWN_CODE).order_by("-last_seen")[:UNKNOWN_ROWS]:
        groups.setdefault(row.code.lower(), []).append(row)
    unknown = []
    for rows in groups.values():
        unknown.append(
            {
                "kind": SeenReason.Kind.UNKNOWN_CODE,
                "label": SeenReason.Kind.UNKNOWN_CODE.label,
                "code": rows[0].code,
                "entry": None,
                "texts": [r.text for r in rows if r.text][:5],
                "count": sum(r.count for r in rows),
                "first": min(r.first_seen for r in rows),
                "last": max(r.last_seen for r in rows),
                "ids": [r.pk for r in rows],
            }
        )
    unknown.sort(key=lambda item: (-item["count"], item["code"].lower()))
    items += unknown[:SHOWN]
    return items


def close_items(ids) -> int:
    """Close the work items with these row ids (an editor has dealt with them)."""
    return SeenReason.objects.filter(pk__in=ids, status=SeenReason.Status.OPEN).update(status=SeenReason.Status.CLOSED)
