"""The wizard's section of the staff insights page (kb.insights): how each flow is used."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from troubleshooter.models import Flow, WizardEvent


def flow_insights(days):
    since = timezone.now() - timedelta(days=days)
    recent = Q(events__created_at__gte=since)
    feedback = Q(events__kind=WizardEvent.Kind.FEEDBACK) & recent
    flows = Flow.objects.annotate(
        started=Count("events", filter=Q(events__kind=WizardEvent.Kind.STARTED) & recent),
        finished=Count("events", filter=Q(events__kind=WizardEvent.Kind.FINISHED) & recent),
        resolved=Count("events", filter=feedback & Q(events__resolved=True)),
        unresolved=Count("events", filter=feedback & Q(events__resolved=False)),
    ).order_by("position", "slug")
    unresolved = WizardEvent.objects.filter(kind=WizardEvent.Kind.FEEDBACK, resolved=False, created_at__gte=since)
    worst = (
        unresolved.values("flow__slug", "flow__title", "outcome_slug", "outcome__text")
        .annotate(count=Count("id"))
        .order_by("-count", "flow__slug", "outcome_slug")[:10]
    )
    comments = unresolved.exclude(comment="").select_related("flow", "outcome")[:10]
    return {"flows": list(flows), "worst_outcomes": list(worst), "comments": list(comments), "days": days}
