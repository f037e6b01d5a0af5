"""The editors' pages of an entry: the editor (/errors/<code>/edit/), its preview, the command and service
pickers, the history with restore, marking reviewed and publishing. KB editors and admins only
(``kb.change_entry``), checked here for every request, htmx fragments included."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.middleware import allows_form_fields
from core.rendering import render_page, wants_fragment
from core.safequery import no_secret_in_query
from kb import fixtures, search
from kb.editing import editor, history
from kb.editing.access import editors_only, get_entry
from kb.limits import EDITOR_FORM_FIELDS
from kb.models import Api, Category, Command, Confidence, Entry, Service
from kb.pages import render_entry_parts

HISTORY_PAGE = 20


def _back(request, fallback):
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _editor_context(entry, state, **extra):
    return {
        "entry": entry,
        "state": state,
        "api_choices": Api.choices,
        "cause_api_choices": Api.choices,
        "category_choices": Category.choices,
        "confidence_choices": Confidence.choices,
        **extra,
    }


def _render_editor(request, entry, state, *, status=200, **extra):
    return render_page(request, "kb/entry_edit.html", _editor_context(entry, state, **extra), status=status)


def _preview(request, entry, state):
    """The public page's article for the unsaved form: written in a transaction that is rolled back, so it is
    rendered exactly as a saved entry would be and nothing is kept. Returns (html, errors)."""
    if state.problems:
        return None, state.problems
    try:
        with transaction.atomic():
            cleaned = fixtures.validate_entry_dict(state.to_fixture(), entry=entry)
            fresh = Entry.objects.get(pk=entry.pk)
            with search.batch():
                fixtures.apply_entry(fresh, cleaned)
                editor.set_related(fresh, cleaned["related"])
            parts = render_entry_parts(request, Entry.objects.prefetch_for_page().get(pk=entry.pk))
            transaction.set_rollback(True)
    except fixtures.FixtureError as exc:
        return None, [(editor.field_id(exc.field), editor.error_message(exc))]
    return parts["article"], []


@allows_form_fields(EDITOR_FORM_FIELDS)
@require_http_methods(["GET", "HEAD", "POST"])
@editors_only
def entry_edit(request, code):
    entry = get_entry(code)
    if entry.code != code:
        return redirect("kb:entry-edit", entry.code)
    if request.method != "POST":
        state = editor.EditorState.from_entry(Entry.objects.prefetch_for_page().get(pk=entry.pk))
        return _render_editor(request, entry, state)

    state = editor.EditorState.from_post(request.POST, entry)
    op = request.POST.get("op", "save")
    if op not in ("save", "preview"):
        focus = state.apply_op(op)  # Move up, Add a step, …: the form comes back changed, nothing saved
        return _render_editor(request, entry, state, focus=focus)
    if op == "preview":
        html, errors = _preview(request, entry, state)
        return _render_editor(request, entry, state, preview=html, errors=errors, status=400 if errors else 200)
    if state.problems:
        return _render_editor(request, entry, state, errors=state.problems, status=400)
    data = state.to_fixture()
    try:
        editor.save(
            entry,
            data,
            user=request.user,
            comment=state.note or "Edited on the editor page",
            loaded_version=state.loaded_version if state.loaded_version is not None else -1,
        )
    except fixtures.FixtureError as exc:
        return _render_editor(
            request, entry, state, errors=[(editor.field_id(exc.field), editor.error_message(exc))], status=400
        )
    except editor.EditConflict:
        return _conflict(request, entry, state, data)
    messages.success(request, "Saved. The change is in the history.")
    return redirect(entry.get_absolute_url())


def _conflict(request, entry, state, yours):
    """Someone saved after this form was opened: their change and yours side by side, and the form with your
    text, ready to save over theirs once merged by hand."""
    current = Entry.objects.prefetch_for_page().get(pk=entry.pk)
    theirs = fixtures.entry_to_fixture(current)
    base = history.snapshot_at_version(entry, state.loaded_version) if state.loaded_version else None
    latest = history.revisions(current, limit=1)[0]
    context = {
        "conflict": {
            "base_known": base is not None,
            "theirs": history.diff(base or yours, theirs),
            "yours": history.diff(base or theirs, yours) if base else [],
            "by": latest[0].who if latest else "someone",
            "at": latest[0].date if latest else current.updated_at,
        },
    }
    state.loaded_version = current.version  # saving now goes over their version, on purpose
    return _render_editor(request, current, state, status=409, **context)


@allows_form_fields(EDITOR_FORM_FIELDS)
@require_POST
@editors_only
def entry_preview(request, code):
    entry = get_entry(code)
    state = editor.EditorState.from_post(request.POST, entry)
    html, errors = _preview(request, entry, state)
    context = {"entry": entry, "preview": html, "errors": errors}
    return render_page(
        request, "kb/entry_preview.html", context, status=200 if wants_fragment(request) else (400 if errors else 200)
    )


def _tail(text):
    return text.split("=")[-1].split(":")[-1]


def _rank(query, value, name):
    """Exact first (the whole key, or its AT value or operation: "LO", "AT=LO"), then keys that start with the
    query, then the rest; by key."""
    q, v = query.lower(), value.lower()
    exact = q == v or _tail(q) == _tail(v) if ("=" in q or ":" in q) else q in (v, _tail(v))
    starts = v.startswith(q) or _tail(v).startswith(_tail(q))
    return (0 if exact else 1 if starts else 2, v)


def _options(request, kind):
    query = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    if kind == "commands":
        rows = Command.objects.select_related("service")
        if query:
            rows = rows.filter(
                Q(code__icontains=_tail(query)) | Q(name__icontains=query) | Q(service__name__icontains=query)
            )
        options = [(c.key, c.name) for c in rows[:200]]
    else:
        rows = Service.objects.all()
        if query:
            rows = rows.filter(Q(name__icontains=query) | Q(title__icontains=query))
        options = [(s.name, s.title) for s in rows[:200]]
    if query:
        options.sort(key=lambda option: _rank(query, *option))
    context = {"kind": kind, "query": query, "options": options[:15]}
    return render_page(request, "kb/picker_options.html", context)


@require_safe
@editors_only
@no_secret_in_query
def command_options(request):
    return _options(request, "commands")


@require_safe
@editors_only
@no_secret_in_query
def service_options(request):
    return _options(request, "services")


@require_safe
@editors_only
def entry_history(request, code):
    entry = get_entry(code)
    raw = (request.GET.get("page") or "1").strip()
    page = int(raw) if raw.isdigit() and len(raw) <= 6 else (None if raw.lstrip("-").isdigit() else 1)
    if not page:  # a number no page has (0, negative, 25 digits): not found, never a query out of range
        raise Http404("no such page of the history")
    revisions, total = history.revisions(entry, offset=(page - 1) * HISTORY_PAGE, limit=HISTORY_PAGE)
    if page > 1 and not revisions:
        raise Http404("no such page of the history")
    context = {
        "entry": entry,
        "revisions": revisions,
        "total": total,
        "page": page,
        "newest_id": revisions[0].id if revisions and page == 1 else None,
        "older": page + 1 if page * HISTORY_PAGE < total else None,
        "newer": page - 1 if page > 1 else None,
    }
    return render_page(request, "kb/entry_history.html", context)


@require_POST
@editors_only
def entry_restore(request, code, revision_id):
    entry = get_entry(code)
    note = (request.POST.get("note") or "").replace("\x00", "").strip()[:500]
    try:
        restored = editor.restore(entry, revision_id, user=request.user, note=note)
    except fixtures.FixtureError as exc:
        messages.error(
            request, f"That version cannot be restored as it stands: {editor.error_message(exc)}. Nothing changed."
        )
        return redirect("kb:entry-history", entry.code)
    if not restored:
        raise Http404("no such revision of this entry")
    messages.success(request, "Restored. The restore is itself a new revision at the top of the history.")
    return redirect("kb:entry-history", entry.code)


@require_POST
@editors_only
def entry_mark_reviewed(request, code):
    entry = get_entry(code)
    editor.mark_reviewed(entry, user=request.user)
    messages.success(request, f"{entry.code} marked reviewed.")
    return redirect(_back(request, entry.get_absolute_url()))


@require_POST
@editors_only
def entry_publish(request, code):
    entry = get_entry(code)
    if entry.is_draft:
        editor.publish(entry, user=request.user)
        messages.success(request, f"{entry.code} is published: everyone can read it now.")
    return redirect(_back(request, entry.get_absolute_url()))
