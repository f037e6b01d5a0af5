"""``/conditions/`` (a list with a text filter htmx applies as you type) and ``/conditions/<slug>/`` (answer first,
symptoms linked to entries, provenance below; the probe's replay link only for readers who may replay)."""

from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_safe
from reversion.models import Version

from core.rendering import render_page
from kb.models import Condition, can_edit
from kb.search.text import fold

MAX_FILTER_CHARS = 100
HISTORY_SHOWN = 10


def _matches(condition, words):
    text = fold(" ".join([condition.title, condition.summary, *condition.keywords, *condition.codes_pending]))
    codes = " ".join(e.code.lower() for e in condition.entries.all())
    return all(w in text or w in codes for w in words)


@require_safe
def condition_list(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_FILTER_CHARS]
    conditions = list(Condition.objects.for_page())
    words = fold(query).split()
    shown = [c for c in conditions if _matches(c, words)] if words else conditions
    return render_page(
        request,
        "kb/condition_list.html",
        {"conditions": shown, "total": len(conditions), "q": query, "editor": can_edit(request.user)},
    )


@require_safe
def condition_detail(request, slug):
    condition = Condition.objects.for_page().filter(slug=slug.lower()).first() if "\x00" not in slug else None
    if condition is None:
        raise Http404("No such condition")
    if slug != condition.slug:
        return redirect(condition.get_absolute_url(), permanent=True)
    editor = can_edit(request.user)
    versions = Version.objects.get_for_object(condition).select_related("revision__user")
    history = list(versions.order_by("-revision__date_created")[:HISTORY_SHOWN]) if editor else []
    return render_page(
        request,
        "kb/condition_detail.html",
        {
            "condition": condition,
            "entries": [e for e in condition.entries.all() if editor or not e.is_draft],
            "pending": [c for c in condition.codes_pending if c not in {e.code for e in condition.entries.all()}],
            "can_replay": request.user.has_perm("replay.can_replay"),
            "editor": editor,
            "history": history,
            "permalink": request.build_absolute_uri(condition.get_absolute_url()),
        },
    )
