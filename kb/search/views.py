"""Search pages: /search/ (full page, or the results fragment for htmx), search as you type and the queries a
person settles on, /api/search/, /opensearch.xml, and the "suggest a missing entry" forms.

Search as you type sends the text by POST (never in a URL, so a pasted password stays out of the address bar,
the browser's history and every access log) and is not recorded. A query is recorded once the person settles on
it: a full-page search (a form, or a link), a pause in typing or an opened result (POST /search/settled/, sent by
static/kb/search.js), or a call to the JSON API.
"""

import re
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import writelimits
from core.rendering import push_url, render_fragment, render_page, render_partial, vary_on_htmx, wants_fragment
from kb.generation import GenerationCache
from kb.models import Suggestion
from kb.pages import redirected_from
from kb.search import MAX_PASTE_CHARS, search
from kb.search import log as search_log
from webex.redaction import redact_text

# Rendered results fragments, per answer (its Query key) and KB generation, as many as the answer cache holds.
fragment_cache = GenerationCache(size=lambda: settings.SEARCH_CACHE_SIZE)

# A results URL carries at most this many characters of query (servers refuse request lines of about 8 KB);
# a longer paste is cut to the part that was recognised in it.
MAX_URL_QUERY = 2000


def _query(data):
    return data.get("q", "")[:MAX_PASTE_CHARS]


def _search_url(query):
    return reverse("kb:search") + ("?" + urlencode({"q": query}) if query else "")


def _redacted_text(raw):
    """The whole text with every secret replaced by ••• and runs of white space made one space."""
    return re.sub(r"\s+", " ", redact_text(raw)).strip()


def results_query(result, raw) -> str:
    """The query of the results URL for ``raw``: the redacted text, or for a paste too long for a URL the part
    that was recognised in it (or the query as shown). Never holds a secret."""
    text = _redacted_text(raw)
    if len(text) <= MAX_URL_QUERY:
        return text
    if result.detected is not None and 0 < len(result.detected.fragment) <= MAX_URL_QUERY:
        return result.detected.fragment
    return result.query


def _record(request, result):
    """Record a search its sender settled on. One for a code no entry has (the editors' "Searched for, not in the
    knowledge base") counts against the sender's write limit first, and past it is not recorded (the search still
    answers). Returns the refused verdict, or None."""
    if search_log.names_missing_code(result) and not getattr(result, "too_short", False):
        verdict = writelimits.hit(request, "search")
        if not verdict.allowed:
            return verdict
    search_log.record(result, request.user, sender=writelimits.sender(request))
    return None


def go_target(result) -> str | None:
    """Where a submitted search goes instead of a list: the entry of an exact code or alias (any case; an alias
    adds ``?from=``, so the entry says "Redirected from"), or the entry and cause recognised in pasted text.
    None when the results should be listed."""
    detected = result.detected
    if detected is not None:
        if detected.entry is None:
            return None
        return detected.entry.get_absolute_url() + (f"#{detected.cause.anchor}" if detected.cause else "")
    if result.did_you_mean is not None and result.results and result.results[0].how == "similar":
        return result.did_you_mean.get_absolute_url()  # "did you mean": Enter opens the code it looks like
    if not result.results or result.results[0].how not in ("code", "alias"):
        return None
    top = result.results[0]
    if top.how == "alias":
        alias = redirected_from(top.entry.aliases.values_list("alias", flat=True), result.query)
        if alias:
            return top.url + "?" + urlencode({"from": alias})
    return top.url


@require_http_methods(["GET", "HEAD", "POST"])
def search_page(request):
    """GET: the results page (or its fragment for htmx), recorded. With ``go=1`` (every search form sends it)
    an exact code, alias or recognised paste goes to its entry, and anything else to its plain results URL.
    POST: search as you type (see ``_live_search``)."""
    if request.method == "POST":
        return _live_search(request)
    raw = _query(request.GET)
    result = search(raw)
    if not wants_fragment(request):
        if request.GET.get("go"):
            target = go_target(result)
            if target:
                _record(request, result)
                return redirect(target)
            # The results URL itself never jumps to an entry, so Back and shared links always show the list.
            return redirect(_search_url(results_query(result, raw)))
        if result.redacted:
            # The query held a password (PW=..., <password>): answer from a URL without it, so it stays out of
            # the browser's history and address bar. That page records the search.
            return redirect(_search_url(results_query(result, raw)))
    response = _results(request, result, raw)
    if wants_fragment(request) and result.redacted:
        push_url(response, _search_url(results_query(result, raw)))
    _record(request, result)
    return response


def _live_search(request):
    """Search as you type: the text arrives in the body and the answer is the results fragment. Nothing is
    recorded or pushed to history: the person has not settled on the query yet (see ``search_settled``).
    Without htmx, the redacted results page (303)."""
    raw = _query(request.POST)
    result = search(raw)
    if not wants_fragment(request):
        response = HttpResponseRedirect(_search_url(results_query(result, raw)))
        response.status_code = 303
        return response
    return _results(request, result, raw)


def _results(request, result, raw):
    context = {
        "response": result,
        # The box's text once its secrets are taken out: search.js puts it back in the box.
        "redacted_text": _redacted_text(raw) if result.redacted else "",
    }
    if wants_fragment(request) and result.results and not result.missing_code:
        # A fragment with results depends only on the answer (no form, no user): render it once per cached
        # answer. The empty state and a missing code's "suggest this code" carry a CSRF token: always rendered afresh.
        html = fragment_cache.get_or_build(result.key, lambda: render_fragment(request, "kb/search.html", context))
        return vary_on_htmx(HttpResponse(html))
    context["suggest_form"] = SuggestionForm(initial={"query": result.query})
    if not wants_fragment(request):
        context["go"] = go_target(result)  # where Enter goes for the page's own query (search.js)
    return render_page(request, "kb/search.html", context)


@csrf_exempt
@require_POST
def search_go(request):
    """A search form submitted with JavaScript (static/js/app.js): the same as GET /search/?q=…&go=1, but the text
    comes in the body, so a pasted password never reaches a URL or an access log. Answers 303: to the entry the
    query names (recorded here), or to its redacted results page (which records it).

    No CSRF token: the header's form is on pages shared by every anonymous reader, which carry none, and this
    view changes nothing a forged request could not change with a plain link to /search/?q=…."""
    raw = _query(request.POST)
    result = search(raw)
    target = go_target(result)
    if target:
        _record(request, result)
    response = HttpResponseRedirect(target or _search_url(results_query(result, raw)))
    response.status_code = 303
    return response


@require_POST
def search_settled(request):
    """The query a person settled on while searching as you type (a pause, Enter, or an opened result): recorded
    once (not when it is too short to search). Answers where it lives: ``url`` (its results page), ``go`` (the
    entry a submitted search goes to, or null), ``settled`` (false: too short or empty, nothing recorded or pushed)
    and, when the text held a secret, ``text`` (the text with it redacted) for the box."""
    raw = _query(request.POST)
    result = search(raw)
    refused = _record(request, result)
    if refused is not None:
        # Its one job is recording: say why not (search.js then submits the form the plain way).
        return writelimits.refused_json(refused, "searches for missing codes")
    data = {
        "query": result.query,
        "url": _search_url(results_query(result, raw)),
        "go": go_target(result),
        "settled": bool(result.query) and not result.too_short,
        "redacted": result.redacted,
    }
    if result.redacted:
        data["text"] = _redacted_text(raw)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_safe
def api_search(request):
    result = search(_query(request.GET))
    response = JsonResponse(result.to_json(), json_dumps_params={"ensure_ascii": False})
    _record(request, result)
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
    verdict = writelimits.hit(request, "suggest")
    if not verdict.allowed:
        context = {"suggest_form": form, "suggest_error": writelimits.message(verdict, "suggestions"), "response": None}
        return writelimits.refused(render_page(request, "kb/search_suggest_error.html", context), verdict)
    Suggestion.objects.record(
        form.cleaned_data["query"],
        note=form.cleaned_data["note"],
        origin=Suggestion.Origin.SEARCH,
        user=request.user,
        sender=writelimits.sender(request),
    )
    thanks = "Thank you: the missing entry was recorded for the knowledge base editors."
    if wants_fragment(request):
        return render_partial(request, "kb/_search_suggest.html", {"suggested": True, "thanks": thanks})
    messages.success(request, thanks)
    return redirect(_search_url(form.cleaned_data["query"]))


@require_POST
def suggest_code(request, code):
    """ "Suggest this code" on the page of an unknown code: recorded as a Suggestion from that page (secrets
    taken out, the same request kept once), with the optional note."""
    code = redact_text(code[:100]).strip()
    if not code:
        return HttpResponse("Which code? The address names none.", status=400, content_type="text/plain")
    verdict = writelimits.hit(request, "suggest")
    if not verdict.allowed:
        context = {"code": code, "suggest_error": writelimits.message(verdict, "suggestions")}
        if wants_fragment(request):
            return writelimits.refused(render_partial(request, "kb/_suggest_code.html", context), verdict)
        context = {"message": context["suggest_error"], "back_url": reverse("kb:entry-detail", args=[code])}
        return writelimits.refused(render_page(request, "kb/too_many_writes.html", context), verdict)
    Suggestion.objects.record(
        code,
        note=request.POST.get("note", ""),
        origin=Suggestion.Origin.NOT_FOUND,
        user=request.user,
        sender=writelimits.sender(request),
    )
    thanks = f"Thank you: {code} was recorded for the knowledge base editors."
    if wants_fragment(request):
        return render_partial(request, "kb/_suggest_code.html", {"code": code, "suggested": True, "thanks": thanks})
    messages.success(request, thanks)
    return redirect(reverse("kb:entry-detail", args=[code]))
