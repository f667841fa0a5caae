"""The layering: imports point one way (protocol → circuits → zk), no module imports itself back
through others, each module imports on its own, and every error the project defines is a UserError."""

import ast
import importlib
import inspect
import json
import subprocess
import sys

import pytest

from zk.errors import UserError

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


def imported(module: str, is_package: bool) -> set[str]:
    """The project modules `module` imports anywhere in its source (module level or in a function)."""
    path = ROOT.joinpath(*module.split("."), "__init__.py") if is_package else ROOT.joinpath(*module.split(".")).with_suffix(".py")
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = module.split(".") if is_package else module.split(".")[:-1]
            if node.level:
                base = base[: len(base) - node.level + 1]
                prefix = ".".join([*base, *([node.module] if node.module else [])])
            else:
                prefix = node.module or ""
            names = [prefix, *(f"{prefix}.{a.name}" for a in node.names)]
        else:
            continue
        out.update(n for n in names if n in MODULES and n != module)
    return out


GRAPH = {m: imported(m, is_package) for m, is_package in MODULES.items()}


def layer(module: str) -> int:
    return LAYERS[module.split(".")[0]]


def test_imports_point_one_way():
    upward = [f"{a} imports {b}" for a, deps in sorted(GRAPH.items()) for b in sorted(deps) if layer(b) > layer(a)]
    assert not upward, upward


def test_no_import_circles():
    """No module reaches itself through the modules it imports. A package and its own submodules
    are not a circle (the package re-exports them; they import their siblings through it)."""

    def family(a: str, b: str) -> bool:
        return (MODULES[a] and b.startswith(a + ".")) or (MODULES[b] and a.startswith(b + "."))

    def reaches(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            a = todo.pop()
            for b in GRAPH[a]:
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


def test_every_project_error_is_a_user_error():
    """The CLI prints a UserError as one line: each layer's errors derive from that one base
    (a private exception that never leaves its module, like the witness runtime's unwinding, aside)."""
    errors = {
        f"{m}.{name}": cls
        for m in MODULES if not m.endswith("__main__")
        for name, cls in inspect.getmembers(importlib.import_module(m), inspect.isclass)
        if issubclass(cls, Exception) and cls.__module__ == m and not name.startswith("_")
    }
    assert {"zk.errors.ZkError", "circuits.registry.UnknownCircuit", "protocol.errors.ProtocolError",
            "protocol.chain.errors.ChainError", "protocol.bench.artefacts.BenchToolError"} <= set(errors)
    assert [name for name, cls in sorted(errors.items()) if not issubclass(cls, UserError)] == []
