"""What an entry page offers besides its article: the ticket text and "Was this helpful?".

The entry page itself is cached and shared by anonymous readers, so nothing here is inside it: the ticket text is
fetched from ``/errors/<code>/ticket/`` and the feedback widget is a small fragment (with its own CSRF token)
loaded from ``/errors/<code>/feedback/``, which is also a plain page for browsers without JavaScript.
"""

import secrets
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

from core import tickets, writelimits
from core.rendering import render_page, wants_fragment
from kb import evidence
from kb.models import Entry, EntryFeedback
from kb.textlinks import build_link_map


def _resolve(request, code):
    """The entry ``code`` names, among those this reader may see (a draft is for KB editors only)."""
    return Entry.objects.visible_to(request.user).resolve(code)


def _redirect_keeping_query(request, url_name, entry):
    url = reverse(url_name, args=[entry.code])
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url, permanent=True)


@require_safe
def entry_ticket(request, code):
    """``?cause=<slug>&format=markdown|text|jira``: the entry (or one cause) as text for a ticket."""
    entry, how = _resolve(request, code)
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
    texts = [entry.summary]
    for item in [cause] if cause else entry.causes.all():
        texts += [item.meaning, *(step.text for step in item.steps.all())]
    codes = [*build_link_map(texts), *(alias.alias for alias in entry.aliases.all())]  # the codes the texts name
    # The person's last replay of this code (kb.evidence: replay registers it), unless ``replay=0``.
    last = evidence.last_for_code(request.user, entry.code) if request.GET.get("replay") != "0" else None

    def build():
        ticket = tickets.entry_ticket(entry, permalink, cause, codes=codes)
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


# An anonymous reader's vote is remembered by a signed cookie holding a random id (stored as the vote's
# ``session_key``), never by a session: a vote makes no session row.
VOTER_COOKIE = "kb_voter"
VOTER_SALT = "kb.feedback.voter"
VOTER_MAX_AGE = 365 * 24 * 3600


def _voter(request):
    """(user, voter id) of whoever votes: a logged-in user, or the id in an anonymous browser's vote cookie ("" when
    it has none yet, or a forged one)."""
    if request.user.is_authenticated:
        return request.user, ""
    return None, request.get_signed_cookie(VOTER_COOKIE, default="", salt=VOTER_SALT)[:40]


def _remember_voter(response, voter):
    response.set_signed_cookie(
        VOTER_COOKIE,
        voter,
        salt=VOTER_SALT,
        max_age=VOTER_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _current_vote(entry, user, session_key):
    if user is not None:
        return EntryFeedback.objects.filter(entry=entry, user=user).first()
    if session_key:
        return EntryFeedback.objects.filter(entry=entry, user=None, session_key=session_key).first()
    return None


def _feedback_page(request, entry, *, form=None, vote=None, thanks="", refused="", status=200):
    ask_comment = vote is not None and not vote.helpful and not vote.comment
    context = {
        "entry": entry,
        "form": form or EntryFeedbackForm(initial={"helpful": "no"} if ask_comment else None),
        "vote": vote,
        "thanks": thanks,
        "refused": refused,
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
    optional ``comment``: one vote per user or browser (its vote cookie), changed by voting again; no session is
    made. Votes are limited per sender (``core.writelimits``): past the limit, 429 and the widget says why."""
    entry, how = _resolve(request, code)
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
    user, voter = _voter(request)
    new_voter = user is None and not voter
    if new_voter:
        voter = secrets.token_urlsafe(18)
    verdict = writelimits.hit(request, "vote", cookie=voter)
    if not verdict.allowed:
        refused = writelimits.message(verdict, "votes")
        page = _feedback_page(request, entry, form=form, vote=_current_vote(entry, user, voter), refused=refused)
        return writelimits.refused(page, verdict)
    vote, _created = EntryFeedback.objects.cast(
        entry,
        helpful=form.cleaned_data["helpful"] == "yes",
        comment=form.cleaned_data["comment"],
        user=user,
        session_key=voter,
        sender=writelimits.sender(request),
    )
    thanks = "Thank you: recorded as helpful." if vote.helpful else "Thank you: recorded as not helpful."
    if not vote.helpful and vote.comment:
        thanks = "Thank you: an editor will read what was missing."
    if not wants_fragment(request):
        messages.success(request, thanks)
        response = redirect("kb:entry-feedback", code=entry.code)
    else:
        response = _feedback_page(request, entry, vote=vote, thanks=thanks)
    return _remember_voter(response, voter) if new_voter else response


@lru_cache(maxsize=1)
def _favicon_bytes():
    return (settings.BASE_DIR / "static" / "img" / "favicon.ico").read_bytes()


@require_safe
def favicon(request):
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=86400)
    return response
