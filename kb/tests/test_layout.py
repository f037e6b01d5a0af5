"""The tree shows what the product is: kb (knowledge, search, the WebEx reader, redaction), troubleshooter (the
wizard), replay (outbound, plan, run, records, sandbox) and config. Arrows point one way, and no module is huge."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("kb", "troubleshooter", "replay", "config")
MAX_LINES = 800


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def _imports(path, name):
    """Project modules imported by ``path``: (imported module, at module level?)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def visit(node, top):
        for child in ast.iter_child_nodes(node):
            nested = top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, top) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1] + [base]).strip(".")
                found.append((base, top))
                found.extend((f"{base}.{alias.name}", top) for alias in child.names)
            visit(child, nested)

    visit(tree, True)
    return [(m, top) for m, top in found if m.split(".")[0] in APPS]


def test_the_tree_has_one_folder_per_feature():
    assert {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()} >= set(APPS)
    leftovers = [
        p
        for pattern in ("*replay*", "*sandbox*")
        for p in (ROOT / "troubleshooter").rglob(pattern)
        if "migrations" not in p.parts and "__pycache__" not in p.parts
    ]
    assert leftovers == [], "replay code and the sandbox belong in replay/"
    for part in ("outbound.py", "plan.py", "run.py", "curl.py", "sandbox/__init__.py", "models.py", "views.py"):
        assert (ROOT / "replay" / part).exists(), part
    for part in ("search/__init__.py", "webex.py", "redaction.py", "generation.py", "rendering.py"):
        assert (ROOT / "kb" / part).exists(), part


def test_no_module_is_over_800_lines():
    long = {
        name: n for name, path in _modules() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_arrows_point_one_way():
    for name, path in _modules():
        targets = {m.split(".")[0] for m, _top in _imports(path, name)}
        if name.startswith("kb"):
            assert not targets & {"troubleshooter", "replay"}, f"{name} imports another app"
        if name.startswith("troubleshooter"):
            assert "replay" not in targets, f"{name} imports replay"
        if name.startswith("replay.outbound"):
            assert not targets - {"replay"}, "the guarded outbound call knows nothing of WebEx or the KB"


def test_no_import_loop_between_project_modules():
    modules = dict(_modules())
    graph = {}
    for name, path in modules.items():
        graph[name] = {m for m, _top in _imports(path, name) if m in modules and m != name}

    def cycle_from(start):
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    return trail + [start]
                if nxt not in seen and not start.startswith(nxt + "."):  # a package imports its own modules
                    seen.add(nxt)
                    stack.append((nxt, trail + [nxt]))
        return None

    loops = [loop for name in graph if (loop := cycle_from(name))]
    assert loops == []
