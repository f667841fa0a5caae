"""The layering: imports point one way (protocol → circuits → zk), no module imports itself back
through others, each module imports on its own, and every error the project defines is a UserError."""

import ast
import json
import subprocess
import sys

import pytest

from .support.tools import ROOT

LAYERS = {"zk": 0, "circuits": 1, "protocol": 2}


def project_modules() -> dict[str, bool]:
    """Every module of zk, circuits and protocol: {dotted name: is a package}."""
    out = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            out[".".join(parts[:-1] if is_package else parts)] = is_package
    return out


MODULES = project_modules()


def import_nodes(tree: ast.AST, at_import: bool) -> list[ast.Import | ast.ImportFrom]:
    """The import statements of a module; with `at_import`, only those that run when it is imported
    (not those inside functions, which run when the function is called)."""
    out, todo = [], [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(node)
        elif not (at_import and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))):
            todo.extend(ast.iter_child_nodes(node))
    return out


def imported(module: str, is_package: bool, at_import: bool) -> set[str]:
    """The project modules `module` imports (at import time only, or anywhere in its source)."""
    path = ROOT.joinpath(*module.split("."), "__init__.py") if is_package else ROOT.joinpath(*module.split(".")).with_suffix(".py")
    out = set()
    for node in import_nodes(ast.parse(path.read_text()), at_import):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            base = module.split(".") if is_package else module.split(".")[:-1]
            if node.level:
                base = base[: len(base) - node.level + 1]
                prefix = ".".join([*base, *([node.module] if node.module else [])])
            else:
                prefix = node.module or ""
            names = [prefix, *(f"{prefix}.{a.name}" for a in node.names)]
        out.update(n for n in names if n in MODULES and n != module)
    return out


GRAPH = {m: imported(m, is_package, at_import=False) for m, is_package in MODULES.items()}
AT_IMPORT = {m: imported(m, is_package, at_import=True) for m, is_package in MODULES.items()}


def layer(module: str) -> int:
    return LAYERS[module.split(".")[0]]


def test_imports_point_one_way():
    upward = [f"{a} imports {b}" for a, deps in sorted(GRAPH.items()) for b in sorted(deps) if layer(b) > layer(a)]
    assert not upward, upward


def test_no_import_circles():
    """No module reaches itself through the modules it imports when it is imported. A package and
    its own submodules are not a circle (the package re-exports them; they import their siblings
    through it). An import inside a function runs on the call, after every module has loaded, so
    it cannot break an import; it still counts for the direction of the layers above."""

    def family(a: str, b: str) -> bool:
        return (MODULES[a] and b.startswith(a + ".")) or (MODULES[b] and a.startswith(b + "."))

    def reaches(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            a = todo.pop()
            for b in AT_IMPORT[a]:
                if b not in seen and not family(a, b):
                    seen.add(b)
                    todo.append(b)
        return seen

    circles = sorted(m for m in MODULES if m in reaches(m))
    assert not circles, circles


IMPORT_EACH_FIRST = """
import importlib, json, sys
failed = {}
for module in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("zk", "circuits", "protocol")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(module)
    except Exception as exc:
        failed[module] = f"{type(exc).__name__}: {exc}"
print(json.dumps(failed))
"""


@pytest.mark.slow  # ~35 s: every module's dependencies are imported again for each module
def test_each_module_imports_first():
    """Each module imported before any other project module (what a circle breaks), in one fresh
    interpreter that forgets the project's modules between imports."""
    modules = [m for m in MODULES if not m.endswith("__main__")]  # __main__ runs the CLI
    done = subprocess.run([sys.executable, "-c", IMPORT_EACH_FIRST, json.dumps(modules)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {}


ERRORS_AND_BASES = """
import importlib, inspect, json, sys
from zk.errors import UserError
errors = {}
for module in json.loads(sys.argv[1]):
    for name, cls in inspect.getmembers(importlib.import_module(module), inspect.isclass):
        if issubclass(cls, Exception) and cls.__module__ == module and not name.startswith("_"):
            errors[f"{module}.{name}"] = issubclass(cls, UserError)
print(json.dumps(errors))
"""


def test_every_project_error_is_a_user_error():
    """The CLI prints a UserError as one line: each layer's errors derive from that one base (a
    private exception that never leaves its module, like the witness runtime's unwinding, aside).
    In its own interpreter: importing everything changes process state (py-evm raises the
    recursion limit) that other tests compare against."""
    modules = [m for m in MODULES if not m.endswith("__main__")]
    done = subprocess.run([sys.executable, "-c", ERRORS_AND_BASES, json.dumps(modules)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    errors = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"zk.errors.ZkError", "circuits.registry.UnknownCircuit", "protocol.errors.ProtocolError",
            "protocol.chain.errors.ChainError", "protocol.bench.artefacts.BenchToolError"} <= set(errors)
    assert [name for name, is_user_error in sorted(errors.items()) if not is_user_error] == []


def test_circuits_are_added_in_one_table():
    """circuits/registry.py's CIRCUITS is the only list of circuits: no other module makes a table
    entry or registers anything, and no module of circuits imports the registry back."""
    makers = set()
    for module, is_package in MODULES.items():
        path = ROOT.joinpath(*module.split("."), "__init__.py") if is_package else ROOT.joinpath(*module.split(".")).with_suffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            called = node.func if isinstance(node, ast.Call) else None
            name = getattr(called, "id", None) or getattr(called, "attr", None)
            if name in ("Entry", "register") or (isinstance(node, ast.FunctionDef) and node.name == "register"):
                makers.add(module)
    assert makers == {"circuits.registry"}
    assert [m for m in MODULES if m.startswith("circuits.") and "circuits.registry" in GRAPH[m]] == []


def test_the_circuit_table_lists_the_circuits_the_cli_has_always_listed():
    """`zktrade circuit list` shows these (v2 made the 6- and 7-input stand-ins 7 and 8 inputs)."""
    from circuits import registry

    assert registry.names() == ["collateral", "cubic", "free_publics7", "free_publics8", "gates300", "gates300x0",
                                "gates64x32", "leg", "merkle20", "merkle4", "poseidon2", "range64", "withdraw"]


def test_no_test_accepts_any_exception():
    """`pytest.raises(Exception)` passes on any error, a typo included: tests name the error they expect."""
    broad = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "raises" and node.args
                    and getattr(node.args[0], "id", None) in ("Exception", "BaseException")):
                broad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert broad == []
