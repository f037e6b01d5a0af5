"""The house's rules, asserted on the code rather than on file names: arrows point one way, no import loop, no
huge module or function, no private name imported across modules, and kb/ is not the one big room again.

The layout itself (which folder holds what, and where a new file goes) is written in docs/architecture.md."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("webex", "core", "kb", "troubleshooter", "replay", "config")
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 100
MAX_KB_SHARE = 0.45

# Who may import whom (the first part of a module's name). Anything not listed is refused.
ALLOWED = {
    "webex": {"webex"},
    "core": {"core", "webex"},
    "kb": {"kb", "core", "webex"},
    "troubleshooter": {"troubleshooter", "kb", "core", "webex"},
    "replay": {"replay", "kb", "core", "webex", "troubleshooter"},
    "config": {"config", "core"},
}


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def _imports(path, name):
    """(imported module, imported name or None) for every import of a project module in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
            found.extend((base, alias.name) for alias in node.names)
    return [(m, n) for m, n in found if m.split(".")[0] in PACKAGES]


def _lines(path):
    return len(path.read_text(encoding="utf-8").splitlines())


def test_the_tree_has_its_rooms():
    for package in PACKAGES:
        assert (ROOT / package / "__init__.py").exists(), package
    for room in ("search", "editing", "fixtures"):
        assert (ROOT / "kb" / room / "__init__.py").exists(), f"kb/{room}/"


def test_arrows_point_one_way():
    wrong = []
    for name, path in _modules():
        top = name.split(".")[0]
        for module, _ in _imports(path, name):
            if module.split(".")[0] not in ALLOWED[top]:
                wrong.append(f"{name} imports {module}")
    assert wrong == []


def test_the_wizard_never_imports_replay_and_the_outbound_call_knows_nothing_of_webex():
    for name, path in _modules():
        targets = {m.split(".")[0] for m, _ in _imports(path, name)}
        if name.startswith("troubleshooter"):
            assert "replay" not in targets, name
        if name == "replay.outbound":
            assert targets <= {"replay"}, "the guarded outbound call knows nothing of WebEx or the KB"


def test_webex_is_pure_python():
    for name, path in _modules():
        if name.startswith("webex"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            roots = {
                alias.name.split(".")[0]
                for node in ast.walk(tree)
                if isinstance(node, ast.Import)
                for alias in node.names
            } | {
                node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
            }
            assert "django" not in roots, name


def test_no_import_loop_between_project_modules():
    modules = dict(_modules())
    graph = {}
    for name, path in modules.items():
        targets = set()
        for module, imported in _imports(path, name):
            if imported and f"{module}.{imported}" in modules:
                targets.add(f"{module}.{imported}")
            elif module in modules:
                targets.add(module)
        graph[name] = targets - {name}

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


def test_no_module_is_over_800_lines():
    long = {name: n for name, path in _modules() if (n := _lines(path)) > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_is_over_100_lines():
    long = {}
    for name, path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long[f"{name}.{node.name}"] = n
    assert long == {}


def test_no_private_name_is_imported_across_modules():
    private = [
        f"{name} imports {module}.{imported}"
        for name, path in _modules()
        for module, imported in _imports(path, name)
        if imported and imported.startswith("_") and not imported.startswith("__")
    ]
    assert private == []


def test_kb_is_not_the_one_big_room():
    """kb/ holds at most 45% of the project's non-test Python lines (migrations left out; bench/ and the root
    conftest.py counted, as every other non-test Python file)."""
    files = [
        p
        for p in ROOT.rglob("*.py")
        if not {".venv", "tests", "migrations", "node_modules"} & set(p.relative_to(ROOT).parts)
    ]
    total = sum(_lines(p) for p in files)
    kb = sum(_lines(p) for p in files if p.relative_to(ROOT).parts[0] == "kb")
    assert kb / total <= MAX_KB_SHARE, f"kb/ is {kb / total:.0%} of {total} lines"


def _is_view_module(name):
    last = name.rsplit(".", 1)[-1]
    return last == "views" or last.startswith("views_") or last.endswith("_views")


def test_no_view_module_imports_another():
    """Views stay thin: what two views share lives in a module that is not a view module."""
    modules = dict(_modules())
    wrong = [
        f"{name} imports {target}"
        for name, path in modules.items()
        if _is_view_module(name)
        for module, imported in _imports(path, name)
        for target in (f"{module}.{imported}" if imported else module, module)
        if target in modules and target != name and _is_view_module(target)
    ]
    assert wrong == []
