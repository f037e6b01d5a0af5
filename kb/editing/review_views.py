"""The review queue (/review/, KB editors), what can be done from it (make a draft, close a suggestion), and
"Suggest an edit" on every entry page (everyone)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import writelimits
from core.rendering import render_page
from kb import fixtures, reasons
from kb.editing import editor, review
from kb.editing.access import editors_only
from kb.models import Entry, Suggestion
from kb.search.log import missing_codes
from webex.redaction import redact_text


@require_safe
@editors_only
def review_queue(request):
    now = timezone.now()
    edits, codes = review.open_suggestion_pages(_page(request, "edits"), _page(request, "codes"))
    due = review.due_entries(now)
    showing_all = request.GET.get("due") == "all"
    shown = review.DUE_ALL_SHOWN if showing_all else review.DUE_SHOWN
    context = {
        "now": now,
        "due": due[:shown],
        "due_total": len(due),
        "due_more": max(0, len(due) - shown),
        "showing_all": showing_all,
        "suggestion_count": edits.total + codes.total,
        "edits_total": edits.total,
        "edits_pager": _pager(request, "edits", edits.page, edits.pages),
        "codes_total": codes.total,
        "codes_pager": _pager(request, "codes", codes.page, codes.pages),
        "signalled": review.signalled_entries(),
        "new_codes": codes.groups,
        "edits": edits.groups,
        "missing": _with_look_alikes(missing_codes()),
        "unanswered": review.unanswered_queries(),
        "seen_reasons": reasons.review_items(),
        "days": review.RECENT_DAYS,
    }
    return render_page(request, "kb/review.html", context)


def _page(request, name):
    """A page number from ``?<name>=``: 1 unless it is a plain, reasonable number (never a 500)."""
    raw = request.GET.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 1


def _pager(request, name, page, pages):
    """Links to the previous and next page of one list, keeping the other list's page."""

    def url(n):
        query = request.GET.copy()
        query[name] = str(n)
        return "?" + query.urlencode() + "#suggestions"

    return {
        "page": page,
        "pages": pages,
        "previous": url(page - 1) if page > 1 else "",
        "next": url(page + 1) if page < pages else "",
    }


def _with_look_alikes(missing):
    similar = review.looks_like([code for code, _n, _last in missing])
    return [(code, n, last, similar.get(code)) for code, n, last in missing]


def _draft_or_back(request, code, suggestion=None):
    try:
        entry, created = editor.make_draft(code, user=request.user, suggestion=suggestion)
    except fixtures.FixtureError as exc:
        messages.error(request, f"No draft was made for {code[:80]!r}: {editor.error_message(exc)}.")
        return redirect("kb:review")
    if created:
        messages.success(request, f"Draft {entry.code} made: only KB editors see it until you publish it.")
    else:
        messages.info(request, f"{entry.code} already has an entry: here it is.")
    return redirect("kb:entry-edit", entry.code)


@require_POST
@editors_only
def suggestion_draft(request, pk):
    suggestion = get_object_or_404(Suggestion, pk=pk)
    if suggestion.entry_id:
        return redirect("kb:entry-edit", suggestion.entry.code)
    code = (request.POST.get("code") or suggestion.query).replace("\x00", "").strip()
    response = _draft_or_back(request, code, suggestion)
    suggestion.refresh_from_db()
    if suggestion.status == Suggestion.Status.DRAFTED:  # the same request from other senders is answered too
        review.close_group(suggestion, status=Suggestion.Status.DRAFTED, entry_id=suggestion.entry_id)
    return response


@require_POST
@editors_only
def suggestion_close(request, pk):
    suggestion = get_object_or_404(Suggestion, pk=pk)
    Suggestion.objects.filter(pk=suggestion.pk).update(status=Suggestion.Status.CLOSED)
    if request.POST.get("group"):  # every open suggestion asking the same thing
        closed = 1 + review.close_group(suggestion)
        messages.success(request, f"{closed} suggestion{'s' if closed != 1 else ''} “{suggestion.query[:80]}” closed.")
    else:
        messages.success(request, f"Suggestion “{suggestion.query[:80]}” closed.")
    return redirect(reverse("kb:review") + "#suggestions")


@require_POST
@editors_only
def seen_reason_close(request):
    """Close a work item of reason texts seen (its rows, by id): the editor has dealt with it."""
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()][:100]
    if not ids:
        messages.error(request, "Nothing was closed: no item was named.")
    elif reasons.close_items(ids):
        messages.success(request, "Item closed.")
    return redirect(reverse("kb:review") + "#seen-reasons")


@require_POST
@editors_only
def missing_draft(request):
    code = (request.POST.get("code") or "").replace("\x00", "").strip()
    return _draft_or_back(request, code)


class SuggestEditForm(forms.Form):
    note = forms.CharField(
        max_length=2000,
        label="What is wrong or missing?",
        help_text="For example a step that did not work, a command that also returns this code, or a better wording.",
        widget=forms.Textarea(attrs={"rows": 5, "aria-describedby": "id_note_help"}),
    )

    def clean_note(self):
        note = redact_text(self.cleaned_data["note"]).strip()
        if not note:
            raise forms.ValidationError("Say what is wrong or missing.")
        return note


@require_http_methods(["GET", "HEAD", "POST"])
def entry_suggest(request, code):
    entry = Entry.objects.visible_to(request.user).filter(code=code).first()
    if entry is None:
        raise Http404(code)
    form = SuggestEditForm(request.POST if request.method == "POST" else None)
    context = {"entry": entry, "form": form}
    if request.method != "POST":
        return render_page(request, "kb/entry_suggest.html", context)
    if not form.is_valid():
        return render_page(request, "kb/entry_suggest.html", context, status=400)
    verdict = writelimits.hit(request, "suggest")
    if not verdict.allowed:
        context["refused"] = writelimits.message(verdict, "suggestions")
        return writelimits.refused(render_page(request, "kb/entry_suggest.html", context), verdict)
    Suggestion.objects.record(
        entry.code,
        origin=Suggestion.Origin.EDIT,
        note=form.cleaned_data["note"],
        user=request.user,
        entry=entry,
        sender=writelimits.sender(request),
    )
    # The thanks is the page itself, not a message: an anonymous reader's entry page is the shared cached one,
    # which never shows messages. Sending it again records nothing new (Suggestion.objects.record).
    thanks = "Thank you: your suggestion was recorded for the knowledge base editors."
    return render_page(request, "kb/entry_suggest.html", {**context, "thanks": thanks})
