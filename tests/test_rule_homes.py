"""Each shared rule is written once, in its home; a stray copy anywhere else fails here. Every guard is also run on a
planted copy, so a guard that could never fail fails too.

| rule | home |
|---|---|
| how a command key is written and read (``p.php?AT=LI``) | webex/commandkeys.py |
| a URL's origin and the scheme's default port | replay/outbound.py ``url_origin``, ``default_port`` |
| a cause's anchor on its entry's page (``#cause-<slug>``) | kb/models.py ``Cause.anchor`` |
| the labels of the APIs ("URL API", "XML API") | kb/models.py ``Api`` |
| which parameter names are secrets | webex/redaction.py ``SECRET_PARAMS`` |
| an entry's caps (aliases, causes, steps) | kb/limits.py |
"""

import ast
import re
from pathlib import Path

import pytest

from webex.redaction import SECRET_PARAMS

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("webex", "core", "kb", "troubleshooter", "replay", "config")  # bench/ only builds sample inputs
STR_METHODS = {"partition", "rpartition", "split", "rsplit", "startswith", "endswith", "find", "index", "replace"}


def _sources(suffix=".py"):
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob(f"*{suffix}")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    if suffix == ".html":
        for path in sorted((ROOT / "templates").rglob("*.html")):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def _docstrings(tree):
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def command_key_copies(name, source):
    """``?AT=`` written into or read out of a string by code: an f-string, a concatenation, a string method."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            if any(isinstance(v, ast.Constant) and "?AT=" in str(v.value) for v in node.values):
                found.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
            if any(isinstance(s, ast.Constant) and "?AT=" in str(s.value) for s in (node.left, node.right)):
                found.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STR_METHODS:
            if any(isinstance(a, ast.Constant) and "?AT=" in str(a.value) for a in node.args):
                found.append(node.lineno)
        elif (
            isinstance(node, ast.Compare)
            and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
            and isinstance(node.left, ast.Constant)
            and "?AT=" in str(node.left.value)
            and id(node.left) not in docs
        ):
            found.append(node.lineno)
    return found


def default_port_copies(name, source):
    """The port numbers 443 or 80 chosen in code (``443 if https else 80``)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.IfExp)
        and any(isinstance(n, ast.Constant) and n.value in (443, 80) for n in (node.body, node.orelse))
    ]


CAUSE_ANCHOR = re.compile(r"cause-\{\{?\s*[\w.]*slug")


def cause_anchor_copies(name, source):
    """``cause-`` joined to a slug, in Python or a template."""
    return [source.count("\n", 0, m.start()) + 1 for m in CAUSE_ANCHOR.finditer(source)]


API_LABEL = re.compile(r"""["'](?:url|xml)["']\s*[:,]\s*["'](?:URL|XML) API["']""")


def api_label_copies(name, source):
    """An API value paired with its label (``"url": "URL API"``)."""
    return [source.count("\n", 0, m.start()) + 1 for m in API_LABEL.finditer(source)]


def secret_name_copies(name, source):
    """A tuple, list or set of two or more secret parameter names written out (``("pw", "npw", …)``)."""
    folded = {n.upper() for n in SECRET_PARAMS}
    found = []
    for node in ast.walk(ast.parse(source)):
        items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else None
        if items:
            names = {str(i.value).upper() for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
            if len(names & folded) >= 2:
                found.append(node.lineno)
    return found


CAP_NAME = re.compile(r"^MAX_(?:ALIASES|CAUSES|STEPS)\b|_(?:ALIASES|CAUSES|STEPS)_(?:MAX|CAP|LIMIT)\b")


def entry_cap_copies(name, source):
    """A cap on an entry's aliases, causes or steps given a value (``MAX_STEPS = 60``): kb/limits.py's alone."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name | ast.Attribute):
                    label = target.id if isinstance(target, ast.Name) else target.attr
                    if CAP_NAME.search(label) and isinstance(node.value, ast.Constant):
                        found.append(node.lineno)
    return found


GUARDS = {
    "command key": (command_key_copies, ".py", {"webex/commandkeys.py"}),
    "default port": (default_port_copies, ".py", {"replay/outbound.py"}),
    "cause anchor": (cause_anchor_copies, ".py", {"kb/models.py"}),
    "cause anchor in templates": (cause_anchor_copies, ".html", set()),
    "API labels": (api_label_copies, ".py", {"kb/models.py"}),
    "secret parameter names": (secret_name_copies, ".py", {"webex/redaction.py"}),
    "entry caps": (entry_cap_copies, ".py", {"kb/limits.py"}),
}

PLANTED = {
    "command key": 'def f(service, at):\n    return f"{service}?AT={at}"\n',
    "default port": 'port = parts.port or (443 if parts.scheme == "https" else 80)\n',
    "cause anchor": 'url = f"{entry.get_absolute_url()}#cause-{cause.slug}"\n',
    "cause anchor in templates": '<section id="cause-{{ cause.slug }}">\n',
    "API labels": 'LABELS = {"url": "URL API", "xml": "XML API"}\n',
    "secret parameter names": 'FIELDS = ("pw", "npw", "tk", "mpw")\n',
    "entry caps": "MAX_STEPS = 60\n",
}


@pytest.mark.parametrize("rule", GUARDS)
def test_each_rule_is_written_only_in_its_home(rule):
    find, suffix, homes = GUARDS[rule]
    copies = {name: lines for name, source in _sources(suffix) if name not in homes and (lines := find(name, source))}
    assert copies == {}, f"{rule}: written outside {sorted(homes) or 'its home'}"


@pytest.mark.parametrize("rule", GUARDS)
def test_each_guard_finds_a_planted_copy(rule):
    find, _suffix, _homes = GUARDS[rule]
    assert find("planted", PLANTED[rule]), f"the {rule} guard misses a copy"


def test_the_homes_exist_and_hold_the_rule():
    for rule, (_find, _suffix, homes) in GUARDS.items():
        for home in homes:
            assert (ROOT / home).exists(), f"{rule}: {home}"
    assert "?AT=" in (ROOT / "webex/commandkeys.py").read_text()
    assert default_port_copies("home", (ROOT / "replay/outbound.py").read_text())
