"""What readers said about entries ("Was this helpful?") and what they asked for, summarised for /insights/."""

from datetime import timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from kb.models import Entry, EntryFeedback, Suggestion


def feedback_insights(days=30, limit=20):
    """Votes per entry in the last ``days`` days (least helpful first), recent comments, and open suggestions."""
    since = timezone.now() - timedelta(days=days)
    recent = Q(feedback__updated_at__gte=since)
    entries = (
        Entry.objects.filter(recent)
        .annotate(
            helpful_votes=Count("feedback", filter=recent & Q(feedback__helpful=True)),
            unhelpful_votes=Count("feedback", filter=recent & Q(feedback__helpful=False)),
            last_vote=Max("feedback__updated_at", filter=recent),
        )
        .only("code", "title")
        .order_by("-unhelpful_votes", "-last_vote", "code")[:limit]
    )
    comments = (
        EntryFeedback.objects.since(days)
        .exclude(comment="")
        .select_related("entry")
        .only("comment", "helpful", "updated_at", "entry__code", "entry__title")[:limit]
    )
    suggestions = Suggestion.objects.filter(created_at__gte=since).only("query", "note", "origin", "created_at")
    return {
        "entries": list(entries),
        "comments": list(comments),
        "suggestions": list(suggestions[:limit]),
        "suggestion_count": suggestions.count(),
        "days": days,
    }
