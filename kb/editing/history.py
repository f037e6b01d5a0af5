"""Every change to an entry kept as a revision (django-reversion), and read back as a readable diff.

An entry is versioned together with its aliases, causes and steps (and the commands, services and related
codes they name), as ONE revision with who, when and why. Every writer makes revisions the same way: it changes
the rows, then adds the entry to a revision in its final state (``record``), so a revision is always a complete
snapshot whatever the writer did underneath (queryset updates, bulk inserts). The writers are the editor page,
the admin, ``load_kb`` and marking reviewed.

Versions are serialised with natural keys (a command as ``p.php?AT=LI``, a cause as its entry's code and slug, a
reviewer by user name), so an old revision stays readable after a command or a user is deleted. Reading a
revision never deserialises it into models: ``snapshot`` reads the stored JSON into the fixture format, and
restoring it goes through the same validation and writing as the editor page (kb/editing.py).
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db.models import Prefetch
from django.utils import dateformat
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from reversion.models import Version

from kb.editing import serialization
from kb.models import Alias, Api, Category, Cause, Command, Condition, Confidence, Counterpart, Entry, Message, Step

SNAPSHOT_FIELDS = ("title", "summary", "api", "category", "source", "confidence", "retired")


def register_models():
    """Called once from KbConfig.ready()."""
    if reversion.is_registered(Entry):
        return
    serializers.register_serializer(serialization.FORMAT, "kb.editing.serialization")
    reversion.register(
        Entry,
        format=serialization.FORMAT,
        follow=("aliases", "messages", "counterpart_links", "causes"),
        use_natural_foreign_keys=True,
    )
    reversion.register(Alias, use_natural_foreign_keys=True)
    reversion.register(Counterpart, use_natural_foreign_keys=True)
    reversion.register(Message, use_natural_foreign_keys=True)
    reversion.register(Cause, follow=("steps",), use_natural_foreign_keys=True)
    reversion.register(Step, use_natural_foreign_keys=True)
    reversion.register(Condition, use_natural_foreign_keys=True)  # its page lists its revisions


def for_snapshot(queryset=None):
    """Entries with everything a revision serialises, in a fixed number of queries."""
    queryset = Entry.objects.all() if queryset is None else queryset
    return queryset.select_related("reviewed_by").prefetch_related(
        "aliases",
        "related",
        "counterparts",
        "counterpart_links",
        "messages",
        Prefetch(
            "causes",
            queryset=Cause.objects.order_by("position", "pk").prefetch_related(
                "steps", Prefetch("commands", queryset=Command.objects.select_related("service")), "services"
            ),
        ),
    )


def add(entry_or_pk):
    """Add an entry, in the state stored now, to the revision being made (``reversion.create_revision``)."""
    pk = getattr(entry_or_pk, "pk", entry_or_pk)
    reversion.add_to_revision(for_snapshot().get(pk=pk))


def record(comments, *, user=None, date=None):
    """Keep one revision per entry: ``comments`` maps an entry's pk to its comment (why it changed).

    Each revision holds the entry as stored now. Inside a revision already being made, the entries join it."""
    if not comments:
        return
    entries = for_snapshot(Entry.objects.filter(pk__in=list(comments)))
    if reversion.is_active():
        for entry in entries:
            reversion.add_to_revision(entry)
        return
    for entry in entries:
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(user if getattr(user, "is_authenticated", False) else None)
            reversion.set_comment(str(comments[entry.pk] or "")[:2000])
            if date is not None:
                reversion.set_date_created(date)
            reversion.add_to_revision(entry)


def has_history(entry) -> bool:
    return Version.objects.get_for_object(entry).exists()


def ensure_baseline(entry):
    """Before the first recorded change to an entry that has no revision yet (it predates history), keep its
    current state, so that the change shows as a diff."""
    if reversion.is_active() or has_history(entry):
        return
    record({entry.pk: "State before history was kept"}, date=entry.updated_at)


# ---------------------------------------------------------------------------------------------------- reading


@dataclass
class RevisionInfo:
    id: int
    date: object
    user: str | None
    comment: str
    snapshot: dict
    changes: list = field(default_factory=list)
    previous: RevisionInfo | None = None

    @property
    def who(self):
        return self.user or "load_kb or the system"


def _content_types():
    types = ContentType.objects.get_for_models(Entry, Alias, Message, Counterpart, Cause, Step)
    return {types[model].pk: model for model in (Entry, Alias, Message, Counterpart, Cause, Step)}


def _natural(value):
    """A natural key as stored ([code], ["p.php?AT=LI"]) to its one text; a pk stays as it is."""
    if isinstance(value, list | tuple):
        return "/".join(str(v) for v in value)
    return value


def snapshot(rows, entry_pk) -> dict | None:
    """The entry ``entry_pk`` in one revision, in the fixture format (plus status, review and version fields).

    ``rows`` are (content_type_id, object_id, serialized_data) of the revision's versions."""
    models = _content_types()
    by_model = defaultdict(list)
    for content_type_id, object_id, data in rows:
        model = models.get(content_type_id)
        if model is None:
            continue
        try:
            item = json.loads(data)[0]
        except (ValueError, IndexError, KeyError):
            continue
        by_model[model].append((object_id, item.get("fields", {})))
    entry_fields = next((f for oid, f in by_model[Entry] if oid == str(entry_pk)), None)
    if entry_fields is None:
        return None
    code = entry_fields.get("code", "")
    aliases = [
        {"alias": f.get("alias", ""), "note": f.get("note", "")}
        for _, f in by_model[Alias]
        if _natural(f.get("entry")) in (code, entry_pk)
    ]
    messages = sorted(
        (f.get("position", 0), _message(f))
        for _, f in by_model[Message]
        if _natural(f.get("entry")) in (code, entry_pk)
    )
    steps = defaultdict(list)
    for _, f in by_model[Step]:
        steps[_natural(f.get("cause"))].append((f.get("position", 0), f.get("text", "")))
    causes = []
    for oid, f in by_model[Cause]:
        if _natural(f.get("entry")) not in (code, entry_pk):
            continue
        slug = f.get("slug", "")
        own = steps.get(f"{code}/{slug}") or steps.get(int(oid) if oid.isdigit() else oid) or []
        causes.append(
            {
                "slug": slug,
                "api": f.get("api", ""),
                "title": f.get("title", ""),
                "meaning": f.get("meaning", ""),
                "when_seen": f.get("when_seen", ""),
                "commands": [_natural(c) for c in f.get("commands", [])],
                "services": [_natural(s) for s in f.get("services", [])],
                "steps": [text for _, text in sorted(own, key=lambda s: s[0])],
                "_order": (f.get("position", 0), int(oid) if oid.isdigit() else 0),
            }
        )
    causes.sort(key=lambda c: c.pop("_order"))
    data = {"code": code, **{name: entry_fields.get(name) for name in SNAPSHOT_FIELDS}}
    data.update(
        {
            "aliases": sorted(aliases, key=lambda a: a["alias"].lower()),
            "related": sorted(_natural(r) for r in entry_fields.get("related", [])),
            "causes": causes,
            "status": entry_fields.get("status") or Entry.Status.PUBLISHED,
            "review_interval_days": entry_fields.get("review_interval_days"),
            "reviewed_at": entry_fields.get("reviewed_at"),
            "reviewed_by": _natural(entry_fields.get("reviewed_by")),
            "version": entry_fields.get("version"),
        }
    )
    if "counterparts" in entry_fields:
        # Revisions made since messages and counterparts exist (older ones hold neither, so they compare as unknown).
        # Each pair's basis comes with the followed Counterpart rows; older revisions have none (restored, such a
        # pair is inferred).
        bases = {
            str(_natural(f.get("to_entry"))).lower(): f.get("basis", "")
            for _, f in by_model[Counterpart]
            if _natural(f.get("from_entry")) in (code, entry_pk)
        }
        data["counterparts"] = []
        for other in sorted((_natural(r) for r in entry_fields["counterparts"]), key=lambda c: str(c).lower()):
            basis = bases.get(str(other).lower())
            data["counterparts"].append({"code": other, "basis": basis} if basis else {"code": other})
        data["messages"] = [m for _, m in messages]
    return data


def _pair_text(pair):
    """A counterpart as a diff shows it: its code, and how the pair is known when the revision says."""
    if isinstance(pair, str):
        return pair
    basis = pair.get("basis")
    return f"{pair['code']} ({basis})" if basis else str(pair["code"])


def _message(fields):
    """A stored message's fields as the fixture writes them (a translation keeps its language and English original)."""
    data = {"text": fields.get("text", ""), "kind": fields.get("kind", ""), "source": fields.get("source", "")}
    if fields.get("language", "en") != "en":
        data["language"] = fields["language"]
        if fields.get("english"):
            data["english"] = fields["english"]
    return data


def revisions(entry, *, offset=0, limit=20):
    """The entry's revisions, newest first, each with its diff against the one before. Returns (list, total)."""
    versions = Version.objects.get_for_object(entry).select_related("revision__user")
    total = versions.count()
    # One more than shown: the oldest shown revision is compared with the one before it.
    page = list(versions.order_by("-revision__date_created", "-revision_id")[offset : offset + limit + 1])
    rows = defaultdict(list)
    revision_ids = [v.revision_id for v in page]
    for revision_id, ct, oid, data in Version.objects.filter(revision_id__in=revision_ids).values_list(
        "revision_id", "content_type_id", "object_id", "serialized_data"
    ):
        rows[revision_id].append((ct, oid, data))
    infos = []
    for version in page:
        rev = version.revision
        snap = snapshot(rows[rev.pk], entry.pk)
        if snap is None:
            continue
        infos.append(
            RevisionInfo(
                id=rev.pk,
                date=rev.date_created,
                user=rev.user.get_username() if rev.user else None,
                comment=rev.comment,
                snapshot=snap,
            )
        )
    for newer, older in zip(infos, infos[1:], strict=False):
        newer.previous = older
        newer.changes = diff(older.snapshot, newer.snapshot)
    shown = infos[:limit]
    return shown, total


def revision_snapshot(entry, revision_id):
    """The entry as it was in one of its revisions, or None."""
    if not Version.objects.get_for_object(entry).filter(revision_id=revision_id).exists():
        return None
    rows = Version.objects.filter(revision_id=revision_id).values_list(
        "content_type_id", "object_id", "serialized_data"
    )
    return snapshot(list(rows), entry.pk)


def snapshot_at_version(entry, version_number):
    """The entry as it was when its ``version`` counter was ``version_number`` (the state an editor opened)."""
    for version in Version.objects.get_for_object(entry).order_by("-revision__date_created", "-revision_id")[:200]:
        try:
            fields = json.loads(version.serialized_data)[0]["fields"]
        except (ValueError, IndexError, KeyError):
            continue
        if fields.get("version") == version_number:
            return revision_snapshot(entry, version.revision_id)
    return None


# ---------------------------------------------------------------------------------------------------- diffs

LABELS = {
    "code": "Code",
    "title": "Title",
    "summary": "Summary",
    "api": "API",
    "category": "Category",
    "source": "Source",
    "confidence": "Confidence",
    "retired": "Retired",
    "status": "Status",
    "review_interval_days": "Review interval (days)",
    "reviewed": "Reviewed",
    "aliases": "Also seen as",
    "related": "Related codes",
    "counterparts": "In the other API",
    "messages": "Messages you may see",
    "meaning": "What it means",
    "when_seen": "When you might see it",
    "commands": "Commands",
    "services": "Any command of",
    "steps": "What to do",
    "slug": "Slug",
}
CHOICE_LABELS = {
    "api": dict(Api.choices),
    "category": dict(Category.choices),
    "confidence": dict(Confidence.choices),
    "status": dict(Entry.Status.choices),
}
_TOKENS = re.compile(r"\s+|\S+\s*")


@dataclass
class Change:
    """One field that changed. ``kind``: "value" (short: old → new), "text" (word diff), "items" (a set of
    names), "steps" (a numbered list) or "cause" (a cause added, removed or changed, with its own changes)."""

    label: str
    kind: str
    old: str = ""
    new: str = ""
    html: str = ""
    items: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    op: str = "changed"


def word_diff(old, new):
    """``old`` and ``new`` as one HTML text: removed words in <del>, added words in <ins>; everything escaped.

    Words carry their trailing space, a lone unchanged word between two changes joins the change, and texts that
    share little are shown as one removal and one addition: a readable diff rather than confetti."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < 0.4:
        segments = [("change", "".join(a), "".join(b))]
    else:
        segments = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            kind = "equal" if op == "equal" else "change"
            segments.append((kind, "".join(a[i1:i2]), "".join(b[j1:j2])))
        merged = []
        for index, (kind, x, y) in enumerate(segments):
            between = 0 < index < len(segments) - 1 and segments[index + 1][0] == "change"
            if kind == "equal" and between and merged and merged[-1][0] == "change" and len(x.split()) <= 1:
                kind = "change"
            if kind == "change" and merged and merged[-1][0] == "change":
                _, px, py = merged.pop()
                x, y = px + x, py + y
            merged.append((kind, x, y))
        segments = merged
    out = []
    for kind, x, y in segments:
        if kind == "equal":
            out.append(html.escape(x))
            continue
        if x:
            out.append('<del><span class="visually-hidden">removed: </span>' + html.escape(x) + "</del>")
        if y:
            out.append('<ins><span class="visually-hidden">added: </span>' + html.escape(y) + "</ins>")
    return mark_safe("".join(out))  # every piece is escaped above


def _display(name, value):
    if name == "review_interval_days" and not value:
        return "the default"
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(CHOICE_LABELS.get(name, {}).get(value, value))


def _value_change(name, old, new, label=None):
    old_s, new_s = _display(name, old), _display(name, new)
    label = label or LABELS.get(name, name)
    if isinstance(old, str) and isinstance(new, str) and name not in CHOICE_LABELS and max(len(old), len(new)) > 60:
        return Change(label, "text", old_s, new_s, html=word_diff(old, new))
    return Change(label, "value", old_s, new_s)


def _items_change(name, old, new):
    old, new = list(old or []), list(new or [])
    if old == new:
        return None
    items = [("removed", x) for x in old if x not in new] + [("added", x) for x in new if x not in old]
    if not items:  # the same names in another order
        items = [("same", x) for x in new]
        return Change(LABELS[name], "items", " · ".join(old), " · ".join(new), items=items, op="reordered")
    items += [("same", x) for x in new if x in old]
    return Change(LABELS[name], "items", items=items)


def steps_diff(old, new):
    """A numbered-list diff: each row is (op, old number, new number, html); op is "same", "added",
    "removed", "changed" (word diff) or "moved"."""
    rows = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [
                ("same", i + 1, j + 1, html.escape(old[i])) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
        elif op == "replace" and i2 - i1 == j2 - j1:
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                rows.append(("changed", i + 1, j + 1, word_diff(old[i], new[j])))
        else:
            rows += [("removed", i + 1, None, html.escape(old[i])) for i in range(i1, i2)]
            rows += [("added", None, j + 1, html.escape(new[j])) for j in range(j1, j2)]
    # A step removed in one place and added in another, unchanged, was moved.
    removed = {r[3]: r for r in rows if r[0] == "removed"}
    moved = []
    for index, row in enumerate(rows):
        if row[0] == "added" and row[3] in removed:
            source = removed.pop(row[3])
            rows[index] = ("moved", source[1], row[2], row[3])
            moved.append(source)
    rows = [r for r in rows if not any(r is m for m in moved)]
    return [(op, a, b, mark_safe(text)) for op, a, b, text in rows]  # escaped above


def _cause_changes(old, new):
    changes = []
    if old.get("api") != new.get("api"):
        changes.append(_value_change("api", old.get("api"), new.get("api")))
    for name in ("title", "meaning", "when_seen"):
        if (old.get(name) or "") != (new.get(name) or ""):
            changes.append(_value_change(name, old.get(name), new.get(name)))
    for name in ("commands", "services"):
        change = _items_change(name, old.get(name), new.get(name))
        if change:
            changes.append(change)
    if old.get("steps", []) != new.get("steps", []):
        changes.append(Change(LABELS["steps"], "steps", items=steps_diff(old.get("steps", []), new.get("steps", []))))
    return changes


def _reviewed_text(snap):
    if not snap.get("reviewed_at"):
        return None
    when = parse_datetime(snap["reviewed_at"]) if isinstance(snap["reviewed_at"], str) else snap["reviewed_at"]
    text = dateformat.format(when, "j M Y H:i") if when else str(snap["reviewed_at"])
    return f"{text} by {snap['reviewed_by']}" if snap.get("reviewed_by") else text


def diff(old, new):
    """What changed from snapshot ``old`` to snapshot ``new`` (both in the fixture format), as Changes."""
    old, new = old or {}, new or {}
    changes = []
    for name in ("code", *SNAPSHOT_FIELDS, "status", "review_interval_days"):
        if name in new and old.get(name) != new.get(name) and (old.get(name) or new.get(name)):
            changes.append(_value_change(name, old.get(name), new.get(name)))
    if _reviewed_text(old) != _reviewed_text(new):
        changes.append(Change(LABELS["reviewed"], "value", _reviewed_text(old) or "never", _reviewed_text(new)))
    aliases = _items_change(
        "aliases",
        [_alias_text(a) for a in old.get("aliases", [])],
        [_alias_text(a) for a in new.get("aliases", [])],
    )
    if aliases:
        changes.append(aliases)
    related = _items_change("related", sorted(old.get("related", [])), sorted(new.get("related", [])))
    if related:
        changes.append(related)
    if "messages" in old and "messages" in new:  # revisions made before they were versioned hold neither
        counterparts = _items_change(
            "counterparts",
            [_pair_text(p) for p in old["counterparts"]],
            [_pair_text(p) for p in new["counterparts"]],
        )
        if counterparts:
            changes.append(counterparts)
        texts = _items_change(
            "messages",
            [_message_text(m) for m in old.get("messages", [])],
            [_message_text(m) for m in new.get("messages", [])],
        )
        if texts:
            changes.append(texts)
    old_causes = {c["slug"]: c for c in old.get("causes", [])}
    new_causes = {c["slug"]: c for c in new.get("causes", [])}
    old_order = [s for s in old_causes if s in new_causes]
    new_order = [s for s in new_causes if s in old_causes]
    if old_order != new_order:
        changes.append(Change("Order of causes", "value", ", ".join(old_order), ", ".join(new_order)))
    for slug, cause in new_causes.items():
        if slug not in old_causes:
            changes.append(
                Change(f"Cause “{cause['title']}” ({slug})", "cause", op="added", changes=_cause_changes({}, cause))
            )
        else:
            inner = _cause_changes(old_causes[slug], cause)
            if inner:
                changes.append(Change(f"Cause “{cause['title']}” ({slug})", "cause", changes=inner))
    for slug, cause in old_causes.items():
        if slug not in new_causes:
            changes.append(Change(f"Cause “{cause['title']}” ({slug})", "cause", op="removed"))
    return changes


def _message_text(m):
    return f"{m.get('text', '')} ({m.get('kind', '')}; {m.get('source', '')})"


def _alias_text(alias):
    return f"{alias['alias']} ({alias['note']})" if alias.get("note") else alias["alias"]
