"""Flow graphs: checking them, and walking them with the answers a person gave.

The same checks run on a flow from a fixture (before anything is stored), on a stored flow (admin, system
check) and in tests. A problem always names the node it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.generation import GenerationCache
from troubleshooter.models import Choice, Flow, Node, NodeKind
from webex.redaction import is_secret_name

# Query-string names the wizard uses itself; a node slug may not take them.
RESERVED_SLUGS = frozenset({"change", "flow", "site", "command", "format", "from"})
SLUG_RE = re.compile(r"[-a-z0-9]+")


@dataclass
class ChoiceSpec:
    slug: str
    label: str
    target: str | None


@dataclass
class NodeSpec:
    slug: str
    kind: str
    text: str = ""
    entry: str | None = None  # canonical code
    cause: str | None = None  # cause slug
    cause_entry: str | None = None  # the code of the entry the cause belongs to
    command: str | None = None  # command key
    params: dict = field(default_factory=dict)
    guidance: str = ""
    condition: str | None = None  # condition slug
    choices: list[ChoiceSpec] = field(default_factory=list)


@dataclass(frozen=True)
class FlowProblem:
    node: str  # the node slug ("" when it is about the flow itself)
    message: str

    def __str__(self):
        return f"node '{self.node}': {self.message}" if self.node else self.message


def validate_flow(start, nodes):
    """Check a flow's graph. ``start`` is a node slug (or None), ``nodes`` a list of NodeSpec.

    Returns a list of FlowProblem, empty when the flow is sound: one start node, no duplicate slugs,
    every question has choices, every choice a target that exists, no cycles, no unreachable nodes,
    and so every path ends in an outcome.
    """
    problems = []
    by_slug = {}
    kinds = {k.value for k in NodeKind}
    for node in nodes:
        if not node.slug or not SLUG_RE.fullmatch(node.slug):
            problems.append(FlowProblem(node.slug, "the slug must be lower-case letters, digits and hyphens"))
        if node.slug in RESERVED_SLUGS:
            problems.append(FlowProblem(node.slug, f"'{node.slug}' is reserved by the wizard; pick another slug"))
        if node.slug in by_slug:
            problems.append(FlowProblem(node.slug, "two nodes have this slug"))
        by_slug[node.slug] = node
        if node.kind not in kinds:
            problems.append(FlowProblem(node.slug, f"kind '{node.kind}' is not one of {', '.join(sorted(kinds))}"))
            continue
        if not (node.text or "").strip():
            problems.append(FlowProblem(node.slug, "has no text (the question, or the outcome's heading)"))
        problems.extend(_check_node(node))

    if not start:
        problems.append(FlowProblem("", "the flow has no start node"))
        return problems
    if start not in by_slug:
        problems.append(FlowProblem(start, "is named as the start node but does not exist"))
        return problems
    if by_slug[start].kind != NodeKind.QUESTION:
        problems.append(FlowProblem(start, "the start node must be a question"))

    # Depth-first walk from the start: finds cycles (a choice leading back to a node on the current path).
    state = {}  # slug -> "open" while on the current path, "done" once every path below it is walked

    def visit(slug, trail):
        state[slug] = "open"
        for choice in by_slug[slug].choices:
            target = choice.target
            if not target or target not in by_slug:
                continue  # reported by _check_node / below
            if state.get(target) == "open":
                loop = " -> ".join([*trail[trail.index(target) :], target])
                problems.append(
                    FlowProblem(slug, f"choice '{choice.slug}' leads back to '{target}', making a cycle ({loop})")
                )
            elif target not in state:
                visit(target, [*trail, target])
        state[slug] = "done"

    visit(start, [start])
    for node in nodes:
        for choice in node.choices:
            if choice.target and choice.target not in by_slug:
                problems.append(
                    FlowProblem(node.slug, f"choice '{choice.slug}' leads to '{choice.target}', which does not exist")
                )
    for node in nodes:
        if node.slug not in state:
            problems.append(FlowProblem(node.slug, "cannot be reached from the start node"))
    return problems


def _check_node(node):
    problems = []
    slug = node.slug
    if node.kind == NodeKind.QUESTION:
        if not node.choices:
            problems.append(FlowProblem(slug, "is a question without choices"))
        seen = set()
        for choice in node.choices:
            if not choice.slug or not SLUG_RE.fullmatch(choice.slug):
                problems.append(FlowProblem(slug, f"choice '{choice.slug}': the slug must be lower-case a-z, 0-9, -"))
            if choice.slug in seen:
                problems.append(FlowProblem(slug, f"two choices have the slug '{choice.slug}'"))
            seen.add(choice.slug)
            if not (choice.label or "").strip():
                problems.append(FlowProblem(slug, f"choice '{choice.slug}' has no label"))
            if not choice.target:
                problems.append(FlowProblem(slug, f"choice '{choice.slug}' has no target"))
        if node.entry or node.cause or node.condition:
            problems.append(FlowProblem(slug, "a question cannot point to a KB entry, cause or condition; outcomes do"))
    else:
        if node.choices:
            problems.append(FlowProblem(slug, "an outcome cannot have choices"))
        if node.kind == NodeKind.DIAGNOSE and not (node.entry and node.cause) and not node.condition:
            problems.append(FlowProblem(slug, "a diagnosis needs a KB entry and one of its causes, or a condition"))
        if node.kind == NodeKind.REPLAY and not node.command:
            problems.append(FlowProblem(slug, "a replay outcome needs a command"))
        if node.kind == NodeKind.ESCALATE and not (node.guidance or "").strip():
            problems.append(FlowProblem(slug, "an escalation needs guidance (what to send to support)"))
        if node.cause and not node.entry:
            problems.append(FlowProblem(slug, "names a cause but no entry"))
    if node.cause and node.entry and node.cause_entry and node.cause_entry != node.entry:
        problems.append(FlowProblem(slug, f"cause '{node.cause}' belongs to {node.cause_entry}, not to {node.entry}"))
    if not isinstance(node.params, dict):
        problems.append(FlowProblem(slug, "params must be an object of parameter name to value"))
    else:
        if node.params and not node.command:
            problems.append(FlowProblem(slug, "has params but no command"))
        for name, value in node.params.items():
            if is_secret_name(name):  # never prefilled, so never put in a step's URL
                problems.append(FlowProblem(slug, f"param '{name}' is a secret and may not be prefilled"))
            if not isinstance(value, str | int):
                problems.append(FlowProblem(slug, f"param '{name}' must be a string or a number"))
    return problems


# --- Stored flows -------------------------------------------------------------------------------------


class FlowGraph:
    """A stored flow loaded into memory once (two queries), then walked without touching the database."""

    def __init__(self, flow):
        self.flow = flow
        nodes = list(
            Node.objects.filter(flow=flow).select_related(
                "entry", "cause", "cause__entry", "command", "command__service", "condition"
            )
        )
        self.nodes = {node.slug: node for node in nodes}
        by_pk = {node.pk: node for node in nodes}
        self.choices = {node.slug: [] for node in nodes}
        for choice in Choice.objects.filter(question__flow=flow).order_by("position", "pk"):
            question = by_pk.get(choice.question_id)
            choice.target_node = by_pk.get(choice.target_id)
            if question is not None:
                self.choices[question.slug].append(choice)
        self.start = by_pk.get(flow.start_id)

    def specs(self):
        return [
            NodeSpec(
                slug=node.slug,
                kind=node.kind,
                text=node.text,
                entry=node.entry.code if node.entry else None,
                cause=node.cause.slug if node.cause else None,
                cause_entry=node.cause.entry.code if node.cause else None,
                command=node.command.key if node.command else None,
                params=node.params,
                guidance=node.guidance,
                condition=node.condition.slug if node.condition else None,
                choices=[
                    ChoiceSpec(c.slug, c.label, c.target_node.slug if c.target_node else None)
                    for c in self.choices[node.slug]
                ],
            )
            for node in self.nodes.values()
        ]

    def problems(self):
        problems = validate_flow(self.start.slug if self.start else None, self.specs())
        # A flow is stored with its nodes; a start node from another flow is a problem too.
        if self.flow.start_id and self.start is None:
            problems.append(FlowProblem("", "the start node belongs to another flow"))
        return problems

    def walk(self, answers, change=None):
        """Follow ``answers`` ({node slug: choice slug}) from the start node. See Walk."""
        return Walk(self, answers, change)

    def paths(self):
        """Every path from the start to an outcome, as lists of (node, choice), ending with the outcome node."""
        found = []

        def visit(node, trail, seen):
            if node.is_outcome:
                found.append((trail, node))
                return
            for choice in self.choices.get(node.slug, []):
                target = choice.target_node
                if target is None or target.slug in seen:
                    found.append(([*trail, (node, choice)], None))  # broken path: no outcome
                    continue
                visit(target, [*trail, (node, choice)], seen | {target.slug})

        if self.start is not None:
            visit(self.start, [], {self.start.slug})
        return found


class Walk:
    """Where a set of answers leads in a flow.

    ``steps``: the answered questions on the path, as (node, choice), in order.
    ``node``: the node to show now (the next question, or the outcome), or the question being changed.
    ``answers``: the canonical answers (only those on the path, in path order).
    ``stale``: answers given for a node on the path whose choice no longer exists.
    ``kept``: while on a question, the other answers that fit the flow but are not on the path (yet).
    """

    def __init__(self, graph, answers, change=None):
        self.graph = graph
        self.steps = []
        self.stale = []
        self.changing = None
        node = graph.start
        seen = set()
        while node is not None and node.is_question and node.slug not in seen:
            seen.add(node.slug)
            if change and node.slug == change:
                self.changing = node
                break
            wanted = answers.get(node.slug)
            if wanted is None:
                break
            choice = next((c for c in graph.choices.get(node.slug, []) if c.slug == wanted), None)
            if choice is None or choice.target_node is None:
                self.stale.append((node, wanted))
                break
            self.steps.append((node, choice))
            node = choice.target_node
        self.node = node
        self.answers = {n.slug: c.slug for n, c in self.steps}
        self.current_choice = answers.get(change) if self.changing is not None else None
        if node is not None and (node.is_question or self.changing is not None):
            # Still on a question: keep the other answers that fit this flow. They are used again as soon as the
            # path reaches their question (after changing an earlier answer, or going another way round).
            skip = set(self.answers) | {node.slug}
            self.kept = {k: v for k, v in answers.items() if k not in skip and self._offers(k, v)}
        else:
            self.kept = {}

    def _offers(self, node_slug, choice_slug):
        return any(c.slug == choice_slug for c in self.graph.choices.get(node_slug, []))

    @property
    def is_outcome(self):
        return self.node is not None and self.node.is_outcome and self.changing is None

    @property
    def path(self):
        return [[n.slug, c.slug] for n, c in self.steps]


_graphs = GenerationCache(64)


def served_graph(flow):
    """The graph a page walks, cached per process for the current KB generation.

    Every change to a flow, a node or a choice (admin, loader) bumps the generation, in any process, so a cached graph
    is never used after its flow changed. Pages only read the graph."""
    return _graphs.get_or_build((flow.pk, flow.start_id), lambda: FlowGraph(flow))


def published_flows():
    return Flow.objects.published().order_by("position", "slug")
