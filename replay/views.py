"""Replay pages: the form, a record's permalink, the history, and "suggest an entry"."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import tickets, writelimits
from core.rendering import render_page, render_partial, wants_fragment
from core.safequery import no_secret_in_query
from kb.models import Command, Suggestion
from replay import prefill, run
from replay.escalation import escalation_ticket
from replay.forms import SECRET_FIELDS, TEXT_FIELDS_WITH_SECRETS, HistoryFilterForm, ReplayForm
from replay.models import ReplayRecord, Site
from replay.plan import ReplayInputError
from replay.results import replay_ticket, result_context
from replay.xmltemplates import xml_template

PERMISSION = "replay.can_replay"


def _commands():
    return list(Command.objects.select_related("service"))


def _panel_context(form, sites):
    templates = [(c.key, xml_template(c)) for c in form.xml_commands]
    return {"form": form, "no_sites": not sites, "xml_templates": templates}


def _record(pk):
    return get_object_or_404(ReplayRecord.objects.select_related("site", "entry", "cause", "user"), pk=pk)


@sensitive_post_parameters(*SECRET_FIELDS, *TEXT_FIELDS_WITH_SECRETS)
@sensitive_variables()
@require_http_methods(["GET", "POST"])
@login_required
@permission_required(PERMISSION, raise_exception=True)
def replay(request):
    """GET shows the form; POST replays and shows the result below the form (htmx swaps the panel)."""
    sites = list(Site.objects.all())
    commands = _commands()
    if request.method == "GET":
        # Links fill the form in: /replay/?command=m.php?AT=SM&DU=20&site=…&from=/troubleshoot/…&login_first=1, or
        # ?again=<record>. Never with secrets: a secret in the command is dropped or shown as •••.
        record = None
        if request.GET.get("again"):
            record = ReplayRecord.objects.filter(pk=_uuid_or_none(request.GET["again"])).first()
        by_key = {command.key: command for command in commands}
        initial = prefill.initial_from_query(request.GET, sites=sites, commands=by_key, record=record)
        form = ReplayForm(initial=initial, commands=commands)
        return render_page(request, "replay/replay.html", _panel_context(form, sites))

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

    form = ReplayForm(request.POST, commands=commands)
    record = None
    status = 400
    if form.is_valid():
        try:
            replayed = run.replay(form.cleaned_data["site"], form.replay_input(), user=request.user)
        except ReplayInputError as error:  # an input mistake: shown on the form, nothing sent, nothing recorded
            form.add_error(form.input_field(), error.message)
        else:
            record = replayed.record
            status = 429 if replayed.busy else 200  # busy: too many replays in flight, recorded, nothing sent
    form.scrub()
    form.focus_first_error()
    context = {**_panel_context(form, sites), **result_context(record)}
    response = render_page(request, "replay/replay.html", context, status=status)
    if status == 429:
        response["Retry-After"] = "5"
    return response


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@require_safe
@login_required
@permission_required(PERMISSION, raise_exception=True)
def replay_parameters(request):
    """The build mode's parameter fields for ``?command=<key>`` (htmx swaps them in when the command changes)."""
    form = ReplayForm(initial={"mode": "build", "command": request.GET.get("command", "")[:120]})
    return render_partial(request, "replay/_build_params.html", {"form": form})


@require_safe
@login_required
@permission_required(PERMISSION, raise_exception=True)
def replay_record_ticket(request, pk):
    """``?format=markdown|text|jira``: the record as text for a ticket."""
    record = _record(pk)
    permalink = request.build_absolute_uri(record.get_absolute_url())
    entry_url = request.build_absolute_uri(record.cause.get_absolute_url()) if record.cause_id else ""
    if not entry_url and record.entry_id:
        entry_url = request.build_absolute_uri(record.entry.get_absolute_url())
    return tickets.ticket_response(request, lambda: replay_ticket(record, permalink, entry_url))


@require_safe
@login_required
@permission_required(PERMISSION, raise_exception=True)
def replay_escalation(request, pk):
    """``?format=text|markdown`` (or jira): the escalation pack for Cisco's developer support (replay/escalation.py)."""
    record = _record(pk)
    permalink = request.build_absolute_uri(record.get_absolute_url())
    root = request.build_absolute_uri("/").rstrip("/")
    return tickets.ticket_response(request, lambda: escalation_ticket(record, permalink, root))


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
@no_secret_in_query
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
    sender = writelimits.sender(request)
    Suggestion.objects.record(record.code, note=note, origin=Suggestion.Origin.REPLAY, user=request.user, sender=sender)
    if wants_fragment(request):
        return render_partial(request, "replay/_suggested.html", {"record": record})
    messages.success(request, f"Thank you: a new entry for {record.code} was suggested.")
    return redirect(record)
