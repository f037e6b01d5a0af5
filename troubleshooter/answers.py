"""What the wizard's flows say about an answer a site gave: which choice of a step it is, and which test to run next.

Both read the flows as data. A choice's label names the answer it stands for (``RS=TheDurationIsExceedTheMaxDuration``,
``ST=SUCCESS: …``, ``Another reason code …``); its target names an entry; a question's test command and parameters
(``m.php?AT=SM`` with ``DU=20``) are the test the catalogue describes. Replay asks these (troubleshooter never
imports replay): "Back to the step" with the matching choice marked, and the next test as one click.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import parse_qsl, urlsplit

from kb.models import Alias, Entry
from troubleshooter.flows import SLUG_RE, published_flows, served_graph
from troubleshooter.models import Flow, NodeKind
from troubleshooter.wizard import START_QUESTION, step_url
from webex.commandkeys import LOGIN_COMMAND, needs_session

_RS_TOKEN = re.compile(r"\b(?:RS=|exceptionID[= ])([A-Za-z0-9_]+)")
_ALSO_TOKEN = re.compile(r"\(or ([A-Za-z0-9_]+)\)")
_SUCCESS = re.compile(r"\bST=SUCCESS\b|\bSUCCESS\b")
_OTHER_CODE = re.compile(r"\b(?:another|a different)(?: reason)? code\b", re.IGNORECASE)


def code_names(code) -> set[str]:
    """The code, its entry's canonical code and the entry's aliases, lower case: what a label may call it."""
    code = (code or "").strip()
    if not code:
        return set()
    names = {code.lower()}
    entry, _how = Entry.objects.published().resolve(code)
    if entry is not None:
        names.add(entry.code.lower())
        names.update(a.lower() for a in Alias.objects.filter(entry=entry).values_list("alias", flat=True))
    return names


def _label_codes(label):
    return {t.lower() for t in _RS_TOKEN.findall(label or "") + _ALSO_TOKEN.findall(label or "")}


def match_choice(choices, *, outcome, names):
    """The choice that stands for an answer: SUCCESS, a code it names (or whose target's entry has it), or
    "another code" for a code no choice names. None when nothing fits."""
    if outcome == "success":
        return next((c for c in choices if _SUCCESS.search(c.label or "")), None)
    if not names:
        return None
    for choice in choices:
        if _label_codes(choice.label) & names:
            return choice
    for choice in choices:
        target = choice.target_node
        if target is not None and target.entry is not None and target.entry.code.lower() in names:
            return choice
    return next((c for c in choices if _OTHER_CODE.search(c.label or "")), None)


def _read_step(path):
    """(flow, answers, change) of a /troubleshoot/<flow>/?… path, or None."""
    parts = urlsplit(path or "")
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 2 or segments[0] != "troubleshoot" or not SLUG_RE.fullmatch(segments[1]):
        return None
    flow = Flow.objects.published().filter(slug=segments[1]).first()
    if flow is None:
        return None
    answers, change = {}, None
    for key, value in parse_qsl(parts.query)[:50]:
        if key == "change":
            change = value
        elif len(key) <= 60 and len(value) <= 60 and SLUG_RE.fullmatch(key) and SLUG_RE.fullmatch(value):
            answers[key] = value
    return flow, answers, change


def step_path_text(path) -> list[str]:
    """The wizard path that led to the step at ``path``, as a ticket lists it: the flow, each question with its
    answer, then the question the step asked (where a replay was started). Empty for a path that is no step."""
    step = _read_step(path)
    if step is None:
        return []
    flow, answers, change = step
    walk = served_graph(flow).walk(answers, change)
    lines = [f"{START_QUESTION} {flow.title}"] + [f"{q.text} {c.label}" for q, c in walk.steps]
    here = walk.changing or walk.node
    if here is not None and here.is_question:
        lines.append(f"(replayed at) {here.text}")
    elif here is not None and walk.is_outcome:
        lines.append(f"(replayed at the outcome) {here.text}")
    return lines


def back_to_step(path, *, outcome, code):
    """Where "Back to the step" goes after a replay started from the wizard step at ``path`` (already checked to
    be a /troubleshoot/ path). Returns {"url", "question", "choice", "continue_url"}; ``choice`` (the label of the
    answer that matches) and ``continue_url`` are None when no choice fits."""
    step = _read_step(path)
    if step is None:
        return {"url": path, "question": None, "choice": None, "continue_url": None}
    flow, answers, change = step
    graph = served_graph(flow)
    walk = graph.walk(answers, change)
    question = walk.changing or walk.node
    if question is None or not question.is_question:
        return {"url": path, "question": None, "choice": None, "continue_url": None}
    choice = match_choice(graph.choices.get(question.slug, []), outcome=outcome, names=code_names(code))
    if choice is None:
        return {"url": path, "question": question.text, "choice": None, "continue_url": None}
    chosen = {**walk.answers, question.slug: choice.slug, **walk.kept}
    return {
        "url": step_url(flow, chosen, change=question.slug),
        "question": question.text,
        "choice": choice.label,
        "continue_url": step_url(flow, chosen),
    }


def _answers_to(graph, slug):
    """The answers of the shortest path from the start to the node ``slug`` (breadth first), or None."""
    if graph.start is None:
        return None
    queue = deque([(graph.start, {})])
    seen = {graph.start.slug}
    while queue:
        node, answers = queue.popleft()
        if node.slug == slug:
            return answers
        for choice in graph.choices.get(node.slug, []):
            target = choice.target_node
            if target is not None and target.slug not in seen:
                seen.add(target.slug)
                queue.append((target, {**answers, node.slug: choice.slug}))
    return None


def next_tests(*, code, command, cause_slug="", params=None):
    """The tests the flows describe after an answer with ``code`` to ``command`` (a command key).

    Each is {"kind": "retry" | "test" | "login-first", "command": key, "params": {…}, "from": step path}:
    "retry" sends the same command with the test's parameters (DU=20), "test" sends another command
    (p.php?AT=SU), "login-first" sends the same command after logging in. ``params`` are the answer's own
    parameters: a choice of a test step (DU=20) only counts when the answer came from that test."""
    params = {k.upper(): str(v) for k, v in (params or {}).items()}
    names = code_names(code)
    if not names:
        return []
    found, seen = [], set()
    flows = sorted(
        published_flows(),
        key=lambda f: 0 if any(n.command and n.command.key == command for n in served_graph(f).nodes.values()) else 1,
    )
    for flow in flows:
        graph = served_graph(flow)
        for slug, choices in graph.choices.items():
            if not _answers_test(graph.nodes.get(slug), command, params):
                continue
            for choice in choices:
                target = choice.target_node
                if target is None or not (_label_codes(choice.label) & names) or not target.is_question:
                    continue
                for test in _tests_at(graph, target, command, cause_slug):
                    key = (test["kind"], test["command"], tuple(sorted(test["params"].items())))
                    if key not in seen:
                        seen.add(key)
                        answers = _answers_to(graph, target.slug)
                        test["from"] = step_url(flow, answers) if answers is not None else ""
                        found.append(test)
    return found


def _answers_test(question, command, params):
    """Whether an answer to ``command`` with ``params`` answers ``question``: always, unless the question is a test
    of this command with parameters the answer did not carry (DU=15 is the next step only after DU=20 failed)."""
    if question is None or question.command is None or question.command.key != command:
        return True
    return all(params.get(str(k).upper()) == str(v) for k, v in (question.params or {}).items())


def _tests_at(graph, question, command, cause_slug):
    if question.command is not None:
        params = {str(k): str(v) for k, v in (question.params or {}).items()}
        kind = "retry" if question.command.key == command else "test"
        return [{"kind": kind, "command": question.command.key, "params": params}]
    tests = []
    for choice in graph.choices.get(question.slug, []):
        target = choice.target_node
        if (
            target is not None
            and target.kind == NodeKind.REPLAY
            and target.command is not None
            and target.command.key == LOGIN_COMMAND
            and command != LOGIN_COMMAND
            and needs_session(command)
            and (not cause_slug or target.cause is None or target.cause.slug == cause_slug)
        ):
            tests.append({"kind": "login-first", "command": command, "params": {}})
    return tests[:1]
