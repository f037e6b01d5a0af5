"""What an entry page offers besides its article: the ticket text and "Was this helpful?".

The entry page itself is cached and shared by anonymous readers, so nothing here is inside it: the ticket text is
fetched from ``/errors/<code>/ticket/`` and the feedback widget is a small fragment (with its own CSRF token)
loaded from ``/errors/<code>/feedback/``, which is also a plain page for browsers without JavaScript.
"""

from functools import lru_cache

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core import tickets
from core.rendering import render_page, wants_fragment
from kb import evidence
from kb.models import Entry, EntryFeedback


def _resolve(code):
    entry, how = Entry.objects.resolve(code)
    return entry, how


def _redirect_keeping_query(request, url_name, entry):
    url = reverse(url_name, args=[entry.code])
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url, permanent=True)


@require_safe
def entry_ticket(request, code):
    """``?cause=<slug>&format=markdown|text|jira``: the entry (or one cause) as text for a ticket."""
    entry, how = _resolve(code)
    if entry is None:
        return tickets.text_response(f"No entry has the code {code[:100]}.\n", status=404)
    if how != "exact":
        return _redirect_keeping_query(request, "kb:entry-ticket", entry)
    if tickets.read_format(request) is None:
        return tickets.bad_format_response()
    entry = Entry.objects.prefetch_for_page().get(pk=entry.pk)
    slug = request.GET.get("cause", "")
    cause = None
    if slug:
        cause = next((c for c in entry.causes.all() if c.slug == slug), None)
        if cause is None:
            return tickets.text_response(f"{entry.code} has no cause {slug[:60]!r}.\n", status=404)
    permalink = request.build_absolute_uri(cause.get_absolute_url() if cause else entry.get_absolute_url())
    # The person's last replay of this code (kb.evidence: replay registers it), unless ``replay=0``.
    last = evidence.last_for_code(request.user, entry.code) if request.GET.get("replay") != "0" else None

    def build():
        ticket = tickets.entry_ticket(entry, permalink, cause)
        if last is not None:
            root = request.build_absolute_uri("/").rstrip("/")
            ticket.sections.append(evidence.evidence_section([last], root, heading="Last replay of this code"))
        return ticket

    return tickets.ticket_response(request, build)


class EntryFeedbackForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], label="Was this helpful?")
    comment = forms.CharField(
        required=False,
        max_length=2000,
        label="What was missing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Leave out passwords and customer details.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _voter(request, create=False):
    """(user, session key) of whoever votes; an anonymous reader gets a session when ``create``."""
    if request.user.is_authenticated:
        return request.user, ""
    if create and not request.session.session_key:
        request.session["kb_feedback"] = True  # a modified session is saved, and its cookie sent
        request.session.save()
    return None, request.session.session_key or ""


def _current_vote(entry, user, session_key):
    if user is not None:
        return EntryFeedback.objects.filter(entry=entry, user=user).first()
    if session_key:
        return EntryFeedback.objects.filter(entry=entry, user=None, session_key=session_key).first()
    return None


def _feedback_page(request, entry, *, form=None, vote=None, thanks="", status=200):
    ask_comment = vote is not None and not vote.helpful and not vote.comment
    context = {
        "entry": entry,
        "form": form or EntryFeedbackForm(initial={"helpful": "no"} if ask_comment else None),
        "vote": vote,
        "thanks": thanks,
        "ask_comment": ask_comment,
        "feedback_url": reverse("kb:entry-feedback", args=[entry.code]),
    }
    response = render_page(request, "kb/entry_feedback.html", context, status=status)
    patch_vary_headers(response, ["Cookie"])
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def entry_feedback(request, code):
    """GET: the "Was this helpful?" widget (a fragment for htmx, a page otherwise). POST ``helpful=yes|no`` and an
    optional ``comment``: one vote per user or browser session, changed by voting again."""
    entry, how = _resolve(code)
    if entry is None:
        return tickets.text_response(f"No entry has the code {code[:100]}.\n", status=404)
    if request.method != "POST":
        if how != "exact":
            return _redirect_keeping_query(request, "kb:entry-feedback", entry)
        user, session_key = _voter(request)
        return _feedback_page(request, entry, vote=_current_vote(entry, user, session_key))
    form = EntryFeedbackForm(request.POST)
    if not form.is_valid():
        # htmx swaps only 2xx answers: the form comes back with its message.
        return _feedback_page(request, entry, form=form, status=200 if wants_fragment(request) else 400)
    user, session_key = _voter(request, create=True)
    vote, _created = EntryFeedback.objects.cast(
        entry,
        helpful=form.cleaned_data["helpful"] == "yes",
        comment=form.cleaned_data["comment"],
        user=user,
        session_key=session_key,
    )
    thanks = "Thank you: recorded as helpful." if vote.helpful else "Thank you: recorded as not helpful."
    if not vote.helpful and vote.comment:
        thanks = "Thank you: an editor will read what was missing."
    if not wants_fragment(request):
        messages.success(request, thanks)
        return redirect("kb:entry-feedback", code=entry.code)
    return _feedback_page(request, entry, vote=vote, thanks=thanks)


@lru_cache(maxsize=1)
def _favicon_bytes():
    return (settings.BASE_DIR / "static" / "img" / "favicon.ico").read_bytes()


@require_safe
def favicon(request):
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=86400)
    return response
