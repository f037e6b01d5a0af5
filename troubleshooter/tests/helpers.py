"""Small builders shared by the wizard tests."""

import json

from troubleshooter.flows import ChoiceSpec, NodeSpec


def question(slug, *choices, text=None):
    return NodeSpec(
        slug=slug,
        kind="question",
        text=text or f"Question {slug}?",
        choices=[ChoiceSpec(c, f"Symptom {c}", t) for c, t in choices],
    )


def outcome(slug, kind="escalate", **kwargs):
    kwargs.setdefault("guidance", "Contact support.")
    return NodeSpec(slug=slug, kind=kind, text=f"Outcome {slug}", **kwargs)


def flow_item(slug="tiny", nodes=None, start="first", **extra):
    """A small valid flow in the fixture format (uses seed entries that the shipped KB has)."""
    nodes = nodes or [
        {
            "slug": "first",
            "kind": "question",
            "text": "What came back?",
            "choices": [
                {"slug": "conflict", "label": "RS=WebExIDConflict", "target": "taken"},
                {"slug": "other", "label": "Something else", "target": "support"},
            ],
        },
        {
            "slug": "taken",
            "kind": "diagnose",
            "text": "The ID is taken",
            "entry": "WebExIDConflict",
            "cause": "webex-id-taken",
            "guidance": "Use another WID.",
        },
        {"slug": "support", "kind": "escalate", "text": "Ask support", "guidance": "Send the summary."},
    ]
    return {"slug": slug, "title": f"Flow {slug}", "start": start, "nodes": nodes, **extra}


def write_flows(tmp_path, *items, name="flows.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"flows": list(items)}), encoding="utf-8")
    return path
