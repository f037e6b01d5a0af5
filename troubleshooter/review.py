"""The wizard's signal for the KB review queue: outcomes people marked "did not solve it"."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from troubleshooter.models import WizardEvent


def unsolved_outcomes(days):
    """{entry id: unsolved outcomes} over the last ``days`` days, for outcomes that name an entry."""
    rows = (
        WizardEvent.objects.filter(
            kind=WizardEvent.Kind.FEEDBACK,
            resolved=False,
            created_at__gte=timezone.now() - timedelta(days=days),
            outcome__entry__isnull=False,
        )
        .values("outcome__entry")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["outcome__entry"]: row["n"] for row in rows}
