"""Numbers for the staff insights page: how each flow is used, and (when the search feature is there) search."""

import importlib
import importlib.util
from datetime import timedelta

from django.db.models import Count, Q
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from troubleshooter.models import Flow, WizardEvent

PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
SEARCH_MODULE = "kb.insights"
SEARCH_TEMPLATE = "kb/_search_insights.html"


def flow_insights(days=DEFAULT_DAYS):
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


def search_available():
    """True when the search feature's insights module and template are installed (they may land later)."""
    if importlib.util.find_spec(SEARCH_MODULE) is None:
        return False
    try:
        get_template(SEARCH_TEMPLATE)
    except TemplateDoesNotExist:
        return False
    return True


def search_insights(days=DEFAULT_DAYS):
    """kb.insights.search_insights(days) with the template to include it, or None when search has not landed."""
    if not search_available():
        return None
    module = importlib.import_module(SEARCH_MODULE)
    return {"data": module.search_insights(days=days), "template": SEARCH_TEMPLATE}
