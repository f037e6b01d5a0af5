"""Who may use the editors' pages, and how they find the entry: KB editors and admins only (``kb.change_entry``),
checked for every request, htmx fragments included."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kb.models import Entry, can_edit


def editors_only(view):
    """Anonymous: to the log-in page; logged in without ``kb.change_entry`` (help desk): 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_edit(request.user):
            raise PermissionDenied("Editing the knowledge base is for KB editors.")
        return view(request, *args, **kwargs)

    return wrapped


def get_entry(code):
    """The entry with exactly this code (the editors' pages are reached from the entry's own links)."""
    if "\x00" in code or len(code) > 200:
        raise Http404(code)
    entry = Entry.objects.filter(code=code).first() or Entry.objects.filter(code__iexact=code).first()
    if entry is None:
        raise Http404(code)
    return entry
