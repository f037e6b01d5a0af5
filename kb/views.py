import hashlib
from collections import OrderedDict
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from core.rendering import render_page, wants_fragment
from core.safequery import filters_redirect, no_secret_in_query
from kb import generation, serializers
from kb.codes import entry_path
from kb.forms import EntryFilterForm
from kb.insights import PERIODS, insights_sections, period
from kb.models import Category, Cause, Command, Entry, Service, can_edit
from kb.pages import redirected_from, render_entry_parts
from kb.search.knowledge import family_of
from kb.search.popular import most_looked_up
from kb.textlinks import build_link_map, command_links
from webex.redaction import MASK


def _grouped_by_category(entries):
    groups = OrderedDict((value, {"label": label, "entries": []}) for value, label in Category.choices)
    for entry in entries:
        groups[entry.category]["entries"].append(entry)
    return [g for g in groups.values() if g["entries"]]


LIST_FIELDS = ("code", "title", "summary", "category", "retired", "api", "confidence", "status")


@require_safe
def home(request):
    entries = list(Entry.objects.visible_to(request.user).only(*LIST_FIELDS))
    services = Service.objects.prefetch_related(
        Prefetch("commands", queryset=Command.objects.select_related("service"))
    )
    context = {
        "groups": _grouped_by_category(entries),
        "services": services,
        "popular": most_looked_up(entries),
        "entry_count": len(entries),
    }
    return render(request, "kb/home.html", context)


@csrf_exempt  # a POST only redirects to the GET address, which anyone may open
@require_http_methods(["GET", "HEAD", "POST"])
@no_secret_in_query
def entry_list(request):
    """Every entry, filtered; htmx gets the results fragment as the filters change (and the URL follows). The form
    is sent by POST and answered with a 303 to its GET address, with any secret typed into it redacted."""
    if request.method == "POST":
        return filters_redirect(request, EntryFilterForm.base_fields)
    form = EntryFilterForm(request.GET or None)
    entries = Entry.objects.visible_to(request.user).only(*LIST_FIELDS)
    error = None
    if form.is_bound:
        if form.is_valid():
            entries = form.filter(entries)
        else:
            error = form.error_text()
            entries = entries.none()
    status = 400 if error else 200
    entries = list(entries)
    # After a filter holding a password was redirected to its redacted address, htmx also gets the box redacted.
    redacted_box = wants_fragment(request) and MASK in request.GET.get("q", "")
    context = {"form": form, "entries": entries, "groups": _grouped_by_category(entries), "error": error}
    return render_page(request, "kb/entry_list.html", {**context, "redacted_box": redacted_box}, status=status)


def _entry_or_redirect(code, url_name, entries=None, say_alias=False):
    """The entry at its canonical code; a 301 for a case variant or an alias; Http404 otherwise.

    With ``say_alias`` an alias redirects to ``?from=<alias>``, and the page says "Redirected from"."""
    entry, how = (Entry.objects.all() if entries is None else entries).resolve(code)
    if entry is None:
        raise Http404(code)
    if how != "exact":
        url = entry_path(entry.code, url_name)
        alias = redirected_from(entry.aliases.values_list("alias", flat=True), code) if how == "alias" else None
        if say_alias and alias:
            url += "?" + urlencode({"from": alias})
        return entry, redirect(url, permanent=True)
    return Entry.objects.prefetch_for_page().get(pk=entry.pk), None


def _unknown_code(request, code, status=404):
    """A code no entry has. A 6-digit exception ID is explained by its family, as search does; other codes get the
    entries whose codes look similar (a 6-digit ID one digit away is another error, not a misspelling)."""
    published = Entry.objects.published()
    code = code[:100]
    family = family_of(code)
    closest = [] if code.isdigit() else published.filter(code__in=published.closest(code))
    return render(request, "kb/unknown_code.html", {"code": code, "closest": closest, "family": family}, status=status)


def _generation_key(kind, request, code):
    """A cache key for ``code`` as seen from this host, under the current KB generation.

    Any change to the knowledge, in any process, changes the generation and so every key."""
    digest = hashlib.sha256(f"{request.get_host()}\0{code}".encode()).hexdigest()
    return generation.cache_key(kind, digest)


@require_safe
def entry_detail(request, code):
    key = _generation_key("entry-page", request, code)
    public = not request.user.is_authenticated
    # ?from=<alias>: reached through an alias (its link, or a search for it); said above the article, so the
    # cached article and the shared anonymous page stay the same for every reader.
    said_from = request.GET.get("from", "")[:100]
    if public and not said_from:
        # Anonymous readers all get the same page: no CSRF token (it has no form that posts), no messages, no user.
        html = cache.get(f"{key}:public")
        if html is not None:
            return HttpResponse(html)
    page = cache.get(key)
    if page is None:
        try:
            entry, response = _entry_or_redirect(code, "kb:entry-detail", say_alias=True)
        except Http404:
            return _unknown_code(request, code)
        if response:
            page = {"redirect": response["Location"], "draft": entry.is_draft}
        else:
            page = render_entry_parts(request, entry)
        cache.set(key, page, timeout=3600)
    editor = not public and can_edit(request.user)
    if page.get("draft") and not editor:
        return _unknown_code(request, code)  # drafts are for KB editors only
    if "redirect" in page:
        return redirect(page["redirect"], permanent=True)
    context = {"page": page, "redirected_from": redirected_from(page.get("aliases", ()), said_from)}
    if not public:
        return render(request, "kb/entry_detail.html", {**context, "editor": editor})
    context.update(public_page=True, messages=[])
    html = render_to_string("kb/entry_detail.html", context, request=request)
    if context["redirected_from"] is None:
        cache.set(f"{key}:public", html, timeout=3600)
    return HttpResponse(html)


@require_safe
def command_list(request):
    services = Service.objects.prefetch_related(
        Prefetch("commands", queryset=Command.objects.select_related("service"))
    )
    return render(request, "kb/command_list.html", {"services": services})


def _find_command(service, code):
    if "\x00" in service + code:
        return None, None
    command = Command.objects.select_related("service").filter(service__name=service, code=code).first()
    if command:
        return command, "exact"
    command = Command.objects.select_related("service").filter(service__name__iexact=service, code__iexact=code).first()
    return command, "case" if command else None


@require_safe
def command_detail(request, service, code):
    command, how = _find_command(service, code)
    if command is None:
        known = Service.objects.filter(name__iexact=service).first()
        return render(
            request,
            "kb/unknown_command.html",
            {"service": service[:40], "code": code[:80], "known_service": known},
            status=404,
        )
    if how == "case":
        return redirect(command.get_absolute_url(), permanent=True)
    visible = Entry.objects.visible_to(request.user)
    causes = (
        Cause.objects.filter(commands=command, entry__in=visible)
        .select_related("entry")
        .prefetch_related("steps")
        .order_by("entry__code", "position")
    )
    service_causes = (
        Cause.objects.filter(services=command.service_id, entry__in=visible)
        .exclude(commands=command)
        .select_related("entry")
        .order_by("entry__code", "position")
    )
    return render(
        request,
        "kb/command_detail.html",
        {
            "command": command,
            "causes": causes,
            "service_causes": service_causes,
            "code_links": build_link_map([command.description]),
            "command_links": command_links(),
        },
    )


@require_safe
def api_entry_list(request):
    form = EntryFilterForm(request.GET or None)
    entries = Entry.objects.published()
    if form.is_bound:
        if not form.is_valid():
            return JsonResponse({"error": "invalid filter", "detail": form.errors.get_json_data()}, status=400)
        entries = form.filter(entries)
    results = [serializers.entry_summary(e, request) for e in entries]
    return JsonResponse({"count": len(results), "results": results})


@require_safe
def api_entry_detail(request, code):
    key = _generation_key("entry-json", request, code)
    data = cache.get(key)
    if data is None:
        try:
            entry, response = _entry_or_redirect(code, "kb:api-entry-detail", Entry.objects.published())
        except Http404:
            closest = Entry.objects.published().closest(code)
            return JsonResponse({"error": f"no entry has the code {code[:100]!r}", "closest": closest}, status=404)
        data = {"redirect": response["Location"]} if response else serializers.entry_detail(entry, request)
        cache.set(key, data, timeout=3600)
    if set(data) == {"redirect"}:
        return redirect(data["redirect"], permanent=True)
    return JsonResponse(data)


@require_safe
@login_required
def insights(request):
    """The staff insights page: every registered section (kb.insights) for the chosen period."""
    if not request.user.is_staff:
        raise PermissionDenied("The insights page is for staff.")
    days = period(request.GET.get("days"))
    sections = insights_sections()
    context = {
        "days": days,
        "periods": PERIODS,
        "sections": [
            mark_safe(render_to_string(s.template, s.context(days), request))  # rendered template
            for s in sections
        ],
        "stylesheets": sorted({s.stylesheet for s in sections if s.stylesheet}),
    }
    return render(request, "kb/insights.html", context)
