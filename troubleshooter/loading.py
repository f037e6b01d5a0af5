"""The "flows" section of the KB fixture files: load (through kb.fixtures) and export.

Shape of one flow (natural keys only):
{"slug": "log-in", "title": "Log a host in", "description": "p.php?AT=LI", "position": 1, "published": true,
 "start": "came-back",
 "nodes": [
   {"slug": "came-back", "kind": "question", "text": "What came back?", "help": "…",
    "choices": [{"slug": "reason-code", "label": "I was sent back with ST=FAIL&RS=… in the address",
                 "target": "which-code"}]},
   {"slug": "already", "kind": "diagnose", "text": "…", "entry": "AlreadyLogon", "cause": "already-logged-in",
    "guidance": "…"},
   {"slug": "retry", "kind": "replay", "text": "…", "command": "m.php?AT=SM", "params": {"DU": "20"}, …},
   {"slug": "sso", "kind": "diagnose", "text": "…", "condition": "sso-site", "guidance": "…"},
   {"slug": "support", "kind": "escalate", "text": "…", "guidance": "…"}]}

Every flow is checked before anything is written; a bad one raises FixtureError naming the node, and
kb.fixtures rolls the whole load back.
"""

import hashlib
import json

from kb import generation
from kb.fixtures import FixtureError
from kb.models import Cause, Command, Condition, Entry
from troubleshooter.flows import ChoiceSpec, FlowGraph, NodeSpec, validate_flow
from troubleshooter.models import Choice, Flow, Node, NodeKind

FLOW_FIELDS = {"slug", "title", "description", "position", "published", "start", "nodes"}
NODE_FIELDS = {
    "slug",
    "kind",
    "text",
    "help",
    "entry",
    "cause",
    "guidance",
    "command",
    "params",
    "choices",
    "condition",
}
CHOICE_FIELDS = {"slug", "label", "target"}


def _text(value, default=""):
    return value.strip() if isinstance(value, str) else default


def normalize(path, data):
    """Check one flow item's shape and return it in canonical (export) form. Raises FixtureError."""
    label = f"flow '{data.get('slug')}'" if isinstance(data, dict) and data.get("slug") else "flow"
    if not isinstance(data, dict):
        raise FixtureError(path, label, "flows", "each flow must be an object")
    unknown = sorted(set(data) - FLOW_FIELDS)
    if unknown:
        raise FixtureError(path, label, unknown[0], f"unknown field; a flow has {', '.join(sorted(FLOW_FIELDS))}")
    for name in ("slug", "title", "start"):
        if not _text(data.get(name)):
            raise FixtureError(path, label, name, "is required and must be text")
    if not isinstance(data.get("nodes"), list) or not data["nodes"]:
        raise FixtureError(path, label, "nodes", "must be a non-empty list of nodes")
    position = data.get("position", 0)
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise FixtureError(path, label, "position", "must be a whole number, 0 or more")
    published = data.get("published", True)
    if not isinstance(published, bool):
        raise FixtureError(path, label, "published", "must be true or false")
    nodes = []
    for i, node in enumerate(data["nodes"]):
        where = f"nodes[{i}]"
        if not isinstance(node, dict):
            raise FixtureError(path, label, where, "each node must be an object")
        name = node.get("slug") or f"#{i}"
        unknown = sorted(set(node) - NODE_FIELDS)
        if unknown:
            raise FixtureError(path, label, f"{where}.{unknown[0]}", f"node '{name}': unknown field")
        for key in ("slug", "kind", "text"):
            if not _text(node.get(key)):
                raise FixtureError(path, label, f"{where}.{key}", f"node '{name}': is required and must be text")
        for key in ("help", "guidance", "entry", "cause", "command", "condition"):
            if key in node and node[key] is not None and not isinstance(node[key], str):
                raise FixtureError(path, label, f"{where}.{key}", f"node '{name}': must be text")
        choices = node.get("choices", [])
        if not isinstance(choices, list):
            raise FixtureError(path, label, f"{where}.choices", f"node '{name}': must be a list")
        clean_choices = []
        for j, choice in enumerate(choices):
            cwhere = f"{where}.choices[{j}]"
            if not isinstance(choice, dict):
                raise FixtureError(path, label, cwhere, f"node '{name}': each choice must be an object")
            unknown = sorted(set(choice) - CHOICE_FIELDS)
            if unknown:
                raise FixtureError(path, label, f"{cwhere}.{unknown[0]}", f"node '{name}': unknown field")
            for key in ("slug", "label", "target"):
                if key in choice and choice[key] is not None and not isinstance(choice[key], str):
                    raise FixtureError(path, label, f"{cwhere}.{key}", f"node '{name}': must be text")
            clean_choices.append(
                {
                    "slug": _text(choice.get("slug")),
                    "label": _text(choice.get("label")),
                    "target": _text(choice.get("target")) or None,
                }
            )
        params = node.get("params", {})
        if not isinstance(params, dict):
            raise FixtureError(path, label, f"{where}.params", f"node '{name}': must be an object")
        clean = {"slug": _text(node["slug"]), "kind": _text(node["kind"]), "text": _text(node["text"])}
        for key in ("help", "guidance"):
            if _text(node.get(key)):
                clean[key] = _text(node[key])
        for key in ("entry", "cause", "command", "condition"):
            if _text(node.get(key)):
                clean[key] = _text(node[key])
        if params:
            clean["params"] = {str(k): v for k, v in params.items()}
        if clean_choices:
            clean["choices"] = clean_choices
        nodes.append(clean)
    clean = {
        "slug": _text(data["slug"]),
        "title": _text(data["title"]),
        "description": _text(data.get("description")),
        "position": position,
        "published": published,
        "start": _text(data["start"]),
        "nodes": nodes,
    }
    _check_lengths(path, label, clean)
    return clean


LIMITS = {"slug": 60, "title": 120, "description": 300}
NODE_LIMITS = {"slug": 60, "text": 300}
CHOICE_LIMITS = {"slug": 60, "label": 300}


def _check_lengths(path, label, clean):
    """The database's column sizes, checked here so that every database refuses the same data by name."""
    for key, limit in LIMITS.items():
        if len(clean[key]) > limit:
            raise FixtureError(path, label, key, f"is {len(clean[key])} characters long; the limit is {limit}")
    for i, node in enumerate(clean["nodes"]):
        for key, limit in NODE_LIMITS.items():
            if len(node[key]) > limit:
                raise FixtureError(
                    path, label, f"nodes[{i}].{key}", f"node '{node['slug']}': is longer than {limit} characters"
                )
        for j, choice in enumerate(node.get("choices", [])):
            for key, limit in CHOICE_LIMITS.items():
                if len(choice[key]) > limit:
                    raise FixtureError(
                        path,
                        label,
                        f"nodes[{i}].choices[{j}].{key}",
                        f"node '{node['slug']}': is longer than {limit} characters",
                    )


def flow_hash(clean):
    return hashlib.sha256(json.dumps(clean, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _resolve(path, label, clean):
    """Look up every KB reference of a flow. Returns ({node slug: (entry, cause, command, condition)}, [NodeSpec])."""
    refs, specs = {}, []
    conditions = {c.slug: c for c in Condition.objects.filter(slug__in={n.get("condition") for n in clean["nodes"]})}
    entries = {e.code: e for e in Entry.objects.filter(code__in={n["entry"] for n in clean["nodes"] if "entry" in n})}
    for i, node in enumerate(clean["nodes"]):
        where, name = f"nodes[{i}]", node["slug"]
        entry = cause = command = None
        if "entry" in node:
            entry = entries.get(node["entry"])
            if entry is None:
                raise FixtureError(path, label, f"{where}.entry", f"node '{name}': no KB entry '{node['entry']}'")
        if "cause" in node:
            if entry is None:
                raise FixtureError(path, label, f"{where}.cause", f"node '{name}': a cause needs an entry")
            cause = Cause.objects.filter(entry=entry, slug=node["cause"]).first()
            if cause is None:
                known = ", ".join(entry.causes.values_list("slug", flat=True)) or "none"
                raise FixtureError(
                    path,
                    label,
                    f"{where}.cause",
                    f"node '{name}': {entry.code} has no cause '{node['cause']}' (its causes: {known})",
                )
        if "command" in node:
            try:
                command = Command.objects.get_by_natural_key(node["command"])
            except (ValueError, Command.DoesNotExist):
                raise FixtureError(
                    path, label, f"{where}.command", f"node '{name}': no KB command '{node['command']}'"
                ) from None
        condition = None
        if "condition" in node:
            condition = conditions.get(node["condition"])
            if condition is None:
                raise FixtureError(
                    path, label, f"{where}.condition", f"node '{name}': no KB condition '{node['condition']}'"
                )
        refs[name] = (entry, cause, command, condition)
        specs.append(
            NodeSpec(
                slug=name,
                kind=node["kind"],
                text=node["text"],
                entry=entry.code if entry else None,
                cause=cause.slug if cause else None,
                cause_entry=entry.code if cause else None,
                command=node.get("command"),
                params=node.get("params", {}),
                guidance=node.get("guidance", ""),
                condition=condition.slug if condition else None,
                choices=[ChoiceSpec(c["slug"], c["label"], c["target"]) for c in node.get("choices", [])],
            )
        )
    return refs, specs


def load_flows(items, report, force):
    """kb.fixtures section hook: check every flow first, then write. Runs inside the load transaction."""
    prepared, seen = [], {}
    for path, index, data in items:
        clean = normalize(path, data)
        label = f"flow '{clean['slug']}'"
        if clean["slug"] in seen:
            raise FixtureError(path, label, "slug", f"is also defined in {seen[clean['slug']]}")
        seen[clean["slug"]] = f"{path} (flows[{index}])"
        refs, specs = _resolve(path, label, clean)
        problems = validate_flow(clean["start"], specs)
        if problems:
            first = problems[0]
            node_index = next((i for i, n in enumerate(clean["nodes"]) if n["slug"] == first.node), None)
            where = f"nodes[{node_index}]" if node_index is not None else "start"
            raise FixtureError(path, label, where, "; ".join(str(p) for p in problems))
        prepared.append((clean, refs))

    for clean, refs in prepared:
        slug, digest = clean["slug"], flow_hash(clean)
        flow = Flow.objects.filter(slug=slug).first()
        if flow is not None and not force:
            if flow.locally_edited:
                report.skipped("flows", slug, "edited in the admin; load with --force to replace it")
                continue
            if flow.fixture_hash == digest:
                report.unchanged("flows", slug)
                continue
        created = flow is None
        _apply(flow or Flow(slug=slug), clean, refs, digest)
        (report.created if created else report.updated)("flows", slug)
        generation.bump()  # some of _apply's writes are queryset updates, which send no signal


def _apply(flow, clean, refs, digest):
    flow.title = clean["title"]
    flow.description = clean["description"]
    flow.position = clean["position"]
    flow.published = clean["published"]
    flow.locally_edited = False
    flow.fixture_hash = digest
    flow.save()
    existing = {node.slug: node for node in flow.nodes.all()}
    nodes = {}
    for position, data in enumerate(clean["nodes"]):
        node = existing.pop(data["slug"], None) or Node(flow=flow, slug=data["slug"])
        entry, cause, command, condition = refs[data["slug"]]
        node.kind = data["kind"]
        node.text = data["text"]
        node.help = data.get("help", "")
        node.guidance = data.get("guidance", "")
        node.entry, node.cause, node.command, node.condition = entry, cause, command, condition
        node.params = data.get("params", {})
        node.position = position
        node.save()
        nodes[node.slug] = node
    for gone in existing.values():
        gone.delete()
    for data in clean["nodes"]:
        question = nodes[data["slug"]]
        old = {choice.slug: choice for choice in question.choices.all()}
        for position, item in enumerate(data.get("choices", [])):
            choice = old.pop(item["slug"], None) or Choice(question=question, slug=item["slug"])
            choice.label = item["label"]
            choice.target = nodes[item["target"]]
            choice.position = position
            choice.save()
        for gone in old.values():
            gone.delete()
    flow.start = nodes[clean["start"]]
    flow.save(update_fields=["start"])


def export_flow(flow):
    graph = FlowGraph(flow)
    nodes = []
    for node in graph.nodes.values():
        data = {"slug": node.slug, "kind": node.kind, "text": node.text}
        if node.help:
            data["help"] = node.help
        if node.guidance:
            data["guidance"] = node.guidance
        if node.entry:
            data["entry"] = node.entry.code
        if node.cause:
            data["cause"] = node.cause.slug
        if node.command:
            data["command"] = node.command.key
        if node.condition:
            data["condition"] = node.condition.slug
        if node.params:
            data["params"] = node.params
        choices = [
            {"slug": c.slug, "label": c.label, "target": c.target_node.slug if c.target_node else None}
            for c in graph.choices[node.slug]
        ]
        if choices or node.kind == NodeKind.QUESTION:
            data["choices"] = choices
        nodes.append(data)
    return {
        "slug": flow.slug,
        "title": flow.title,
        "description": flow.description,
        "position": flow.position,
        "published": flow.published,
        "start": graph.start.slug if graph.start else None,
        "nodes": nodes,
    }


def export_flows():
    """kb.fixtures section hook: every stored flow, natural keys only."""
    return [export_flow(flow) for flow in Flow.objects.order_by("position", "slug")]
