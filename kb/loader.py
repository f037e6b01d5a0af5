"""Load and export the knowledge base fixture format (see README, "Fixture format").

A load reads every file first, validates everything, then applies it in ONE transaction:
a bad file changes nothing, and readers never see a half-loaded knowledge base.
Other apps keep their own sections (the wizard's "flows") in the same files through
``register_section``; ``kb`` never imports them.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kb import history, search
from kb.codes import alias_problem, code_problem
from kb.models import Alias, Api, Category, Cause, Command, Confidence, Entry, Message, Service, Step
from kb.serializers import cause_dict
from webex.commandkeys import command_key

KB_SECTIONS = ("services", "commands", "entries")


class FixtureError(Exception):
    """A fixture problem, named by file, item and field."""

    def __init__(self, path, item, field_name, message):
        self.path, self.item, self.field, self.message = str(path), item, field_name, message
        super().__init__(f"{self.path}: {item}: field '{field_name}': {message}")


@dataclass
class Section:
    name: str
    load: callable
    export: callable


_sections: dict[str, Section] = {}


def register_section(name, *, load, export):
    """Let another app keep a top-level section (e.g. "flows") in the knowledge base fixtures."""
    _sections[name] = Section(name, load, export)


@dataclass
class LoadReport:
    counts: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    skipped_items: list = field(default_factory=list)

    def created(self, kind, key):
        self.counts[kind]["created"] += 1

    def updated(self, kind, key):
        self.counts[kind]["updated"] += 1

    def unchanged(self, kind, key):
        self.counts[kind]["unchanged"] += 1

    def skipped(self, kind, key, reason):
        self.counts[kind]["skipped"] += 1
        self.skipped_items.append((kind, key, reason))

    @property
    def changed(self):
        return any(c.get("created") or c.get("updated") for c in self.counts.values())

    def lines(self):
        out = []
        for kind, c in self.counts.items():
            parts = [f"{c[k]} {k}" for k in ("created", "updated", "unchanged", "skipped") if c.get(k)]
            out.append(f"{kind}: {', '.join(parts) or 'nothing'}")
        for kind, key, reason in self.skipped_items:
            out.append(f"skipped {kind} {key}: {reason}")
        return out


# ---------------------------------------------------------------- reading and validation


def fixture_paths(paths=None):
    if paths:
        return [Path(p) for p in paths]
    return sorted(Path(settings.KB_FIXTURE_DIR).glob("*.json"))


def read_files(paths):
    """Parse every file; returns {section: [(path, index, item), ...]}."""
    sections = defaultdict(list)
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FixtureError(path, "file", "-", "no such file") from None
        except UnicodeDecodeError as exc:
            raise FixtureError(path, "file", "-", f"not UTF-8 text ({exc.reason})") from None
        except json.JSONDecodeError as exc:
            raise FixtureError(path, f"line {exc.lineno} column {exc.colno}", "-", f"invalid JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise FixtureError(path, "file", "-", "the top level must be a JSON object with services/commands/entries")
        for name, items in data.items():
            if name not in KB_SECTIONS and name not in _sections:
                known = ", ".join([*KB_SECTIONS, *_sections])
                raise FixtureError(path, "file", name, f"unknown section (known: {known})")
            if not isinstance(items, list):
                raise FixtureError(path, name, name, "must be a list")
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    raise FixtureError(path, f"{name}[{index}]", "-", "each item must be a JSON object")
                where = _nul_in(item)
                if where is not None:
                    raise FixtureError(path, _item_label(name, index, item), where, "contains a NUL character")
                sections[name].append((str(path), index, item))
    return sections


_ITEM_KEYS = {"services": ("service", "name"), "commands": ("command", "command"), "entries": ("entry", "code")}


def _item_label(section, index, item):
    """How a message names an item: ``entry 'AccessDenied'``, or ``entries[3]`` when it has no usable name."""
    kind, key = _ITEM_KEYS.get(section, (section.rstrip("s"), "slug"))
    value = item.get(key)
    return f"{kind} {value!r}" if isinstance(value, str) and value else f"{section}[{index}]"


def _nul_in(value, where=""):
    """The field path (``causes[0].steps[1]``) of the first NUL character in a parsed item, or None. PostgreSQL
    cannot store NUL in text, and no WebEx code or prose holds one: refused before anything is written."""
    if isinstance(value, str):
        return (where or "-") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if "\x00" in str(key):
                return path
            found = _nul_in(item, path)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_in(item, f"{where}[{i}]")
            if found is not None:
                return found
    return None


class _Checker:
    def __init__(self, path, item):
        self.path, self.item = path, item

    def fail(self, field_name, message):
        raise FixtureError(self.path, self.item, field_name, message)

    def text(self, data, name, *, required=True, max_length=None):
        value = data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(name, f"must be text, got {type(value).__name__}")
        value = value.strip()
        if required and not value:
            self.fail(name, "is required")
        if max_length and len(value) > max_length:
            self.fail(name, f"is {len(value)} characters long; the limit is {max_length}")
        return value

    def choice(self, data, name, choices, *, default=None):
        value = data.get(name, default)
        allowed = [c for c, _ in choices]
        if value not in allowed:
            self.fail(name, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def boolean(self, data, name, default=False):
        value = data.get(name, default)
        if not isinstance(value, bool):
            self.fail(name, "must be true or false")
        return value

    def text_list(self, data, name, *, required=False):
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(name, "must be a list of non-empty strings")
        if required and not value:
            self.fail(name, "needs at least one item")
        return [v.strip() for v in value]

    def unknown_keys(self, data, allowed):
        extra = sorted(set(data) - set(allowed))
        if extra:
            self.fail(extra[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")


SERVICE_FIELDS = {"name", "api", "title", "description", "position"}
COMMAND_FIELDS = {"command", "name", "description", "parameters", "source", "confidence"}
ENTRY_FIELDS = {
    "code",
    "title",
    "summary",
    "api",
    "category",
    "source",
    "confidence",
    "retired",
    "aliases",
    "related",
    "causes",
    # Message texts and other-API counterparts: optional; when a fixture leaves them out, what is stored is kept.
    "messages",
    "counterparts",
    # Review and publication: optional; when a fixture leaves them out, what is stored is kept.
    "reviewed_at",
    "reviewed_by",
    "review_interval_days",
    "status",
}
ENTRY_VALUE_FIELDS = ("title", "summary", "api", "category", "source", "confidence", "retired")
CAUSE_FIELDS = {"slug", "api", "title", "meaning", "when_seen", "commands", "services", "steps"}
SERVICE_API_CHOICES = [(Api.URL.value, ""), (Api.XML.value, "")]


def clean_service(path, index, data):
    c = _Checker(path, f"services[{index}]")
    name = c.text(data, "name", max_length=40)
    c.item = f"service {name!r}"
    c.unknown_keys(data, SERVICE_FIELDS)
    position = data.get("position", 0)
    if not isinstance(position, int) or position < 0:
        c.fail("position", "must be a whole number ≥ 0")
    return {
        "name": name,
        "api": c.choice(data, "api", SERVICE_API_CHOICES),
        "title": c.text(data, "title", max_length=120),
        "description": c.text(data, "description", required=False),
        "position": position,
    }


def clean_command(path, index, data, services):
    c = _Checker(path, f"commands[{index}]")
    key = c.text(data, "command", max_length=130)
    c.item = f"command {key!r}"
    c.unknown_keys(data, COMMAND_FIELDS)
    try:
        service, code = Command.split_key(key)
    except ValueError as exc:
        c.fail("command", str(exc))
    if service not in services:
        c.fail("command", f"service {service!r} is not defined in any fixture's services")
    expected = command_key(service, code, xml=services[service]["api"] == Api.XML)
    if key != expected:
        c.fail("command", f"write it as {expected}")
    params = data.get("parameters", [])
    if not isinstance(params, list):
        c.fail("parameters", 'must be a list of {"name": ..., "description": ...}')
    clean_params = []
    for i, p in enumerate(params):
        if isinstance(p, str):
            p = {"name": p, "description": ""}
        if not isinstance(p, dict) or not isinstance(p.get("name"), str) or not p["name"].strip():
            c.fail(f"parameters[{i}]", 'must be {"name": ..., "description": ...}')
        if set(p) - {"name", "description", "required"}:
            c.fail(f"parameters[{i}]", "only name, description and required are allowed")
        if not isinstance(p.get("required", False), bool):
            c.fail(f"parameters[{i}].required", "must be true or false")
        param = {"name": p["name"].strip(), "description": str(p.get("description", "")).strip()}
        if p.get("required"):
            param["required"] = True  # the command does not work without it (the replay form marks it)
        clean_params.append(param)
    return {
        "key": key,
        "service": service,
        "code": code,
        "name": c.text(data, "name", max_length=120),
        "description": c.text(data, "description", required=False),
        "parameters": clean_params,
        "source": c.text(data, "source", required=False, max_length=300),
        "confidence": c.choice(data, "confidence", Confidence.choices, default=Confidence.HIGH),
    }


def clean_entry(path, index, data, services, commands):
    c = _Checker(path, f"entries[{index}]")
    code = c.text(data, "code", max_length=80)
    if code_problem(code):
        c.fail("code", code_problem(code))
    c.item = f"entry {code!r}"
    c.unknown_keys(data, ENTRY_FIELDS)
    entry = {
        "code": code,
        "title": c.text(data, "title", max_length=200),
        "summary": c.text(data, "summary", max_length=300),
        "api": c.choice(data, "api", Api.choices),
        "category": c.choice(data, "category", Category.choices),
        "source": c.text(data, "source"),
        "confidence": c.choice(data, "confidence", Confidence.choices),
        "retired": c.boolean(data, "retired"),
        "related": c.text_list(data, "related"),
        "aliases": [],
        "causes": [],
    }
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list):
        c.fail("aliases", 'must be a list of {"alias": ..., "note": ...}')
    for i, a in enumerate(aliases):
        if isinstance(a, str):
            a = {"alias": a}
        if not isinstance(a, dict) or set(a) - {"alias", "note"}:
            c.fail(f"aliases[{i}]", 'must be {"alias": ..., "note": ...}')
        try:
            alias = c.text(a, "alias", max_length=80)
            if alias_problem(alias):
                c.fail("alias", alias_problem(alias))
            entry["aliases"].append({"alias": alias, "note": c.text(a, "note", required=False, max_length=200)})
        except FixtureError as exc:
            raise FixtureError(path, c.item, f"aliases[{i}].{exc.field}", exc.message) from None
    causes = data.get("causes")
    if not isinstance(causes, list) or not causes:
        c.fail("causes", "needs at least one cause")
    slugs = set()
    for i, raw in enumerate(causes):
        if not isinstance(raw, dict):
            c.fail(f"causes[{i}]", "must be a JSON object")
        cc = _Checker(path, c.item)
        try:
            cc.unknown_keys(raw, CAUSE_FIELDS)
            slug = cc.text(raw, "slug", max_length=60)
            if not all(ch.isalnum() or ch in "-_" for ch in slug):
                cc.fail("slug", "use letters, digits, - and _ only")
            if slug in slugs:
                cc.fail("slug", f"{slug!r} is used twice in this entry")
            slugs.add(slug)
            cause = {
                "slug": slug,
                "api": cc.choice(raw, "api", Api.choices),
                "title": cc.text(raw, "title", max_length=200),
                "meaning": cc.text(raw, "meaning"),
                "when_seen": cc.text(raw, "when_seen"),
                "commands": cc.text_list(raw, "commands"),
                "services": cc.text_list(raw, "services"),
                "steps": cc.text_list(raw, "steps", required=True),
            }
            for key in cause["commands"]:
                if key not in commands:
                    cc.fail("commands", f"unknown command {key!r} (define it in a fixture's commands)")
            for name in cause["services"]:
                if name not in services:
                    cc.fail("services", f"unknown service {name!r}")
        except FixtureError as exc:
            raise FixtureError(path, c.item, f"causes[{i}].{exc.field}", exc.message) from None
        entry["causes"].append(cause)
    if "messages" in data:
        entry["messages"] = _clean_messages(c, data)
    if "counterparts" in data:
        entry["counterparts"] = c.text_list(data, "counterparts")
    review = _clean_review(c, data)
    if review:
        # Only when the fixture has review fields, so that fixtures without them keep their hash.
        entry["review"] = review
    entry["hash"] = hashlib.sha256(json.dumps(entry, sort_keys=True, default=str).encode()).hexdigest()
    return entry


MESSAGE_FIELDS = {"text", "kind", "source"}


def _clean_messages(c, data):
    """``messages``: the texts WebEx (``kind: webex``) and client libraries (``kind: client``) show for the code."""
    raw = data["messages"]
    if not isinstance(raw, list):
        c.fail("messages", 'must be a list of {"text": ..., "kind": "webex" or "client", "source": ...}')
    out, seen = [], set()
    for i, m in enumerate(raw):
        if not isinstance(m, dict) or set(m) - MESSAGE_FIELDS:
            c.fail(f"messages[{i}]", 'must be {"text": ..., "kind": "webex" or "client", "source": ...}')
        try:
            text = " ".join(c.text(m, "text", max_length=Message.MAX_LENGTH).split())
            if text.lower() in seen:
                c.fail("text", f"{text!r} is listed twice")
            seen.add(text.lower())
            out.append(
                {
                    "text": text,
                    "kind": c.choice(m, "kind", Message.Kind.choices),
                    "source": c.text(m, "source", max_length=300),
                }
            )
        except FixtureError as exc:
            raise FixtureError(c.path, c.item, f"messages[{i}].{exc.field}", exc.message) from None
    return out


def _clean_review(c, data):
    review = {}
    if "reviewed_at" in data:
        value = data["reviewed_at"]
        if value is not None:
            parsed = parse_datetime(value) if isinstance(value, str) else None
            if parsed is None:
                c.fail("reviewed_at", "must be a date and time in ISO 8601 (2026-11-30T10:00:00+00:00), or null")
            value = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)
        review["reviewed_at"] = value
    if "reviewed_by" in data:
        value = data["reviewed_by"]
        if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 150):
            c.fail("reviewed_by", "must be a user name, or null")
        review["reviewed_by"] = value.strip() if value else None
    if "review_interval_days" in data:
        value = data["review_interval_days"]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 36500):
            c.fail("review_interval_days", "must be a whole number of days from 1 to 36500, or null (the default)")
        review["review_interval_days"] = value
    if "status" in data:
        review["status"] = c.choice(data, "status", Entry.Status.choices)
    return review


def validate(sections):
    """Check every item and every cross-reference; returns cleaned data or raises FixtureError."""
    services, commands, entries = {}, {}, {}
    for path, index, data in sections.get("services", []):
        s = clean_service(path, index, data)
        if s["name"] in services:
            raise FixtureError(path, f"service {s['name']!r}", "name", "is defined twice")
        services[s["name"]] = s
    # Services already stored count too, so that a single file can add commands to them.
    for svc in Service.objects.all():
        services.setdefault(svc.name, {"name": svc.name, "api": svc.api, "stored": True})
    stored_commands = {cmd.key for cmd in Command.objects.select_related("service")}
    for path, index, data in sections.get("commands", []):
        cmd = clean_command(path, index, data, services)
        if cmd["key"] in commands:
            raise FixtureError(path, f"command {cmd['key']!r}", "command", "is defined twice")
        commands[cmd["key"]] = cmd
    known_commands = set(commands) | stored_commands
    seen_codes = {}
    for path, index, data in sections.get("entries", []):
        entry = clean_entry(path, index, data, services, known_commands)
        lower = entry["code"].lower()
        if lower in seen_codes:
            raise FixtureError(path, f"entry {entry['code']!r}", "code", f"duplicates {seen_codes[lower]!r}")
        seen_codes[lower] = entry["code"]
        entry["path"] = path
        entries[entry["code"]] = entry
    stored_codes = {c.lower(): c for c in Entry.objects.values_list("code", flat=True)}
    all_codes = {**stored_codes, **seen_codes}
    alias_owner = {}
    for stored_alias, owner in Alias.objects.values_list("alias", "entry__code"):
        if owner not in entries:
            alias_owner[stored_alias.lower()] = owner
    apis = {c.lower(): api for c, api in Entry.objects.values_list("code", "api")}
    apis.update({e["code"].lower(): e["api"] for e in entries.values()})
    for entry in entries.values():
        check_references(entry["path"], entry, all_codes, alias_owner)
        check_counterparts(entry["path"], entry, apis)
    return services, commands, entries


def check_counterparts(path, entry, apis):
    """Counterparts exist, are not the entry itself, and belong to the other API (``apis``: code, lower -> api)."""
    code = entry["code"]
    for i, other in enumerate(entry.get("counterparts", [])):
        where = f"counterparts[{i}]"
        if other.lower() not in apis:
            raise FixtureError(path, f"entry {code!r}", where, f"no entry has the code {other!r}")
        if other.lower() == code.lower():
            raise FixtureError(path, f"entry {code!r}", where, "an entry cannot be its own counterpart")
        mine, theirs = entry["api"], apis[other.lower()]
        if Api.BOTH in (mine, theirs) or mine == theirs:
            raise FixtureError(
                path, f"entry {code!r}", where, f"{other!r} is not of the other API (this entry: {mine}, it: {theirs})"
            )


def check_references(path, entry, all_codes, alias_owner):
    """An entry's aliases are nobody else's code or alias; its related codes exist and are not its own.

    ``all_codes`` maps every known code, lower case, to its spelling; ``alias_owner`` maps the aliases seen so
    far, lower case, to their entry's code (this entry's are added)."""
    code = entry["code"]
    for i, a in enumerate(entry["aliases"]):
        lower = a["alias"].lower()
        if lower in all_codes and all_codes[lower] != code:
            raise FixtureError(path, f"entry {code!r}", f"aliases[{i}]", f"{a['alias']!r} is the code of another entry")
        if lower in alias_owner and alias_owner[lower] != code:
            raise FixtureError(
                path,
                f"entry {code!r}",
                f"aliases[{i}]",
                f"{a['alias']!r} is already an alias of {alias_owner[lower]!r}",
            )
        alias_owner[lower] = code
    for i, rel in enumerate(entry["related"]):
        if rel.lower() not in all_codes:
            raise FixtureError(path, f"entry {code!r}", f"related[{i}]", f"no entry has the code {rel!r}")
        if rel.lower() == code.lower():
            raise FixtureError(path, f"entry {code!r}", f"related[{i}]", "an entry cannot relate to itself")


def validate_entry_dict(data, *, entry=None, path="editor"):
    """Check one entry in the fixture format against what is stored, exactly as ``load_kb`` checks it (the
    editor page and restoring a revision save through this). ``entry`` is the stored entry being changed,
    if any. Returns the cleaned entry, or raises FixtureError naming the field."""
    if not isinstance(data, dict):
        raise FixtureError(path, "entry", "-", "must be a JSON object")
    services = {svc.name: {"name": svc.name, "api": svc.api, "stored": True} for svc in Service.objects.all()}
    commands = {cmd.key for cmd in Command.objects.select_related("service")}
    cleaned = clean_entry(path, 0, data, services, commands)
    others = Entry.objects.all() if entry is None else Entry.objects.exclude(pk=entry.pk)
    all_codes = {c.lower(): c for c in others.values_list("code", flat=True)}
    if cleaned["code"].lower() in all_codes:
        raise FixtureError(path, f"entry {cleaned['code']!r}", "code", "is the code of another entry")
    if "/" in cleaned["code"] or any(ch.isspace() for ch in cleaned["code"]):
        raise FixtureError(path, f"entry {cleaned['code']!r}", "code", "cannot hold a slash or spaces")
    all_codes[cleaned["code"].lower()] = cleaned["code"]
    other_aliases = Alias.objects.all() if entry is None else Alias.objects.exclude(entry=entry)
    alias_owner = {a.lower(): owner for a, owner in other_aliases.values_list("alias", "entry__code")}
    check_references(path, cleaned, all_codes, alias_owner)
    apis = {c.lower(): api for c, api in others.values_list("code", "api")}
    check_counterparts(path, cleaned, apis)
    cleaned["path"] = path
    return cleaned


# ---------------------------------------------------------------- applying


def _apply_fields(obj, values):
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def apply(services, commands, entries, report, force=False):
    service_objs = {s.name: s for s in Service.objects.all()}
    for name, s in services.items():
        if s.get("stored"):
            continue
        values = {k: s[k] for k in ("api", "title", "description", "position")}
        obj = service_objs.get(name)
        if obj is None:
            service_objs[name] = Service.objects.create(name=name, **values)
            report.created("services", name)
        elif _apply_fields(obj, values):
            obj.save()
            report.updated("services", name)
        else:
            report.unchanged("services", name)

    command_objs = {cmd.key: cmd for cmd in Command.objects.select_related("service")}
    for key, cmd in commands.items():
        values = {k: cmd[k] for k in ("name", "description", "parameters", "source", "confidence")}
        obj = command_objs.get(key)
        if obj is None:
            command_objs[key] = Command.objects.create(service=service_objs[cmd["service"]], code=cmd["code"], **values)
            report.created("commands", key)
        elif _apply_fields(obj, values):
            obj.save()
            report.updated("commands", key)
        else:
            report.unchanged("commands", key)

    entry_objs = {e.code: e for e in Entry.objects.all()}
    touched = []
    reviewers = {}
    for code, data in entries.items():
        obj = entry_objs.get(code)
        if obj is not None and obj.locally_edited and not force:
            report.skipped("entries", code, "edited in the admin; use --force to overwrite")
            continue
        if obj is not None and obj.fixture_hash == data["hash"] and not obj.locally_edited:
            report.unchanged("entries", code)
            continue
        extra = {"fixture_hash": data["hash"], "locally_edited": False}
        if obj is None:
            obj = entry_objs[code] = apply_entry(None, data, service_objs, command_objs, extra, reviewers)
            report.created("entries", code)
        else:
            history.ensure_baseline(obj)
            obj.version += 1
            apply_entry(obj, data, service_objs, command_objs, extra, reviewers)
            report.updated("entries", code)
        touched.append((obj, data))

    # Related links are set once every entry exists, since they may point forwards. The relation is
    # symmetrical, so an entry's links are what it declares plus every fixture entry that declares it.
    declared_by = defaultdict(set)
    for code, data in entries.items():
        for rel in data["related"]:
            declared_by[rel.lower()].add(code)
    by_lower = {c.lower(): e for c, e in entry_objs.items()}
    for obj, data in touched:
        wanted = {r.lower() for r in data["related"]} | {c.lower() for c in declared_by[obj.code.lower()]}
        obj.related.set([by_lower[c] for c in sorted(wanted) if c in by_lower])
    # Counterparts likewise (symmetrical); only for entries whose fixture lists them or is listed by another.
    counterpart_of = defaultdict(set)
    for code, data in entries.items():
        for other in data.get("counterparts", []):
            counterpart_of[other.lower()].add(code)
    for obj, data in touched:
        if "counterparts" in data or counterpart_of[obj.code.lower()]:
            wanted = {c.lower() for c in data.get("counterparts", [])} | {
                c.lower() for c in counterpart_of[obj.code.lower()]
            }
            obj.counterparts.set([by_lower[c] for c in sorted(wanted) if c in by_lower])

    # One revision per entry changed, in its final state (the writes above skip reversion's signals).
    flag = " --force" if force else ""
    history.record({obj.pk: f"load_kb{flag} from {_shown_path(data['path'])}" for obj, data in touched})


def _shown_path(path):
    try:
        return str(Path(path).resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except (ValueError, OSError):
        return str(path)


def review_values(review, reviewers=None):
    """A cleaned entry's review fields as model field values (a reviewer by user name; unknown names: none)."""
    values = {k: v for k, v in review.items() if k != "reviewed_by"}
    if "reviewed_by" in review:
        name = review["reviewed_by"]
        reviewers = {} if reviewers is None else reviewers
        if name and name not in reviewers:
            reviewers[name] = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: name}).first()
        values["reviewed_by"] = reviewers.get(name) if name else None
    return values


def apply_entry(entry, data, service_objs=None, command_objs=None, extra=None, reviewers=None):
    """Write one cleaned entry (``clean_entry`` or ``validate_entry_dict``) onto ``entry``, or create it when
    ``entry`` is None; its aliases, causes and steps follow. Related codes are the caller's to set (the loader
    sets them once every entry exists). Returns the entry."""
    if service_objs is None:
        service_objs = {s.name: s for s in Service.objects.all()}
    if command_objs is None:
        command_objs = {cmd.key: cmd for cmd in Command.objects.select_related("service")}
    values = {k: data[k] for k in ENTRY_VALUE_FIELDS}
    values.update(review_values(data.get("review", {}), reviewers))
    values.update(extra or {})
    if entry is None:
        entry = Entry.objects.create(code=data["code"], **values)
    else:
        _apply_fields(entry, {"code": data["code"], **values})
        entry.save()
    _apply_children(entry, data, service_objs, command_objs)
    return entry


def _apply_children(entry, data, service_objs, command_objs):
    if "messages" in data:
        entry.messages.all().delete()
        Message.objects.bulk_create([Message(entry=entry, position=i, **m) for i, m in enumerate(data["messages"])])
    wanted_aliases = {a["alias"]: a["note"] for a in data["aliases"]}
    entry.aliases.exclude(alias__in=wanted_aliases).delete()
    for alias, note in wanted_aliases.items():
        Alias.objects.update_or_create(entry=entry, alias=alias, defaults={"note": note})

    existing = {c.slug: c for c in entry.causes.all()}
    # Causes are kept by slug, so wizard outcomes and replay records that point at them survive a reload.
    entry.causes.exclude(slug__in=[c["slug"] for c in data["causes"]]).delete()
    for position, cdata in enumerate(data["causes"]):
        values = {k: cdata[k] for k in ("api", "title", "meaning", "when_seen")}
        cause = existing.get(cdata["slug"])
        if cause is None:
            cause = Cause.objects.create(entry=entry, slug=cdata["slug"], position=position, **values)
        else:
            _apply_fields(cause, {**values, "position": position})
            cause.save()
        cause.commands.set([command_objs[k] for k in cdata["commands"]])
        cause.services.set([service_objs[n] for n in cdata["services"]])
        cause.steps.all().delete()
        Step.objects.bulk_create(
            [Step(cause=cause, position=i, text=text) for i, text in enumerate(cdata["steps"], start=1)]
        )


def load(paths=None, *, force=False):
    """Load fixture files (all of settings.KB_FIXTURE_DIR when none are given) in one transaction."""
    paths = fixture_paths(paths)
    if not paths:
        raise FixtureError(settings.KB_FIXTURE_DIR, "folder", "-", "holds no *.json fixture")
    report = LoadReport()
    sections = read_files(paths)
    with transaction.atomic(), search.batch():
        services, commands, entries = validate(sections)
        apply(services, commands, entries, report, force=force)
        for name, section in _sections.items():
            section.load(sections.get(name, []), report, force)
    return report


# ---------------------------------------------------------------- export


def export():
    """Everything in the database, in the fixture format, natural keys only."""
    data = {
        "services": [
            {"name": s.name, "api": s.api, "title": s.title, "description": s.description, "position": s.position}
            for s in Service.objects.all()
        ],
        "commands": [
            {
                "command": c.key,
                "name": c.name,
                "description": c.description,
                "parameters": c.parameters,
                "source": c.source,
                "confidence": c.confidence,
            }
            for c in Command.objects.select_related("service")
        ],
        "entries": [entry_to_fixture(e) for e in Entry.objects.select_related("reviewed_by").prefetch_for_page()],
    }
    for name, section in _sections.items():
        data[name] = section.export()
    return data


def entry_to_fixture(entry):
    """One entry in the fixture format (prefetched as ``Entry.objects.prefetch_for_page()``; the reviewer too)."""
    return {
        "code": entry.code,
        "title": entry.title,
        "summary": entry.summary,
        "api": entry.api,
        "category": entry.category,
        "source": entry.source,
        "confidence": entry.confidence,
        "retired": entry.retired,
        "aliases": [{"alias": a.alias, "note": a.note} for a in entry.aliases.all()],
        "related": sorted(r.code for r in entry.related.all()),
        "counterparts": sorted(r.code for r in entry.counterparts.all()),
        "messages": [{"text": m.text, "kind": m.kind, "source": m.source} for m in entry.messages.all()],
        "causes": [cause_dict(c) for c in entry.causes.all()],
        "status": entry.status,
        "reviewed_at": entry.reviewed_at.isoformat() if entry.reviewed_at else None,
        "reviewed_by": entry.reviewed_by.get_username() if entry.reviewed_by else None,
        "review_interval_days": entry.review_interval_days,
    }
