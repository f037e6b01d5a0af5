"""Replay records as evidence for a ticket (registered in kb.evidence by replay/apps.py): the replays a person made
from wizard steps, and their last replay of a code. Only for people who may see replay records; only their own."""

from datetime import timedelta

from django.utils import timezone

from kb.evidence import Evidence
from replay.models import ReplayRecord

VIEW_PERMISSION = "replay.can_replay"  # as the replay pages: whoever may replay sees the records
MAX_ITEMS = 20


def _evidence(record) -> Evidence:
    return Evidence(
        url=record.get_absolute_url(),
        outcome=record.get_outcome_display(),
        code=record.code or "",
        when=record.created_at,
        command=record.command,
        site=record.site_label,
    )


def _records(user):
    if not user.has_perm(VIEW_PERMISSION):
        return ReplayRecord.objects.none()
    return ReplayRecord.objects.filter(user=user).only(
        "id", "created_at", "outcome", "rs", "exception_id", "command", "site_label", "from_step"
    )


def from_steps(user, paths):
    records = _records(user).filter(from_step__in=paths).order_by("-created_at")[:MAX_ITEMS]
    return [_evidence(r) for r in reversed(list(records))]


def last_for_code(user, code, hours):
    since = timezone.now() - timedelta(hours=hours)
    record = _records(user).for_code(code).filter(created_at__gte=since).order_by("-created_at").first()
    return _evidence(record) if record is not None else None
