"""Changing entries outside the admin: the editor page's form, saving, restoring, reviewing, publishing, drafts.

Every change here is checked by the loader's own validation (``fixtures.validate_entry_dict``: a bad command key
gets the message ``load_kb`` gives), written by the loader's own ``apply_entry``, in one transaction, and kept as
one revision with who and why (kb/history.py).

The editor page posts one form: the entry's fields, its aliases, and its causes with their steps. Steps of a
cause are posted as a repeated field (``cause-0-step``) in the order they stand, so reordering them in the page
(kb/editor.js) needs no renumbering; without JavaScript, Move up/Move down/Add/Remove are submit buttons
(``op``) that come back with the form changed and nothing saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import reversion
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from kb import fixtures, search
from kb.codes import code_problem
from kb.editing import history
from kb.limits import MAX_ALIASES, MAX_CAUSES, MAX_STEPS
from kb.models import Api, Category, Confidence, Entry, KbState, Suggestion

_OP = re.compile(r"^(save|preview|cause-add|alias-add|(step-add|cause-remove|cause-up|cause-down|alias-remove):(\d+)"
                 r"|(step-remove|step-up|step-down):(\d+):(\d+))$")  # fmt: skip


class EditConflict(Exception):
    """Another editor saved the entry after this form was opened."""


def _split(text):
    return [part.strip() for part in re.split(r"[,\n]", text or "") if part.strip()]


@dataclass
class CauseState:
    slug: str = ""
    api: str = Api.URL
    title: str = ""
    meaning: str = ""
    when_seen: str = ""
    commands: str = ""
    services: str = ""
    steps: list = field(default_factory=list)
    new: bool = True

    @property
    def command_list(self):
        return _split(self.commands)

    @property
    def service_list(self):
        return _split(self.services)


@dataclass
class EditorState:
    """What the editor form holds: strings as typed, so a refused form comes back exactly as it was sent."""

    code: str
    title: str = ""
    summary: str = ""
    api: str = Api.URL
    category: str = Category.SERVICE
    source: str = ""
    confidence: str = Confidence.LOW
    retired: bool = False
    review_interval_days: str = ""
    related: str = ""
    note: str = ""
    aliases: list = field(default_factory=list)  # [{"alias": ..., "note": ...}]
    causes: list = field(default_factory=list)  # [CauseState]
    loaded_version: int | None = None
    problems: list = field(default_factory=list)  # [(field id, message)] found while reading the form

    @classmethod
    def from_entry(cls, entry):
        """``entry`` prefetched as ``Entry.objects.prefetch_for_page()``."""
        data = fixtures.entry_to_fixture(entry)
        return cls(
            code=entry.code,
            title=data["title"],
            summary=data["summary"],
            api=data["api"],
            category=data["category"],
            source=data["source"],
            confidence=data["confidence"],
            retired=data["retired"],
            review_interval_days=str(entry.review_interval_days or ""),
            related=", ".join(data["related"]),
            aliases=[dict(a) for a in data["aliases"]],
            causes=[
                CauseState(
                    slug=c["slug"],
                    api=c["api"],
                    title=c["title"],
                    meaning=c["meaning"],
                    when_seen=c["when_seen"],
                    commands=", ".join(c["commands"]),
                    services=", ".join(c["services"]),
                    steps=list(c["steps"]),
                    new=False,
                )
                for c in data["causes"]
            ],
            loaded_version=entry.version,
        )

    @classmethod
    def from_post(cls, post, entry):
        """Read the editor form. The code can change only while the entry is a draft; a stored cause keeps its
        slug (wizard outcomes and replay records point at it)."""

        def text(name):
            # Never cut: what is over a cap is refused by the loader's validation, naming the field, and the form
            # comes back as it was typed (the request's size is bounded by DATA_UPLOAD_MAX_MEMORY_SIZE).
            return (post.get(name) or "").replace("\x00", "").replace("\r\n", "\n")

        state = cls(
            code=text("code").strip() if entry.is_draft and "code" in post else entry.code,
            title=text("title").strip(),
            summary=text("summary").strip(),
            api=text("api"),
            category=text("category"),
            source=text("source").strip(),
            confidence=text("confidence"),
            retired=post.get("retired") in ("on", "1", "true"),
            review_interval_days=text("review_interval_days").strip(),
            related=text("related"),
            note=text("note").strip(),
        )
        try:
            state.loaded_version = int(post.get("loaded_version", ""))
        except ValueError:
            state.loaded_version = None
        names, notes = post.getlist("alias"), post.getlist("alias-note")
        notes += [""] * (len(names) - len(notes))
        state.aliases = [{"alias": a.strip(), "note": n.strip()} for a, n in zip(names, notes, strict=False)]
        stored = {c.slug for c in entry.causes.all()}
        try:
            # Causes past the cap are read, so that saving refuses them by name: bounded only by what a form can
            # post (each cause has several fields).
            count = min(int(post.get("cause-count", "0")), len(post) + 1)
        except ValueError:
            count = 0
        for i in range(max(count, 0)):
            prefix = f"cause-{i}-"
            slug = text(prefix + "slug").strip()
            state.causes.append(
                CauseState(
                    slug=slug,
                    api=text(prefix + "api"),
                    title=text(prefix + "title").strip(),
                    meaning=text(prefix + "meaning").strip(),
                    when_seen=text(prefix + "when_seen").strip(),
                    commands=text(prefix + "commands"),
                    services=text(prefix + "services"),
                    steps=[s.replace("\r\n", "\n") for s in post.getlist(prefix + "step")],
                    new=slug not in stored,
                )
            )
        if state.review_interval_days and not state.review_interval_days.isdigit():
            state.problems.append(
                ("field-review_interval_days", "Review interval: a whole number of days, or empty for the default")
            )
        return state

    def to_fixture(self):
        """The entry in the fixture format, for the loader's validation. Empty steps and alias rows are dropped."""
        data = {
            "code": self.code,
            "title": self.title,
            "summary": self.summary,
            "api": self.api,
            "category": self.category,
            "source": self.source,
            "confidence": self.confidence,
            "retired": self.retired,
            "aliases": [a for a in self.aliases if a["alias"] or a["note"]],
            "related": _split(self.related),
            "causes": [
                {
                    "slug": c.slug,
                    "api": c.api,
                    "title": c.title,
                    "meaning": c.meaning,
                    "when_seen": c.when_seen,
                    "commands": c.command_list,
                    "services": c.service_list,
                    "steps": [s.strip() for s in c.steps if s.strip()],
                }
                for c in self.causes
            ],
        }
        if self.review_interval_days.isdigit():
            data["review_interval_days"] = int(self.review_interval_days)
        elif not self.review_interval_days:
            data["review_interval_days"] = None
        return data

    def apply_op(self, op):
        """Change the form as a Move up/Move down/Add/Remove button asks. Returns the id of the element that
        should have the focus afterwards, or None."""
        match = _OP.match(op or "")
        if not match:
            return None
        name = match.group(2) or match.group(4) or match.group(1)
        a = int(match.group(3) or match.group(5) or 0)
        b = int(match.group(6) or 0)
        causes = self.causes
        if name == "cause-add" and len(causes) < MAX_CAUSES:
            causes.append(CauseState(slug=f"cause-{len(causes) + 1}", api=self.api if self.api != "both" else "url"))
            causes[-1].steps.append("")
            return f"cause-{len(causes) - 1}-title"
        if name == "alias-add" and len(self.aliases) < MAX_ALIASES:
            self.aliases.append({"alias": "", "note": ""})
            return f"alias-{len(self.aliases) - 1}"
        if name == "alias-remove" and a < len(self.aliases):
            del self.aliases[a]
            return "alias-add"
        if a >= len(causes):
            return None
        cause = causes[a]
        if name == "step-add" and len(cause.steps) < MAX_STEPS:
            cause.steps.append("")
            return f"cause-{a}-step-{len(cause.steps) - 1}"
        if name == "cause-remove":
            del causes[a]
            return "cause-add"
        if name in ("cause-up", "cause-down"):
            to = a - 1 if name == "cause-up" else a + 1
            if 0 <= to < len(causes):
                causes[a], causes[to] = causes[to], causes[a]
                return f"cause-{to}-{name}"
            return f"cause-{a}-{name}"
        if b >= len(cause.steps):
            return None
        if name == "step-remove":
            del cause.steps[b]
            return f"cause-{a}-step-{b}" if b < len(cause.steps) else f"cause-{a}-step-add"
        to = b - 1 if name == "step-up" else b + 1
        if 0 <= to < len(cause.steps):
            cause.steps[b], cause.steps[to] = cause.steps[to], cause.steps[b]
            return f"cause-{a}-step-{to}-{name.split('-')[1]}"
        return f"cause-{a}-step-{b}-{name.split('-')[1]}"


def field_id(path):
    """The id of the editor's input for a loader error's field ("causes[0].commands" -> "cause-0-commands")."""
    match = re.match(r"causes\[(\d+)\]\.(\w+)", path or "")
    if match:
        name = match.group(2)
        return f"cause-{match.group(1)}-{'step-0' if name == 'steps' else name}"
    match = re.match(r"aliases\[(\d+)\]", path or "")
    if match:
        return f"alias-{match.group(1)}"
    if path == "aliases":
        return "aliases"
    if path == "causes":
        return "cause-0"
    name = (path or "").split("[")[0]
    return f"field-{name}" if name and name != "-" else "editor-form"


# ------------------------------------------------------------------------------------------------ writing


def set_related(entry, codes):
    wanted = {c.lower() for c in codes}
    entry.related.set(Entry.objects.annotate(lower_code=Lower("code")).filter(lower_code__in=wanted))


def save(entry, data, *, user, comment, loaded_version=None, extra=None):
    """Check ``data`` (one entry in the fixture format) as load_kb does and write it over ``entry``, keeping one
    revision. With ``loaded_version``, refuse (EditConflict) when someone saved the entry after that version was
    read. Raises fixtures.FixtureError for bad data; nothing is written then."""
    with transaction.atomic():
        cleaned = fixtures.validate_entry_dict(data, entry=entry)
        history.ensure_baseline(entry)
        with search.batch(), reversion.create_revision(manage_manually=True):
            bumped = Entry.objects.filter(pk=entry.pk)
            if loaded_version is not None:
                bumped = bumped.filter(version=loaded_version)
            if not bumped.update(version=F("version") + 1):
                raise EditConflict
            entry.version = Entry.objects.values_list("version", flat=True).get(pk=entry.pk)
            fixtures.apply_entry(entry, cleaned, extra={"locally_edited": True, **(extra or {})})
            set_related(entry, cleaned["related"])
            if "counterparts" in cleaned:
                wanted = {p["code"].lower(): p["basis"] for p in cleaned["counterparts"]}
                others = Entry.objects.annotate(lower_code=Lower("code")).filter(lower_code__in=wanted)
                fixtures.set_counterparts(entry, {other: wanted[other.lower_code] for other in others})
            reversion.set_user(user)
            reversion.set_comment(comment[:2000])
            history.add(entry)
    return entry


def restore(entry, revision_id, *, user, note=""):
    """Write an old revision's content back (a new revision). The code, status and review stay as they are now.
    Returns False when the revision is not one of this entry's; raises fixtures.FixtureError when the old content
    no longer passes (a command since deleted, an alias now another entry's)."""
    snap = history.revision_snapshot(entry, revision_id)
    if snap is None:
        return False
    data = {k: snap[k] for k in ("title", "summary", "api", "category", "source", "confidence", "retired")}
    data.update(
        code=entry.code,
        aliases=snap["aliases"],
        related=snap["related"],
        causes=snap["causes"],
        review_interval_days=snap.get("review_interval_days"),
    )
    if "messages" in snap:  # older revisions hold neither: the current ones stay
        data["messages"], data["counterparts"] = snap["messages"], snap["counterparts"]
    comment = f"Restored revision {revision_id}" + (f": {note}" if note else "")
    save(entry, data, user=user, comment=comment)
    return True


def mark_reviewed(entry, *, user, note=""):
    """Stamp the entry as reviewed now by ``user`` (not a content change: its version stays), one revision."""
    now = timezone.now()
    with transaction.atomic():
        history.ensure_baseline(entry)
        Entry.objects.filter(pk=entry.pk).update(reviewed_at=now, reviewed_by=user)
        KbState.bump()  # the public page shows the review date
        history.record({entry.pk: "Marked reviewed" + (f": {note}" if note else "")}, user=user)
    entry.reviewed_at, entry.reviewed_by = now, user
    return entry


def publish(entry, *, user):
    with transaction.atomic():
        history.ensure_baseline(entry)
        with search.batch():
            entry.status = Entry.Status.PUBLISHED
            entry.save(update_fields=["status", "updated_at"])
        history.record({entry.pk: "Published"}, user=user)
    return entry


def draft_data(code, suggestion=None):
    """A new entry's placeholders: valid as they stand (so a draft always exports and loads), for an editor to
    replace."""
    seen = (suggestion.note or suggestion.query) if suggestion else ""
    return {
        "code": code,
        "title": code,
        "summary": "Draft: not written yet.",
        "api": "both",
        "category": Category.SERVICE,
        "source": f"Suggested ({suggestion.get_origin_display()})" if suggestion else "Searched for, not in the KB",
        "confidence": Confidence.LOW,
        "retired": False,
        "aliases": [],
        "related": [],
        "causes": [
            {
                "slug": "unknown",
                "api": "both",
                "title": "Not known yet",
                "meaning": "Not written yet.",
                "when_seen": (seen or "Not written yet.")[:2000],
                "commands": [],
                "services": [],
                "steps": ["Not written yet."],
            }
        ],
        "status": Entry.Status.DRAFT,
    }


def make_draft(code, *, user, suggestion=None):
    """Create a draft entry for ``code`` (from a suggestion, or a code people searched for). Returns
    (entry, created): an entry that already has the code or alias is returned as it is."""
    code = (code or "").strip()
    existing, _ = Entry.objects.resolve(code)
    if existing is not None:
        if suggestion is not None:
            Suggestion.objects.filter(pk=suggestion.pk).update(status=Suggestion.Status.DRAFTED, entry=existing)
        return existing, False
    problem = code_problem(code) or ("is longer than 80 characters" if len(code) > 80 else None)
    if problem:
        raise fixtures.FixtureError("draft", f"entry {code[:80]!r}", "code", problem)
    with transaction.atomic():
        cleaned = fixtures.validate_entry_dict(draft_data(code, suggestion))
        with search.batch():
            entry = fixtures.apply_entry(None, cleaned, extra={"locally_edited": True})
        comment = f"Draft made from a suggestion ({suggestion.query[:100]})" if suggestion else "Draft made"
        history.record({entry.pk: comment}, user=user)
        if suggestion is not None:
            Suggestion.objects.filter(pk=suggestion.pk).update(status=Suggestion.Status.DRAFTED, entry=entry)
    return entry, True


def error_message(exc):
    """A loader error as the editor shows it: "Cause 1, Commands: unknown command 'p.php?AT=ZZ' (…)"."""
    return f"{_field_label(exc.field)}: {exc.message}"


def _field_label(path):
    path = path or ""
    if path.startswith("causes["):
        index, _, rest = path[len("causes[") :].partition("].")
        name = rest.split("[")[0]
        label = history.LABELS.get(name, name.replace("_", " "))
        return f"Cause {int(index) + 1}, {label}" if index.isdigit() else label
    if path.startswith("aliases["):
        index = path[len("aliases[") :].split("]")[0]
        return f"Alias {int(index) + 1}" if index.isdigit() else "Aliases"
    name = path.split("[")[0]
    return history.LABELS.get(name, name.replace("_", " ").capitalize() or "Entry")
