"""Replay pages: the form, a record's permalink, the history, and "suggest an entry"."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kb.models import Suggestion
from kb.redaction import redact_text
from kb.rendering import render_page, vary_on_htmx
from replay import run
from replay.curl import curl_command
from replay.forms import SECRET_FIELDS, TEXT_FIELDS_WITH_SECRETS, HistoryFilterForm, ReplayForm
from replay.models import ReplayRecord, Site

PERMISSION = "replay.can_replay"


def result_context(record):
    if record is None:
        return {}
    steps = list(record.cause.steps.all()) if record.cause_id else []
    return {"record": record, "steps": steps, "curl": curl_command(record)}


def _record(pk):
    return get_object_or_404(ReplayRecord.objects.select_related("site", "entry", "cause", "user"), pk=pk)


@sensitive_post_parameters(*SECRET_FIELDS, *TEXT_FIELDS_WITH_SECRETS)
@sensitive_variables()
@require_http_methods(["GET", "POST"])
@login_required
@permission_required(PERMISSION, raise_exception=True)
def replay(request):
    """GET shows the form; POST replays and shows the result below the form (htmx swaps the panel)."""
    if request.method == "GET":
        # The wizard links here as /replay/?site=&command=m.php?AT=SM&DU=20 (never with secrets; any are hidden).
        initial = {"mode": "paste", "method": "POST"}
        if request.GET.get("site"):
            initial["site"] = request.GET["site"]
        if request.GET.get("command"):
            initial["command_text"] = redact_text(request.GET["command"][:8000])
        form = ReplayForm(initial=initial)
        context = {"form": form, "no_sites": not Site.objects.exists()}
        return render_page(request, "replay/replay.html", context)

    limit = settings.REPLAY_RATE_LIMIT
    if ReplayRecord.objects.recent_for_user(request.user).count() >= limit:
        response = render_page(
            request,
            "replay/rate_limited.html",
            {"limit": limit},
            status=429,
        )
        response["Retry-After"] = "60"
        return response

    form = ReplayForm(request.POST)
    record = None
    status = 200
    if form.is_valid():
        record = run.replay(form.cleaned_data["site"], form.replay_input(), user=request.user)
        if getattr(record, "busy", False):
            status = 429  # too many replays in flight (replay/slots.py): recorded, nothing sent
    else:
        status = 400
    form.scrub()
    context = {"form": form, **result_context(record)}
    response = render_page(request, "replay/replay.html", context, status=status)
    if status == 429:
        response["Retry-After"] = "5"
    return response


@require_safe
@login_required
@permission_required(PERMISSION, raise_exception=True)
def replay_detail(request, pk):
    record = _record(pk)
    return render_page(
        request,
        "replay/detail.html",
        {**result_context(record), "permalink": request.build_absolute_uri(record.get_absolute_url())},
    )


@require_safe
@login_required
@permission_required(PERMISSION, raise_exception=True)
def replay_history(request):
    form = HistoryFilterForm(request.GET or None)
    records = ReplayRecord.objects.select_related("site", "entry").only(
        "id",
        "created_at",
        "actor",
        "site_label",
        "site__name",
        "command",
        "outcome",
        "http_status",
        "rs",
        "exception_id",
        "duration_ms",
        "entry__code",
    )
    status = 200
    if form.is_bound:
        if form.is_valid():
            records = form.filter(records)
        else:
            records = records.none()
            status = 400
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "replay/history.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=status,
    )


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def replay_suggest(request, pk):
    """One click on an unknown code: record a suggestion for a new KB entry."""
    record = _record(pk)
    if not record.code or record.entry_id:
        return HttpResponseBadRequest("This replay has no unknown code to suggest.")
    note = f"Seen in replay {record.get_absolute_url()} ({record.command or 'command'} on {record.site_label})."
    Suggestion.objects.record(record.code, note=note, origin=Suggestion.Origin.REPLAY, user=request.user)
    if request.htmx:
        return vary_on_htmx(render(request, "replay/_suggested.html", {"record": record}))
    messages.success(request, f"Thank you: a new entry for {record.code} was suggested.")
    return redirect(record)
