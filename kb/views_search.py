"""Search pages: /search/ (full page, or the results fragment for htmx), /api/search/, /opensearch.xml,
and the "suggest a missing entry" form of an empty search."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from kb import insights
from kb.models import Suggestion
from kb.redaction import redact_text
from kb.rendering import render_page, render_page_to_string, vary_on_htmx, wants_fragment
from kb.search import MAX_PASTE_CHARS, search


def _query(request):
    value = request.GET.get("q", "")
    return value[:MAX_PASTE_CHARS]


def _search_url(query):
    return reverse("kb:search") + ("?" + urlencode({"q": query}) if query else "")


@require_safe
def search_page(request):
    raw = _query(request)
    result = search(raw, user=request.user)
    if result.redacted and not request.htmx:
        # The query held a password (PW=..., <password>): answer from a URL without it, so it stays out of
        # the browser's history and address bar. The redacted query finds the same entries.
        response = redirect(_search_url(result.query))
        insights.record(result, request.user)
        return response
    context = {
        "response": result,
        "search_query": result.query,
        "suggest_form": SuggestionForm(initial={"query": result.query}),
    }
    if wants_fragment(request) and result.results:
        # A fragment with results depends only on the answer (no form, no user): render it once per cached
        # answer. The empty state carries a CSRF token, so it is always rendered afresh.
        html = result.memo.get("fragment")
        if html is None:
            html = result.memo["fragment"] = render_page_to_string(request, "kb/search.html", context)
        response = vary_on_htmx(HttpResponse(html))
    else:
        response = render_page(request, "kb/search.html", context)
    if request.htmx and result.redacted:
        response["HX-Push-Url"] = _search_url(result.query)
    insights.record(result, request.user)
    return response


@require_safe
def api_search(request):
    result = search(_query(request), user=request.user)
    response = JsonResponse(result.to_json(), json_dumps_params={"ensure_ascii": False})
    insights.record(result, request.user)
    return response


@require_safe
def opensearch(request):
    # The address the browser used, unless the site's address is configured (SITE_ROOT in the environment).
    root = settings.SITE_ROOT if settings.SITE_ROOT_CONFIGURED else request.build_absolute_uri("/").rstrip("/")
    body = render(request, "kb/opensearch.xml", {"root": root}).content
    return HttpResponse(body, content_type="application/opensearchdescription+xml; charset=utf-8")


class SuggestionForm(forms.Form):
    query = forms.CharField(max_length=500, label="What you searched for")
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Anything that would help (where you saw it, which command)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_query(self):
        query = redact_text(self.cleaned_data["query"]).strip()
        if not query:
            raise forms.ValidationError("Say what you searched for.")
        return query

    def clean_note(self):
        return redact_text(self.cleaned_data["note"]).strip()


@require_POST
def search_suggest(request):
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[name].label}: {' '.join(errs)}" for name, errs in form.errors.items())
        context = {"suggest_form": form, "suggest_error": errors, "response": None}
        return render_page(request, "kb/search_suggest_error.html", context, status=400)
    Suggestion.objects.record(
        form.cleaned_data["query"], note=form.cleaned_data["note"], origin=Suggestion.Origin.SEARCH, user=request.user
    )
    thanks = "Thank you: the missing entry was recorded for the knowledge base editors."
    if request.htmx:
        return render_page(request, "kb/_search_suggest.html", {"suggested": True, "thanks": thanks})
    messages.success(request, thanks)
    return redirect(_search_url(form.cleaned_data["query"]))
