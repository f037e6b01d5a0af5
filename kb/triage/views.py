"""The triage pages: ``/triage/`` (a paste box; POST makes a card and opens its permalink), ``/triage/<token>/`` (the
card, for ``TRIAGE_KEEP_HOURS``), ``/triage/<token>/ticket/?format=…`` (the card as ticket text) and
``POST /api/triage/`` (the card as JSON, with its permalink).

Help desk work: a logged-in user with the ``kb.use_triage`` permission (the Help desk and Admins groups). The ticket is
redacted before anything else reads it, and stored redacted.
"""

import json
from datetime import UTC
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import tickets
from core.rendering import push_url, render_page, wants_fragment
from kb.triage.card import build_card
from kb.triage.models import TRIAGE_PERMISSION, TriageCard

MAX_TICKET_BYTES_HINT = "Paste at most 100,000 characters; the rest is not read."


def _allowed(request) -> bool:
    return request.user.is_authenticated and request.user.has_perm(TRIAGE_PERMISSION)


def triage_required(view):
    """Anonymous: to the log-in page (an API call: 401 JSON). Logged in without the permission: 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "Log in first."}, status=401)
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(TRIAGE_PERMISSION):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "Triage cards are for the help desk."}, status=403)
            raise PermissionDenied("Triage cards are for the help desk.")
        return view(request, *args, **kwargs)

    return wrapped


def _store(request, text) -> TriageCard:
    TriageCard.objects.purge()  # expired cards go as new ones come (and `manage.py purge_triage` for quiet sites)
    return TriageCard.objects.create(text=text, created_by=request.user)


def _card_context(request, stored, card):
    return {
        "stored": stored,
        "card": card,
        "permalink": request.build_absolute_uri(stored.get_absolute_url()),
        "ticket_url": stored.get_absolute_url() + "ticket/?",
        "keep_hours": settings.TRIAGE_KEEP_HOURS,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@triage_required
def triage_page(request):
    context = {"keep_hours": settings.TRIAGE_KEEP_HOURS, "text": "", "error": ""}
    if request.method != "POST":
        return render_page(request, "kb/triage.html", context)
    text = request.POST.get("text", "")
    if not text.strip():
        context["error"] = "Paste the ticket first: the mail, the log lines, the URLs and answers, in any order."
        return render_page(request, "kb/triage.html", context, status=400)
    stored = _store(request, text)
    if wants_fragment(request):
        card = build_card(stored.text)
        return push_url(
            render_page(request, "kb/triage_card.html", _card_context(request, stored, card)), stored.get_absolute_url()
        )
    return HttpResponseRedirect(stored.get_absolute_url(), status=303)


def _stored_or_gone(token):
    stored = get_object_or_404(TriageCard, token=token)
    return stored, stored.expired


@require_safe
@triage_required
def triage_card(request, token):
    stored, gone = _stored_or_gone(token)
    if gone:
        return render_page(request, "kb/triage_gone.html", {"stored": stored}, status=410)
    return render_page(request, "kb/triage_card.html", _card_context(request, stored, build_card(stored.text)))


@require_safe
@triage_required
def triage_ticket(request, token):
    stored, gone = _stored_or_gone(token)
    if gone:
        return tickets.text_response("This triage card has expired: paste the ticket again at /triage/.\n", 410)
    permalink = request.build_absolute_uri(stored.get_absolute_url())
    return tickets.ticket_response(
        request,
        lambda: tickets.triage_ticket(build_card(stored.text), permalink, request.build_absolute_uri("/").rstrip("/")),
    )


@require_POST
@triage_required
def api_triage(request):
    """``POST /api/triage/`` with the ticket as ``text`` (a form field, a JSON object's key, or the whole text/plain
    body): the card as JSON, with its permalink and when it expires."""
    text = _posted_text(request)
    if text is None:
        return JsonResponse(
            {"error": "Send the ticket as the field 'text' (form or JSON) or as a text/plain body."}, status=400
        )
    if not text.strip():
        return JsonResponse({"error": "The ticket is empty."}, status=400)
    stored = _store(request, text)
    card = build_card(stored.text)
    data = card.to_json()
    data["permalink"] = request.build_absolute_uri(stored.get_absolute_url())
    data["expires_at"] = stored.expires_at.astimezone(UTC).isoformat()
    data["ticket"] = {fmt: f"{data['permalink']}ticket/?format={fmt}" for fmt in tickets.FORMATS}
    return JsonResponse(data, status=201, json_dumps_params={"ensure_ascii": False})


def _posted_text(request):
    content_type = (request.content_type or "").lower()
    if content_type == "application/json":
        try:
            data = json.loads(request.body.decode("utf-8", "replace") or "null")
        except ValueError:
            return None
        value = data.get("text") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None
    if content_type == "text/plain":
        return request.body.decode("utf-8", "replace")
    value = request.POST.get("text")
    return value if isinstance(value, str) else None
